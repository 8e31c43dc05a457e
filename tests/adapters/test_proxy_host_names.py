"""An internationalised proxy host name is taken as httpx takes it, for REST and websockets.

The outside reference is httpx itself (0.28/0.29): ``httpx.URL`` IDNA-encodes a host given
as a U-label (``bücher.example`` -> ``xn--bcher-kva.example``, with the ``idna`` package:
IDNA 2008, UTS 46) and keeps a valid A-label, and refuses an invalid A-label
(``xn--zz``); ``httpx.URL.host`` then shows the *decoded* name and ``raw_host`` the ASCII
one httpcore connects to (``httpcore.AsyncHTTPProxy._proxy_url``, what httpx's
``AsyncHTTPTransport(proxy=...)`` mounts). Before, :func:`adapters.proxy_routing.
checked_proxy` checked the decoded name against its DNS-name pattern and so refused
``http://xn--bcher-kva.example:3128`` (exit 2) though httpx would use it; and the websocket
tunnel connected to the decoded name, which Python's socket and ssl modules encode with
IDNA 2003 (``straße`` -> ``strasse``, another host than httpx's ``xn--strae-oqa``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import ssl
from collections.abc import Callable
from typing import Any
from unittest import mock

import anyio
import httpx
import pytest
import trustme
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.proxy_routing import ProxySettingError, checked_proxy, environment_routes
from adapters.streams import proxy_tunnel
from tests.adapters.forward_proxy import echo_through_proxy, forward_proxy
from tests.adapters.tls_server import server_context
from tests.streams.local_ws import local_ws

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _environment(**proxies: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_NAMES}
    return {**kept, **proxies}


def _checked(setting: str) -> httpx.Proxy:
    with mock.patch.dict(os.environ, _environment(HTTPS_PROXY=setting), clear=True):
        (route,) = environment_routes()
        return checked_proxy(route)


def _httpx_connects_to(setting: str) -> tuple[str, int]:
    """Where httpx's own proxy transport connects for ``setting`` (host, port)."""
    transport = httpx.AsyncHTTPTransport(proxy=httpx.Proxy(setting))
    origin = transport._pool._proxy_url.origin  # type: ignore[attr-defined]
    return origin.host.decode("ascii"), origin.port


@pytest.mark.parametrize(
    "setting",
    [
        "http://xn--bcher-kva.example:3128",
        "http://bücher.example:3128",
        "http://BÜCHER.Example:3128",
        "http://u:pw@xn--bcher-kva.example",
        "https://xn--strae-oqa.example:8443",
        "http://straße.example:3128",
        "http://пример.испытание:3128",
        # not valid Punycode, but httpx takes it and connects to that ASCII name as given
        "http://xn--zz.example:3128",
    ],
)
def test_an_internationalised_proxy_host_is_accepted_as_httpx_takes_it(setting: str) -> None:
    proxy = _checked(setting)
    assert proxy.url == httpx.Proxy(setting).url
    assert proxy_tunnel.proxy_address(proxy) == _httpx_connects_to(setting)


@pytest.mark.parametrize(
    "setting", ["http://u:s3cret@a☃.example:3128", "http://u:s3cret@ü_b.example:3128"]
)
def test_a_host_httpx_cannot_encode_is_refused_naming_the_setting(setting: str) -> None:
    """IDNA 2008 refuses these (a symbol; ``_`` in a U-label), so httpx does."""
    with pytest.raises(httpx.InvalidURL):
        httpx.Proxy(setting)
    with pytest.raises(ProxySettingError) as refused:
        _checked(setting)
    message = str(refused.value)
    assert message.startswith("proxy for 'https://' (HTTPS_PROXY) from the environment (")
    assert "not a proxy URL httpx can use" in message and "s3cret" not in message


# -- the whole space of host names, against httpx ----------------------------------------

