"""Connections made while a scan starts up (``adapters/preconnect.py``) and the transport
that uses them (``adapters/preconnected_transport.py``), against httpx's own
``AsyncHTTPTransport`` as the reference: the same answers and the same errors, one
connection where one was pre-made, and nothing left open. A local TLS server with a
``trustme`` CA counts the connections it accepts and sees close; no durations asserted.
"""

from __future__ import annotations

import gc
import os
import socket
import urllib.request
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import anyio
import httpcore
import httpx
import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from adapters import preconnect
from adapters.preconnected_transport import _EXCEPTIONS, PreconnectingTransport
from adapters.tls import shared_ssl_context
from tests.adapters.tls_server import TlsServer, server_context


@pytest.fixture(autouse=True)
def _forget_preconnections(forget_preconnections: None) -> None:
    """Every test here starts and ends with no pre-made connection (tests/adapters/conftest.py)."""


def _begin(server: TlsServer, bundle: str | None, count: int = 1) -> list[Any]:
    targets = [preconnect.Target("127.0.0.1", server.port, bundle, 30.0, count)]
    assert preconnect.start(targets, {}) == count
    begun = list(preconnect._begun)
    assert all(c.ready(30) for c in begun)
    return begun


async def _get(transport: httpx.AsyncBaseTransport, url: str, times: int = 1) -> list[Any]:
    async with httpx.AsyncClient(transport=transport) as client:
        answers = []
        for _ in range(times):
            response = await client.get(f"{url}/info?x=1")
            answers.append((response.status_code, response.headers.raw, response.content))
        return answers


def test_a_pre_made_connection_is_used_and_answers_as_httpx_own_transport(
    server: TlsServer, bundle: str
) -> None:
    context = shared_ssl_context(bundle)
    reference = anyio.run(_get, httpx.AsyncHTTPTransport(verify=context), server.url, 2)
    assert server.accepted == 1
    _begin(server, bundle)
    assert server.accepted == 2  # the pre-connect
    answers = anyio.run(_get, PreconnectingTransport(context), server.url, 2)
    assert answers == reference
    assert server.accepted == 2  # the pre-made connection served both requests
    assert server.requests == 4


def test_without_a_pre_made_connection_the_transport_connects_as_httpx_does(
    server: TlsServer, bundle: str
) -> None:
    context = shared_ssl_context(bundle)
    reference = anyio.run(_get, httpx.AsyncHTTPTransport(verify=context), server.url)
    answers = anyio.run(_get, PreconnectingTransport(context), server.url)
    assert answers == reference
    assert server.accepted == 2


def test_a_connection_made_with_another_context_is_closed_not_used(
    server: TlsServer, bundle: str, tmp_path: Path, ca: trustme.CA
) -> None:
    other = tmp_path / "same-ca-other-file.pem"
    ca.cert_pem.write_to_path(str(other))
    _begin(server, str(other))  # verified with another context object
    answers = anyio.run(_get, PreconnectingTransport(shared_ssl_context(bundle)), server.url)
    assert answers[0][2] == b"ok"
    assert server.accepted == 2  # the pre-made one, closed, and a connect of our own
    assert server.wait_closed(1)


def _error(transport: httpx.AsyncBaseTransport, url: str) -> tuple[type[Exception], str]:
    try:
        anyio.run(_get, transport, url)
    except httpx.HTTPError as error:
        return type(error), str(error)
    raise AssertionError("no error")


def test_a_refused_pre_connect_falls_back_to_the_same_error_as_httpx(bundle: str) -> None:
    with socket.socket() as placeholder:  # bound, never listening: the port stays ours
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        url = f"https://127.0.0.1:{port}"  # connects to it are refused
        context = shared_ssl_context(bundle)
        reference = _error(httpx.AsyncHTTPTransport(verify=context), url)
        assert preconnect.start([preconnect.Target("127.0.0.1", port, bundle, 5.0, 1)], {}) == 1
        assert preconnect._begun[0].ready(30) and preconnect._begun[0].problem is not None
        assert _error(PreconnectingTransport(context), url) == reference
        assert reference[0] is httpx.ConnectError


def test_a_certificate_for_another_name_is_refused_as_httpx_refuses_it(
    ca: trustme.CA, bundle: str
) -> None:
    wrong = TlsServer(server_context(ca, "venue.example"))
    try:
        verifying = shared_ssl_context(bundle)
        reference = _error(httpx.AsyncHTTPTransport(verify=verifying), wrong.url)
        _begin(wrong, bundle)
        assert preconnect._begun[0].problem is not None  # the pre-connect refused it too
        assert _error(PreconnectingTransport(verifying), wrong.url) == reference
        assert "CERTIFICATE_VERIFY_FAILED" in reference[1]
    finally:
        wrong.stop()


