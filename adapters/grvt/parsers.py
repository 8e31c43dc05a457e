"""The GRVT parsers, by their historical name (kept so imports stay stable). They live in
:mod:`adapters.grvt.parsing` (instruments, books, errors, shared helpers),
:mod:`adapters.grvt.parsing_funding` (ticker, funding history) and
:mod:`adapters.grvt.parsing_account` (positions, balances, payments, orders)."""

from adapters.grvt.parsing import (
    PERP_SUFFIX,
    GrvtInstrument,
    InstrumentList,
    InstrumentLookup,
    Overrides,
    error_extractor,
    error_of,
    funding_rate_fraction,
    instrument_symbol,
    parse_book,
    parse_instruments,
)
from adapters.grvt.parsing_account import (
    parse_ack,
    parse_balances,
    parse_funding_payments,
    parse_order,
    parse_orders,
    parse_positions,
)
from adapters.grvt.parsing_funding import FundingPage, parse_funding_page, parse_ticker

__all__ = [
    "PERP_SUFFIX",
    "FundingPage",
    "GrvtInstrument",
    "InstrumentList",
    "InstrumentLookup",
    "Overrides",
    "error_extractor",
    "error_of",
    "funding_rate_fraction",
    "instrument_symbol",
    "parse_ack",
    "parse_balances",
    "parse_book",
    "parse_funding_page",
    "parse_funding_payments",
    "parse_instruments",
    "parse_order",
    "parse_orders",
    "parse_positions",
    "parse_ticker",
]
