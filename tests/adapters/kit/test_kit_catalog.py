"""The kit's market catalog (adapters/kit/catalog.py): one load for concurrent callers, a
TTL, lookup by canonical and venue symbol, and an unlisted symbol as UnknownSymbol."""

from __future__ import annotations

from decimal import Decimal

import anyio
import attrs
import pytest
from returns.result import Failure, Result, Success

from adapters.kit.catalog import MarketCatalog
from atomic_fp.errors import UnknownSymbol, VenueError, VenueTimeout
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


@attrs.frozen
class ToyMarket:
    market: Market
    contract_value: Decimal


def toy(base: str, venue_symbol: str) -> ToyMarket:
    market = Market(
        exchange=ExchangeIdentifier("toy"),
        symbol=Symbol(base),
        venue_symbol=venue_symbol,
        tick_size=Decimal("0.1"),
        lot_size=Decimal("0.001"),
    )
    return ToyMarket(market, Decimal("0.01"))


class Venue:
    def __init__(self) -> None:
        self.loads = 0
        self.listed = [toy("BTC", "BTC-USDT-SWAP")]
        self.fail = False
        self.gate = anyio.Event()

    async def load(self) -> Result[tuple[ToyMarket, ...], VenueError]:
        self.loads += 1
        await self.gate.wait()
        if self.fail:
            return Failure(VenueTimeout("toy", "instruments timed out"))
        return Success(tuple(self.listed))


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_concurrent_callers_share_one_load_and_the_ttl_holds_it() -> None:
    venue, clock = Venue(), Clock()
    catalog = MarketCatalog("toy", venue.load, 60.0, missing="is not listed", monotonic=clock)
    found: list[object] = []

    async def ask() -> None:
        found.append(await catalog.market(Symbol("BTC")))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(ask)
        await anyio.wait_all_tasks_blocked()
        venue.gate.set()
    assert venue.loads == 1 and all(isinstance(f, Success) for f in found)
    clock.now = 59.0
    await catalog.markets()
    assert venue.loads == 1
    clock.now = 60.0
    venue.listed.append(toy("ETH", "ETH-USDT-SWAP"))
    markets = await catalog.markets()
    assert venue.loads == 2
    assert [m.symbol for m in markets.unwrap()] == [Symbol("BTC"), Symbol("ETH")]
    assert set(catalog.by_venue_symbol) == {"BTC-USDT-SWAP", "ETH-USDT-SWAP"}


@pytest.mark.anyio
async def test_an_unlisted_symbol_is_unknown_and_a_failed_load_is_not_cached() -> None:
    venue = Venue()
    venue.gate.set()
    venue.fail = True
    catalog = MarketCatalog("toy", venue.load, 60.0, missing="is not listed here")
    cold = await catalog.market(Symbol("BTC"))
    assert isinstance(cold, Failure) and isinstance(cold.failure(), VenueTimeout)
    venue.fail = False
    unknown = await catalog.market(Symbol("DOGE"))
    assert venue.loads == 2  # the failure was not kept: the next call loaded again
    assert isinstance(unknown, Failure) and isinstance(unknown.failure(), UnknownSymbol)
    assert unknown.failure().message == "DOGE/USD is not listed here"


@pytest.mark.anyio
async def test_a_failed_forced_reload_keeps_the_last_good_list() -> None:
    venue = Venue()
    venue.gate.set()
    catalog = MarketCatalog("toy", venue.load, 60.0, missing="is not listed here")
    assert isinstance(await catalog.all(), Success)
    venue.fail = True
    forced = await catalog.all(force=True)
    assert isinstance(forced, Failure) and isinstance(forced.failure(), VenueTimeout)
    assert set(catalog.by_venue_symbol) == {"BTC-USDT-SWAP"}
    assert isinstance(await catalog.market(Symbol("BTC")), Success)
