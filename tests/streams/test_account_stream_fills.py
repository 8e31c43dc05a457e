"""A fill pushed on an account stream settles an ambiguous leg before any lookup would
have; without a push the lookups by client id still settle it (the safety net)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
import pytest

from adapters.binance.account_stream import BinanceUserDataWire, decode_user_data_frame
from adapters.hyperliquid.account_stream import decode_order_updates_frame
from adapters.hyperliquid.signing import cloid_for
from adapters.streams.feed import StreamFeed
from adapters.streams.types import OrdersPushed, StreamEvent
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration import ExecutionPolicy, ExecutionStatus
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.report import LegOutcome
from tests.shell.helpers import hedge, orchestrator, paper
from tests.streams.local_ws import local_ws
from tests.streams.test_stream_feed import until
from tests.streams.venues import now_ms_value

pytestmark = pytest.mark.anyio


def order_trade_update(client_id: str, status: str, filled: str, size: str = "1") -> dict[str, Any]:
    """Shape of the Binance docs' "Event: Order Update" payload."""
    ms = now_ms_value()
    return {
        "e": "ORDER_TRADE_UPDATE",
        "E": ms,
        "T": ms,
        "o": {
            "s": "BTCUSDT",
            "c": client_id,
            "S": "SELL",
            "o": "LIMIT",
            "f": "IOC",
            "q": size,
            "p": "49750",
            "ap": "50000",
            "sp": "0",
            "x": "TRADE",
            "X": status,
            "i": 8886774,
            "l": filled,
            "z": filled,
            "L": "50000",
            "T": ms,
            "t": 1,
        },
    }


async def test_a_pushed_fill_settles_the_ambiguous_leg_before_any_lookup() -> None:
    a, b = paper("a"), paper("b")
    policy = ExecutionPolicy(lookup_delay=5.0, order_timeout=2.0, lookup_attempts=3)
    orch = orchestrator([a, b], policy=policy)
    orch.policy = policy  # real waits: the push must race a real 5 s wait, not a fake clock
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    book = OrderUpdateBook()
    orch.order_updates = book
    signal = hedge()
    b_cid = signal.client_order_id(1, 0)
    b.faults.timeout_after_fill_next = 1  # b fills, its answer is lost: ambiguous
    events: list[StreamEvent] = []

    def listen(event: StreamEvent) -> None:
        events.append(event)
        if isinstance(event, OrdersPushed):
            for update in event.orders:
                book.push(update)

    with local_ws(lambda message: [], path="/private/ws") as server:
        wire = BinanceUserDataWire(listen_key="test-key", venue="b", base_url=server.url)
        feed = StreamFeed(wire=wire, listener=listen, backoff_initial=0.01)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: server.open_connections() == 1)

            async def venue_pushes_the_fill() -> None:
                await until(lambda: b.calls.get("place_order", 0) == 1)
                server.push(order_trade_update(b_cid, "NEW", "0"))
                server.push(order_trade_update(b_cid, "FILLED", "1"))

            group.start_soon(venue_pushes_the_fill)
            started = anyio.current_time()
            report = await orch.execute_signal(signal)
            elapsed = anyio.current_time() - started
            group.cancel_scope.cancel()

    assert report.status is ExecutionStatus.COMPLETE
    (b_attempt,) = [x for x in report.attempts if x.leg_index == 1]
    assert b_attempt.outcome is LegOutcome.FILLED
    assert b_attempt.order is not None and b_attempt.order.filled_size == Decimal(1)
    assert "order" not in b.calls  # settled by the push: no lookup by client id was made
    assert elapsed < policy.lookup_delay  # the first lookup would have waited this long
    assert server.received == []  # the URL names the stream
    assert "listenKey=test-key" in wire.url and "events=ORDER_TRADE_UPDATE" in wire.url


async def test_without_a_push_the_lookup_still_settles_it() -> None:
    a, b = paper("a"), paper("b")
    orch = orchestrator([a, b], policy=ExecutionPolicy(lookup_delay=0.05, order_timeout=2.0))
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    orch.order_updates = OrderUpdateBook()  # a stream that never speaks
    b.faults.timeout_after_fill_next = 1
    report = await orch.execute_signal(hedge())
    assert report.status is ExecutionStatus.COMPLETE
    assert b.calls["order"] == 1  # the safety net: one lookup by client id


