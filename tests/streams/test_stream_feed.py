"""The shared stream engine against local servers speaking each venue's wire format:
subscription, heartbeat, reconnect with resubscription, gap detection, DOWN state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

import anyio
import pytest

from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from adapters.streams.types import (
    GapDetected,
    RatesPushed,
    StateChanged,
    StreamEvent,
    StreamState,
)
from tests.streams.local_ws import LocalWs
from tests.streams.venues import (
    binance_mark_price,
    binance_server,
    grvt_server,
    grvt_ticker,
    hyperliquid_ctx,
    hyperliquid_server,
    lighter_server,
    lighter_stats,
    lighter_update,
)

NOW_MS = int(datetime.now(timezone.utc).timestamp() * 1000)


async def until(condition: Callable[[], bool], limit: float = 10) -> None:
    """Wait for a condition on recorded events (generous bound; never a timing test)."""
    with anyio.fail_after(limit):
        while not condition():  # noqa: ASYNC110 - polling plain lists
            await anyio.sleep(0.01)


def fast_feed(
    kind: str, server: LocalWs, symbols: list[str], events: list[StreamEvent], **options: Any
) -> StreamFeed:
    wire = wire_for(kind, kind, server.url)
    assert wire is not None
    settings: dict[str, Any] = {
        "ping_interval": 5.0,
        "idle_timeout": 30.0,
        "connect_timeout": 5.0,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
    }
    settings.update(options)
    return StreamFeed(wire=wire, venue_symbols=symbols, listener=events.append, **settings)


def _servers() -> Iterator[tuple[str, Callable[[], AbstractContextManager[LocalWs]], list[str]]]:
    yield (
        "binance",
        lambda: binance_server(lambda: [[binance_mark_price("BTCUSDT", "0.0001", NOW_MS)]]),
        ["BTCUSDT"],
    )
    yield (
        "hyperliquid",
        lambda: hyperliquid_server(lambda coin: hyperliquid_ctx(coin, "0.0000125")),
        ["BTC", "ETH"],
    )
    yield (
        "grvt",
        lambda: grvt_server(lambda name: grvt_ticker(name, "0.01", NOW_MS * 1_000_000, 1)),
        ["BTC_USDT_Perp", "ETH_USDT_Perp"],
    )
    yield (
        "lighter",
        lambda: lighter_server(
            lambda: lighter_update({1: lighter_stats(1, "0.0012", NOW_MS)}, NOW_MS, True)
        ),
        ["1"],
    )


@pytest.mark.anyio
@pytest.mark.parametrize(("kind", "server_factory", "symbols"), list(_servers()))
async def test_each_venue_stream_subscribes_and_delivers_rates(
    kind: str, server_factory: Callable[[], AbstractContextManager[LocalWs]], symbols: list[str]
) -> None:
    events: list[StreamEvent] = []
    with server_factory() as server:
        feed = fast_feed(kind, server, symbols, events)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(
                lambda: (
                    {
                        u.venue_symbol
                        for e in events
                        if isinstance(e, RatesPushed)
                        for u in e.updates
                    }
                    >= set(symbols)
                )
            )
            group.cancel_scope.cancel()
    assert feed.state is StreamState.LIVE
    assert StateChanged(kind, StreamState.LIVE, None) in events
    if kind == "hyperliquid":  # one subscription per coin
        assert [m["subscription"]["coin"] for m in server.received] == symbols
    elif kind == "grvt":  # every instrument in ONE subscribe
        (message,) = server.received
        assert message["params"]["selectors"] == [f"{s}@1000" for s in symbols]
    elif kind == "lighter":
        assert server.received == [{"type": "subscribe", "channel": "market_stats/all"}]
    else:  # Binance: the stream is named in the URL
        assert server.received == []
        assert server.url.endswith("/market/ws/!markPrice@arr")


@pytest.mark.anyio
async def test_dropped_connection_is_reconnected_resubscribed_and_the_gap_reported() -> None:
    events: list[StreamEvent] = []
    with hyperliquid_server(lambda coin: hyperliquid_ctx(coin, "0.0000125")) as server:
        feed = fast_feed("hyperliquid", server, ["BTC"], events)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: any(isinstance(e, RatesPushed) for e in events))
            server.drop()
            await until(lambda: any(isinstance(e, GapDetected) for e in events))
            group.cancel_scope.cancel()
    subscribes = [m for m in server.received if m.get("method") == "subscribe"]
    assert len(subscribes) == 2  # resubscribed after reconnecting
    assert server.handshakes == 2
    (gap,) = [e.gap for e in events if isinstance(e, GapDetected)]
    assert "connection dropped" in gap.reason
    assert gap.ended >= gap.started
    kinds = [type(e).__name__ for e in events]
    # the gap is reported when data flows again, i.e. after the reconnection's first push
    assert kinds.index("GapDetected") > kinds.index("StateChanged")
    assert feed.health.drops == 1 and feed.health.connects == 2


@pytest.mark.anyio
async def test_a_refused_stream_goes_down_and_recovers() -> None:
    events: list[StreamEvent] = []
    with hyperliquid_server(lambda coin: hyperliquid_ctx(coin, "0.0000125")) as server:
        server.refuse = True
        feed = fast_feed("hyperliquid", server, ["BTC"], events, down_after_failures=2)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: feed.state is StreamState.DOWN)
            assert not any(isinstance(e, RatesPushed) for e in events)
            assert feed.health.last_error is not None and "503" in feed.health.last_error
            server.refuse = False
            await until(lambda: feed.state is StreamState.LIVE)
            group.cancel_scope.cancel()
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states.index(StreamState.DOWN) < states.index(StreamState.LIVE)


@pytest.mark.anyio
async def test_grvt_sequence_jump_is_reported_as_a_gap() -> None:
    events: list[StreamEvent] = []
    ns = NOW_MS * 1_000_000
    with grvt_server(lambda name: grvt_ticker(name, "0.01", ns, 10)) as server:
        feed = fast_feed("grvt", server, ["BTC_USDT_Perp"], events)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: any(isinstance(e, RatesPushed) for e in events))
            server.push(grvt_ticker("BTC_USDT_Perp", "0.02", ns + 1, 11))  # in order
            server.push(grvt_ticker("BTC_USDT_Perp", "0.03", ns + 2, 15))  # 12..14 missed
            await until(lambda: any(isinstance(e, GapDetected) for e in events))
            group.cancel_scope.cancel()
    (gap,) = [e.gap for e in events if isinstance(e, GapDetected)]
    assert gap.channel == "v1.ticker.s:BTC_USDT_Perp"
    assert gap.missed == 3
    assert feed.health.updates == 3  # the value after the gap is still used


@pytest.mark.anyio
async def test_quiet_stream_gets_the_venue_heartbeat_and_garbage_is_survived() -> None:
    events: list[StreamEvent] = []
    with hyperliquid_server(lambda coin: hyperliquid_ctx(coin, "0.0000125")) as server:
        feed = fast_feed("hyperliquid", server, ["BTC"], events, ping_interval=0.05)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: any(isinstance(e, RatesPushed) for e in events))
            server.push("not json {")
            server.push({"channel": "activeAssetCtx", "data": {"coin": "BTC", "ctx": {}}})
            server.push(hyperliquid_ctx("BTC", "0.00002"))
            await until(lambda: {"method": "ping"} in server.received)
            await until(lambda: feed.health.updates >= 2)
            group.cancel_scope.cancel()
    assert feed.health.garbage_frames == 2
    assert feed.health.drops == 0  # garbage never costs the connection
    pushed = [u.rate for e in events if isinstance(e, RatesPushed) for u in e.updates]
    assert str(pushed[-1]) == "0.00002"