@pytest.mark.parametrize("how", ["close_notify", "fin"])
def test_a_connection_the_server_closed_before_the_claim_is_not_used(
    ca: trustme.CA, bundle: str, how: str
) -> None:
    """A server drops the idle pre-made connection (after its TLS 1.3 session tickets):
    the request gets its answer on a new connection, as without pre-connecting (before:
    httpcore took the closed one for fresh and failed with RemoteProtocolError)."""
    closing = TlsServer(server_context(ca), close_first=how)
    try:
        _begin(closing, bundle)
        assert preconnect._begun[0].problem is None  # made, then closed by the server
        assert closing.wait_closed(1)
        verifying = shared_ssl_context(bundle)
        assert anyio.run(_get, PreconnectingTransport(verifying), closing.url)[0][::2] == (
            200,
            b"ok",
        )
        assert closing.accepted == 2 and closing.requests == 1
    finally:
        closing.stop()


def test_unclaimed_connections_are_closed_with_no_resource_warning(
    server: TlsServer, bundle: str
) -> None:
    _begin(server, bundle, count=3)
    claimed = preconnect.claim("127.0.0.1", server.port)
    assert claimed is not None  # claimed but never taken (a caller cancelled): closed too
    with warnings.catch_warnings():  # earlier tests' garbage, collected outside the window
        warnings.simplefilter("ignore")
        gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        preconnect.discard_unused()
        gc.collect()
    assert server.wait_closed(3)
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert preconnect.claim("127.0.0.1", server.port) is None


def test_a_connection_still_handshaking_when_discarded_closes_when_it_ends(
    ca: trustme.CA, bundle: str
) -> None:
    held_context = server_context(ca)
    listener = socket.create_server(("127.0.0.1", 0))  # answers the hello only when told
    try:
        port = listener.getsockname()[1]
        preconnect.start([preconnect.Target("127.0.0.1", port, bundle, 30.0, 1)], {})
        connection = preconnect._begun[0]
        accepted, _ = listener.accept()
        preconnect.discard_unused()  # mid-handshake
        assert not connection.ready(0)
        with held_context.wrap_socket(accepted, server_side=True) as tls:  # completes it
            assert connection.ready(30)
            assert connection.problem is None  # made, then closed as abandoned:
            assert tls.recv(1) == b""  # the server reads the end of the connection
    finally:
        listener.close()


HTTPCORE_ERRORS = sorted(
    {
        value
        for value in vars(httpcore).values()
        if isinstance(value, type) and issubclass(value, Exception) and value is not Exception
    },
    key=lambda error: error.__name__,
)


