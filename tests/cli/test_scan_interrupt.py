"""Ctrl-C during a live scan's network phase, while the decisions and output are being
imported in the background (issue 20, ``scripts.startup.warm_imports``), ends the
``atomic-fp`` process as click ends an interrupted command: "Aborted!", exit 1, no
traceback, nothing on standard output. The venue accepts the connection and never
answers; the interrupt is sent once it has seen the connection (an event, not a delay)."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.fresh_process import environment, start_console


@pytest.fixture
def silent_venue() -> Iterator[tuple[int, threading.Event]]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            connected.set()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connected
    finally:
        server.close()
        for conn in held:
            conn.close()


def test_ctrl_c_while_the_venue_is_silent_aborts_cleanly(
    silent_venue: tuple[int, threading.Event], tmp_path: Path
) -> None:
    port, connected = silent_venue
    config = tmp_path / "atomic-fp.toml"
    config.write_text(f'[venues.binance]\nkind = "binance"\nbase_url = "http://127.0.0.1:{port}"\n')
    env = environment(ATOMIC_FP_CONFIG=str(config), ATOMIC_FP_CACHE_DIR=str(tmp_path / "cache"))
    process = start_console("scan", "--format", "json", env=env)
    try:
        assert connected.wait(60), "the scan never connected"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1, stderr
    assert "Aborted!" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert stdout == ""
