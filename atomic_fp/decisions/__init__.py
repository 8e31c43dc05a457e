"""Layer 4: pure decisions. Data in, signal out; no I/O, no clock reads (time is an argument).

Each decision returns ``Result[TradingSignal, NoTrade]``: ``Success`` carries the signal to
execute, ``Failure`` carries *why* there is nothing to do (which is not an error, but must
always say its reasons, including every venue that was left out and why).

The package imports its names on first use (PEP 562 ``__getattr__``): importing one
decision module (a scan ranks with :mod:`~atomic_fp.decisions.ranking`, estimates with
:mod:`~atomic_fp.decisions.estimators`) runs this ``__init__`` first, and importing every
decision here made each scan build the trading decisions' classes too (issue 20).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
    from atomic_fp.decisions.ranking import best_per_symbol, rank_opportunities
    from atomic_fp.decisions.rebalance import RebalanceDecision
    from atomic_fp.decisions.safety import SafetyDecision
    from atomic_fp.decisions.types import NoTrade, Opportunity, VenueInputs

_LAZY = {
    "FundingArbitrageDecision": "atomic_fp.decisions.funding_arbitrage",
    "NoTrade": "atomic_fp.decisions.types",
    "Opportunity": "atomic_fp.decisions.types",
    "RebalanceDecision": "atomic_fp.decisions.rebalance",
    "SafetyDecision": "atomic_fp.decisions.safety",
    "VenueInputs": "atomic_fp.decisions.types",
    "best_per_symbol": "atomic_fp.decisions.ranking",
    "rank_opportunities": "atomic_fp.decisions.ranking",
}


def __getattr__(name: str) -> Any:
    """The package's names, imported on first use (and kept in the package)."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "FundingArbitrageDecision",
    "NoTrade",
    "Opportunity",
    "RebalanceDecision",
    "SafetyDecision",
    "VenueInputs",
    "best_per_symbol",
    "rank_opportunities",
]
