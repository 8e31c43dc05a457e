"""GRVT's ``v1.order`` account stream: frames read as the api-spec documents them, the
handshake authenticated with the API-key session (a local trading host refuses it
otherwise), and a pushed fill settling an ambiguous leg before any lookup would have."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import pytest

from adapters.grvt.account_stream import GrvtOrderWire, decode_order_frame
from adapters.grvt.client import venue_client_id
from adapters.streams.feed import StreamFeed
from adapters.streams.types import OrdersPushed, StateChanged, StreamEvent, StreamState
from atomic_fp.models import OrderStatus
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration import ExecutionPolicy, ExecutionStatus
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from atomic_fp.orchestration.report import LegOutcome
from tests.shell.helpers import hedge, orchestrator, paper
from tests.streams.local_ws import LocalWs, local_ws
from tests.streams.test_stream_feed import until

pytestmark = pytest.mark.anyio

COOKIE = "gravity-session-t0ken"
ACCOUNT_ID = "acc-1"
SUB_ACCOUNT = "2345123"

# The "Full Response" example of ``full/v1/order`` in the GRVT api-spec
# (gravity-technologies/api-spec @ eed18e5, artifacts/apidocs/trading_api.md, MIT): the
# ``Order`` object the ``v1.order`` feed carries (WSOrderFeedDataV1.feed).
DOCUMENTED_ORDER: dict[str, Any] = {
    "order_id": "0x1234567890abcdef",
    "sub_account_id": "'$GRVT_SUB_ACCOUNT_ID'",
    "is_market": False,
    "time_in_force": "GOOD_TILL_TIME",
    "post_only": False,
    "reduce_only": False,
    "legs": [
        {
            "instrument": "BTC_USDT_Perp",
            "size": "10.5",
            "limit_price": "65038.01",
            "is_buying_asset": True,
        }
    ],
    "signature": {
        "signer": "0xc73c0c2538fd9b833d20933ccc88fdaa74fcb0d0",
        "r": "0xb788d96fee91c7cdc35918e0441b756d4000ec1d07d900c73347d9abbc20acc8",
        "s": "0x3d786193125f7c29c958647da64d0e2875ece2c3f845a591bdd7dae8c475e26d",
        "v": 28,
        "expiration": "1697788800000000000",
        "nonce": 1234567890,
        "chain_id": "325",
    },
    "metadata": {"client_order_id": "23042", "create_time": "1697788800000000000"},
    "state": {
        "status": "PENDING",
        "reject_reason": "CLIENT_CANCEL",
        "book_size": ["10.5"],
        "traded_size": ["1.5"],
        "update_time": "1697788800000000000",
        "avg_fill_price": ["60000.4"],
    },
}


def order_feed(
    client_id: str, status: str, traded: str, size: str = "1", sequence: int = 2
) -> dict[str, Any]:
    """A ``v1.order`` feed frame (WSOrderFeedDataV1's fields) around the documented order."""
    order = copy.deepcopy(DOCUMENTED_ORDER)
    order["metadata"]["client_order_id"] = client_id
    order["legs"][0]["size"] = size
    order["state"].update(
        status=status, traded_size=[traded], book_size=["0"], avg_fill_price=["50000"]
    )
    return {
        "stream": "v1.order",
        "selector": SUB_ACCOUNT,
        "sequence_number": str(sequence),
        "prev_sequence_number": str(sequence - 1),
        "feed": order,
    }


def test_the_documented_order_reads_as_an_order_update() -> None:
    frame = {
        "stream": "v1.order",
        "selector": "BTC_USDT_Perp",
        "sequence_number": "872634876",
        "prev_sequence_number": "872634875",
        "feed": DOCUMENTED_ORDER,
    }
    decoded = decode_order_frame("grvt", frame, datetime.now(timezone.utc))
    (update,) = decoded.orders
    assert update.client_order_id == "23042"
    assert update.status is OrderStatus.PENDING
    assert update.filled_size == Decimal("1.5") and update.size == Decimal("10.5")
    assert update.average_price == Decimal("60000.4")
    assert update.venue_order_id == "0x1234567890abcdef"
    assert update.at == datetime(2023, 10, 20, 8, tzinfo=timezone.utc)
    (mark,) = decoded.sequences
    assert (mark.number, mark.previous) == (872634876, 872634875)
    # the subscription's acknowledgement, an error, and a broken feed
    ack = {"jsonrpc": "2.0", "result": {"stream": "v1.order", "subs": [SUB_ACCOUNT]}, "id": 1}
    assert decode_order_frame("grvt", ack, datetime.now(timezone.utc)).subscribed
    error = {"jsonrpc": "2.0", "error": {"code": 1000, "message": "authenticate"}, "id": 1}
    assert "1000" in (decode_order_frame("grvt", error, datetime.now(timezone.utc)).error or "")
    broken = order_feed("9", "EXPLODED", "0")
    assert "EXPLODED" in (
        decode_order_frame("grvt", broken, datetime.now(timezone.utc)).garbage or ""
    )
    filled = decode_order_frame("grvt", order_feed("9", "FILLED", "1"), datetime.now(timezone.utc))
    assert filled.orders[0].status is OrderStatus.FILLED


@contextmanager
def trading_host() -> Iterator[LocalWs]:
    """GRVT's trading host: refuses a handshake without the session cookie, acks the
    JSON-RPC subscribe as the market host does."""

    def reply(message: Any) -> list[Any]:
        if message.get("method") != "subscribe":
            return []
        params = message["params"]
        result = {"stream": params["stream"], "subs": params["selectors"], "unsubs": []}
        return [{"jsonrpc": "2.0", "result": result, "id": message["id"]}]

    with local_ws(reply, path="/ws/full") as server:
        server.required_header = ("Cookie", f"gravity={COOKIE}")
        yield server


async def _session() -> Mapping[str, str]:
    return {"Cookie": f"gravity={COOKIE}", "X-Grvt-Account-Id": ACCOUNT_ID}


async def test_a_pushed_fill_settles_the_ambiguous_grvt_leg_before_any_lookup() -> None:
    a, b = paper("a"), paper("b")
    policy = ExecutionPolicy(lookup_delay=5.0, order_timeout=2.0, lookup_attempts=3)
    orch = orchestrator([a, b], policy=policy)
    orch.policy = policy  # real waits: the push must race a real 5 s wait
    for q in orch.queryers.values():
        (await q.get_market()).unwrap()
    book = OrderUpdateBook()
    book.alias(ExchangeIdentifier("b"), venue_client_id)  # GRVT pushes its numeric id
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

    with trading_host() as server:
        wire = GrvtOrderWire(
            sub_account_id=SUB_ACCOUNT, headers=_session, venue="b", url=server.url
        )
        feed = StreamFeed(wire=wire, listener=listen, backoff_initial=0.01)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: feed.state is StreamState.LIVE)  # the ack says it listens

            async def venue_pushes_the_fill() -> None:
                await until(lambda: b.calls.get("place_order", 0) == 1)
                grvt_id = venue_client_id(b_cid)
                server.push(order_feed(grvt_id, "OPEN", "0", sequence=2))
                server.push(order_feed(grvt_id, "FILLED", "1", sequence=3))

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
    assert server.received == [
        {
            "jsonrpc": "2.0",
            "method": "subscribe",
            "params": {"stream": "v1.order", "selectors": [SUB_ACCOUNT]},
            "id": 1,
        }
    ]
    (headers,) = server.request_headers
    assert headers["cookie"] == f"gravity={COOKIE}" and headers["x-grvt-account-id"] == ACCOUNT_ID
    assert COOKIE not in repr(wire)


