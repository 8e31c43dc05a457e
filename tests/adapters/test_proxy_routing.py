"""Venue clients honour the environment's proxies as httpx does for a plain client.

httpx reads ``HTTPS_PROXY`` & co. only for a client built without a transport, and every
client :func:`adapters.registry.build_client` builds (``scan``'s, ``execute``'s, every
command's) is given one (:func:`adapters.tls.default_transport`), so since the shared SSL
context landed they all connected directly. The outside reference here is httpx itself:
the routing is compared, over random environments, with the mounts a
``httpx.AsyncClient(trust_env=True)`` without a transport builds (httpx's private
``_mounts`` and ``get_environment_proxies``, read here as an oracle only); and a venue
client reaches a local TLS venue through a local forward proxy (``CONNECT``, counted),
the venue's certificate verified against the test CA, or directly when ``NO_PROXY`` names
the venue's host.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from unittest import mock

import httpx
import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.io import IOSuccess
from returns.result import Success
from returns.unsafe import unsafe_perform_io

from adapters import tls
from adapters.proxy_routing import (
    ProxyRoutingTransport,
    ProxySettingError,
    checked_proxy,
    environment_routes,
    websocket_proxy,
)
from adapters.registry import VenueSettings, build_client
from atomic_fp.models.identifiers import ExchangeIdentifier
from bench.replay_server import Servers
from tests.adapters.forward_proxy import forward_proxy

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_NAMES}


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    return monkeypatch


# -- the routing decision, against httpx's own ------------------------------------------

PROXIES = st.sampled_from(
    ["http://proxy.corp:3128", "proxy.corp:8080", "https://p2.corp:443", "http://u:pw@p3.corp"]
)
NO_PROXY_ENTRIES = st.sampled_from(
    [
        "*",
        "example.com",
        ".example.com",
        "api.example.com",
        "127.0.0.1",
        "10.0.0.0/8",
        "::1",
        "localhost",
        "LOCALHOST",
        "https://venue.example",
        "http://venue.example:8080",
        "all://*.binance.com",
        " sub.venue.example ",
        "",
    ]
)
URLS = st.sampled_from(
    [
        "https://api.example.com/x",
        "https://example.com/",
        "http://example.com:8080/",
        "https://wwwexample.com/",
        "http://venue.example:8080/",
        "https://venue.example/",
        "https://sub.venue.example/",
        "https://127.0.0.1:8443/",
        "https://10.0.0.0/",
        "https://10.0.0.1/",
        "https://[::1]:443/",
        "http://localhost/",
        "https://fapi.binance.com/fapi/v1/premiumIndex",
        "https://api.hyperliquid.xyz/info",
    ]
)


@st.composite
def environments(draw: st.DrawFn) -> dict[str, str]:
    env: dict[str, str] = {}
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        if draw(st.booleans()):
            spelled = name.upper() if draw(st.booleans()) else name
            env[spelled] = draw(PROXIES)
    if draw(st.booleans()):
        spelled = "NO_PROXY" if draw(st.booleans()) else "no_proxy"
        env[spelled] = ",".join(draw(st.lists(NO_PROXY_ENTRIES, max_size=4)))
    return env


def _httpx_choice(client: httpx.AsyncClient, url: str) -> str | None:
    """The proxy URL httpx's client without a transport uses for ``url`` (None: direct)."""
    from httpx._utils import get_environment_proxies

    proxies = get_environment_proxies()
    target = httpx.URL(url)
    for pattern, transport in client._mounts.items():
        if pattern.matches(target):
            return None if transport is None else proxies[pattern.pattern]
    return None


@settings(max_examples=150, deadline=None)
@given(env=environments(), urls=st.lists(URLS, min_size=1, max_size=4))
def test_routing_matches_httpx_for_a_client_without_transport(
    env: dict[str, str], urls: list[str]
) -> None:
    with mock.patch.dict(os.environ, {**_without_proxies(), **env}, clear=True):
        routes = environment_routes()
        oracle = httpx.AsyncClient(trust_env=True, verify=False)  # (no CA store to load)
        direct = httpx.AsyncBaseTransport()
        proxied = {r.proxy: httpx.AsyncBaseTransport() for r in routes if r.proxy}
        routing = ProxyRoutingTransport(direct, routes, proxied)
        for url in urls:
            chosen = routing.transport_for(httpx.URL(url))
            ours = next((p for p, t in proxied.items() if t is chosen), None)
            assert ours == _httpx_choice(oracle, url), url
        if any(r.proxy for r in routes):
            assert [r.pattern for r in routes] == [p.pattern for p in oracle._mounts]
        else:
            assert all(t is None for t in oracle._mounts.values())


