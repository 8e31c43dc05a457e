"""The in-process HTTP client (``adapters.kit.http_client``) against httpx itself, the
outside reference it stands in for: the same request (method, path, query, body bytes)
reaches the responder from both on the same arguments, and the bundled snapshot read
through each venue's client gives the same rates in-process as over an httpx transport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Success

from adapters.kit.http import JsonHttp
from adapters.kit.http_client import InProcessClient, InProcessTransport, async_client
from adapters.registry import build_client
from adapters.snapshot.replay import bundled_snapshot
from atomic_fp.errors import MalformedResponse, VenueRejected
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result
from scripts.config import VenueConfig
from scripts.runtime import settings_for

Seen = tuple[str, str, dict[str, str], bytes]


class Recorder:
    """A responder that keeps what it was asked and answers ``body`` with ``status``."""

    def __init__(self, status: int = 200, body: bytes = b"{}") -> None:
        self.seen: list[Seen] = []
        self.status, self.body = status, body

    def answer(
        self, method: str, path: str, query: Mapping[str, str], content: bytes
    ) -> tuple[int, bytes]:
        self.seen.append((method, path, dict(query), content))
        return self.status, self.body


primitive = (
    st.booleans()
    | st.none()
    | st.integers(-(10**12), 10**12)
    | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False, places=6)
)
params = st.dictionaries(
    st.text(min_size=1, max_size=6),
    primitive | st.lists(primitive, min_size=1, max_size=3),
    max_size=5,
)
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


async def _both(**request: Any) -> tuple[Seen, Seen]:
    ours, theirs = Recorder(), Recorder()
    base = "https://api.example.test/v1"
    await InProcessClient(ours, base).send(InProcessClient(ours, base).build_request(**request))
    async with httpx.AsyncClient(base_url=base, transport=InProcessTransport(theirs)) as client:
        await client.send(client.build_request(**request))
    return ours.seen[0], theirs.seen[0]


@pytest.mark.anyio
@settings(max_examples=150, deadline=None)
@given(
    query=st.none() | params,
    body=json_bodies,
    path=st.sampled_from(["/info", "info", "/a/b?x=1&y=&x=2"]),
)
async def test_the_same_request_reaches_the_venue_as_through_httpx(
    query: dict[str, Any] | None, body: Any, path: str
) -> None:
    ours, theirs = await _both(method="POST", url=path, params=query, json=body)
    assert ours == theirs


@pytest.mark.anyio
@settings(max_examples=100, deadline=None)
@given(form=params)
async def test_form_bodies_are_the_bytes_httpx_sends(form: dict[str, Any]) -> None:
    ours, theirs = await _both(method="POST", url="https://other.test/tx", data=form)
    assert ours == theirs


@pytest.mark.anyio
async def test_json_http_classifies_in_process_answers_as_httpx_ones() -> None:
    """A refusal, a body over the cap (read from ``Content-Length``) and a non-JSON body."""
    cases = [
        (Recorder(400, b'{"code": -1121, "msg": "Invalid symbol."}'), VenueRejected),
        (Recorder(200, b"[" + b"1," * 100 + b"1]"), MalformedResponse),  # > 64 bytes
        (Recorder(200, b"<html>"), MalformedResponse),
    ]
    for responder, error in cases:
        for client in (
            InProcessClient(responder, "https://x.test"),
            httpx.AsyncClient(base_url="https://x.test", transport=InProcessTransport(responder)),
        ):
            http = JsonHttp("binance", client, max_body_bytes=64)
            outcome = await http.request("GET", "/fapi/v1/premiumIndex")
            assert isinstance(outcome.failure(), error), outcome


def test_async_client_is_in_process_only_for_an_in_process_transport() -> None:
    assert isinstance(async_client(InProcessTransport(Recorder()), timeout=1), InProcessClient)
    assert isinstance(async_client(None, timeout=1), httpx.AsyncClient)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["binance", "hyperliquid", "grvt", "lighter"])
async def test_the_snapshot_reads_the_same_in_process_as_over_httpx(kind: str) -> None:
    snapshot = bundled_snapshot()
    recording = snapshot.venue(kind)
    assert recording is not None
    results = []
    for transport in (recording.replay(), recording.transport()):
        settings_ = settings_for(
            VenueConfig(id=ExchangeIdentifier(kind), kind=kind),
            {},
            with_credentials=False,
            transport=transport,
            base_url=recording.base_url,
            urls=recording.urls,
            clock=lambda: recording.recorded_at or snapshot.as_of,
        )
        client = build_client(settings_).unwrap()
        rates = to_result(await client.fetch_funding_rates(None))
        markets = to_result(await client.fetch_markets())
        results.append((rates, markets))
        await client.aclose()
    (rates, markets), (rates_httpx, markets_httpx) = results
    assert rates == rates_httpx and markets == markets_httpx
    assert isinstance(rates, Success) and len(rates.unwrap()) > 0
