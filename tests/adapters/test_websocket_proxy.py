"""Websockets go through the environment's proxy, as every venue client's HTTP requests do.

Against GRVT's ticker websocket over TLS (``bench/grvt_ws_server.py``, a ``trustme`` CA),
read by the client ``scan`` uses (:class:`adapters.grvt.ticker_snapshot.TickerSnapshots`),
and a plain ``ws://`` server (``tests/streams/local_ws.py``), reached through a local
forward proxy that counts its ``CONNECT`` tunnels (``tests/adapters/forward_proxy.py``).
The outside references: httpx's routing (which variable serves which scheme, ``NO_PROXY``;
``test_proxy_routing.py`` checks the websocket's choice against httpx's own), RFC 9110
9.3.6 (``CONNECT``), RFC 7617 (the proxy's Basic credentials, checked by the proxy), RFC
6455 4.1 (a client behind a proxy asks it for a ``CONNECT`` tunnel), and the venue's
certificate verified end to end through the tunnel. Counts and event order only. A whole
cold ``scan`` behind a proxy: ``test_scan_behind_proxy.py``.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import trustme

from adapters import preconnect
from adapters import tls as tls_module
from adapters.grvt.ticker_snapshot import MAX_FRAME, TickerSnapshots
from adapters.proxy_routing import ProxySettingError
from adapters.snapshot import bundled_snapshot
from adapters.streams.connection import ConnectionClosed, open_connection
from adapters.streams.proxy_tunnel import check_answer, proxy_ssl_context
from adapters.tls import shared_ssl_context
from bench.grvt_ws_server import GrvtTickerServer, grvt_ticker_server
from bench.realistic_bodies import grvt_ticker_feeds, realistic_snapshot
from tests.adapters.forward_proxy import echo_through_proxy, forward_proxy
from tests.adapters.test_preconnect_websocket import _until
from tests.adapters.tls_server import server_context
from tests.streams.local_ws import local_ws

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variable from the machine running the tests."""
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(autouse=True)
def _forget_preconnections(forget_preconnections: None) -> None:
    """No pre-made connection from another test (tests/adapters/conftest.py)."""


@pytest.fixture
def grvt(ca: trustme.CA) -> Iterator[tuple[GrvtTickerServer, list[str]]]:
    venue = realistic_snapshot(bundled_snapshot()).venue("grvt")
    assert venue is not None
    feeds = grvt_ticker_feeds(venue.exchanges)
    with grvt_ticker_server(feeds, tls=server_context(ca), period=3600) as server:
        yield server, sorted(feeds)


def _read(url: str, bundle: str | None, names: list[str]) -> tuple[dict[str, Any], str | None]:
    """The ticker snapshot GRVT's client reads from ``url`` (feeds, problem)."""

    async def read() -> tuple[dict[str, Any], str | None]:
        snapshots = TickerSnapshots(url, lambda: shared_ssl_context(bundle), limit=10.0)
        try:
            found = await snapshots.read(names)
        finally:
            await snapshots.aclose()
        return dict(found.feeds), found.problem

    return anyio.run(read)


@pytest.mark.parametrize(
    ("variable", "proxied"),
    [("HTTPS_PROXY", True), ("https_proxy", True), ("ALL_PROXY", True), ("HTTP_PROXY", False)],
)
def test_a_wss_stream_goes_through_the_proxy_httpx_would_use_for_https(
    grvt: tuple[GrvtTickerServer, list[str]],
    bundle: str,
    env: pytest.MonkeyPatch,
    variable: str,
    proxied: bool,
) -> None:
    """One ``CONNECT`` tunnel to the venue, the same snapshot as directly; ``HTTP_PROXY``
    serves ``http://`` (so ``ws://``) only, as in httpx."""
    server, names = grvt
    reference, problem = _read(server.url, bundle, names)
    assert problem is None and len(reference) == len(names)
    with forward_proxy() as proxy:
        env.setenv(variable, proxy.url)
        feeds, problem = _read(server.url, bundle, names)
    assert problem is None, problem
    assert feeds == reference
    if proxied:
        assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
        assert proxy.headers[0]["host"] == f"127.0.0.1:{server.port}"
    else:
        assert proxy.relayed == []
    _until(lambda: server.connections >= 2)
    assert server.connections == 2
    assert len(server.subscribes()) == 2


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "example.com, 127.0.0.1", "*"])
def test_no_proxy_naming_the_venue_host_bypasses_the_proxy(
    grvt: tuple[GrvtTickerServer, list[str]], bundle: str, env: pytest.MonkeyPatch, no_proxy: str
) -> None:
    server, names = grvt
    with forward_proxy() as proxy:
        env.setenv("HTTPS_PROXY", proxy.url)
        env.setenv("NO_PROXY", no_proxy)
        feeds, problem = _read(server.url, bundle, names)
    assert problem is None and len(feeds) == len(names)
    assert proxy.relayed == [] and proxy.headers == []


