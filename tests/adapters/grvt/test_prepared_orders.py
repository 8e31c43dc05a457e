"""GRVT's two-step order path (issue 20, leg skew): ``prepare_order`` signs (EIP-712),
encodes and warms the session; ``send_prepared`` only writes. The bytes equal what the
single-step path sent before (recorded at commit edcbfc2, same clock and nonce); the
local GRVT (127.0.0.1) recovers the signer from a prepared order as GRVT does; a
prepared order whose signature expired before the send is refused, never sent stale
(GRVT's window: ``now < expiration <= now + 30 days``, errors 2001 / 2008)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.grvt.client import GrvtClient
from adapters.registry import VenueSettings
from atomic_fp.errors import NotSent
from atomic_fp.models import OrderStatus
from atomic_fp.venue import PreparesOrders
from tests.adapters.grvt._data import VENUE, dumps, real_response, run
from tests.adapters.grvt.fake_venue import Exchange, serve
from tests.adapters.grvt.test_client import CREDENTIALS, Venue, order
from tests.adapters.grvt.test_wire import API_KEY, KEY, SUB, client_for

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
NONCE = 3141592653
GOLDEN = Path(__file__).parent / "fixtures" / "single_step_order_wire.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Recorded:
    """A MockTransport GRVT that logs in and records every create_order as sent."""

    def __init__(self) -> None:
        self.venue = Venue()
        self.creates: list[httpx.Request] = []
        self.logins = 0
        self.venue.routes["/auth/api_key/login"] = self._login
        self.venue.routes["/full/v1/create_order"] = self._create

    def _login(self, request: httpx.Request) -> httpx.Response:
        self.logins += 1
        headers = {"Set-Cookie": "gravity=tok; Max-Age=3600", "X-Grvt-Account-Id": "acc"}
        return httpx.Response(200, content=dumps({"status": "success"}), headers=headers)

    def _create(self, request: httpx.Request) -> httpx.Response:
        self.creates.append(request)
        return httpx.Response(200, content=dumps(real_response("createOrder")))


def _client(recorded: Recorded, clock: list[datetime]) -> GrvtClient:
    settings = VenueSettings(
        id=VENUE,
        kind="grvt",
        credentials=CREDENTIALS,
        transport=httpx.MockTransport(recorded.venue),
    )
    return GrvtClient(settings, clock=lambda: clock[0])


@pytest.fixture
def fixed_nonce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.grvt.execution.secrets.randbelow", lambda n: NONCE)


async def test_prepared_body_is_byte_identical_to_the_single_step_paths(
    fixed_nonce: None,
) -> None:
    golden = json.loads(GOLDEN.read_text())
    recorded = Recorded()
    client = _client(recorded, [NOW])
    try:
        assert isinstance(client, PreparesOrders)
        prepared = (
            await run(client.prepare_order(order(expires_at=NOW + timedelta(seconds=4))))
        ).unwrap()
        assert recorded.creates == []  # preparing sends no order ...
        assert recorded.logins == 1  # ... but makes sure the session is ready
        (await run(client.send_prepared(prepared))).unwrap()
    finally:
        await client.aclose()
    (wire,) = recorded.creates
    assert wire.content == golden["body"].encode()
    assert wire.headers["content-type"] == golden["content_type"]
    assert recorded.logins == 1  # the send itself was one request


async def test_place_order_still_sends_the_same_bytes(fixed_nonce: None) -> None:
    golden = json.loads(GOLDEN.read_text())
    recorded = Recorded()
    client = _client(recorded, [NOW])
    try:
        request = order(expires_at=NOW + timedelta(seconds=4))
        (await run(client.place_order(request))).unwrap()
    finally:
        await client.aclose()
    (wire,) = recorded.creates
    assert wire.content == golden["body"].encode()


@pytest.mark.parametrize(
    ("deadline", "waited"),
    [
        (timedelta(seconds=4), timedelta(seconds=4)),  # the order's own deadline
        (None, timedelta(seconds=300)),  # the IOC lifetime (order_expiry_seconds)
    ],
)
async def test_a_prepared_order_whose_signature_expired_is_not_sent(
    deadline: timedelta | None, waited: timedelta
) -> None:
    recorded = Recorded()
    clock = [NOW]
    client = _client(recorded, clock)
    try:
        expires_at = NOW + deadline if deadline is not None else None
        prepared = (await run(client.prepare_order(order(expires_at=expires_at)))).unwrap()
        clock[0] = NOW + waited - timedelta(microseconds=1)
        payload: Any = prepared.payload
        assert payload.expiration_ns > int(clock[0].timestamp()) * 10**9  # still valid
        clock[0] = NOW + waited
        error = (await run(client.send_prepared(prepared))).failure()
        assert isinstance(error, NotSent) and "expired" in error.message
    finally:
        await client.aclose()
    assert recorded.creates == []


async def test_a_prepared_order_is_accepted_by_the_local_grvt() -> None:
    """Real sockets: the server rebuilds the typed data from the wire fields and
    recovers our signer, as GRVT does."""
    exchange = Exchange(api_key=API_KEY, sub_account_id=SUB, authorised_key=KEY)
    with serve(exchange) as hosts:
        client = client_for(hosts)
        try:
            request = order(expires_at=datetime.now(UTC) + timedelta(seconds=30))
            prepared = (await run(client.prepare_order(request))).unwrap()
            assert exchange.orders == {} and exchange.logins == 1
            placed = (await run(client.send_prepared(prepared))).unwrap()
        finally:
            await client.aclose()
    assert placed.status is OrderStatus.PENDING
    assert exchange.recovered_signers == [exchange.authorised_address]
