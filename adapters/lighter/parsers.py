"""The Lighter parsers, by their historical name (kept so imports stay stable). They live in
:mod:`adapters.lighter.parsing` (markets, books, errors, shared constants),
:mod:`adapters.lighter.parsing_funding` (funding and its units, websocket frames) and
:mod:`adapters.lighter.parsing_account` (account, nonces, ``sendTx``, orders)."""

from adapters.lighter.parsing import (
    FUNDING_RATES_INTERVAL,
    FUNDING_RATES_PER_SETTLEMENT,
    HOUR,
    SPOT_MARKET_ID_START,
    VENUE,
    LighterMarket,
    MarketStats,
    error_fields,
    next_hour,
    parse_markets,
    parse_order_book,
)
from adapters.lighter.parsing_account import (
    SendTxAnswer,
    parse_balances,
    parse_next_nonce,
    parse_orders,
    parse_positions,
    parse_send_tx,
)
from adapters.lighter.parsing_funding import (
    WsFrame,
    parse_funding_rates,
    parse_fundings,
    parse_ws_frame,
)

__all__ = [
    "FUNDING_RATES_INTERVAL",
    "FUNDING_RATES_PER_SETTLEMENT",
    "HOUR",
    "SPOT_MARKET_ID_START",
    "VENUE",
    "LighterMarket",
    "MarketStats",
    "SendTxAnswer",
    "WsFrame",
    "error_fields",
    "next_hour",
    "parse_balances",
    "parse_funding_rates",
    "parse_fundings",
    "parse_markets",
    "parse_next_nonce",
    "parse_order_book",
    "parse_orders",
    "parse_positions",
    "parse_send_tx",
    "parse_ws_frame",
]