def test_the_venue_certificate_is_verified_through_the_tunnel(
    grvt: tuple[GrvtTickerServer, list[str]], env: pytest.MonkeyPatch
) -> None:
    """Without the test CA the tunnel opens, the venue's certificate is refused and no
    subscribe reaches it (as without a proxy)."""
    server, names = grvt
    with forward_proxy() as proxy:
        env.setenv("HTTPS_PROXY", proxy.url)
        feeds, problem = _read(server.url, None, names)
    assert feeds == {}
    assert problem is not None and "CERTIFICATE_VERIFY_FAILED" in problem, problem
    assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
    assert server.subscribes() == []


def test_proxy_credentials_are_sent_and_never_shown(
    grvt: tuple[GrvtTickerServer, list[str]], bundle: str, env: pytest.MonkeyPatch
) -> None:
    """The proxy URL's user and password go as ``Proxy-Authorization: Basic`` (the proxy
    refuses anything else with 407); a refusal names the proxy and its status, never the
    password."""
    server, names = grvt
    with forward_proxy(credentials=("trader", "s3cret")) as proxy:
        env.setenv("HTTPS_PROXY", f"http://trader:s3cret@127.0.0.1:{proxy.port}")
        feeds, problem = _read(server.url, bundle, names)
        assert problem is None and len(feeds) == len(names)
        assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
        env.setenv("HTTPS_PROXY", f"http://trader:wr0ng@127.0.0.1:{proxy.port}")
        feeds, problem = _read(server.url, bundle, names)
    assert feeds == {} and problem is not None
    assert f"proxy http://127.0.0.1:{proxy.port} refused CONNECT" in problem, problem
    assert "407 Proxy Authentication Required" in problem
    assert "wr0ng" not in problem and "trader" not in problem
    assert len(proxy.relayed) == 1 and len(proxy.refused) == 1


def test_an_https_proxy_is_verified_and_the_venue_through_it_too(
    grvt: tuple[GrvtTickerServer, list[str]],
    ca: trustme.CA,
    bundle: str,
    env: pytest.MonkeyPatch,
) -> None:
    """TLS to an ``https://`` proxy (verified with the default store, here
    ``SSL_CERT_FILE`` naming the test CA, as httpx reads it), then TLS to the venue inside
    the tunnel; a proxy whose certificate the default store does not trust is refused."""
    server, names = grvt
    env.setattr(tls_module, "_contexts", {})  # the default context built afresh below
    env.setenv("SSL_CERT_FILE", bundle)
    proxy_ssl_context.cache_clear()
    with forward_proxy(tls=server_context(ca)) as proxy:
        env.setenv("HTTPS_PROXY", proxy.url)
        assert proxy.url.startswith("https://")
        feeds, problem = _read(server.url, bundle, names)
        assert problem is None, problem
        assert len(feeds) == len(names)
        assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
    other_ca = trustme.CA()
    with forward_proxy(tls=server_context(other_ca)) as untrusted:
        env.setenv("HTTPS_PROXY", untrusted.url)
        feeds, problem = _read(server.url, bundle, names)
    assert feeds == {} and problem is not None and "CERTIFICATE_VERIFY_FAILED" in problem
    assert untrusted.relayed == [] and untrusted.headers == []  # nothing sent in clear
    proxy_ssl_context.cache_clear()


