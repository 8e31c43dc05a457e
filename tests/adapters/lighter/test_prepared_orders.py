"""Lighter's two-step order path (issue 20, leg skew) against the local Lighter
(127.0.0.1; ``sendTx`` checks the key's nonce strictly +1, as Lighter does).

``prepare_order`` reserves the key's next nonce, signs and encodes; ``send_prepared``
only writes. The nonce rules follow lighter-sdk's ``nonce_manager.py``: a nonce that
never reached Lighter is handed out again (``acknowledge_failure``), anything unknown
or refused re-syncs from ``nextNonce`` (``hard_refresh_nonce``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters.lighter.client import LighterClient, create
from adapters.lighter.nonces import NonceBook
from atomic_fp.errors import NotSent, VenueError, VenueRejected
from atomic_fp.models import OrderRequest, TimeInForce
from atomic_fp.venue import PreparesOrders
from tests.adapters.lighter._data import res
from tests.adapters.lighter.fake_venue import (
    ACCOUNT_INDEX,
    API_KEY_INDEX,
    LocalLighter,
    local_lighter,
)
from tests.adapters.lighter.test_local_server import FakeSdkSigner, _order, _settings

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
GOLDEN = Path(__file__).parent / "fixtures" / "single_step_order_wire.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[LocalLighter]:
    with local_lighter() as running:
        yield running


class RecordingSigner(FakeSdkSigner):
    def __init__(self) -> None:
        super().__init__()
        self.signed: list[int] = []

    def sign_create_order(self, order: Any, nonce: int) -> Any:
        self.signed.append(nonce)
        return super().sign_create_order(order, nonce)


def _client(
    server: LocalLighter, signer: FakeSdkSigner | None = None, monotonic: list[float] | None = None
) -> LighterClient:
    ticks = monotonic if monotonic is not None else [0.0]
    return create(
        _settings(
            server,
            account_index=str(ACCOUNT_INDEX),
            api_key_index=str(API_KEY_INDEX),
            api_private_key="0xkey",
        ),
        signer=signer or FakeSdkSigner(),
        clock=lambda: NOW,
        monotonic=lambda: ticks[0],
    )


def _ioc(cid: str) -> OrderRequest:
    return _order(cid, time_in_force=TimeInForce.IOC)


def _send_tx(server: LocalLighter) -> list[Any]:
    return [r for r in server.state.received if r.path == "/api/v1/sendTx"]


def _nonces_sent(server: LocalLighter) -> list[int]:
    return [int(s["tx_info"]["Nonce"]) for s in server.state.sent]


async def test_prepared_body_is_byte_identical_to_the_single_step_paths(
    server: LocalLighter,
) -> None:
    """The fixture is what ``place_order`` put on the wire before this change (commit
    edcbfc2), same inputs, clock and nonce."""
    golden = json.loads(GOLDEN.read_text())
    client = _client(server)
    try:
        assert isinstance(client, PreparesOrders)
        prepared = (await res(client.prepare_order(_ioc("sig-1-leg-a")))).unwrap()
        assert _send_tx(server) == []  # preparing sends nothing
        (await res(client.send_prepared(prepared))).unwrap()
    finally:
        await client.aclose()
    (wire,) = _send_tx(server)
    assert wire.body == golden["body"].encode()
    assert wire.headers["content-type"] == golden["content_type"]


async def test_place_order_still_sends_the_same_bytes(server: LocalLighter) -> None:
    golden = json.loads(GOLDEN.read_text())
    client = _client(server)
    try:
        (await res(client.place_order(_ioc("sig-1-leg-a")))).unwrap()
    finally:
        await client.aclose()
    (wire,) = _send_tx(server)
    assert wire.body == golden["body"].encode()


async def test_a_prepared_order_discarded_gives_its_nonce_back(server: LocalLighter) -> None:
    client = _client(server)
    try:
        prepared = (await res(client.prepare_order(_ioc("abandoned")))).unwrap()
        prepared.discard()  # the hedge was abandoned before sending
        prepared.discard()  # idempotent
        (await res(client.place_order(_ioc("next")))).unwrap()
        # the abandoned order is never sent, even if someone tries
        refused = (await res(client.send_prepared(prepared))).failure()
        assert isinstance(refused, NotSent)
    finally:
        await client.aclose()
    assert _nonces_sent(server) == [7]  # the released nonce, reused
    assert server.state.paths().count("/api/v1/nextNonce") == 1  # no re-sync needed


async def test_a_refused_prepared_send_resyncs_before_the_next_order(
    server: LocalLighter,
) -> None:
    client = _client(server)
    try:
        first = (await res(client.prepare_order(_ioc("dup")))).unwrap()
        (await res(client.send_prepared(first))).unwrap()
        again = (await res(client.prepare_order(_ioc("dup")))).unwrap()
        refused = (await res(client.send_prepared(again))).failure()
        assert isinstance(refused, VenueRejected) and refused.code == "21728"
        (await res(client.place_order(_ioc("after")))).unwrap()
    finally:
        await client.aclose()
    # refused by the venue: whether the nonce was consumed is the venue's to say
    assert server.state.paths().count("/api/v1/nextNonce") == 2
    assert _nonces_sent(server) == [7, 8]


async def test_a_send_that_never_left_keeps_the_nonce(server: LocalLighter) -> None:
    ticks = [0.0]
    client = _client(server, monotonic=ticks)
    try:
        prepared = (await res(client.prepare_order(_ioc("budget")))).unwrap()
        client.budget.back_off(60)  # our own budget refuses: nothing reaches Lighter
        error = (await res(client.send_prepared(prepared))).failure()
        assert isinstance(error, NotSent)
        ticks[0] = 61.0
        (await res(client.place_order(_ioc("then")))).unwrap()
    finally:
        await client.aclose()
    assert _nonces_sent(server) == [7]
    assert server.state.paths().count("/api/v1/nextNonce") == 1


async def test_an_invalid_nonce_answer_re_signs_with_the_fresh_nonce(
    server: LocalLighter,
) -> None:
    signer = RecordingSigner()
    client = _client(server, signer)
    try:
        prepared = (await res(client.prepare_order(_ioc("moved")))).unwrap()
        server.state.next_nonce += 1  # another process used this key meanwhile
        (await res(client.send_prepared(prepared))).unwrap()
    finally:
        await client.aclose()
    assert signer.signed == [7, 8]
    assert _nonces_sent(server) == [8]


async def test_a_cancel_waits_for_the_prepared_order_so_nonces_arrive_in_order(
    server: LocalLighter,
) -> None:
    client = _client(server)
    try:
        placed = (await res(client.place_order(_order("resting")))).unwrap()
        prepared = (await res(client.prepare_order(_ioc("hedge-leg")))).unwrap()
        events: list[str] = []

        async def cancel() -> None:
            events.append("cancel asked")
            (await res(client.cancel_order(placed.symbol, "resting"))).unwrap()
            events.append("cancel done")

        async with anyio.create_task_group() as group:
            group.start_soon(cancel)
            await anyio.wait_all_tasks_blocked()
            events.append("hedge leg sent")
            (await res(client.send_prepared(prepared))).unwrap()
    finally:
        await client.aclose()
    assert events == ["cancel asked", "hedge leg sent", "cancel done"]
    assert [s["tx_type"] for s in server.state.sent] == [14, 14, 15]
    assert _nonces_sent(server) == [7, 8, 9]


async def test_a_reservation_never_settled_expires_and_is_never_sent(
    server: LocalLighter,
) -> None:
    """A prepared order leaked (neither sent nor discarded) does not block the key for
    ever: past ``hold_seconds`` the next transaction expires it and re-syncs."""
    client = _client(server)
    clock = [0.0]
    try:
        leaked = (await res(client.prepare_order(_ioc("leaked")))).unwrap()
        book = client._nonce_book()
        book.monotonic = lambda: clock[0]
        leaked_lease = book.holder
        assert leaked_lease is not None
        leaked_lease.held_until = 5.0
        clock[0] = 5.0
        (await res(client.place_order(_ioc("later")))).unwrap()
        refused = (await res(client.send_prepared(leaked))).failure()
        assert isinstance(refused, NotSent) and "too long" in refused.message
    finally:
        await client.aclose()
    assert _nonces_sent(server) == [7]
    assert server.state.paths().count("/api/v1/nextNonce") == 2  # re-synced after expiry


async def test_nonce_book_reservation_release_and_outcomes() -> None:
    venue_next = [10]

    async def fetch() -> Result[int, VenueError]:
        return Success(venue_next[0])

    book = NonceBook(fetch=fetch)
    held = (await book.reserve()).unwrap()
    assert (held.nonce, book.holder) == (10, held)
    held.release()
    assert (book.known_next, book.holder) == (10, None)
    held = (await book.reserve()).unwrap()
    held.sending = True
    held.consumed()
    held.settle()
    held.release()  # after settling: no effect
    assert book.known_next == 11
    held = (await book.reserve()).unwrap()
    held.resync()
    held.settle()
    assert book.known_next is None


OUTCOMES = ("accepted", "never sent", "api refused", "sequencer refused", "discarded")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(OUTCOMES), max_size=30), st.integers(0, 2**40))
def test_every_reserved_nonce_is_the_one_lighter_expects(outcomes: list[str], start: int) -> None:
    """Whatever happened to the previous transactions (lighter-sdk's cases: accepted,
    never reached Lighter, refused by the API, refused by the sequencer which consumes
    the nonce, prepared and abandoned), the next reservation is Lighter's next nonce."""
    venue = [start]
    fetches: list[int] = []

    async def fetch() -> Result[int, VenueError]:
        fetches.append(venue[0])
        return Success(venue[0])

    async def scenario() -> None:
        book = NonceBook(fetch=fetch)
        for outcome in outcomes:
            lease = (await book.reserve()).unwrap()
            assert lease.nonce == venue[0]
            if outcome == "discarded":
                lease.release()
                continue
            lease.sending = True
            if outcome == "accepted":
                venue[0] += 1
                lease.consumed()
            elif outcome == "never sent":
                lease.unused()
            elif outcome == "sequencer refused":
                venue[0] += 1
                lease.resync()
            else:
                lease.resync()
            lease.settle()
        assert book.holder is None

    anyio.run(scenario)
    # asked nextNonce only at the start and after an outcome it could not know
    unknown = sum(o in ("api refused", "sequencer refused") for o in outcomes)
    assert len(fetches) <= 1 + unknown
