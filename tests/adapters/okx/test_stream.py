"""OKX's ``funding-rate`` websocket channel: the recorded push decodes with its own
interval, and the shared stream engine subscribes and delivers rates from a local server
speaking OKX's format (acknowledgement per arg, pushes wrapped in ``arg``/``data``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import anyio
import pytest

from adapters.okx.stream import OkxFundingWire, decode_funding_frame
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from adapters.streams.types import RatesPushed, StateChanged, StreamEvent, StreamState
from tests.conftest import research_file
from tests.streams.local_ws import Frame, local_ws

NOW = datetime(2026, 12, 6, 22, 0, tzinfo=timezone.utc)
H = 3_600_000


def push(inst_id: str, rate: str, funding_ms: int, hours: int) -> dict[str, Any]:
    return {
        "arg": {"channel": "funding-rate", "instId": inst_id},
        "data": [
            {
                "instType": "SWAP",
                "instId": inst_id,
                "fundingRate": rate,
                "nextFundingRate": "",
                "fundingTime": str(funding_ms),
                "nextFundingTime": str(funding_ms + hours * H),
                "ts": str(funding_ms - H // 2),
            }
        ],
    }


def test_the_recorded_push_decodes_with_its_interval() -> None:
    path = research_file("nautilus_trader/crates/adapters/okx/test_data/ws_funding_rate.json")
    decoded = decode_funding_frame(json.loads(path.read_text()), NOW)
    [update] = decoded.updates
    assert update.venue_symbol == "BTC-USDT-SWAP"
    assert update.rate == Decimal("0.0001")
    assert update.interval == timedelta(hours=8)
    assert update.next_funding_time == datetime.fromtimestamp(1744590349.506, tz=timezone.utc)


def test_acknowledgements_errors_and_junk() -> None:
    ack = {"event": "subscribe", "arg": {"channel": "funding-rate", "instId": "X"}, "connId": "a"}
    assert decode_funding_frame(ack, NOW).subscribed
    error = decode_funding_frame({"event": "error", "code": "60018", "msg": "bad"}, NOW)
    assert error.error is not None and "60018" in error.error
    assert decode_funding_frame({"arg": {"channel": "funding-rate"}, "data": [{}]}, NOW).garbage
    assert decode_funding_frame("pong", NOW).garbage
    bad_gap = push("BTC-USDT-SWAP", "0.0001", 1_704_067_200_000, 0)
    assert decode_funding_frame(bad_gap, NOW).garbage  # next == this settlement


def test_one_subscribe_names_every_instrument() -> None:
    wire = wire_for("okx", "okx-main", "wss://okx.test/ws/v5/public")
    assert isinstance(wire, OkxFundingWire) and wire.venue == "okx-main"
    assert wire.subscriptions(["BTC-USDT-SWAP", "DOGE-USDT-SWAP"]) == [
        {
            "op": "subscribe",
            "args": [
                {"channel": "funding-rate", "instId": "BTC-USDT-SWAP"},
                {"channel": "funding-rate", "instId": "DOGE-USDT-SWAP"},
            ],
        }
    ]


async def until(condition: Callable[[], bool], limit: float = 10) -> None:
    with anyio.fail_after(limit):
        while not condition():  # noqa: ASYNC110 - polling a plain list
            await anyio.sleep(0.01)


@pytest.mark.anyio
async def test_the_feed_subscribes_and_delivers_each_symbols_interval() -> None:
    funding_ms = (int(datetime.now(timezone.utc).timestamp() * 1000) // H + 1) * H

    def reply(message: Any) -> list[Frame]:
        if message.get("op") != "subscribe":
            return [{"event": "error", "code": "60012", "msg": "Invalid request"}]
        frames: list[Frame] = [{"event": "subscribe", "arg": a} for a in message["args"]]
        hours = {"BTC-USDT-SWAP": 8, "DOGE-USDT-SWAP": 1}
        frames += [
            push(a["instId"], "0.0001", funding_ms, hours[a["instId"]]) for a in message["args"]
        ]
        return frames

    events: list[StreamEvent] = []
    with local_ws(reply, path="/ws/v5/public") as server:
        wire = wire_for("okx", "okx", server.url)
        assert wire is not None
        feed = StreamFeed(
            wire=wire,
            venue_symbols=["BTC-USDT-SWAP", "DOGE-USDT-SWAP"],
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
                    len([u for e in events if isinstance(e, RatesPushed) for u in e.updates]) >= 2
                )
            )
            group.cancel_scope.cancel()
    assert feed.state is StreamState.LIVE
    assert StateChanged("okx", StreamState.LIVE, None) in events
    intervals = {
        u.venue_symbol: u.interval for e in events if isinstance(e, RatesPushed) for u in e.updates
    }
    assert intervals == {"BTC-USDT-SWAP": timedelta(hours=8), "DOGE-USDT-SWAP": timedelta(hours=1)}
    assert server.received == wire.subscriptions(["BTC-USDT-SWAP", "DOGE-USDT-SWAP"])
