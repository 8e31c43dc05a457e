"""``adapters.streams.connection.open_connection`` starts the TCP connection without
waiting for ``websockets`` to be imported (issue 20): the address is read without it,
exactly as ``websockets.uri.parse_uri`` reads it (hypothesis equivalence), ``websockets``
is imported in a thread meanwhile, a URL that is not a websocket's fails as before (with
``websockets``' own ``InvalidURI``), and the connection then works as before."""

from __future__ import annotations

import json
import subprocess
import sys

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.exceptions import InvalidURI

from adapters.streams.connection import _quick_address, open_connection
from adapters.streams.websocket import address
from tests.streams.local_ws import local_ws

labels = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
hosts = st.one_of(
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
)
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{'' if port is None else f':{port}'}{path}",
    st.sampled_from(["ws", "wss"]),
    hosts,
    st.none() | st.integers(0, 65535),
    st.sampled_from(["", "/", "/ws/full", "/ws?x=1", "/a;p?q=1"]),
)


@given(urls)
def test_the_address_is_read_as_websockets_reads_it(url: str) -> None:
    quick = _quick_address(url)
    assert quick is not None
    assert quick == address(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/ws",
        "ws://",
        "wss://user:pw@example.com/",
        "ws://exämple.com/",
        "ws://example.com/a#frag",
        "ws://example.com:99999/",
    ],
)
def test_other_urls_are_left_to_websockets(url: str) -> None:
    assert _quick_address(url) is None


def test_a_url_that_is_not_a_websockets_fails_as_before() -> None:
    async def main() -> None:
        await open_connection("http://127.0.0.1:1/ws", limit=1, max_frame=1024)

    with pytest.raises(InvalidURI):
        anyio.run(main)


CLIENT = """
import json, sys, threading
events = []
class Recorder:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "websockets":
            events.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Recorder)
import anyio
from adapters.streams.connection import open_connection
assert "websockets" not in sys.modules
async def main():
    connection = await open_connection(sys.argv[1], limit=10, max_frame=1 << 20)
    await connection.send_json({"ping": 1})
    answer = await connection.receive(10)
    await connection.aclose()
    return answer
answer = anyio.run(main)
print(json.dumps({"answer": answer.decode(), "main_thread_imports": events}))
"""


def test_websockets_is_imported_off_the_event_loop_and_the_connection_works() -> None:
    with local_ws(lambda message: [{"pong": message["ping"]}]) as server:
        done = subprocess.run(
            [sys.executable, "-c", CLIENT, server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert json.loads(report["answer"]) == {"pong": 1}
    assert report["main_thread_imports"] == [False]  # imported once, by the loader thread


def test_a_secure_websocket_does_not_wait_for_the_servers_close_notify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Closing a ``wss://`` connection must not wait a round trip for the server's TLS
    close_notify (anyio's ``tls_standard_compatible``; measured 93 ms at the end of a
    scan at 100 ms): checked on what ``anyio.connect_tcp`` is handed."""
    handed: list[dict[str, object]] = []

    async def spy(*args: object, **kwargs: object) -> object:
        handed.append(kwargs)
        raise OSError("not connecting in this test")

    monkeypatch.setattr(anyio, "connect_tcp", spy)

    async def main() -> None:
        with pytest.raises(OSError, match="not connecting"):
            await open_connection("wss://127.0.0.1:9/ws", limit=1, max_frame=1024)

    anyio.run(main)
    assert len(handed) == 1
    assert handed[0]["tls"] is True and handed[0]["tls_standard_compatible"] is False