def test_the_venue_is_verified_for_its_own_name_and_the_proxy_for_its_own(
    grvt: tuple[GrvtTickerServer, list[str]],
    ca: trustme.CA,
    bundle: str,
    env: pytest.MonkeyPatch,
) -> None:
    """Review of the merged proxy work: with proxy and venue both at ``127.0.0.1``,
    verifying the venue's certificate for the proxy's name passed every test. Here the
    ``https://`` proxy is reached as ``localhost`` with a certificate for ``localhost``
    only, and the venue's certificate is for ``127.0.0.1`` only: the tunnel opens and the
    feeds are read only if each TLS handshake checks its own peer's name (RFC 9110 section
    4.3.4 for the venue: the ``CONNECT`` target's host; httpcore verifies the proxy for
    its URL's host). Swapping either name fails the handshake."""
    server, names = grvt
    env.setattr(tls_module, "_contexts", {})
    env.setenv("SSL_CERT_FILE", bundle)
    proxy_ssl_context.cache_clear()
    try:
        with forward_proxy(tls=server_context(ca, "localhost")) as proxy:
            env.setenv("HTTPS_PROXY", f"https://localhost:{proxy.port}")
            feeds, problem = _read(server.url, bundle, names)
            assert problem is None, problem
            assert len(feeds) == len(names)
            assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
    finally:
        proxy_ssl_context.cache_clear()


