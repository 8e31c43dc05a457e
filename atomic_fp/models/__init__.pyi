"""Type stub of atomic_fp.models: every public name, the ones imported on first use
included (the names in ``__all__`` are its exports)."""

from atomic_fp.models.account import Balance, FundingPayment, Position, PositionSide
from atomic_fp.models.book import BookLevel, OrderBook, Side
from atomic_fp.models.config import DEFAULT_FEES, ArbitrageConfig, VenueFees
from atomic_fp.models.fees import ASSUMED_FEES, FeeQuote, FeeSource
from atomic_fp.models.funding import HOURS_PER_YEAR, FundingKind, FundingRate, interval_hours
from atomic_fp.models.identifiers import ContractType, ExchangeIdentifier, Symbol
from atomic_fp.models.market import Market
from atomic_fp.models.order import (
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from atomic_fp.models.signal import SignalKind, TradeLeg, TradingSignal

_ON_FIRST_USE: dict[str, str]
"""Each name imported on first use, with the module that defines it."""

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
