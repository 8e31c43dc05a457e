"""``run``'s cycles decide on rates pushed by the market streams (local servers in
Binance's and Hyperliquid's wire formats), not on a REST rates call; a stream that is down
or reconnecting, or whose data is older than ``max_data_age``, sends that venue back to
REST and the cycle report says so; stale stream data never opens a trade. Positions,
markets and books stay on REST (the paper venues count each call)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import cast

import anyio
import pytest
from returns.result import Success

from adapters.paper import ManualClock, PaperVenue
from adapters.streams.live_rates import LiveRates
from adapters.streams.registry import wire_for
from adapters.streams.types import Listing, StateChanged, StreamState
from atomic_fp.models import SignalKind
from atomic_fp.orchestration import ArbitrageOrchestrator
from atomic_fp.venue import VenueClient
from scripts.run_streams import market_streams
from scripts.runtime import Venue
from tests.core.builders import ex
from tests.shell.helpers import BTC, orchestrator, paper
from tests.streams.local_ws import LocalWs
from tests.streams.test_stream_feed import until
from tests.streams.test_watch_session import _markets as _rest_markets
from tests.streams.test_watch_session import _venue
from tests.streams.venues import (
    binance_mark_price,
    binance_server,
    hyperliquid_ctx,
    hyperliquid_server,
)

FAST = {
    "ping_interval": 5.0,
    "idle_timeout": 30.0,
    "connect_timeout": 5.0,
    "backoff_initial": 0.01,
    "backoff_max": 0.05,
}


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@contextmanager
def _servers(clock: ManualClock, hl_funding: str) -> Iterator[tuple[LocalWs, LocalWs]]:
    """Binance pushes venue "a" at -0.02 % per 8 h; Hyperliquid venue "b" at ``hl_funding``
    per hour (its frames carry no time: the receive time is their age)."""
    with (
        binance_server(lambda: [[binance_mark_price("BTCUSDT", "-0.0002", _ms(clock()))]]) as a,
        hyperliquid_server(lambda coin: hyperliquid_ctx(coin, hl_funding)) as b,
    ):
        yield a, b


def _live(clock: ManualClock, a: LocalWs, b: LocalWs) -> LiveRates:
    live = LiveRates(max_age=timedelta(minutes=5), clock=clock)
    a_wire = wire_for("binance", "a", a.url)
    b_wire = wire_for("hyperliquid", "b", b.url)
    assert a_wire is not None and b_wire is not None
    live.add(ex("a"), a_wire, [_listing("a", "BTCUSDT", 8)], **FAST)
    live.add(ex("b"), b_wire, [_listing("b", "BTC", 1)], **FAST)
    return live


def _listing(venue: str, venue_symbol: str, hours: int) -> Listing:
    return Listing(ex(venue), BTC, venue_symbol, timedelta(hours=hours))


def _setup(clock: ManualClock, live: LiveRates) -> tuple[list[PaperVenue], ArbitrageOrchestrator]:
    # the venues' own REST rates are flat: only the pushed rates make a spread
    venues = [paper("a", clock=clock), paper("b", clock=clock)]
    built = orchestrator(venues, clock=clock)
    built.rate_source = live
    return venues, built


def _both_live(live: LiveRates) -> bool:
    return all(feed.state is StreamState.LIVE for feed in live.feeds.values()) and (
        len(live.board.rates()) == 2
    )


@pytest.mark.anyio
async def test_a_cycle_decides_on_pushed_rates_without_a_rest_rates_call() -> None:
    clock = ManualClock(datetime.now(timezone.utc).replace(microsecond=0))
    with _servers(clock, "0.0005") as (a, b):
        live = _live(clock, a, b)
        venues, built = _setup(clock, live)
        async with anyio.create_task_group() as group:
            await group.start(live.run)
            await until(lambda: _both_live(live))
            report = await built.run_strategy_cycle()
            group.cancel_scope.cancel()
    assert [v.calls.get("funding_rates", 0) for v in venues] == [0, 0]  # no REST rates call
    assert all(v.calls.get("positions", 0) >= 1 for v in venues)  # the safety net stays REST
    assert report.signal is not None and report.signal.kind is SignalKind.OPEN
    assert report.signal.expected_net_apr is not None
    assert report.signal.expected_net_apr > Decimal(4)  # b's pushed 438 % a year
    long_leg, short_leg = sorted(report.signal.legs, key=lambda leg: leg.side.value)
    assert (str(long_leg.exchange), str(short_leg.exchange)) == ("a", "b")
    assert report.rate_sources == {"a": "stream (age 0s)", "b": "stream (age 0s)"}
    assert "REST fallback" not in report.describe()


@pytest.mark.anyio
async def test_a_dropped_stream_falls_back_to_rest_and_the_report_says_so() -> None:
    clock = ManualClock(datetime.now(timezone.utc).replace(microsecond=0))
    with _servers(clock, "0.0005") as (a, b):
        live = _live(clock, a, b)
        venues, built = _setup(clock, live)
        async with anyio.create_task_group() as group:
            await group.start(live.run)
            await until(lambda: _both_live(live))
            b.refuse = True
            b.drop()
            await until(lambda: live.feeds[ex("b")].state is StreamState.DOWN)
            report = await built.run_strategy_cycle()
            group.cancel_scope.cancel()
    assert [v.calls.get("funding_rates", 0) for v in venues] == [0, 1]  # b only, over REST
    assert report.rate_sources["a"] == "stream (age 0s)"
    assert report.rate_sources["b"].startswith("REST fallback: stream down")
    assert "rates b: REST fallback: stream down" in report.describe()
    # the decision saw b's REST rate (flat), not its last push (0.05 %/h, 438 % a year):
    # long a at its pushed -0.02 %/8 h against b at 0 nets about 10 % a year after fees
    assert report.signal is not None and report.signal.expected_net_apr is not None
    assert Decimal("0.05") < report.signal.expected_net_apr < Decimal("0.2")
    states = [e.state for e in live.events if isinstance(e, StateChanged) and e.venue == "b"]
    assert states.index(StreamState.LIVE) < states.index(StreamState.DOWN)


@pytest.mark.anyio
async def test_stale_stream_data_never_opens_a_trade() -> None:
    """The streams stay connected but nothing is pushed for longer than ``max_data_age``
    (a fake clock moved on): the pushed spread (438 % a year) is not used; REST is asked
    instead, and its flat rates open nothing."""
    clock = ManualClock(datetime.now(timezone.utc).replace(microsecond=0))
    with _servers(clock, "0.0005") as (a, b):
        live = _live(clock, a, b)
        venues, built = _setup(clock, live)
        async with anyio.create_task_group() as group:
            await group.start(live.run)
            await until(lambda: _both_live(live))
            clock.advance(timedelta(minutes=6))
            report = await built.run_strategy_cycle()
            group.cancel_scope.cancel()
    assert report.signal is None and report.orders == ()
    assert report.rate_sources["a"] == "REST fallback: stream data stale (age 360s)"
    assert report.rate_sources["b"] == "REST fallback: stream data stale (age 360s)"
    assert [v.calls.get("funding_rates", 0) for v in venues] == [1, 1]
    assert all(v.position_base(BTC) == Decimal(0) for v in venues)


@pytest.mark.anyio
async def test_run_subscribes_the_traded_symbols_of_venues_that_stream() -> None:
    """``run``'s wiring: a stream per venue kind that has one, subscribed to the traded
    symbols its market list names, at the venue's ``ws_url``; none without a stream."""
    rests = _rest_markets()
    venues = [_venue("binance", rests["binance"]), _venue("hyperliquid", rests["hyperliquid"])]
    urls = {"binance": "ws://127.0.0.1:9/market/ws/!markPrice@arr", "hyperliquid": None}
    clock = ManualClock(datetime(2026, 3, 1, tzinfo=timezone.utc))
    live = await market_streams(venues, urls, [BTC], timedelta(minutes=5), clock)
    assert live is not None
    assert {str(v): f.venue_symbols for v, f in live.feeds.items()} == {
        "binance": ["BTCUSDT"],
        "hyperliquid": ["BTC"],
    }
    assert live.feeds[ex("binance")].wire.url == urls["binance"]
    assert live.feeds[ex("hyperliquid")].wire.url.startswith("wss://api.hyperliquid.xyz")
    assert rests["binance"].rate_calls == 0
    paper_only = [Venue(ex("p"), "paper", Success(cast(VenueClient, paper("p"))))]
    assert await market_streams(paper_only, {}, [BTC], timedelta(minutes=5), clock) is None
