"""The order's deadline on the GRVT wire (issue 13): an IOC order's signature
``expiration`` is its ``expires_at`` (GRVT refuses an expired signature, error 2001, so
the order cannot arrive later); a past deadline is not sent at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters._http import loads
from atomic_fp.errors import NotSent
from tests.adapters.grvt._data import dumps, real_response, run
from tests.adapters.grvt.test_client import CREDENTIALS, Venue, make, order


def venue_capturing(captured: list[dict[str, Any]]) -> Venue:
    venue = Venue()

    def login(request: httpx.Request) -> httpx.Response:
        headers = {"Set-Cookie": "gravity=tok; Max-Age=3600", "X-Grvt-Account-Id": "acc"}
        return httpx.Response(200, content=dumps({"status": "success"}), headers=headers)

    def create(request: httpx.Request) -> httpx.Response:
        captured.append(loads(request.content)["order"])
        return httpx.Response(200, content=dumps(real_response("createOrder")))

    venue.routes["/auth/api_key/login"] = login
    venue.routes["/full/v1/create_order"] = create
    return venue


@pytest.mark.anyio
async def test_the_deadline_is_the_signature_expiration() -> None:
    captured: list[dict[str, Any]] = []
    client = make(venue_capturing(captured), CREDENTIALS)
    deadline = datetime.now(UTC) + timedelta(seconds=4)
    try:
        (await run(client.place_order(order(expires_at=deadline)))).unwrap()
        (sent,) = captured
        expected = int(deadline.timestamp()) * 10**9 + deadline.microsecond * 1000
        assert int(sent["signature"]["expiration"]) == expected
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_an_order_past_its_deadline_is_not_sent() -> None:
    captured: list[dict[str, Any]] = []
    client = make(venue_capturing(captured), CREDENTIALS)
    try:
        past = datetime.now(UTC) - timedelta(seconds=1)
        result = await run(client.place_order(order(expires_at=past)))
        assert isinstance(result.failure(), NotSent)
        assert captured == []
    finally:
        await client.aclose()
