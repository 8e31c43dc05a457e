"""Lighter's REST bodies hold JSON floats, so they are decoded once, by the strict
standard decoder (``JsonHttp.floats_in_bodies``), not by orjson first and then again
after its answer is found to hold a float. The rates, and the refusals of malformed or
hostile bodies (their messages included), are those of the general decoder
(``adapters.kit.http.loads``, itself exactly ``strict_loads``: test_json_decode.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

import adapters.kit.http as kit_http
from adapters.json_decode import loads_like
from adapters.lighter.client import create
from adapters.registry import VenueSettings
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.lighter._data import res

LIGHTER = ExchangeIdentifier("lighter")
AS_OF = datetime(2025, 12, 3, 15, 12, 10, tzinfo=timezone.utc)


def _bench_bodies() -> dict[str, bytes]:
    """The benchmark's realistic Lighter answers (120 markets: ``orderBookDetails`` is
    117 KB, above the size from which the general decoder tries orjson)."""
    from adapters.snapshot import bundled_snapshot
    from bench.realistic_bodies import realistic_snapshot

    recording = realistic_snapshot(bundled_snapshot()).venue("lighter")
    assert recording is not None
    return {e.path: json.dumps(e.body).encode() for e in recording.exchanges}


async def _rates(bodies: dict[str, bytes], floats_in_bodies: bool | None, status: int = 200) -> str:
    """``repr`` of the client's funding rates (or its refusal) with ``floats_in_bodies``
    as built (``None``) or forced."""
    settings = VenueSettings(
        id=LIGHTER,
        kind="lighter",
        transport=httpx.MockTransport(lambda r: httpx.Response(status, content=bodies[r.url.path])),
        clock=lambda: AS_OF,
    )
    client = create(settings)
    if floats_in_bodies is not None:
        client.http.floats_in_bodies = floats_in_bodies
    try:
        return repr(await res(client.fetch_funding_rates()))
    finally:
        await client.aclose()


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Calls of the orjson-first decoder, counted."""
    calls: list[object] = []
    real: Callable[..., Any] = loads_like

    def counted(exact: Any, message: Any) -> Any:
        calls.append(message)
        return real(exact, message)

    monkeypatch.setattr(kit_http, "loads_like", counted)
    return calls


@pytest.mark.anyio
async def test_bench_bodies_are_decoded_once_to_the_same_rates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bodies = _bench_bodies()
    assert max(map(len, bodies.values())) >= kit_http.ORJSON_FROM_BYTES
    calls = _counting(monkeypatch)
    general = await _rates(bodies, floats_in_bodies=False)
    assert len(calls) == 1  # the long body: orjson, a float found, decoded again
    calls.clear()
    built = await _rates(bodies, floats_in_bodies=None)
    assert calls == []
    assert built == general
    assert "Success" in built and "FundingRate" in built


HOSTILE = [
    b"[" * 5000 + b"]" * 5000,
    b'{"code": 200, "order_book_details": [NaN]}',
    b'{"code": 200, "order_book_details": [1e400]}',
    b'{"code": 200, "order_book_details": "\\ud800"}',
    b'{"code": 200, "order_book_details": [0.1, 2, 123456789012345678901234567890]}',
    b"\xff\xfe not json",
    b'{"code": 200, "order_book_details": [{"symbol": "ETH"',
    b"",
    b"null",
]


@pytest.mark.anyio
@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("body", HOSTILE)
@pytest.mark.parametrize("padded", [False, True])
async def test_hostile_bodies_are_refused_as_by_the_general_decoder(
    body: bytes, status: int, padded: bool
) -> None:
    """Short, and padded past orjson's size (whitespace: insignificant in JSON)."""
    if padded:
        body = body + b" " * kit_http.ORJSON_FROM_BYTES
    bodies = {"/api/v1/orderBookDetails": body, "/api/v1/funding-rates": body}
    assert await _rates(bodies, None, status) == await _rates(bodies, False, status)
