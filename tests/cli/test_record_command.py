"""``record`` against a local 127.0.0.1 server speaking Hyperliquid's /info wire format
(answering from the bundled snapshot), then ``scan --snapshot`` on what was recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.snapshot import bundled_snapshot
from scripts.cli import cli


@pytest.fixture
def hyperliquid_server() -> Iterator[str]:
    found_recording = bundled_snapshot().venue("hyperliquid")
    assert found_recording is not None
    recording = found_recording

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            found = [
                e for e in recording.exchanges if e.score("POST", self.path, {}, body) is not None
            ]
            found.sort(key=lambda e: -(e.score("POST", self.path, {}, body) or 0))
            status, payload = (found[0].status, found[0].body) if found else (400, {"error": "?"})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_record_then_scan_the_recording(
    runner: CliRunner, isolated: Path, hyperliquid_server: str
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.hyperliquid]\nkind = "hyperliquid"\nbase_url = "{hyperliquid_server}"\n'
        '[venues.down]\nkind = "tests.cli.external_venue:down"\n'
    )
    out = isolated / "snap.json"
    result = runner.invoke(cli, ["record", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "venue down not recorded" in result.stderr
    saved = json.loads(out.read_text())
    (venue,) = saved["venues"]
    assert venue["venue"] == "hyperliquid"
    assert {"type": "metaAndAssetCtxs"} in [e["json"] for e in venue["exchanges"]]
    assert "headers" not in json.dumps(saved)
    scanned = runner.invoke(cli, ["scan", "--snapshot", str(out), "--format", "json"])
    assert scanned.exit_code == 0, scanned.output
    data = json.loads(scanned.stdout)
    hyperliquid = data["venues"]["hyperliquid"]
    assert hyperliquid["fees"]["source"] == "published"  # no credentials: tier 0
    del hyperliquid["fees"]
    assert hyperliquid == {"ok": True, "kind": "hyperliquid", "rates": 14}
    assert data["opportunities"] == []  # one venue: no pair to compare


def test_record_exit_1_when_nothing_answers(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.down]\nkind = "tests.cli.external_venue:down"\n'
    )
    result = runner.invoke(cli, ["record", "--out", str(isolated / "x.json")])
    assert result.exit_code == 1
    assert not (isolated / "x.json").exists()