async def test_without_the_session_the_trading_host_refuses_and_the_feed_is_down() -> None:
    async def no_session() -> Mapping[str, str]:
        return {}

    events: list[StreamEvent] = []
    with trading_host() as server:
        wire = GrvtOrderWire(sub_account_id=SUB_ACCOUNT, headers=no_session, url=server.url)
        feed = StreamFeed(wire=wire, listener=events.append, backoff_initial=0.01)
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            await until(lambda: feed.state is StreamState.DOWN)
            group.cancel_scope.cancel()
    assert server.received == []  # never subscribed: the handshake was refused
    assert "401" in (feed.health.last_error or "")
    assert not any(isinstance(e, StateChanged) and e.state is StreamState.LIVE for e in events)


@contextmanager
def login_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """GRVT's auth host: ``POST /auth/api_key/login`` answers the ``gravity`` cookie and
    the ``X-Grvt-Account-Id`` header (api-docs /auth; grvt-pysdk ``_get_cookie``)."""
    logins: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            logins.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
            body = json.dumps({"status": "success"}).encode()
            self.send_response(200)
            self.send_header("Set-Cookie", f"gravity={COOKIE}; Max-Age=3600; Path=/")
            self.send_header("X-Grvt-Account-Id", ACCOUNT_ID)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", logins
    finally:
        server.shutdown()
        server.server_close()


async def test_run_starts_the_grvt_order_stream_with_a_logged_in_session() -> None:
    from scripts.account_streams import account_stream_tasks
    from scripts.config import VenueConfig

    cid = "afp-run-0-1"
    with login_server() as (auth_url, logins), trading_host() as server:
        venue = VenueConfig(
            id=ExchangeIdentifier("gv"),
            kind="grvt",
            auth_url=auth_url,
            credential_env={"api_key": "T_GV_KEY", "sub_account_id": "T_GV_SUB"},
            options={"account_stream_url": server.url},
        )
        book = OrderUpdateBook()
        environ = {"T_GV_KEY": "gv-api-key", "T_GV_SUB": SUB_ACCOUNT}
        tasks = account_stream_tasks([venue], environ, book)
        assert [what for what, _ in tasks] == ["gv: v1.order stream"]
        async with anyio.create_task_group() as group:
            group.start_soon(tasks[0][1])
            await until(lambda: len(server.received) == 1)
            server.push(order_feed(venue_client_id(cid), "FILLED", "0.5", size="0.5"))
            await until(lambda: book.latest(ExchangeIdentifier("gv"), cid) is not None)
            group.cancel_scope.cancel()
    assert logins == [{"path": "/auth/api_key/login", "body": {"api_key": "gv-api-key"}}]
    assert server.request_headers[-1]["cookie"] == f"gravity={COOKIE}"
    found = book.latest(ExchangeIdentifier("gv"), cid)  # found under our id (alias)
    assert found is not None and found.status is OrderStatus.FILLED
    assert found.filled_size == Decimal("0.5")