WEBSOCKETS = st.sampled_from(
    [
        (True, "api.example.com", 443),
        (True, "example.com", 443),
        (False, "example.com", 8080),
        (True, "venue.example", 443),
        (False, "venue.example", 8080),
        (True, "sub.venue.example", 443),
        (True, "127.0.0.1", 8443),
        (True, "::1", 443),
        (False, "localhost", 80),
        (True, "market-data.grvt.io", 443),
        (True, "fstream.binance.com", 443),
    ]
)


@settings(max_examples=150, deadline=None)
@given(env=environments(), sockets=st.lists(WEBSOCKETS, min_size=1, max_size=4))
def test_a_websocket_takes_the_proxy_httpx_takes_for_https_or_http(
    env: dict[str, str], sockets: list[tuple[bool, str, int]]
) -> None:
    """``wss://host:port`` goes where httpx sends ``https://host:port``, ``ws://`` where it
    sends ``http://`` (the oracle: httpx's own mounts for a client without a transport)."""
    with mock.patch.dict(os.environ, {**_without_proxies(), **env}, clear=True):
        oracle = httpx.AsyncClient(trust_env=True, verify=False)
        for secure, host, port in sockets:
            proxy = websocket_proxy(secure, host, port)
            shown_host = f"[{host}]" if ":" in host else host
            url = f"{'https' if secure else 'http'}://{shown_host}:{port}/ws"
            expected = _httpx_choice(oracle, url)
            chosen = None if proxy is None else proxy.url
            wanted = None if expected is None else httpx.Proxy(expected).url
            assert chosen == wanted, (secure, host, port)


