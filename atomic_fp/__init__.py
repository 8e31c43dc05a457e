"""atomic-fp: typed, functional-core cross-exchange funding-rate arbitrage.

Layers: models (1) -> venue protocol and operations (2) -> aggregators (3) ->
pure decisions (4) -> orchestration (5). Adapters (layer 0) live in the ``adapters``
package; the CLI in ``scripts``.

The seed design's public API, importable from here as it writes it::

    from atomic_fp import Symbol, ArbitrageConfig, AtomicQueryer, ArbitrageOrchestrator

The errors and the models a scan uses are imported eagerly; everything else on first use
(PEP 562 ``__getattr__``): the operations, aggregators and orchestration (which need
``anyio``), so that importing the pure core (``atomic_fp.models``, ``atomic_fp.decisions``)
loads no I/O library; the order, signal, book and account models (:mod:`atomic_fp.models`
imports them on first use too); and the decisions, exposure and per-venue names, so that a
module importing ``atomic_fp.models`` (every adapter, the config reader) does not pay for
the decisions: the package ``__init__`` runs on any ``atomic_fp.*`` import, and the
decisions were ~40 % of a cold scan's imports before its first connection (issue 20).
``__init__.pyi`` gives type checkers every name.
"""

from typing import Any

from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    DecisionError,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    NotConfigured,
    NotSent,
    NotSupported,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
    VenueTimeout,
)
from atomic_fp.models import _ON_FIRST_USE as _MODELS_ON_FIRST_USE
from atomic_fp.models import (
    ArbitrageConfig,
    ContractType,
    ExchangeIdentifier,
    FundingKind,
    FundingRate,
    Market,
    Symbol,
    VenueFees,
)

__version__ = "0.1.0"

_LAZY = {
    # the order, signal, book and account models: atomic_fp.models imports them on first use
    **dict.fromkeys(_MODELS_ON_FIRST_USE, "atomic_fp.models"),
    "FundingArbitrageDecision": "atomic_fp.decisions",
    "NoTrade": "atomic_fp.decisions",
    "Opportunity": "atomic_fp.decisions",
    "RebalanceDecision": "atomic_fp.decisions",
    "SafetyDecision": "atomic_fp.decisions",
    "ExposureReport": "atomic_fp.exposure",
    "IncompleteExposure": "atomic_fp.exposure",
    "ByVenue": "atomic_fp.per_venue",
    "AtomicQueryer": "atomic_fp.operations",
    "AtomicTrader": "atomic_fp.operations",
    "FundingRateAggregator": "atomic_fp.aggregators",
    "MarketAggregator": "atomic_fp.aggregators",
    "OrderAggregator": "atomic_fp.aggregators",
    "PositionAggregator": "atomic_fp.aggregators",
    "ArbitrageOrchestrator": "atomic_fp.orchestration",
    "CycleReport": "atomic_fp.orchestration",
    "ExecutionReport": "atomic_fp.orchestration",
    "ExecutionStatus": "atomic_fp.orchestration",
    "MemoryJournal": "atomic_fp.orchestration",
    "ReconciliationReport": "atomic_fp.orchestration",
    "RunSummary": "atomic_fp.orchestration",
    "SimpleStrategyRunner": "atomic_fp.orchestration",
    "Capability": "atomic_fp.venue",
    "VenueClient": "atomic_fp.venue",
}


def __getattr__(name: str) -> Any:
    """The layer 2-5 names, imported on first use (and cached in the module)."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'atomic_fp' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Ambiguous",
    "ArbitrageConfig",
    "ArbitrageOrchestrator",
    "AtomicQueryer",
    "AtomicTrader",
    "AuthenticationError",
    "Balance",
    "BookLevel",
    "ByVenue",
    "Capability",
    "ContractType",
    "CycleReport",
    "DecisionError",
    "ExchangeIdentifier",
    "ExecutionReport",
    "ExecutionStatus",
    "ExposureReport",
    "FundingArbitrageDecision",
    "FundingKind",
    "FundingPayment",
    "FundingRate",
    "FundingRateAggregator",
    "IncompleteExposure",
    "InvalidRequest",
    "MalformedResponse",
    "Market",
    "MarketAggregator",
    "MemoryJournal",
    "NetworkError",
    "NoTrade",
    "NotConfigured",
    "NotSent",
    "NotSupported",
    "Opportunity",
    "Order",
    "OrderAggregator",
    "OrderBook",
    "OrderNotFound",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionAggregator",
    "PositionSide",
    "RateLimited",
    "RebalanceDecision",
    "ReconciliationReport",
    "RunSummary",
    "SafetyDecision",
    "Side",
    "SignalKind",
    "SimpleStrategyRunner",
    "Symbol",
    "TimeInForce",
    "TradeLeg",
    "TradingSignal",
    "UnknownSymbol",
    "VenueClient",
    "VenueError",
    "VenueFees",
    "VenueRejected",
    "VenueTimeout",
]