async def test_an_open_push_never_settles_and_a_late_one_never_undoes_a_fill() -> None:
    book = OrderUpdateBook()
    now = datetime.now(timezone.utc)
    (open_update,) = decode_user_data_frame("b", order_trade_update("c1", "NEW", "0"), now).orders
    (filled,) = decode_user_data_frame("b", order_trade_update("c1", "FILLED", "1"), now).orders
    book.push(open_update)
    with anyio.move_on_after(0.05):
        await book.wait_terminal(open_update.exchange, "c1")
        raise AssertionError("an OPEN update must not settle an order")
    book.push(filled)
    book.push(open_update)  # arrives late, out of order
    assert (await book.wait_terminal(filled.exchange, "c1")).status is OrderStatus.FILLED


def test_hyperliquid_order_updates_map_cloids_back_to_client_ids() -> None:
    cid = "afp-abc-1-0"
    frame = {
        "channel": "orderUpdates",
        "data": [
            {
                "order": {
                    "coin": "BTC",
                    "side": "A",
                    "limitPx": "49750",
                    "sz": "0.0",
                    "oid": 77,
                    "timestamp": 1764774730000,
                    "origSz": "0.01",
                    "cloid": cloid_for(cid),
                },
                "status": "filled",
                "statusTimestamp": 1764774730100,
            },
            {
                "order": {
                    "coin": "BTC",
                    "side": "B",
                    "limitPx": "1",
                    "sz": "1",
                    "oid": 78,
                    "timestamp": 1764774730000,
                    "origSz": "1",
                    "cloid": "0x" + "f" * 32,
                },
                "status": "open",
                "statusTimestamp": 1764774730100,
            },
        ],
    }
    known = {cloid_for(cid): cid}
    mapped, other = decode_order_updates_frame("hyperliquid", frame, known.get).orders
    assert mapped.client_order_id == cid and mapped.status is OrderStatus.FILLED
    assert mapped.filled_size == Decimal("0.01")
    assert other.client_order_id == "0x" + "f" * 32 and other.status is OrderStatus.OPEN


def test_an_update_under_the_venues_cloid_is_found_by_our_client_id() -> None:
    cid = "afp-abc-1-0"
    frame = {
        "channel": "orderUpdates",
        "data": [
            {
                "order": {
                    "coin": "BTC",
                    "side": "A",
                    "limitPx": "1",
                    "sz": "0",
                    "oid": 1,
                    "timestamp": 1764774730000,
                    "origSz": "2",
                    "cloid": cloid_for(cid),
                },
                "status": "filled",
                "statusTimestamp": 1764774730100,
            }
        ],
    }
    (update,) = decode_order_updates_frame("hyperliquid", frame, lambda c: None).orders
    book = OrderUpdateBook()
    book.alias(update.exchange, cloid_for)
    book.push(update)
    found = book.latest(update.exchange, cid)
    assert found is not None and found.filled_size == Decimal(2)


async def test_run_starts_hyperliquid_order_updates_and_binance_user_data_where_configured() -> (
    None
):
    from scripts.account_streams import account_stream_tasks
    from scripts.config import VenueConfig
    from tests.streams.venues import hyperliquid_server

    address = "0x" + "ab" * 20
    cid = "afp-run-0-0"
    with hyperliquid_server(lambda coin: None) as server:
        venues = [
            VenueConfig(
                id=ExchangeIdentifier("hl"),
                kind="hyperliquid",
                ws_url=server.url,
                credential_env={"account_address": "T_HL_ADDRESS"},
            ),
            VenueConfig(  # no key in the environment: no user-data stream, lookups only
                id=ExchangeIdentifier("bn"),
                kind="binance",
                credential_env={"api_key": "T_BN_KEY"},
            ),
            VenueConfig(id=ExchangeIdentifier("p"), kind="paper"),
        ]
        book = OrderUpdateBook()
        tasks = account_stream_tasks(venues, {"T_HL_ADDRESS": address}, book)
        assert [what for what, _ in tasks] == ["hl: orderUpdates stream"]
        async with anyio.create_task_group() as group:
            group.start_soon(tasks[0][1])
            await until(lambda: len(server.received) == 1)
            server.push(
                {
                    "channel": "orderUpdates",
                    "data": [
                        {
                            "order": {
                                "coin": "BTC",
                                "side": "B",
                                "limitPx": "1",
                                "sz": "0",
                                "oid": 5,
                                "timestamp": 1764774730000,
                                "origSz": "0.5",
                                "cloid": cloid_for(cid),
                            },
                            "status": "filled",
                            "statusTimestamp": 1764774730100,
                        }
                    ],
                }
            )
            await until(lambda: book.latest(ExchangeIdentifier("hl"), cid) is not None)
            group.cancel_scope.cancel()
    assert server.received == [
        {"method": "subscribe", "subscription": {"type": "orderUpdates", "user": address}}
    ]
    found = book.latest(ExchangeIdentifier("hl"), cid)
    assert found is not None and found.status is OrderStatus.FILLED
