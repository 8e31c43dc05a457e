"""Aster's market stream (``!markPrice@arr`` on ``wss://fstream.asterdex.com/ws/``) through
the shared stream engine against a local websocket server: the stream is named in the URL
(nothing is sent), the documented all-market payload becomes rate updates, a dropped
connection is reconnected on the same path with the gap reported."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
import pytest

from adapters.aster.stream import DEFAULT_STREAM_URL, AsterMarkPriceWire
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import STREAM_KINDS, wire_for
from adapters.streams.types import GapDetected, RatesPushed, StateChanged, StreamEvent, StreamState
from tests.streams.local_ws import local_ws
from tests.streams.test_stream_feed import until

PATH = "/ws/!markPrice@arr"

DOC_ALL_MARKET: list[dict[str, Any]] = [
    {"e": "markPriceUpdate", "E": 1562305380000, "s": "BTCUSDT", "p": "11185.87786614",
     "i": "11784.62659091", "P": "11784.25641265", "r": "0.00030000", "T": 1562306400000},
]  # fmt: skip
"""asterdex api-docs "Mark Price Stream for All market" payload (values verbatim)."""


def _feed(url: str, events: list[StreamEvent]) -> StreamFeed:
    wire = wire_for("aster", "aster", url)
    assert isinstance(wire, AsterMarkPriceWire)
    return StreamFeed(
        wire=wire, venue_symbols=["BTCUSDT"], listener=events.append, ping_interval=5.0,
        idle_timeout=30.0, connect_timeout=5.0, backoff_initial=0.01, backoff_max=0.05,
    )  # fmt: skip


def test_aster_has_a_registered_stream_on_its_documented_host() -> None:
    assert "aster" in STREAM_KINDS
    wire = wire_for("aster", "ast", None)
    assert isinstance(wire, AsterMarkPriceWire) and wire.venue == "ast"
    assert wire.url == DEFAULT_STREAM_URL == "wss://fstream.asterdex.com/ws/!markPrice@arr"
    assert wire.subscriptions(["BTCUSDT"]) == []


def test_the_documented_payload_decodes_to_a_rate_update() -> None:
    wire = AsterMarkPriceWire()
    decoded = wire.decode(DOC_ALL_MARKET, datetime.now(timezone.utc))
    (update,) = decoded.updates
    assert update.venue_symbol == "BTCUSDT" and update.rate == Decimal("0.0003")
    assert update.mark_price == Decimal("11185.87786614")
    assert update.next_funding_time == datetime(2019, 7, 5, 6, tzinfo=timezone.utc)
    assert update.observed_at == datetime(2019, 7, 5, 5, 43, tzinfo=timezone.utc)
    assert wire.decode({"e": "markPriceUpdate", "s": "X"}, datetime.now(timezone.utc)).garbage


@pytest.mark.anyio
async def test_the_stream_delivers_rates_and_reconnects_on_the_same_path() -> None:
    events: list[StreamEvent] = []
    with local_ws(lambda message: [], on_connect=lambda: [DOC_ALL_MARKET], path=PATH) as server:
        feed = _feed(server.url, events)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: any(isinstance(e, RatesPushed) for e in events))
            server.drop()
            await until(lambda: any(isinstance(e, GapDetected) for e in events))
            await until(lambda: sum(isinstance(e, RatesPushed) for e in events) >= 2)
            group.cancel_scope.cancel()
    assert server.received == []  # nothing subscribed: the URL names the stream
    assert server.request_paths == [PATH, PATH]
    assert StateChanged("aster", StreamState.LIVE, None) in events
    (gap,) = [e.gap for e in events if isinstance(e, GapDetected)]
    assert "connection dropped" in gap.reason
