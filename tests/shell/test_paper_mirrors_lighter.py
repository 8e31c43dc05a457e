"""A paper venue mirroring Lighter settles every hour (24 times a day) at Lighter's rate per
settlement: Lighter's ``/funding-rates`` quotes a fraction per 8 h, but the adapter carries
the rate per hourly settlement (a local Lighter on 127.0.0.1 serves the REST answers)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from returns.result import Success

from adapters.lighter.client import create
from adapters.paper import ManualClock, PaperMarketState, PaperVenue
from adapters.registry import VenueSettings
from atomic_fp.models import Market, OrderRequest, OrderType, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import outcome
from tests.adapters.lighter.fake_venue import local_lighter

pytestmark = pytest.mark.anyio
ETH = Symbol("ETH")
START = datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc)


async def test_a_mirror_of_lighter_settles_hourly_at_the_per_settlement_rate() -> None:
    clock = ManualClock(START)
    mirror = PaperVenue(
        "mirror",
        [
            PaperMarketState(
                Market(
                    exchange=ExchangeIdentifier("mirror"),
                    symbol=ETH,
                    venue_symbol="ETH-PERP",
                    tick_size=Decimal("0.01"),
                    lot_size=Decimal("0.0001"),
                ),
                Decimal(3000),
            )
        ],
        clock=clock,
    )
    with local_lighter() as server:
        lighter = create(
            VenueSettings(
                id=ExchangeIdentifier("lighter"), kind="lighter", base_url=server.base_url
            )
        )
        try:
            assert isinstance(await mirror.sync_from(lighter, [ETH]), Success)
        finally:
            await lighter.aclose()
    state = mirror.market_state(ETH)
    # the recorded 9.6e-05 per 8 h is 0.000012 per hourly settlement
    assert (state.funding_rate, state.market.funding_interval) == (
        Decimal("0.000012"),
        timedelta(hours=1),
    )
    mirror.settle_due()
    short = OrderRequest(
        exchange=ExchangeIdentifier("mirror"),
        symbol=ETH,
        side=Side.SELL,
        size=Decimal(1),
        client_order_id="m1",
        order_type=OrderType.MARKET,
    )
    (await outcome(mirror.place_order(short))).unwrap()
    mark = mirror.market_state(ETH).mark_price
    assert mirror.advance_to(START + timedelta(days=1)) == 24
    # the short receives 24 x 0.000012 x mark in a day: 10.5 % APR, as scan shows
    assert mirror.ledger(ETH).funding == 24 * Decimal("0.000012") * mark
