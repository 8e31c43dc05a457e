"""The Binance parsers, by their historical name (kept so imports stay stable). They live in
:mod:`adapters.binance.parsing` (symbols, errors, markets, book),
:mod:`adapters.binance.parsing_funding` and :mod:`adapters.binance.parsing_account`."""

from adapters.binance.parsing import (
    DEFAULT_INTERVAL_HOURS,
    MAX_ABS_RATE,
    QUOTE_PRIORITY,
    VALID_INTERVAL_HOURS,
    BinanceMarket,
    SymbolMap,
    embedded_error,
    error_extractor,
    parse_depth,
    parse_exchange_info,
    parse_server_time,
)
from adapters.binance.parsing_account import (
    IncomeRow,
    parse_balances,
    parse_income,
    parse_order,
    parse_orders,
    parse_positions,
)
from adapters.binance.parsing_funding import (
    SettledRow,
    build_funding_history,
    derive_interval_hours,
    parse_funding_caps,
    parse_funding_history,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_premium_index,
)

__all__ = [
    "DEFAULT_INTERVAL_HOURS",
    "MAX_ABS_RATE",
    "QUOTE_PRIORITY",
    "VALID_INTERVAL_HOURS",
    "BinanceMarket",
    "IncomeRow",
    "SettledRow",
    "SymbolMap",
    "build_funding_history",
    "derive_interval_hours",
    "embedded_error",
    "error_extractor",
    "parse_balances",
    "parse_depth",
    "parse_exchange_info",
    "parse_funding_caps",
    "parse_funding_history",
    "parse_funding_info",
    "parse_funding_rate_rows",
    "parse_income",
    "parse_order",
    "parse_orders",
    "parse_positions",
    "parse_premium_index",
    "parse_server_time",
]
