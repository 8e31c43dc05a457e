"""``scan --offline`` never touches the network, whatever URLs the config names.

Engineer A found (strace) that an offline scan with GRVT's ``ws_url`` in the config
connected to it: GRVT given a ``ws_url`` reads its tickers from that websocket
(``adapters.grvt.config.GrvtOptions.read``), and ``build_offline`` kept the config's URL.
Here every URL of every venue in the config points at a 127.0.0.1 listener; after the
scan, the listener's backlog is drained to count every connection that reached it (a
connect completes in the kernel whether or not anyone called ``accept``), so the count
does not depend on timing.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    try:
        yield server
    finally:
        server.close()


def _connections(server: socket.socket) -> int:
    """How many connections reached ``server`` (drains its accept queue)."""
    server.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def _offline_scan(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(
        cli, [*args, "scan", "--offline", "--format", "json", "--all-pairs", "--symbols", "BTC"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def _config_pointing_at(path: Path, port: int) -> Path:
    local = f"127.0.0.1:{port}"
    path.write_text(
        "[venues.grvt]\n"
        f'ws_url = "ws://{local}/ws/full"\n'
        f'base_url = "http://{local}"\n'
        f'trading_url = "http://{local}"\n'
        f'auth_url = "http://{local}"\n'
        "[venues.binance]\n"
        f'ws_url = "ws://{local}/ws"\n'
        f'base_url = "http://{local}"\n'
        "[venues.hyperliquid]\n"
        f'ws_url = "ws://{local}/ws"\n'
        f'base_url = "http://{local}"\n'
        "[venues.lighter]\n"
        f'ws_url = "ws://{local}/stream"\n'
        f'base_url = "http://{local}"\n'
    )
    return path


def test_offline_scan_with_urls_in_config_opens_no_connection(
    runner: CliRunner, listener: socket.socket, isolated: Path
) -> None:
    config = _config_pointing_at(isolated / "urls.toml", listener.getsockname()[1])
    with_urls = _offline_scan(runner, "--config", str(config))
    assert _connections(listener) == 0
    data = json.loads(with_urls)
    assert set(data["venues"]) == {"binance", "hyperliquid", "grvt", "lighter"}
    assert all(v["ok"] for v in data["venues"].values()), data["venues"]
    # GRVT still answers from its recorded REST tickers (the hand-computed row of
    # tests/cli/test_scan_snapshot.py)
    grvt_btc = [
        row
        for row in data["opportunities"]
        if (row["long_venue"], row["short_venue"]) == ("grvt", "hyperliquid")
    ]
    assert [row["long_apr"] for row in grvt_btc] == ["0.040515"]


def test_offline_scan_output_is_the_same_with_or_without_urls_in_config(
    runner: CliRunner, listener: socket.socket, isolated: Path
) -> None:
    config = _config_pointing_at(isolated / "urls.toml", listener.getsockname()[1])
    empty = isolated / "empty.toml"
    empty.write_text("[venues.grvt]\n[venues.binance]\n[venues.hyperliquid]\n[venues.lighter]\n")
    assert _offline_scan(runner, "--config", str(config)) == _offline_scan(
        runner, "--config", str(empty)
    )
    assert _connections(listener) == 0
