"""Lighter's ``account_all_orders`` account stream: frames read as the WebSocket reference
and the OpenAPI ``Order`` document them, the subscription authenticated with the API
key's auth token (a local server refuses it otherwise), and a pushed fill settling an
ambiguous leg before any lookup would have."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
import pytest
from returns.result import Failure

from adapters.lighter.account_stream import (
    LighterAccountOrdersWire,
    decode_account_orders_frame,
)
from adapters.lighter.client import client_order_index
from adapters.streams.feed import StreamFeed
from adapters.streams.types import OrdersPushed, StreamEvent, StreamState
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration import ExecutionPolicy, ExecutionStatus
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.report import LegOutcome
from tests.shell.helpers import hedge, orchestrator, paper
from tests.streams.local_ws import LocalWs, local_ws
from tests.streams.test_stream_feed import until

pytestmark = pytest.mark.anyio

ACCOUNT = 331
TOKEN = "1765000000:331:3:5ec2e7"  # "{deadline}:{account_index}:{api_key_index}:{sig}"

# The OpenAPI ``Order`` definition's examples (lighter-python ``openapi.json``,
# Apache-2.0, via napnel/lighter-python @ 905d7e8): the order the stream carries.
DOCUMENTED_ORDER: dict[str, Any] = {
    "order_index": 1,
    "client_order_index": 234,
    "order_id": "1",
    "client_order_id": "234",
    "market_index": 1,
    "owner_account_index": 1,
    "initial_base_amount": "0.1",
    "price": "3024.66",
    "nonce": 722,
    "remaining_base_amount": "0.1",
    "is_ask": True,
    "base_size": 12354,
    "base_price": 3024,
    "filled_base_amount": "0.1",
    "filled_quote_amount": "0.1",
    "side": "buy",
    "type": "limit",
    "time_in_force": "good-till-time",
    "reduce_only": True,
    "trigger_price": "3024.66",
    "order_expiry": 1640995200,
    "status": "open",
    "trigger_status": "twap",
    "trigger_time": 1640995200,
    "parent_order_index": 1,
    "parent_order_id": "1",
    "block_height": 45434,
    "timestamp": 1640995200,
    "created_at": 1640995200,
    "updated_at": 1640995200,
    "transaction_time": 1257894000000000,
}


def orders_frame(
    index: int, status: str, filled: str, *, size: str = "1", first: bool = False
) -> dict[str, Any]:
    """The reference's "Account All Orders" response structure around one order."""
    order = copy.deepcopy(DOCUMENTED_ORDER)
    order.update(
        client_order_index=index,
        client_order_id=str(index),
        status=status,
        initial_base_amount=size,
        filled_base_amount=filled,
        filled_quote_amount=str(Decimal(filled) * 50_000),
        remaining_base_amount=str(Decimal(size) - Decimal(filled)),
    )
    kind = "subscribed" if first else "update"
    return {
        "channel": f"account_all_orders:{ACCOUNT}",
        "orders": {"1": [order]},
        "type": f"{kind}/account_all_orders",
    }


def test_the_documented_frame_reads_as_order_updates() -> None:
    now = datetime.now(timezone.utc)
    frame = {
        "channel": f"account_all_orders:{ACCOUNT}",
        "orders": {"1": [DOCUMENTED_ORDER]},
        "type": "update/account_all_orders",
    }
    (update,) = decode_account_orders_frame("lighter", frame, now).orders
    assert update.client_order_id == "234" and update.venue_order_id == "1"
    assert update.status is OrderStatus.PARTIALLY_FILLED  # open with a fill
    assert update.filled_size == Decimal("0.1") and update.size == Decimal("0.1")
    assert update.average_price == Decimal(1)  # filled quote / filled base
    assert update.at == now
    filled = decode_account_orders_frame("lighter", orders_frame(9, "filled", "1"), now)
    assert filled.orders[0].status is OrderStatus.FILLED
    canceled = decode_account_orders_frame(
        "lighter", orders_frame(9, "canceled-not-enough-liquidity", "0"), now
    )
    assert canceled.orders[0].status is OrderStatus.CANCELED
    snapshot = decode_account_orders_frame(
        "lighter", {"channel": "x", "orders": {}, "type": "subscribed/account_all_orders"}, now
    )
    assert snapshot.subscribed and snapshot.orders == ()
    assert decode_account_orders_frame("lighter", {"type": "ping"}, now).reply == {"type": "pong"}
    broken = orders_frame(9, "exploded", "0")
    assert decode_account_orders_frame("lighter", broken, now).garbage is not None


@contextmanager
def lighter_account_server() -> Iterator[LocalWs]:
    """Lighter's stream: ``connected`` first; an account channel subscribed with the
    right auth token is acknowledged with its snapshot, anything else is refused."""

    def reply(message: Any) -> list[Any]:
        if message.get("type") == "ping":
            return [{"type": "pong"}]
        if message.get("type") != "subscribe":
            return []
        if message.get("auth") != TOKEN:
            return [{"code": 20013, "message": "invalid auth token"}]
        return [
            {
                "channel": f"account_all_orders:{ACCOUNT}",
                "orders": {},
                "type": "subscribed/account_all_orders",
            }
        ]

    with local_ws(
        reply, on_connect=lambda: [{"type": "connected", "session_id": "t"}], path="/stream"
    ) as server:
        yield server


