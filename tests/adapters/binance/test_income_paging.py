"""The income pager shared by Binance and Aster (:mod:`adapters.binance.income`), as a
property over any ledger: whatever the times (many rows at one settlement millisecond,
pages that end inside one), every FUNDING_FEE row in ``[start, end)`` comes back exactly
once, oldest first, or the pager fails saying it cannot advance (a full page at one
millisecond), never a silently short answer. The fake pages the way the venues document
``GET /fapi/v1/income`` / ``/fapi/v3/income``: rows with ``startTime <= time <= endTime``,
oldest first, at most ``limit``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.binance.income import funding_payments
from adapters.binance.parsers import SymbolMap
from atomic_fp.errors import VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier

VENUE = ExchangeIdentifier("binance")
T0 = 1_764_979_200_000
LIMIT = 4


def _ledger(times: list[int]) -> list[dict[str, Any]]:
    return [
        {"symbol": "BTCUSDT", "incomeType": "FUNDING_FEE", "income": f"{i}", "asset": "USDT",
         "info": "", "time": T0 + t, "tranId": str(1000 + i), "tradeId": ""}
        for i, t in enumerate(times)
    ]  # fmt: skip


def _run(ledger: list[dict[str, Any]], start_ms: int, end_ms: int) -> Result[Any, VenueError]:
    async def page(params: Sequence[tuple[str, str]]) -> Result[Any, VenueError]:
        q = dict(params)
        rows = [r for r in ledger if int(q["startTime"]) <= r["time"] <= int(q["endTime"])]
        return Success(sorted(rows, key=lambda r: r["time"])[: int(q["limit"])])

    async def main() -> Result[Any, VenueError]:
        return await funding_payments(
            VENUE, SymbolMap(), page,
            datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc),
            datetime.fromtimestamp(end_ms / 1000, tz=timezone.utc),
            page_limit=LIMIT,
        )  # fmt: skip

    return anyio.run(main)


@settings(max_examples=150, deadline=None)
@given(
    times=st.lists(st.integers(min_value=0, max_value=40) .map(lambda t: t * 1000), max_size=30),
    window=st.tuples(st.integers(0, 40), st.integers(1, 41)).filter(lambda w: w[0] < w[1]),
)
def test_every_row_in_the_window_once_or_a_failure_that_says_why(
    times: list[int], window: tuple[int, int]
) -> None:
    ledger = _ledger(times)
    start_ms, end_ms = T0 + window[0] * 1000, T0 + window[1] * 1000
    result = _run(ledger, start_ms, end_ms)
    expected = sorted(
        (r for r in ledger if start_ms <= r["time"] < end_ms), key=lambda r: r["time"]
    )
    if isinstance(result, Failure):
        # only possible when some millisecond in the window holds a full page of rows
        at_one_ms = max((sum(r["time"] == x["time"] for r in expected) for x in expected),
                        default=0)  # fmt: skip
        assert at_one_ms >= LIMIT, result
        assert "cannot advance" in result.failure().message
        return
    payments = result.unwrap()
    assert sorted(p.amount for p in payments) == sorted(Decimal(r["income"]) for r in expected)
    assert [p.time for p in payments] == sorted(p.time for p in payments)
