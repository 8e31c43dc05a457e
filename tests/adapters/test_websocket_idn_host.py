"""A venue's websocket with an internationalised host dials, names in ``Host`` and
verifies the host httpx would, not the one ``websockets`` encodes.

``websockets`` encodes a non-ASCII host with Python's ``idna`` codec (IDNA 2003,
``websockets/uri.py``), httpx with the ``idna`` package (IDNA 2008,
``httpx/_urlparse.py``). On the deviation characters they name different hosts:
``straße.example`` was dialled as ``strasse.example`` by the websocket and as
``xn--strae-oqa.example`` by the venue's HTTP client (review of the proxy work). The
oracle is httpx itself (``httpx.URL(url).raw_host``).
"""

from __future__ import annotations

import ssl
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.streams.connection import ConnectionClosed, open_connection
from adapters.streams.websocket import address, host_as_httpx_encodes

ENCODED = "xn--strae-oqa.example"


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.mark.anyio
async def test_the_websocket_dials_and_names_the_host_httpx_would(
    no_proxy: pytest.MonkeyPatch,
) -> None:
    """Dialled through a stand-in for ``anyio.connect_tcp`` that records the host and
    connects to a local listener, which keeps the opening request."""
    dialled: list[tuple[str, int]] = []
    requests: list[bytes] = []
    real_connect = anyio.connect_tcp

    async def keep_request(stream: Any) -> None:
        async with stream:
            requests.append(await stream.receive())

    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        port = listener.extra(anyio.abc.SocketAttribute.local_port)

        async def connect(host: str, remote_port: int, **kw: Any) -> Any:
            dialled.append((host, remote_port))
            return await real_connect("127.0.0.1", port)

        no_proxy.setattr(anyio, "connect_tcp", connect)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(listener.serve, keep_request)
            url = "ws://Straße.example:8443/stream?name=ü"
            with pytest.raises(ConnectionClosed):
                await open_connection(url, limit=5, max_frame=2**16)
            tasks.cancel_scope.cancel()
    assert httpx.URL(url).raw_host.decode() == ENCODED
    assert dialled == [(ENCODED, 8443)]
    (request,) = requests
    assert f"\r\nHost: {ENCODED}:8443\r\n".encode() in request
    assert request.startswith(b"GET /stream?name=%C3%BC HTTP/1.1\r\n")


@pytest.mark.anyio
async def test_a_secure_websocket_verifies_the_host_httpx_would(
    no_proxy: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, object]] = []

    async def connect(host: str, port: int, **kw: Any) -> Any:
        seen.append((host, kw.get("tls_hostname")))
        raise OSError("not connecting")

    no_proxy.setattr(anyio, "connect_tcp", connect)
    context = ssl.create_default_context()
    with pytest.raises(OSError, match="not connecting"):
        await open_connection(
            "wss://straße.example/ws", limit=5, max_frame=2**16, ssl_context=context
        )
    assert seen == [(ENCODED, ENCODED)]


LABELS = ["straße", "ΣΊΣΥΦΟΣ", "ς", "bücher", "münchen", "a\u200db", "plain", "xn--bcher-kva"]
LABELS += ["日本"]


@given(
    labels=st.lists(st.sampled_from(LABELS), min_size=1, max_size=3),
    secure=st.booleans(),
    port=st.none() | st.integers(1, 65535),
    user=st.booleans(),
    path=st.sampled_from(["", "/", "/ws", "/wß?q=é"]),
)
def test_the_websocket_reads_every_host_as_httpx_does(
    labels: list[str], secure: bool, port: int | None, user: bool, path: str
) -> None:
    host = ".".join([*labels, "example"])
    netloc = ("u:p@" if user else "") + host + (f":{port}" if port is not None else "")
    url = f"{'wss' if secure else 'ws'}://{netloc}{path}"
    try:
        expected = httpx.URL(url).raw_host.decode()
    except httpx.InvalidURL:
        return  # httpx refuses the host: the venue's HTTP client would not start
    rewritten = host_as_httpx_encodes(url)
    assert rewritten.endswith(path)  # only the host is rewritten
    if host.isascii():
        assert rewritten == url
    try:
        read_secure, read_host, read_port = address(rewritten)
    except Exception:  # websockets refuses user info in a URL: as before the rewrite
        assert user
        return
    assert (read_secure, read_host) == (secure, expected)
    assert read_port == (port if port is not None else (443 if secure else 80))


def test_a_host_the_idna_package_refuses_is_left_to_websockets() -> None:
    url = "wss://a\u200db..example/ws"
    assert host_as_httpx_encodes(url) == url
    assert host_as_httpx_encodes("ws://[::1]:80/") == "ws://[::1]:80/"
    assert host_as_httpx_encodes("ws://host:notaport/é") == "ws://host:notaport/é"
