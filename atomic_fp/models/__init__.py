"""Layer 1: immutable models. One model describes one entity on one venue.

The identifier, market, funding, fee and config models are imported here eagerly; the
order, signal, book and account models on first use (PEP 562 ``__getattr__``, as the
``atomic_fp`` package does), since every ``atomic_fp.*`` import runs this ``__init__``
and a module that needs only identifiers, funding rates or config (the config reader, the
ranking) should not pay for the order path (issue 20: a cold scan's critical path is its
main thread's imports). ``from atomic_fp.models import Order``, ``atomic_fp.models.Order``
and ``import *`` give the same objects as before; ``__init__.pyi`` gives type checkers
every name (as ``atomic_fp/__init__.pyi`` does), so a misspelt one stays an error. (A
live scan still loads the order, book and account models today through
:mod:`atomic_fp.aggregators`, whose imports of them are for annotations only.)
"""

from typing import Any

from atomic_fp.models.config import DEFAULT_FEES, ArbitrageConfig, VenueFees
from atomic_fp.models.fees import ASSUMED_FEES, FeeQuote, FeeSource
from atomic_fp.models.funding import HOURS_PER_YEAR, FundingKind, FundingRate, interval_hours
from atomic_fp.models.identifiers import ContractType, ExchangeIdentifier, Symbol
from atomic_fp.models.market import Market

_ON_FIRST_USE = {
    **dict.fromkeys(
        ("Balance", "FundingPayment", "Position", "PositionSide"), "atomic_fp.models.account"
    ),
    **dict.fromkeys(("BookLevel", "OrderBook", "Side"), "atomic_fp.models.book"),
    **dict.fromkeys(
        ("Order", "OrderRequest", "OrderStatus", "OrderType", "TimeInForce"),
        "atomic_fp.models.order",
    ),
    **dict.fromkeys(("SignalKind", "TradeLeg", "TradingSignal"), "atomic_fp.models.signal"),
}
"""Each name imported on first use, with the module that defines it."""


def __getattr__(name: str) -> Any:
    """A model imported on first use (and kept in the package: imported once)."""
    module_name = _ON_FIRST_USE.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ON_FIRST_USE))


__all__ = [
    "ASSUMED_FEES",
    "DEFAULT_FEES",
    "HOURS_PER_YEAR",
    "ArbitrageConfig",
    "Balance",
    "BookLevel",
    "ContractType",
    "ExchangeIdentifier",
    "FeeQuote",
    "FeeSource",
    "FundingKind",
    "FundingPayment",
    "FundingRate",
    "Market",
    "Order",
    "OrderBook",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionSide",
    "Side",
    "SignalKind",
    "Symbol",
    "TimeInForce",
    "TradeLeg",
    "TradingSignal",
    "VenueFees",
    "interval_hours",
]