def test_no_proxy_in_the_environment_keeps_the_plain_transport(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    transport = tls.default_transport()
    assert type(transport) is tls._signalling_transport()
    no_proxy_env.setenv("NO_PROXY", "example.com")  # a bypass list alone names no proxy
    assert type(tls.default_transport()) is tls._signalling_transport()


def test_every_proxy_transport_verifies_with_the_shared_context(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    no_proxy_env.setenv("http_proxy", "http://other.corp:3128")
    transport = tls.default_transport()
    assert isinstance(transport, ProxyRoutingTransport)
    shared = tls.shared_ssl_context()
    pools = [transport.direct, *transport.proxied.values()]
    assert len(pools) == 3
    assert all(t._pool._ssl_context is shared for t in pools)  # type: ignore[attr-defined]
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname


def test_an_unusable_proxy_is_a_named_failure_without_its_password(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", "ftp://user:s3cret@proxy.corp:21")
    settings_ = VenueSettings(id=ExchangeIdentifier("binance"), kind="binance")
    failure = build_client(settings_).failure()
    assert "binance" in failure and "https://" in failure and "proxy.corp" in failure
    assert "s3cret" not in failure and "ca_bundle" not in failure


# -- a venue client through a real (local) forward proxy ---------------------------------


async def _funding(servers: Servers, bundle: str | None) -> int:
    """Hyperliquid's rates from the local venue; how many requests the venue served."""
    servers.take_logs()
    settings_ = VenueSettings(
        id=ExchangeIdentifier("hyperliquid"),
        kind="hyperliquid",
        base_url=servers.urls()["hyperliquid"],
        ca_bundle=bundle,
    )
    client = build_client(settings_).unwrap()
    try:
        rates = await client.fetch_funding_rates(None)
    finally:
        await client.aclose()
    assert isinstance(rates, IOSuccess), rates
    assert unsafe_perform_io(rates.unwrap())
    return len(servers.take_logs()["hyperliquid"])


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_venue_client_reaches_a_tls_venue_through_https_proxy(
    tls_venues: Servers, ca: trustme.CA, tmp_path: Path, no_proxy_env: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    venue = httpx.URL(tls_venues.urls()["hyperliquid"])
    with forward_proxy() as proxy:
        no_proxy_env.setenv("HTTPS_PROXY", proxy.url)
        served = await _funding(tls_venues, str(bundle))
    assert served >= 1
    assert proxy.relayed == [("CONNECT", f"127.0.0.1:{venue.port}")]  # one tunnel, kept alive


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_no_proxy_naming_the_venue_host_bypasses_the_proxy(
    tls_venues: Servers, ca: trustme.CA, tmp_path: Path, no_proxy_env: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with forward_proxy() as proxy:
        no_proxy_env.setenv("https_proxy", proxy.url)
        no_proxy_env.setenv("no_proxy", "example.com,127.0.0.1")
        served = await _funding(tls_venues, str(bundle))
    assert served >= 1
    assert proxy.relayed == []


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_the_test_ca_is_still_verified_through_the_proxy(
    tls_venues: Servers, no_proxy_env: pytest.MonkeyPatch
) -> None:
    """Without the test CA the tunnel opens but the venue's certificate is refused."""
    settings_ = VenueSettings(
        id=ExchangeIdentifier("hyperliquid"),
        kind="hyperliquid",
        base_url=tls_venues.urls()["hyperliquid"],
    )
    tls_venues.take_logs()
    with forward_proxy() as proxy:
        no_proxy_env.setenv("ALL_PROXY", proxy.url)
        client = build_client(settings_).unwrap()
        try:
            rates = await client.fetch_funding_rates(None)
        finally:
            await client.aclose()
    assert not isinstance(rates, IOSuccess)
    assert "could not connect" in str(rates), rates  # as without a proxy (test_tls_venues)
    assert proxy.relayed and {method for method, _ in proxy.relayed} == {"CONNECT"}
    assert tls_venues.take_logs()["hyperliquid"] == []  # no request got through


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_a_plain_http_venue_goes_through_http_proxy_by_absolute_uri(
    plain_venues: Servers, no_proxy_env: pytest.MonkeyPatch
) -> None:
    venue = plain_venues.urls()["hyperliquid"]
    with forward_proxy() as proxy:
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        served = await _funding(plain_venues, None)
    assert served >= 1
    assert proxy.relayed and all(m != "CONNECT" for m, _ in proxy.relayed)
    assert all(target.startswith(venue) for _, target in proxy.relayed)


def test_trading_commands_clients_route_through_the_proxy_too(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    """``execute``/``run``/``positions`` build their clients with ``build_live``
    (``scripts/trading.py``), through the same ``build_client``."""
    from scripts.config import VenueConfig
    from scripts.runtime import build_live

    built: list[object] = []
    real = tls.default_transport

    def recording(ca_bundle: str | None = None) -> object:
        built.append(real(ca_bundle))
        return built[-1]

    no_proxy_env.setattr(tls, "default_transport", recording)
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    venues = [VenueConfig(id=ExchangeIdentifier(k), kind=k) for k in ("binance", "okx")]
    clients = build_live(venues, dict(os.environ), with_credentials=True)
    assert all(isinstance(v.client, Success) for v in clients)
    assert len(built) == 2 and all(isinstance(t, ProxyRoutingTransport) for t in built)
    fapi = httpx.URL("https://fapi.binance.com/fapi/v1/order")
    assert all(t.transport_for(fapi) is not t.direct for t in built)  # type: ignore[attr-defined]


def test_a_trading_command_with_an_unusable_proxy_exits_2_naming_it(
    no_proxy_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Nothing is fetched or traded: the venue cannot be built (exit 2, no traceback)."""
    from click.testing import CliRunner

    from scripts.cli import cli

    config = tmp_path / "atomic-fp.toml"
    config.write_text('[venues.binance]\nkind = "binance"\n')
    no_proxy_env.setenv("HTTPS_PROXY", "ftp://user:s3cret@proxy.corp:2121")
    result = CliRunner().invoke(cli, ["--config", str(config), "positions"])
    assert result.exit_code == 2, result.output
    assert "venue binance: proxy for 'https://'" in result.stderr
    assert "ftp://proxy.corp:2121" in result.stderr
    assert "s3cret" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("env", "imported"),
    [({}, False), ({"NO_PROXY": "example.com"}, False), ({"https_proxy": "proxy.corp:1"}, True)],
)
def test_without_a_proxy_the_routing_module_is_never_imported(
    env: dict[str, str], imported: bool
) -> None:
    """Zero cost for a scan without a proxy: not even the module (Linux; elsewhere the
    system's proxy settings are always looked up)."""
    import subprocess
    import sys

    code = (
        "import sys; from adapters import tls; tls.default_transport(); "
        "print('adapters.proxy_routing' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**_without_proxies(), **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    expected = imported or sys.platform != "linux"
    assert done.stdout.strip() == str(expected), done.stderr


# -- a proxy URL httpx takes but cannot connect through is a configuration error ---------

MALFORMED = [
    "http://user:s3cret@[bad",
    "http://user:s3cret@",
    "http://user:s3cret@:3128",
    "http://user:s3cret@proxy corp:3128",
    "http://user:s3cret@proxy.corp:99999",
    "http://user:s3cret@proxy.corp:0",
    "ftp://user:s3cret@proxy.corp:2121",
]


@pytest.mark.parametrize("setting", MALFORMED)
def test_a_proxy_url_httpx_cannot_connect_through_is_refused_when_built(
    no_proxy_env: pytest.MonkeyPatch, setting: str
) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", setting)
    (route,) = environment_routes()
    with pytest.raises(ProxySettingError) as refused:
        checked_proxy(route)
    message = str(refused.value)
    assert message.startswith("proxy for 'https://' (HTTPS_PROXY) from the environment ("), message
    assert "s3cret" not in message and "user" not in message


@pytest.mark.parametrize(
    "setting",
    [
        "http://proxy.corp:3128",
        "proxy.corp:3128",
        "http://u:p@proxy.corp",
        "https://proxy.corp/",
        "http://10.1.2.3:8080",
        "http://[fd00::1]:3128",
        "http://squid_internal:3128",
        "socks5://proxy.corp:1080",
    ],
)
def test_the_usual_proxy_urls_are_accepted(no_proxy_env: pytest.MonkeyPatch, setting: str) -> None:
    no_proxy_env.setenv("HTTPS_PROXY", setting)
    (route,) = environment_routes()
    assert checked_proxy(route).url == httpx.Proxy(route.proxy or "").url


@pytest.mark.parametrize("setting", MALFORMED[:5])
@pytest.mark.parametrize(
    "command",
    [
        ["scan"],
        ["scan", "--format", "json"],
        ["positions"],
        ["collect"],  # (its store: the config's directory, see below)
        ["watch", "--duration", "5"],  # (a bound only for a watch that would not stop)
    ],
)
def test_live_commands_exit_2_naming_a_malformed_proxy(
    no_proxy_env: pytest.MonkeyPatch,
    tmp_path: Path,
    plain_venues: Servers,
    setting: str,
    command: list[str],
) -> None:
    """Before: ``scan`` built its clients, every request failed to connect through the
    proxy it could not reach, and it exited 1 ("no venue answered"). Now the setting is
    refused before anything is fetched: exit 2, the message the trading commands give,
    no password, no traceback; the local venues saw no request. ``collect`` exited 1 the
    same way, and ``watch`` watched venues that could not connect until stopped."""
    from click.testing import CliRunner

    from scripts.cli import cli

    urls = plain_venues.urls()
    config = tmp_path / "atomic-fp.toml"
    config.write_text(
        f'[venues.binance]\nkind = "binance"\nbase_url = "{urls["binance"]}"\n'
        f'[venues.hyperliquid]\nkind = "hyperliquid"\nbase_url = "{urls["hyperliquid"]}"\n'
    )
    no_proxy_env.setenv("HTTPS_PROXY", setting)
    no_proxy_env.setenv("HTTP_PROXY", setting)  # (the local venues speak http://)
    no_proxy_env.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    plain_venues.take_logs()
    if command == ["collect"]:
        command = [*command, "--store", str(tmp_path / "funding.sqlite")]
    result = CliRunner().invoke(cli, ["--config", str(config), *command])
    assert result.exit_code == 2, result.output
    assert "atomic-fp: error: venue binance: proxy for 'http" in result.stderr, result.stderr
    assert "invalid configuration" not in result.stderr
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert result.stdout == ""
    assert all(log == [] for log in plain_venues.take_logs().values())
