"""A crossed book is bad data and never traded on (issue 13): a venue whose depth answer
has its best bid above its best ask (Binance's ``/fapi/v1/depth`` shape, read by the real
parser) is excluded from the cycle with the reason, and nothing is sent anywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from returns.future import FutureResult

from adapters._future import failed
from adapters.binance.parsers import parse_depth
from atomic_fp.errors import VenueError
from atomic_fp.models import OrderBook, Symbol
from tests.shell.helpers import orchestrator, paper

pytestmark = pytest.mark.anyio

CROSSED = {
    "lastUpdateId": 1027024,
    "E": 1589436922972,
    "T": 1589436922959,
    "bids": [["50010.0", "2"]],
    "asks": [["50000.0", "2"]],
}


async def test_a_cycle_never_trades_on_a_crossed_book() -> None:
    a, b = paper("a", rate=Decimal("0.0001")), paper("b", rate=Decimal("0.001"))
    parsed = parse_depth(b.exchange, CROSSED, Symbol("BTC"))
    error = parsed.failure()
    assert "crossed book: best bid 50010.0 >= best ask 50000.0" in error.message

    def crossed(symbol: Symbol, depth: int = 20) -> FutureResult[OrderBook, VenueError]:
        return failed(error)

    b.fetch_order_book = crossed  # type: ignore[method-assign]
    report = await orchestrator([a, b]).run_strategy_cycle()
    assert report.execution is None, report.describe()
    assert "crossed book" in report.excluded["b"]
    assert a.orders() == () and b.orders() == ()
