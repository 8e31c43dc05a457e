"""The replay transport: exact matching, 404 for anything not recorded, and a record ->
replay round trip through the real clients."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from returns.result import Success

from adapters.registry import VenueSettings, build_client
from adapters.snapshot import (
    Exchange,
    RecordingTransport,
    ReplayTransport,
    Snapshot,
    VenueRecording,
    bundled_snapshot,
    load_snapshot,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result

pytestmark = pytest.mark.anyio


async def _post(transport: httpx.AsyncBaseTransport, body: object) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
        return await client.post("/info", json=body)


async def test_the_most_specific_match_wins_and_unrecorded_is_404() -> None:
    transport = ReplayTransport(
        [
            Exchange("POST", "/info", 200, {"which": "any"}),
            Exchange("POST", "/info", 200, {"which": "meta"}, json={"type": "meta"}),
        ]
    )
    assert (await _post(transport, {"type": "meta"})).json() == {"which": "meta"}
    assert (await _post(transport, {"type": "other"})).json() == {"which": "any"}
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
        missing = await client.get("/nothing")
    assert missing.status_code == 404
    assert "not recorded" in missing.json()["msg"]
    assert transport.unmatched == [("GET", "/nothing")]


async def test_query_parameters_must_match_when_recorded() -> None:
    transport = ReplayTransport(
        [Exchange("GET", "/book", 200, {"id": 1}, query={"market_id": "1"})]
    )
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
        assert (await client.get("/book", params={"market_id": 1, "limit": 5})).json() == {"id": 1}
        assert (await client.get("/book", params={"market_id": 2})).status_code == 404


async def test_record_then_replay_gives_the_same_rates(tmp_path: Path) -> None:
    """Record the real Binance and Hyperliquid clients talking to a stand-in venue (the
    bundled replay), write the single-file snapshot, replay it: identical rates."""
    bundled = bundled_snapshot()
    recordings = []
    first = {}
    for name in ("binance", "hyperliquid"):
        source = bundled.venue(name)
        assert source is not None
        recorder = RecordingTransport(inner=source.transport())
        settings = VenueSettings(
            id=ExchangeIdentifier(name), kind=name, transport=recorder, clock=lambda: bundled.as_of
        )
        client = build_client(settings).unwrap()
        first[name] = to_result(await client.fetch_funding_rates(None))
        await client.aclose()
        recordings.append(VenueRecording(name, name, source.base_url, tuple(recorder.exchanges)))
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(Snapshot(bundled.as_of, tuple(recordings)).to_json()))
    replayed = load_snapshot(path)
    for recording in replayed.venues:
        settings = VenueSettings(
            id=ExchangeIdentifier(recording.venue),
            kind=recording.kind,
            transport=recording.transport(),
            clock=lambda: bundled.as_of,
        )
        client = build_client(settings).unwrap()
        again = to_result(await client.fetch_funding_rates(None))
        await client.aclose()
        assert isinstance(again, Success)
        assert again == first[recording.venue]
        assert len(again.unwrap()) > 10


def test_bundled_snapshot_is_package_data() -> None:
    snapshot = bundled_snapshot()
    assert {v.venue for v in snapshot.venues} == {"binance", "hyperliquid", "grvt", "lighter"}
    assert all(v.exchanges for v in snapshot.venues)