def test_an_unopenable_sslkeylogfile_is_named_for_an_https_proxy(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The proxy's context opens ``SSLKEYLOGFILE`` too (``ssl.create_default_context``):
    a file that cannot be opened is a named ``ConnectionClosed`` before any connection
    (as a stream's other failures are reported), not an ``OSError`` out of the feed."""
    venue_context = ssl.create_default_context()  # (the venue's, built before)
    keylog = tmp_path / "nonexistent" / "keys.log"
    env.setenv("SSLKEYLOGFILE", str(keylog))
    env.setenv("HTTPS_PROXY", "https://127.0.0.1:9")
    proxy_ssl_context.cache_clear()

    async def attempt() -> None:
        await open_connection(
            "wss://127.0.0.1:9/ws", limit=10.0, max_frame=MAX_FRAME, ssl_context=venue_context
        )

    try:
        with pytest.raises(ConnectionClosed) as refused:
            anyio.run(attempt)
    finally:
        proxy_ssl_context.cache_clear()
    assert str(refused.value) == (
        f"proxy https://127.0.0.1:9: SSLKEYLOGFILE '{keylog}' from the environment: "
        "[Errno 2] No such file or directory"
    )


def test_an_https_proxy_is_trusted_as_httpx_trusts_it_for_the_rest_calls() -> None:
    """The HTTP clients give httpcore no proxy context, so it verifies an ``https://``
    proxy with its default (the system's store plus certifi): a company proxy whose CA is
    in the system's store must work for the websockets too, not only for REST."""
    from httpcore._ssl import default_ssl_context  # the oracle: what httpcore uses

    proxy_ssl_context.cache_clear()
    try:
        ours = proxy_ssl_context()
        assert ours.get_ca_certs() == default_ssl_context().get_ca_certs()
        assert ours.verify_mode == ssl.CERT_REQUIRED and ours.check_hostname
    finally:
        proxy_ssl_context.cache_clear()


def test_a_socks_proxy_is_refused_for_websockets_saying_so(env: pytest.MonkeyPatch) -> None:
    env.setenv("ALL_PROXY", "socks5://u:s3cret@127.0.0.1:1080")

    async def attempt() -> None:
        await open_connection("wss://127.0.0.1:9/ws", limit=10.0, max_frame=MAX_FRAME)

    with pytest.raises(ConnectionClosed) as refused:
        anyio.run(attempt)
    message = str(refused.value)
    assert "proxy socks5://127.0.0.1:1080: websockets go through http:// or https://" in message
    assert "NO_PROXY can exempt 127.0.0.1" in message and "s3cret" not in message


def test_a_ws_stream_goes_through_http_proxy_in_a_connect_tunnel() -> None:
    """``ws://`` takes ``HTTP_PROXY`` and, as RFC 6455 4.1 asks, a ``CONNECT`` tunnel (not
    an absolute-URI request, which a proxy would answer itself)."""
    with (
        local_ws(lambda request: [{"echo": request}]) as venue,
        forward_proxy() as proxy,
        pytest.MonkeyPatch.context() as env,
    ):
        for name in list(os.environ):
            if name.lower() in PROXY_NAMES:
                env.delenv(name)
        env.setenv("HTTP_PROXY", proxy.url)

        answer = echo_through_proxy(venue.url, limit=10.0)
        port = venue.url.rsplit(":", 1)[1].strip("/")
        assert answer == b'{"echo": {"ping": 1}}'
        assert proxy.relayed == [("CONNECT", f"127.0.0.1:{port}")]
        assert venue.received == [{"ping": 1}]


@pytest.mark.parametrize(
    "setting",
    [
        "ftp://user:s3cret@proxy.corp:21",
        "http://user:s3cret@[bad",
        "http://user:s3cret@:3128",
        "http://user:s3cret@proxy corp:80",
        "http://user:s3cret@proxy.corp:99999",
    ],
)
def test_a_malformed_proxy_setting_is_named_without_its_password(
    env: pytest.MonkeyPatch, setting: str
) -> None:
    """Refused before anything connects (a bad URL httpx takes would fail only at connect)."""
    env.setenv("HTTPS_PROXY", setting)

    async def attempt() -> None:
        await open_connection("wss://127.0.0.1:9/ws", limit=10.0, max_frame=MAX_FRAME)

    with pytest.raises(ProxySettingError) as refused:
        anyio.run(attempt)
    message = str(refused.value)
    assert "'https://' (HTTPS_PROXY)" in message, message
    assert "s3cret" not in message and "user" not in message


def test_a_pre_made_connection_is_never_used_with_a_proxy(
    grvt: tuple[GrvtTickerServer, list[str]], bundle: str, env: pytest.MonkeyPatch
) -> None:
    """A pre-made connection goes directly; with a proxy set the websocket goes through
    the proxy instead (and pre-connecting itself stays off: no target is begun)."""
    server, names = grvt
    target = preconnect.Target("127.0.0.1", server.port, bundle, 5.0, 1, websocket=server.url)
    assert preconnect.start([target], {"HTTPS_PROXY": "http://proxy.corp:3128"}) == 0
    assert preconnect.start([target], {}) == 1
    assert preconnect._begun[0].ready(30)
    _until(lambda: server.connections >= 1)
    with forward_proxy() as proxy:
        env.setenv("HTTPS_PROXY", proxy.url)
        feeds, problem = _read(server.url, bundle, names)
    assert problem is None and len(feeds) == len(names)
    assert proxy.relayed == [("CONNECT", f"127.0.0.1:{server.port}")]
    _until(lambda: server.connections >= 2)
    assert server.connections == 2  # the pre-made one (unused) and the tunnelled one
    assert [number for number, _, _ in server.subscribes()] == [2]


# -- awkward proxies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "refusal"),
    [
        (b"HTTP/1.1 200 Connection established\r\n\r\n", None),
        (b"HTTP/1.0 200 OK\r\nProxy-Agent: squid\r\n\r\n", None),
        (b"HTTP/1.1 204 No Content\r\n\r\n", None),
        (b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", "refused CONNECT v:443: 502"),
        (b"HTTP/1.1 403 Forbidden\r\n\r\n", "refused CONNECT v:443: 403 Forbidden"),
        # the proxy's words are shown escaped: no line break or terminal control reaches a log
        (b"HTTP/1.1 403 No\x1b[2J\r\n\r\n", r"403 No\\x1b\[2J$"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "not an HTTP answer"),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP answer"),
        (b"HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01", "3 bytes after its answer"),
    ],
)
def test_what_a_proxy_answers_to_connect(head: bytes, refusal: str | None) -> None:
    if refusal is None:
        check_answer(head, "http://p:1", "v:443")
        return
    with pytest.raises(ConnectionClosed, match=refusal):
        check_answer(head, "http://p:1", "v:443")


def test_a_proxy_that_hangs_up_before_answering(env: pytest.MonkeyPatch) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    env.setenv("https_proxy", f"http://u:s3cret@127.0.0.1:{port}")

    async def attempt() -> None:
        await open_connection("wss://127.0.0.1:9/ws", limit=10.0, max_frame=MAX_FRAME)

    try:
        with pytest.raises(ConnectionClosed) as refused:
            anyio.run(attempt)
    finally:
        thread.join(10)
        listener.close()
    message = str(refused.value)
    assert message == (
        f"proxy http://127.0.0.1:{port} closed the connection before answering CONNECT 127.0.0.1:9"
    )


def test_an_unreachable_proxy_is_named(env: pytest.MonkeyPatch) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    env.setenv("ALL_PROXY", f"http://u:s3cret@127.0.0.1:{port}")

    async def attempt() -> None:
        await open_connection("wss://127.0.0.1:9/ws", limit=10.0, max_frame=MAX_FRAME)

    with pytest.raises(ConnectionClosed, match=f"cannot connect to proxy http://127.0.0.1:{port}"):
        anyio.run(attempt)
