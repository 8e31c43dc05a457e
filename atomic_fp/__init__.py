"""atomic-fp: typed, functional-core cross-exchange funding-rate arbitrage.

Layers: models (1) -> venue protocol and operations (2) -> aggregators (3) ->
pure decisions (4) -> orchestration (5). Adapters (layer 0) live in the ``adapters``
package; the CLI in ``scripts``.
"""

__version__ = "0.1.0"
