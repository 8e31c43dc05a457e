"""Funding payments from Binance-shaped income history (``GET .../income`` with
``incomeType=FUNDING_FEE``): the paging over time, shared by every venue that serves this
wire (Binance ``/fapi/v1/income``; Aster ``/fapi/v3/income``, asterdex api-docs "Get Income
History", same parameters, limits and body).

The venue's signed GET is passed in (``fetch_page(params)``), so the paging itself is plain
logic over parsed pages: pages of 1000 move ``startTime`` (inclusive) to the newest row's
time and drop rows already seen (``tranId``), since a settlement stamps all symbols'
payments with the same millisecond; a full page of one millisecond cannot advance and is a
failure, never a silent truncation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from returns.result import Failure, Result, Success

from adapters.binance.parsers import IncomeRow, SymbolMap, parse_income
from atomic_fp.errors import InvalidRequest, MalformedResponse, VenueError
from atomic_fp.models import FundingPayment
from atomic_fp.models.identifiers import ExchangeIdentifier

INCOME_PAGE_LIMIT = 1000
INCOME_WEIGHT = 30
MAX_PAGES = 1000

FetchPage = Callable[[Sequence[tuple[str, str]]], Awaitable[Result[Any, VenueError]]]


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


async def funding_payments(
    exchange: ExchangeIdentifier,
    symbols: SymbolMap,
    fetch_page: FetchPage,
    start: datetime,
    end: datetime,
    *,
    page_limit: int = INCOME_PAGE_LIMIT,
) -> Result[tuple[FundingPayment, ...], VenueError]:
    """Income rows of type FUNDING_FEE with ``start <= time < end``, oldest first
    (``page_limit``: the ``limit`` asked for, the venue's maximum by default)."""
    venue = str(exchange)
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        return Failure(InvalidRequest(venue, "payments need aware start < end"))
    cursor = _millis(start)
    last_ms = _millis(end) - 1
    seen: set[str] = set()
    rows: list[IncomeRow] = []
    for _ in range(MAX_PAGES):
        body = await fetch_page(
            [
                ("incomeType", "FUNDING_FEE"),
                ("startTime", str(cursor)),
                ("endTime", str(last_ms)),
                ("limit", str(page_limit)),
            ]
        )
        if isinstance(body, Failure):
            return body
        page = parse_income(exchange, body.unwrap(), symbols)
        if isinstance(page, Failure):
            return Failure(page.failure())
        page_rows = page.unwrap()
        fresh = [row for row in page_rows if row.tran_id not in seen]
        seen.update(row.tran_id for row in fresh)
        rows.extend(fresh)
        if len(page_rows) < page_limit:
            break
        if not fresh:
            return Failure(
                MalformedResponse(
                    venue, "income pagination cannot advance (a full page at one time)"
                )
            )
        cursor = max(row.time_ms for row in page_rows)
    else:
        return Failure(MalformedResponse(venue, f"income: over {MAX_PAGES} pages"))
    payments = sorted(
        (row for row in rows if _millis(start) <= row.time_ms <= last_ms),
        key=lambda row: row.time_ms,
    )
    return Success(tuple(row.payment for row in payments))


__all__ = ["INCOME_PAGE_LIMIT", "INCOME_WEIGHT", "FetchPage", "funding_payments"]