async def test_a_pushed_fill_settles_the_ambiguous_lighter_leg_before_any_lookup() -> None:
    a, b = paper("a"), paper("b")
    policy = ExecutionPolicy(lookup_delay=5.0, order_timeout=2.0, lookup_attempts=3)
    orch = orchestrator([a, b], policy=policy)
    orch.policy = policy  # real waits: the push must race a real 5 s wait
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    book = OrderUpdateBook()
    book.alias(ExchangeIdentifier("b"), lambda cid: str(client_order_index(cid)))
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

    with lighter_account_server() as server:
        wire = LighterAccountOrdersWire(
            account_index=ACCOUNT, auth_token=lambda: TOKEN, venue="b", url=server.url
        )
        feed = StreamFeed(wire=wire, listener=listen, backoff_initial=0.01)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: feed.state is StreamState.LIVE)  # the snapshot acknowledges

            async def venue_pushes_the_fill() -> None:
                await until(lambda: b.calls.get("place_order", 0) == 1)
                index = client_order_index(b_cid)
                server.push(orders_frame(index, "open", "0"))
                server.push(orders_frame(index, "filled", "1"))

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
    assert server.received[0] == {
        "type": "subscribe",
        "channel": f"account_all_orders/{ACCOUNT}",
        "auth": TOKEN,
    }
    assert TOKEN not in repr(wire)


async def test_a_refused_token_is_a_venue_error_and_never_live() -> None:
    events: list[StreamEvent] = []
    with lighter_account_server() as server:
        wire = LighterAccountOrdersWire(
            account_index=ACCOUNT, auth_token=lambda: "stale-token", url=server.url
        )
        feed = StreamFeed(wire=wire, listener=events.append)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: feed.health.venue_errors == 1)
            group.cancel_scope.cancel()
    assert feed.state is not StreamState.LIVE
    assert "invalid auth token" in (feed.health.last_error or "")


async def test_run_starts_the_lighter_order_stream_with_a_fresh_token() -> None:
    from scripts.account_streams import account_stream_tasks
    from scripts.config import VenueConfig

    deadlines: list[int] = []

    class FakeSigner:
        """The native signer's auth-token call (the real one needs lighter-sdk's .so)."""

        def create_auth_token(self, deadline_unix: int) -> str:
            deadlines.append(deadline_unix)
            return TOKEN

    cid = "afp-run-0-1"
    names = ("account_index", "api_key_index", "api_private_key")
    environ = {"T_LT_ACCOUNT": str(ACCOUNT), "T_LT_KEY_INDEX": "3", "T_LT_KEY": "0xabc"}
    with lighter_account_server() as server:
        venue = VenueConfig(
            id=ExchangeIdentifier("lt"),
            kind="lighter",
            ws_url=server.url,
            credential_env=dict(
                zip(names, ("T_LT_ACCOUNT", "T_LT_KEY_INDEX", "T_LT_KEY"), strict=True)
            ),
        )
        book = OrderUpdateBook()
        tasks = account_stream_tasks(
            [venue],
            environ,
            book,
            load_lighter_signer=lambda v, c: FakeSigner(),  # type: ignore[arg-type, return-value]
        )
        assert [what for what, _ in tasks] == ["lt: account_all_orders stream"]
        async with anyio.create_task_group() as group:
            group.start_soon(tasks[0][1])
            await until(lambda: len(server.received) == 1)
            server.push(orders_frame(client_order_index(cid), "filled", "0.5", size="0.5"))
            await until(lambda: book.latest(ExchangeIdentifier("lt"), cid) is not None)
            group.cancel_scope.cancel()
    assert server.received[0]["auth"] == TOKEN
    now = int(datetime.now(timezone.utc).timestamp())
    (deadline,) = deadlines
    assert now < deadline <= now + 8 * 3600  # Lighter's tokens live at most 8 h
    found = book.latest(ExchangeIdentifier("lt"), cid)  # found under our id (alias)
    assert found is not None and found.status is OrderStatus.FILLED

    # no signer here (lighter-sdk's native library missing): lookups only, and it says so
    without = account_stream_tasks(
        [venue], environ, OrderUpdateBook(), load_lighter_signer=lambda v, c: "no signer"
    )
    assert without == []


async def test_the_subscription_carries_the_native_signers_auth_token() -> None:
    """With lighter-sdk's own signer (a throwaway key; nothing leaves 127.0.0.1): the
    token has the documented ``{deadline}:{account_index}:{api_key_index}:{sig}`` form."""
    import re

    from adapters.lighter.signer import load_sdk_signer
    from scripts.account_streams import account_stream_tasks
    from scripts.config import VenueConfig

    throwaway = "0x" + "11" * 40
    probe = load_sdk_signer(
        base_url="https://mainnet.zklighter.elliot.ai",
        account_index=ACCOUNT,
        api_key_index=3,
        api_private_key=throwaway,
    )
    if isinstance(probe, Failure):
        pytest.skip("lighter-sdk's native signer is not available on this platform")
    names = ("account_index", "api_key_index", "api_private_key")
    with lighter_account_server() as server:
        venue = VenueConfig(
            id=ExchangeIdentifier("lt"),
            kind="lighter",
            ws_url=server.url,
            credential_env=dict(zip(names, ("A", "K", "P"), strict=True)),
        )
        environ = {"A": str(ACCOUNT), "K": "3", "P": throwaway}
        tasks = account_stream_tasks([venue], environ, OrderUpdateBook())
        assert [what for what, _ in tasks] == ["lt: account_all_orders stream"]
        async with anyio.create_task_group() as group:
            group.start_soon(tasks[0][1])
            await until(lambda: len(server.received) >= 1)
            group.cancel_scope.cancel()
    token = server.received[0]["auth"]
    match = re.fullmatch(rf"(\d+):{ACCOUNT}:3:[0-9a-f]+", token)
    assert match is not None, token
    now = int(datetime.now(timezone.utc).timestamp())
    assert now < int(match.group(1)) <= now + 8 * 3600
