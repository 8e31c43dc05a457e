"""``watch``'s engine against local servers in Binance's and Hyperliquid's wire formats:
a push re-ranks within 1 s, a drop is reconnected and its gap reported, a stream that is
down falls back to REST and says so, and stale stream data never opens a trade."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast

import anyio
import attrs
import pytest
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters.streams.types import RateUpdate
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Market
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import VenueClient
from scripts.runtime import Venue
from scripts.watch_session import (
    FeedOptions,
    GapReported,
    SpreadsChanged,
    VenueChanged,
    WatchChange,
    WatchSession,
)
from tests.core.builders import BTC, config, ex, flat, market, rate
from tests.streams.local_ws import LocalWs
from tests.streams.test_stream_feed import until
from tests.streams.venues import (
    binance_mark_price,
    binance_server,
    hyperliquid_ctx,
    hyperliquid_server,
)


def now_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)


@attrs.define
class RestVenue:
    """The REST half of a venue: its market list and (for the fallback) its rates."""

    name: str
    markets: tuple[Market, ...]
    rates: Callable[[], tuple[FundingRate, ...]]
    rate_calls: int = 0

    @property
    def exchange(self) -> ExchangeIdentifier:
        return ex(self.name)

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        async def work() -> Result[tuple[Market, ...], VenueError]:
            return Success(self.markets)

        return guarded(self.name, work())

    def fetch_funding_rates(self, symbols: object = None) -> FutureResult[Any, VenueError]:
        async def work() -> Result[tuple[FundingRate, ...], VenueError]:
            self.rate_calls += 1
            return Success(self.rates())

        return guarded(self.name, work())

    async def aclose(self) -> None:
        return None


def _venue(kind: str, rest: RestVenue) -> Venue:
    return Venue(ex(kind), kind, Success(cast(VenueClient, rest)))


def _markets() -> dict[str, RestVenue]:
    binance = market("binance", venue_symbol="BTCUSDT")
    hyperliquid = attrs.evolve(
        market("hyperliquid", venue_symbol="BTC"), funding_interval=timedelta(hours=1)
    )

    def hl_rest() -> tuple[FundingRate, ...]:
        observed = datetime.now(timezone.utc)
        return (rate("hyperliquid", "0.00005", timedelta(hours=1), observed_at=observed),)

    return {
        "binance": RestVenue("binance", (binance,), lambda: ()),
        "hyperliquid": RestVenue("hyperliquid", (hyperliquid,), hl_rest),
    }


@contextmanager
def two_venues(hl_funding: str = "0.0000125") -> Iterator[tuple[LocalWs, LocalWs]]:
    with (
        binance_server(lambda: [[binance_mark_price("BTCUSDT", "0.0001", now_ms())]]) as binance,
        hyperliquid_server(lambda coin: hyperliquid_ctx(coin, hl_funding)) as hl,
    ):
        yield binance, hl


def _session(
    binance: LocalWs, hl: LocalWs, changes: list[WatchChange], rests: dict[str, RestVenue]
) -> WatchSession:
    return WatchSession(
        venues=[_venue("binance", rests["binance"]), _venue("hyperliquid", rests["hyperliquid"])],
        strategy=config(),
        emit=changes.append,
        clock=lambda: datetime.now(timezone.utc),
        rest_interval=0.05,
        feed_options=FeedOptions(
            ping_interval=5, idle_timeout=30, backoff_initial=0.01, backoff_max=0.05
        ),
        ws_urls={"binance": binance.url, "hyperliquid": hl.url},
    )


def state_of(session: WatchSession, venue: str) -> str | None:
    status = session.statuses.get(ex(venue))
    return None if status is None else status.state


def spreads(changes: list[WatchChange]) -> list[SpreadsChanged]:
    return [c for c in changes if isinstance(c, SpreadsChanged)]


@pytest.mark.anyio
async def test_a_push_changes_the_spread_shown_within_a_second() -> None:
    changes: list[WatchChange] = []
    rests = _markets()
    with two_venues() as (binance, hl):
        session = _session(binance, hl, changes, rests)
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(lambda: any(c.opportunities for c in spreads(changes)))
            first = spreads(changes)[-1].opportunities[0]
            shown_before = len(spreads(changes))
            pushed_at = anyio.current_time()
            binance.push([binance_mark_price("BTCUSDT", "-0.0002", now_ms())])
            await until(lambda: len(spreads(changes)) > shown_before)
            elapsed = anyio.current_time() - pushed_at
            group.cancel_scope.cancel()
    latest = spreads(changes)[-1]
    assert latest.trigger == "binance pushed"
    best = latest.opportunities[0]
    assert (best.long_venue, best.short_venue) == (ex("binance"), ex("hyperliquid"))
    assert best.long_rate.rate == Decimal("-0.0002")
    assert best.spread_apr > first.spread_apr
    assert elapsed < 1.0  # the bound; a generous one for a local push
    assert rests["binance"].rate_calls == rests["hyperliquid"].rate_calls == 0  # no REST


@pytest.mark.anyio
async def test_a_dropped_stream_is_reconnected_and_the_gap_reported() -> None:
    changes: list[WatchChange] = []
    with two_venues() as (binance, hl):
        session = _session(binance, hl, changes, _markets())
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(lambda: state_of(session, "hyperliquid") == "live")
            hl.drop()
            await until(lambda: any(isinstance(c, GapReported) for c in changes))
            group.cancel_scope.cancel()
    states = [
        c.status.state
        for c in changes
        if isinstance(c, VenueChanged) and c.status.venue == ex("hyperliquid")
    ]
    assert "reconnecting" in states and states[-1] == "live"
    assert states.index("live") < states.index("reconnecting")  # live, dropped, live again
    (gap,) = [c.gap for c in changes if isinstance(c, GapReported)]
    assert gap.venue == "hyperliquid" and "dropped" in gap.reason
    status = session.statuses[ex("hyperliquid")]
    assert status.gaps == 1 and status.last_gap is not None and "gap of" in status.last_gap


@pytest.mark.anyio
async def test_a_down_stream_falls_back_to_rest_and_says_so() -> None:
    changes: list[WatchChange] = []
    rests = _markets()
    with two_venues() as (binance, hl):
        hl.refuse = True
        session = _session(binance, hl, changes, rests)
        async with anyio.create_task_group() as group:
            group.start_soon(session.run)
            await until(
                lambda: any(
                    c.opportunities and c.trigger == "hyperliquid REST fallback"
                    for c in spreads(changes)
                )
            )
            status = session.statuses[ex("hyperliquid")]
            assert status.state == "down" and status.rest_fallback
            assert status.describe() == "down, REST fallback"
            assert session.board.count(ex("hyperliquid"), "rest") == 1
            # the stream comes back: it is used again and REST polling stops
            hl.refuse = False
            await until(lambda: state_of(session, "hyperliquid") == "live")
            calls = rests["hyperliquid"].rate_calls
            await until(lambda: session.board.count(ex("hyperliquid"), "stream") == 1)
            group.cancel_scope.cancel()
    assert rests["hyperliquid"].rate_calls <= calls + 1
    assert not session.statuses[ex("hyperliquid")].rest_fallback
    assert rests["binance"].rate_calls == 0  # its stream never went down


def test_stale_stream_data_never_opens_a_trade() -> None:
    """A pushed rate keeps the venue's event time: held past ``max_data_age`` (a stream
    that went quiet), the decision refuses it and watch leaves it out of the ranking."""
    strategy = config(max_data_age=timedelta(minutes=5))
    pushed = datetime(2025, 12, 3, 15, 0, tzinfo=timezone.utc)
    binance = RateUpdate("BTCUSDT", Decimal("-0.0002"), observed_at=pushed)
    hl = RateUpdate("BTC", Decimal("0.0005"), observed_at=pushed, interval=timedelta(hours=1))
    rates = {
        ex("binance"): Success(binance.to_funding_rate(market("binance"))),
        ex("hyperliquid"): Success(hl.to_funding_rate(market("hyperliquid", venue_symbol="BTC"))),
    }
    fresh = FundingArbitrageDecision.analyze_opportunity(
        rates=rates,
        positions=flat("binance", "hyperliquid"),
        config=strategy,
        now=pushed + timedelta(minutes=1),
    )
    assert isinstance(fresh, Success)  # the same data, young enough, would trade
    stale = FundingArbitrageDecision.analyze_opportunity(
        rates=rates,
        positions=flat("binance", "hyperliquid"),
        config=strategy,
        now=pushed + timedelta(minutes=6),
    )
    assert isinstance(stale, Failure)
    assert "old" in str(stale.failure()) or "stale" in str(stale.failure()).lower()

    session = WatchSession(venues=[], strategy=strategy, emit=lambda c: None, clock=lambda: pushed)
    session.board.set_markets(ex("binance"), [market("binance")])
    session.board.set_markets(ex("hyperliquid"), [market("hyperliquid", venue_symbol="BTC")])
    session.board.apply_stream(ex("binance"), [binance])
    session.board.apply_stream(ex("hyperliquid"), [hl])
    assert len(session.current(pushed + timedelta(minutes=1))) == 1
    assert session.current(pushed + timedelta(minutes=6)) == ()
    assert BTC.base == "BTC"
