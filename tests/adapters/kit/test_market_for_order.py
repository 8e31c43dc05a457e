"""The one preflight every venue's order path shares (``adapters.kit.order_flow.
market_for_order``: Binance/Aster, Paradex and the kit's order flow): an order for another
venue is refused and a market that cannot be read says the order was not sent; neither
reads or sends anything more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from returns.result import Failure, Result, Success

from adapters.kit.order_flow import market_for_order
from atomic_fp.errors import InvalidRequest, UnknownSymbol, VenueError
from atomic_fp.models import OrderRequest, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

ACME = ExchangeIdentifier("acme")
BTC = Symbol("BTC")


class Markets:
    def __init__(self, answer: Result[str, VenueError]) -> None:
        self.answer = answer
        self.asked: list[Symbol] = []

    async def market(self, symbol: Symbol) -> Result[str, VenueError]:
        self.asked.append(symbol)
        return self.answer


def _order(exchange: ExchangeIdentifier) -> OrderRequest:
    return OrderRequest(
        exchange=exchange,
        symbol=BTC,
        side=Side.BUY,
        size=Decimal(1),
        client_order_id="c1",
        limit_price=Decimal(100),
        expires_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=5),
    )


@pytest.mark.anyio
async def test_the_market_of_an_order_for_this_venue() -> None:
    markets = Markets(Success("BTCUSDT"))
    assert await market_for_order(ACME, _order(ACME), markets) == Success("BTCUSDT")
    assert markets.asked == [BTC]


@pytest.mark.anyio
async def test_an_order_for_another_venue_is_refused_before_any_read() -> None:
    markets = Markets(Success("BTCUSDT"))
    refused = await market_for_order(ACME, _order(ExchangeIdentifier("other")), markets)
    assert isinstance(refused, Failure)
    error = refused.failure()
    assert isinstance(error, InvalidRequest) and error.venue == "acme"
    assert error.message == "order is for venue other, not this one"
    assert markets.asked == []


@pytest.mark.anyio
async def test_a_market_that_cannot_be_read_says_the_order_was_not_sent() -> None:
    markets = Markets(Failure(UnknownSymbol("acme", "unknown symbol BTC")))
    refused = await market_for_order(ACME, _order(ACME), markets)
    assert isinstance(refused, Failure)
    error = refused.failure()
    assert isinstance(error, UnknownSymbol)
    assert error.message == "order not sent: unknown symbol BTC"