@pytest.mark.parametrize("raised", [*HTTPCORE_ERRORS, ValueError], ids=lambda e: e.__name__)
def test_the_transport_maps_httpcore_errors_as_httpx_own_transport(
    raised: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every exception httpcore exports, raised by the connection pool (a public method
    of a public class, patched), reaches the caller of both transports as the same httpx
    error with the same message (httpx's own mapping is private: compared by behaviour)."""

    async def fail(self: Any, request: Any) -> Any:
        raise raised("the pool's message")

    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", fail)
    context = shared_ssl_context()

    def outcome(transport: httpx.AsyncBaseTransport) -> tuple[type[BaseException], str]:
        async def send() -> None:
            await transport.handle_async_request(httpx.Request("GET", "https://venue.test/"))

        with pytest.raises(Exception) as caught:
            anyio.run(send)
        return type(caught.value), str(caught.value)

    reference = outcome(httpx.AsyncHTTPTransport(verify=context))
    assert outcome(PreconnectingTransport(context)) == reference
    if raised is not ValueError and raised in dict(_EXCEPTIONS):
        assert reference[0] is dict(_EXCEPTIONS)[raised]  # our table says the same


def test_the_transport_uses_httpx_default_limits() -> None:
    from httpx._config import DEFAULT_LIMITS  # the reference

    pool = PreconnectingTransport(shared_ssl_context())._pool
    assert (pool._max_connections, pool._max_keepalive_connections, pool._keepalive_expiry) == (
        DEFAULT_LIMITS.max_connections,
        DEFAULT_LIMITS.max_keepalive_connections,
        DEFAULT_LIMITS.keepalive_expiry,
    )


def test_the_default_urls_are_the_adapters_own() -> None:
    from adapters.binance.config import DEFAULT_BASE_URL as BINANCE
    from adapters.bybit.config import DEFAULT_BASE_URL as BYBIT
    from adapters.grvt.config import STREAM_URLS
    from adapters.hyperliquid.config import MAINNET_URL
    from adapters.lighter.config import DEFAULT_BASE_URL as LIGHTER
    from adapters.okx.config import DEFAULT_BASE_URL as OKX

    defaults = {kind: default for kind, (_, default, _) in preconnect.SCAN_CONNECTIONS.items()}
    assert defaults == {
        "binance": BINANCE,
        "hyperliquid": MAINNET_URL,
        "lighter": LIGHTER,
        "grvt": STREAM_URLS["mainnet"],
        "bybit": BYBIT,
        "okx": OKX,
    }


class Venue:
    def __init__(self, kind: str, **fields: Any) -> None:
        self.kind = kind
        self.base_url: str | None = fields.get("base_url")
        self.ws_url: str | None = fields.get("ws_url")
        self.options: dict[str, str] = fields.get("options", {})
        self.ca_bundle: str | None = fields.get("ca_bundle")
        self.timeout: float = fields.get("timeout", 10.0)


def test_grvt_s_list_host_and_ttl_are_the_adapter_s_own() -> None:
    from adapters.grvt.config import HOSTS, GrvtOptions
    from adapters.registry import VenueSettings
    from atomic_fp.models.identifiers import ExchangeIdentifier
    from scripts.scan_preconnect import GRVT_LIST_TTL

    assert HOSTS["mainnet"][0] == preconnect.GRVT_MARKET_DATA
    settings = VenueSettings(id=ExchangeIdentifier("grvt"), kind="grvt")
    assert GrvtOptions.read(settings).instrument_ttl == GRVT_LIST_TTL


def test_a_grvt_venue_that_will_fetch_its_list_gets_its_market_data_host_too() -> None:
    venues = [
        Venue("grvt"),
        Venue("grvt", base_url="https://md.example", ws_url="wss://ws.example/ws/full"),
    ]
    targets = preconnect.plan(venues, lists_needed=lambda venue: True)
    assert [(t.host, t.port, t.count, t.websocket) for t in targets] == [
        ("market-data.grvt.io", 443, 1, "wss://market-data.grvt.io/ws/full"),
        ("market-data.grvt.io", 443, 1, None),
        ("ws.example", 443, 1, "wss://ws.example/ws/full"),
        ("md.example", 443, 1, None),
    ]
    assert preconnect.plan(venues, lists_needed=lambda venue: False) == targets[::2]


def test_the_plan_follows_the_configured_urls() -> None:
    targets = preconnect.plan(
        [
            Venue("binance"),
            Venue("hyperliquid", base_url="https://127.0.0.1:8443/", ca_bundle="ca.pem"),
            Venue("grvt"),
            Venue("grvt", base_url="https://md.example"),  # its own hosts, no websocket
            Venue("grvt", base_url="https://md.example", ws_url="wss://ws.example:9443/ws"),
            Venue("lighter", options={"network": "testnet"}),  # options: left alone
            Venue("okx", base_url="http://127.0.0.1:8080"),  # plain HTTP: nothing to gain
            Venue("paper"),
            Venue("bybit", timeout=3.0),
        ]
    )
    assert [(t.host, t.port, t.ca_bundle, t.timeout, t.count) for t in targets] == [
        ("fapi.binance.com", 443, None, 10.0, 2),
        ("127.0.0.1", 8443, "ca.pem", 10.0, 1),
        ("market-data.grvt.io", 443, None, 10.0, 1),
        ("ws.example", 9443, None, 10.0, 1),
        ("api.bybit.com", 443, None, 3.0, 2),
    ]


NAMES = st.sampled_from(
    ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
     "NO_PROXY", "no_proxy", "FTP_PROXY", "PATH", "REQUEST_METHOD"]
)  # fmt: skip


@given(st.dictionaries(NAMES, st.sampled_from(["", "http://proxy.example:3128", "*"])))
def test_any_proxy_urllib_and_httpx_would_use_turns_pre_connecting_off(
    environ: dict[str, str],
) -> None:
    with mock.patch.dict(os.environ, environ, clear=True):  # what getproxies reads
        proxies = {k: v for k, v in urllib.request.getproxies_environment().items() if k != "no"}
    if proxies:
        assert preconnect.proxies_configured(environ)
        assert preconnect.start([preconnect.Target("127.0.0.1", 9, None, 1.0, 1)], environ) == 0
        assert not preconnect.active()


def test_only_a_process_that_pre_connected_gets_the_pre_connecting_transport(
    server: TlsServer, bundle: str
) -> None:
    from adapters.tls import default_transport

    assert not preconnect.active()  # every command but a live scan: httpx's own transport
    assert isinstance(default_transport(bundle), httpx.AsyncHTTPTransport)
    _begin(server, bundle)
    assert isinstance(default_transport(bundle), PreconnectingTransport)
    preconnect.reset()
    assert isinstance(default_transport(bundle), httpx.AsyncHTTPTransport)
