"""Pure parsers: Bybit v5 settled funding (``GET /v5/market/funding/history``).

Rows carry ``symbol``, ``fundingRate`` (fraction per interval) and
``fundingRateTimestamp`` (ms, the settlement); newest first, at most 200 per page
(Bybit v5 "Get Funding Rate History"; nautilus' ``http_get_funding_history.json``). The
rows carry no interval: each row's is the gap to the settlement before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    dec_field,
    int_field,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.bybit.parsing import bounded_rate, result_objects
from adapters.kit.readers import settled_rates
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


@attrs.frozen
class SettledRow:
    rate: Decimal
    funding_time_ms: int


def parse_history_rows(
    venue: str, payload: object, venue_symbol: str
) -> Result[tuple[SettledRow, ...], MalformedResponse]:
    """One page of ``/v5/market/funding/history`` (any order) -> rows of that symbol."""

    def parse() -> tuple[SettledRow, ...]:
        out: list[SettledRow] = []
        for path, row in result_objects(payload):
            if str_field(row, "symbol", path) != venue_symbol:
                raise ParseError(f"{path}.symbol: a row of another symbol")
            millis = int_field(row, "fundingRateTimestamp", path)
            ts_millis(millis, f"{path}.fundingRateTimestamp")
            rate = bounded_rate(dec_field(row, "fundingRate", path), f"{path}.fundingRate")
            out.append(SettledRow(rate=rate, funding_time_ms=millis))
        return tuple(out)

    return parse_guard(venue, parse)


_HOUR_MS = 3_600_000
_JITTER_MS = 5 * 60_000


def build_history(
    exchange: ExchangeIdentifier,
    rows: Iterable[SettledRow],
    symbol: Symbol,
    venue_symbol: str,
    fallback: timedelta,
) -> tuple[FundingRate, ...]:
    """SETTLED rates, oldest first, duplicates dropped; each row's interval is the gap to
    the settlement before it when that gap is a whole number of hours (a symbol that moved
    8 h -> 1 h keeps each period's own interval), else ``fallback`` (the current one)."""

    def interval(before: int | None, millis: int, _: int | None) -> timedelta:
        if before is not None:
            hours, rest = divmod(millis - before + _JITTER_MS, _HOUR_MS)
            if 1 <= hours <= 24 and rest <= 2 * _JITTER_MS:
                return timedelta(hours=hours)
        return fallback

    settled = ((row.funding_time_ms, row.rate) for row in rows)
    return settled_rates(exchange, symbol, venue_symbol, settled, interval)


__all__ = ["SettledRow", "build_history", "parse_history_rows"]
