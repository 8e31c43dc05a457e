"""The Bybit ticker stream: nautilus' recorded v5 frames decoded (read in place, LGPL),
hostile frames never escape, and a feed against a websocket on 127.0.0.1 subscribes in
Bybit's format (``tickers.<SYMBOL>``, 10 topics per message) and delivers rates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given, settings

from adapters.bybit.stream import BybitTickerWire, decode_ticker_frame
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from adapters.streams.types import RatesPushed, StreamEvent, StreamState
from tests.adapters.binance.test_fuzz import junk
from tests.streams.local_ws import local_ws
from tests.streams.test_stream_feed import until

FIXTURES = "nautilus_trader/crates/adapters/bybit/test_data"
NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)


def fixture(research_data: Path, name: str) -> Any:
    path = research_data / FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture missing: {name}")
    return json.loads(path.read_text())


def test_recorded_ticker_snapshot(research_data: Path) -> None:
    decoded = decode_ticker_frame(fixture(research_data, "ws_ticker_linear.json"), NOW)
    (update,) = decoded.updates
    assert update.venue_symbol == "BTCUSDT"
    assert update.rate == Decimal("-0.000212")
    assert update.interval == timedelta(hours=8)  # fundingIntervalHour
    assert update.next_funding_time == datetime.fromtimestamp(1673280000, tz=timezone.utc)
    assert update.observed_at == datetime.fromtimestamp(1673272861.686, tz=timezone.utc)
    assert update.mark_price == Decimal("17217.33")


def test_recorded_acks_and_refusals(research_data: Path) -> None:
    assert decode_ticker_frame(fixture(research_data, "ws_subscription_ack.json"), NOW).subscribed
    refused = decode_ticker_frame(fixture(research_data, "ws_subscription_failure.json"), NOW)
    assert refused.error is not None and "Invalid topic" in refused.error


def test_a_delta_without_a_rate_is_no_update_never_a_zero_rate() -> None:
    delta = {
        "topic": "tickers.BTCUSDT",
        "type": "delta",
        "ts": 1673272861686,
        "data": {"symbol": "BTCUSDT", "markPrice": "17218.00"},
    }
    decoded = decode_ticker_frame(delta, NOW)
    assert decoded.updates == () and decoded.garbage is None
    pong = {"success": True, "ret_msg": "pong", "op": "ping", "conn_id": "x"}
    assert decode_ticker_frame(pong, NOW).updates == ()
    bad = dict(delta, data={"symbol": "BTCUSDT", "fundingRate": "NaN"})
    assert decode_ticker_frame(bad, NOW).garbage is not None


def test_subscriptions_are_ten_topics_per_message() -> None:
    names = [f"S{i}USDT" for i in range(23)]
    messages = BybitTickerWire().subscriptions(names)
    assert [len(m["args"]) for m in messages] == [10, 10, 3]  # type: ignore[index]
    assert messages[0] == {"op": "subscribe", "args": [f"tickers.S{i}USDT" for i in range(10)]}
    assert BybitTickerWire().heartbeat() == {"op": "ping"}


@settings(max_examples=1000, deadline=None)
@given(frame=junk)
def test_hostile_frames_never_escape(frame: Any) -> None:
    decoded = decode_ticker_frame(frame, NOW)
    for update in decoded.updates:
        assert abs(update.rate) <= Decimal("0.5")
    framed = {"topic": "tickers.X", "ts": 1673272861686, "data": frame}
    decode_ticker_frame(framed, NOW)


@pytest.mark.anyio
async def test_a_feed_subscribes_and_delivers_rates() -> None:
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)

    def reply(message: Any) -> list[Any]:
        if message.get("op") != "subscribe":
            return [{"success": True, "ret_msg": "pong", "op": "ping"}]
        frames: list[Any] = [{"success": True, "ret_msg": "", "op": "subscribe"}]
        for topic in message["args"]:
            symbol = topic.removeprefix("tickers.")
            frames.append(
                {
                    "topic": topic,
                    "type": "snapshot",
                    "ts": now_ms,
                    "data": {
                        "symbol": symbol,
                        "fundingRate": "0.0001",
                        "nextFundingTime": str(now_ms + 3_600_000),
                        "fundingIntervalHour": "4",
                        "markPrice": "100",
                    },
                }
            )
        return frames

    events: list[StreamEvent] = []
    with local_ws(reply, path="/v5/public/linear") as server:
        wire = wire_for("bybit", "bybit", server.url)
        assert isinstance(wire, BybitTickerWire)
        feed = StreamFeed(
            wire=wire,
            venue_symbols=["BTCUSDT", "SOLUSDT"],
            listener=events.append,
            ping_interval=5.0,
            idle_timeout=30.0,
            connect_timeout=5.0,
            backoff_initial=0.01,
            backoff_max=0.05,
        )
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
                    >= {"BTCUSDT", "SOLUSDT"}
                )
            )
            group.cancel_scope.cancel()
    assert feed.state is StreamState.LIVE
    assert server.received[0] == {"op": "subscribe", "args": ["tickers.BTCUSDT", "tickers.SOLUSDT"]}
    rates = [u for e in events if isinstance(e, RatesPushed) for u in e.updates]
    assert all(u.interval == timedelta(hours=4) for u in rates)
