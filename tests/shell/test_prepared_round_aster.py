"""A hedge with an Aster leg is signed on both legs before either is sent (issue 20, leg
skew), on real clients against the Aster and Binance wire fakes (127.0.0.1, signatures
checked as the venues do): preparing the round sends nothing; a leg that cannot be signed
(its deadline passed) sends nothing on *either* venue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from returns.result import Failure, Success

from adapters.binance.client import BinanceClient
from adapters.registry import VenueSettings
from atomic_fp.errors import NotSent
from atomic_fp.models import OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicTrader
from atomic_fp.orchestration.prepare import prepare_round
from atomic_fp.venue import PreparesOrders
from tests.adapters.aster._client import AGENT, USER, make
from tests.adapters.aster.fake_venue import FakeAster
from tests.adapters.binance.fake_venue import FakeBinance
from tests.harness import run
from tests.harness.running import serve

pytestmark = pytest.mark.anyio

BTC = Symbol("BTC")
KEY, SECRET = "prepTestKey0002", "prepTestSecret0002"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def venues() -> Iterator[tuple[FakeAster, str, FakeBinance, str]]:
    aster, binance = FakeAster({USER: AGENT}), FakeBinance(KEY, SECRET)
    with serve(aster) as aster_url, serve(binance) as binance_url:
        yield aster, aster_url, binance, binance_url


def _traders(aster_url: str, binance_url: str) -> tuple[AtomicTrader, AtomicTrader]:
    binance = BinanceClient(
        VenueSettings(
            id=ExchangeIdentifier("binance"), kind="binance", base_url=binance_url,
            credentials={"api_key": KEY, "api_secret": SECRET},
        )
    )  # fmt: skip
    return AtomicTrader(make(aster_url), BTC), AtomicTrader(binance, BTC)


def _sent(aster: FakeAster, binance: FakeBinance) -> list[str]:
    return [f"aster {m} {p}" for m, p, _ in aster.requests if p == "/fapi/v3/order"] + [
        f"binance {r.method} {r.path}" for r in binance.received if r.path == "/fapi/v1/order"
    ]


async def test_both_legs_are_signed_before_either_is_sent(
    venues: tuple[FakeAster, str, FakeBinance, str],
) -> None:
    aster, aster_url, binance, binance_url = venues
    long_leg, short_leg = _traders(aster_url, binance_url)
    deadline = datetime.now(timezone.utc) + timedelta(seconds=5)
    orders = [
        (long_leg, attrs.evolve(long_leg.request(Side.BUY, Decimal("0.01"), "h1-long",
                                                  limit_price=Decimal("100000")),
                                expires_at=deadline)),
        (short_leg, attrs.evolve(short_leg.request(Side.SELL, Decimal("0.01"), "h1-short",
                                                    limit_price=Decimal("20000")),
                                 expires_at=deadline)),
    ]  # fmt: skip
    try:
        prepared = await prepare_round(orders, 5.0)
        assert isinstance(prepared, Success)
        assert all(p is not None for p in prepared.unwrap())
        assert _sent(aster, binance) == []  # signed, nothing on either wire
        aster_order = prepared.unwrap()[0]
        assert aster_order is not None
        client = long_leg.client
        assert isinstance(client, PreparesOrders)
        sent = await run(client.send_prepared(aster_order))
        assert sent.unwrap().status in (OrderStatus.FILLED, OrderStatus.EXPIRED)
    finally:
        await long_leg.client.aclose()
        await short_leg.client.aclose()


async def test_a_leg_that_cannot_be_signed_sends_nothing_on_either_venue(
    venues: tuple[FakeAster, str, FakeBinance, str],
) -> None:
    aster, aster_url, binance, binance_url = venues
    long_leg, short_leg = _traders(aster_url, binance_url)
    fine = datetime.now(timezone.utc) + timedelta(seconds=5)
    passed = datetime.now(timezone.utc) - timedelta(seconds=1)
    orders = [
        (long_leg, attrs.evolve(long_leg.request(Side.BUY, Decimal("0.01"), "h2-long",
                                                  limit_price=Decimal("100000")),
                                expires_at=passed)),
        (short_leg, attrs.evolve(short_leg.request(Side.SELL, Decimal("0.01"), "h2-short",
                                                    limit_price=Decimal("20000")),
                                 expires_at=fine)),
    ]  # fmt: skip
    try:
        prepared = await prepare_round(orders, 5.0)
    finally:
        await long_leg.client.aclose()
        await short_leg.client.aclose()
    assert isinstance(prepared, Failure)
    aster_error, binance_error = prepared.failure()
    assert isinstance(aster_error, NotSent) and "deadline passed" in aster_error.message
    assert isinstance(binance_error, NotSent) and "another leg" in binance_error.message
    assert _sent(aster, binance) == []
