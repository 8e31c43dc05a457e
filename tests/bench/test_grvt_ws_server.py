"""The GRVT websocket fake (``bench/grvt_ws_server.py``) stays as awkward as the venue: a
``subscribe`` of N instruments is answered by one acknowledgement, then N messages, one per
instrument (GRVT's ``v1.ticker.s`` sends one feed per selector: fact sheet
``venues-grvt-lighter.md`` section 9), each the instrument's feed exactly. Its own CPU is
not the venue's: the feeds are JSON-encoded once, when the server is built, not per
subscribe (counted ``json.dumps`` calls, not time)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.sync.client import connect

import bench.grvt_ws_server as fake
from adapters.snapshot import bundled_snapshot
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot

COUNT = 30


def _feeds() -> dict[str, dict[str, Any]]:
    scaled = realistic_snapshot(bundled_snapshot(), {"grvt": COUNT}).venue("grvt")
    assert scaled is not None
    return grvt_ticker_feeds(scaled.exchanges)


def test_a_snapshot_is_one_message_per_instrument_encoded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = _feeds()
    with fake.grvt_ticker_server(feeds, period=3600) as ws:
        dumps = json.dumps
        calls: list[object] = []

        def counting(value: object, **options: Any) -> str:
            calls.append(value)
            return dumps(value, **options)

        monkeypatch.setattr(json, "dumps", counting)  # the module the fake encodes with
        selectors = [f"{name}@500" for name in feeds]
        with connect(ws.url) as client:
            client.send(
                dumps({"jsonrpc": "2.0", "method": "subscribe", "id": 1,
                       "params": {"stream": "v1.ticker.s", "selectors": selectors}})
            )  # fmt: skip
            acknowledgement = json.loads(client.recv(timeout=5))
            messages = [client.recv(timeout=5) for _ in feeds]
    assert acknowledgement["result"]["subs"] == selectors
    assert [json.loads(m) for m in messages] == [feeds[name] for name in feeds]
    assert messages == [dumps(feeds[name]) for name in feeds]  # the same text as before
    # only the acknowledgement is encoded per subscribe, not one feed per instrument
    assert len(calls) == 1


@pytest.mark.anyio
async def test_over_tls_every_snapshot_message_is_its_own_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The burst keeps the venue's awkwardness: read by our client over TLS, the
    snapshot takes one TLS record per message (``ssl`` hands over one record's data per
    read: counted reads, each with data), not one record for the lot."""
    import ssl

    import trustme
    from anyio.streams.tls import TLSStream

    from adapters.grvt.ticker_snapshot import TickerSnapshots

    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    feeds = _feeds()
    reads: list[int] = []
    receive = TLSStream.receive

    async def counting(self: TLSStream, max_bytes: int = 65536) -> bytes:
        data = await receive(self, max_bytes)
        reads.append(len(data))
        return data

    with fake.grvt_ticker_server(feeds, tls=server_tls, period=3600) as ws:
        reader = TickerSnapshots(ws.url, lambda: client_tls, limit=5)
        try:
            assert await reader.prepare() is None  # the handshakes, not counted
            monkeypatch.setattr(TLSStream, "receive", counting)
            read = await reader.read(sorted(feeds))
        finally:
            await reader.aclose()
    assert read.problem is None
    assert read.feeds == {name: feed["feed"] for name, feed in feeds.items()}
    assert len(reads) >= len(feeds) + 1  # the acknowledgement, then one per instrument