LABEL_CHARS = "abcXYZ09-_üßéöςпрмя.%[] "
LABELS = st.one_of(
    st.text(LABEL_CHARS, min_size=0, max_size=8),
    st.sampled_from(["xn--bcher-kva", "xn--strae-oqa", "xn--zz", "xn--", "XN--BCHER-KVA"]),
    st.builds(lambda s: f"xn--{s}", st.text("abcdefghijklmnop0123456789-", max_size=8)),
)
HOSTS = st.one_of(
    st.lists(LABELS, min_size=1, max_size=3).map(".".join),
    st.sampled_from(["10.1.2.3", "[fd00::1]", "[::1]", "256.1.1.1", "1.2.3", "[bad"]),
)
LDH_NAME = re.compile(r"(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?")


def _usable_per_httpx(setting: str) -> bool | None:
    """Whether a proxy URL can be connected through: ``None`` when httpx refuses it;
    else whether the host httpcore would connect to (httpx's ``raw_host``) is an IP
    address or a name a resolver takes (letters, digits, ``-``, ``_``, dot-separated:
    RFC 1123 2.1, with the ``_`` of some internal names), and the port is in 1-65535."""
    try:
        url = httpx.Proxy(setting).url
    except (httpx.InvalidURL, ValueError):
        return None
    host = url.raw_host.decode("ascii")
    try:
        ipaddress.ip_address(host)
        named = True
    except ValueError:
        named = LDH_NAME.fullmatch(host) is not None
    return named and (url.port is None or 0 < url.port < 65536)


@settings(max_examples=400, deadline=None)
@given(host=HOSTS, port=st.one_of(st.none(), st.integers(0, 70000)))
def test_a_proxy_host_is_accepted_exactly_when_httpx_can_connect_through_it(
    host: str, port: int | None
) -> None:
    setting = f"http://{host}" + ("" if port is None else f":{port}")
    usable = _usable_per_httpx(setting)
    try:
        proxy = _checked(setting)
    except ProxySettingError:
        assert not usable, setting
        return
    assert usable, setting
    assert proxy.url == httpx.Proxy(setting).url
    assert proxy_tunnel.proxy_address(proxy) == _httpx_connects_to(setting)


# -- the websocket tunnel connects where httpx would ------------------------------------


@pytest.mark.parametrize(
    "host",
    ["xn--bcher-kva.example", "bücher.example", "straße.example", "xn--strae-oqa.example"],
)
def test_the_websocket_tunnel_reaches_an_idn_https_proxy_at_httpx_s_host(
    host: str, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``https://`` proxy named by an internationalised host: the tunnel opens its TCP
    connection to, and verifies the proxy's certificate for, the ASCII name httpcore uses
    (the proxy's certificate here names only that A-label). The name is resolved to the
    local proxy by a stand-in for ``anyio.connect_tcp`` that records what it was asked."""
    setting = f"https://{host}"
    ascii_host, _ = _httpx_connects_to(setting)
    asked: list[tuple[str, int]] = []
    real_connect: Callable[..., Any] = anyio.connect_tcp
    with (
        local_ws(lambda request: [{"echo": request}]) as venue,
        forward_proxy(tls=server_context(ca, ascii_host)) as proxy,
    ):

        async def connect(remote_host: str, remote_port: int, **kwargs: Any) -> Any:
            asked.append((remote_host, remote_port))
            if remote_host == ascii_host:  # the proxy's name, resolved to the local proxy
                return await real_connect("127.0.0.1", proxy.port, **kwargs)
            return await real_connect(remote_host, remote_port, **kwargs)

        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        monkeypatch.setattr(anyio, "connect_tcp", connect)
        monkeypatch.setattr(proxy_tunnel, "proxy_ssl_context", lambda: trusting)
        for name in list(os.environ):
            if name.lower() in PROXY_NAMES:
                monkeypatch.delenv(name)
        monkeypatch.setenv("HTTP_PROXY", f"{setting}:443")

        answer = echo_through_proxy(venue.url, limit=30.0)
    port = venue.url.rsplit(":", 1)[1].strip("/")
    assert asked == [(ascii_host, 443)]
    assert proxy.relayed == [("CONNECT", f"127.0.0.1:{port}")]
    assert answer == b'{"echo": {"ping": 1}}'
