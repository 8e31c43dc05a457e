"""Proxies from the environment for clients given an explicit transport.

httpx reads ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY`` (either case)
only for a client built *without* a transport (``httpx.AsyncClient.__init__``:
``allow_env_proxies = trust_env and transport is None``). Every venue client built by
:func:`adapters.registry.build_client` is given one (:func:`adapters.tls.default_transport`,
for the one shared SSL context), so, before this module, every live client, ``execute``'s
included, connected directly even where the environment names a proxy.

:func:`environment_routes` reads the environment as httpx 0.28/0.29 does
(``httpx._utils.get_environment_proxies``, from ``urllib.request.getproxies``): one route
per scheme (``http://``, ``https://``, ``all://``; a proxy given without a scheme is
``http://``), ``NO_PROXY`` entries as bypass routes (``*`` = no proxy at all; an IPv4
address, ``[IPv6]`` or ``localhost`` as that exact host; an entry with ``://`` as given;
any other name as that domain and its subdomains; ``.example.com`` its subdomains only;
a CIDR range is read as its first address only, as httpx does). :class:`ProxyRoutingTransport`
then sends each request where httpx's own ``_transport_for_url`` would: the most specific
matching route (port, then longer host, then longer scheme, first in that order), the
direct transport when none matches or the route is a bypass. Each proxy transport is
``httpx.AsyncHTTPTransport(proxy=..., verify=<the shared context>)``, as httpx builds for
a client without a transport, so certificate verification is unchanged (through a
``CONNECT`` tunnel the venue's certificate is verified end to end).
``tests/adapters/test_proxy_routing.py`` checks the routing against httpx's own mapping.

Websockets take the same routes (:func:`websocket_proxy`): a ``wss://`` URL goes where
httpx would send the same host and port over ``https://``, a ``ws://`` one as ``http://``
(``adapters/streams/proxy_tunnel.py`` opens the ``CONNECT`` tunnel).

A proxy URL is checked before anything connects (:func:`checked_proxy`): besides the
schemes httpx knows, it needs a host that can be looked up (a DNS name or an IP address)
and a port in 1-65535. httpx itself takes ``http://[bad``, ``http://:3128``,
``http://proxy corp`` or ``http://proxy.corp:99999`` and only fails when connecting, which
made every venue "fail to answer" (exit 1) instead of reporting the setting (exit 2).
The host checked is the one httpcore connects to, ``httpx.URL.raw_host``: an
internationalised name is IDNA-encoded by httpx (``bücher.example`` ->
``xn--bcher-kva.example``, the ``idna`` package, IDNA 2008) and an A-label kept as given;
``httpx.URL.host`` shows the decoded name instead (and raises on an A-label that is not
valid Punycode, which httpx still connects to), so it is never what is checked or shown
(``tests/adapters/test_proxy_host_names.py`` compares with httpx over generated names).

No proxy in the environment: :func:`environment_routes` is empty and the caller keeps
its transport as it was (no object added to a scan).
"""

from __future__ import annotations

import ipaddress
import re
import urllib.request
from collections.abc import Callable, Mapping, Sequence

import attrs
import httpx


class ProxySettingError(ValueError):
    """A proxy setting in the environment httpx cannot use (names it; no password shown)."""


SETTING_NAMES = {"http://": "HTTP_PROXY", "https://": "HTTPS_PROXY", "all://": "ALL_PROXY"}
"""The environment variable behind each proxy key (``urllib.request.getproxies`` reads it
in either case)."""

_HOST_NAME = re.compile(r"(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?")
"""A DNS name as a resolver takes it (``_`` too: some internal names carry one); httpx
percent-encodes anything else (``[``, spaces) into the host it keeps."""


@attrs.frozen
class Route:
    """One proxy key as httpx's ``URLPattern`` reads it; ``proxy`` ``None`` = go direct."""

    pattern: str
    proxy: str | None
    scheme: str
    host: str
    port: int | None
    host_regex: re.Pattern[str] | None = attrs.field(eq=False)

    @classmethod
    def parse(cls, pattern: str, proxy: str | None) -> Route:
        url = httpx.URL(pattern)
        host = "" if url.host == "*" else url.host
        regex: re.Pattern[str] | None
        if not url.host or url.host == "*":
            regex = None
        elif url.host.startswith("*."):
            regex = re.compile(f"^.+\\.{re.escape(url.host[2:])}$")
        elif url.host.startswith("*"):
            regex = re.compile(f"^(.+\\.)?{re.escape(url.host[1:])}$")
        else:
            regex = re.compile(f"^{re.escape(url.host)}$")
        scheme = "" if url.scheme == "all" else url.scheme
        return cls(pattern, proxy, scheme, host, url.port, regex)

    def matches(self, url: httpx.URL) -> bool:
        if self.scheme and self.scheme != url.scheme:
            return False
        if self.host and self.host_regex is not None and not self.host_regex.match(url.host):
            return False
        return self.port is None or self.port == url.port

    @property
    def priority(self) -> tuple[int, int, int]:
        return (0 if self.port is not None else 1, -len(self.host), -len(self.scheme))


def _is_ip(hostname: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(hostname.split("/")[0])
    except ValueError:
        return False
    return True


def environment_routes(
    proxies: Callable[[], Mapping[str, str]] = urllib.request.getproxies,
) -> tuple[Route, ...]:
    """The routes a ``httpx.AsyncClient(trust_env=True)`` without a transport would mount,
    most specific first; ``()`` when the environment names no proxy (or ``NO_PROXY=*``).

    A malformed entry raises :class:`ProxySettingError` naming it (as httpx refuses it too)."""
    info = proxies()
    keys: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if info.get(scheme):
            value = info[scheme]
            keys[f"{scheme}://"] = value if "://" in value else f"http://{value}"
    for entry in (e.strip() for e in info.get("no", "").split(",")):
        if entry == "*":
            return ()
        if not entry:
            continue
        if "://" in entry:
            keys[entry] = None
        elif _is_ip(entry, ipaddress.IPv4Address):
            keys[f"all://{entry}"] = None
        elif _is_ip(entry, ipaddress.IPv6Address):
            keys[f"all://[{entry}]"] = None
        elif entry.lower() == "localhost":
            keys[f"all://{entry}"] = None
        else:
            keys[f"all://*{entry}"] = None
    if not any(proxy is not None for proxy in keys.values()):
        return ()
    routes = []
    for pattern, proxy in keys.items():
        try:
            routes.append(Route.parse(pattern, proxy))
        except (httpx.InvalidURL, ValueError) as error:
            raise ProxySettingError(
                f"proxy setting {pattern!r} from the environment: {error}"
            ) from None
    return tuple(sorted(routes, key=lambda r: r.priority))  # stable, as httpx's sort


class ProxyRoutingTransport(httpx.AsyncBaseTransport):
    """Each request to the transport of the first matching route, else ``direct``."""

    def __init__(
        self,
        direct: httpx.AsyncBaseTransport,
        routes: Sequence[Route],
        proxied: Mapping[str, httpx.AsyncBaseTransport],
    ) -> None:
        self.direct = direct
        self.routes = tuple(routes)
        self.proxied = dict(proxied)  # proxy URL -> its transport

    def transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        proxy = proxy_for(self.routes, url)
        return self.direct if proxy is None else self.proxied[proxy]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        await self.direct.aclose()
        for transport in self.proxied.values():
            await transport.aclose()


def proxy_for(routes: Sequence[Route], url: httpx.URL) -> str | None:
    """The proxy URL of the first route matching ``url`` (``routes`` most specific first,
    as :func:`environment_routes` gives them); ``None``: connect directly."""
    for route in routes:
        if route.matches(url):
            return route.proxy
    return None


def _setting(pattern: str) -> str:
    """``'https://' (HTTPS_PROXY)``: the key and, for a scheme key, its variable."""
    name = SETTING_NAMES.get(pattern)
    return f"{pattern!r} ({name})" if name is not None else repr(pattern)


def checked_proxy(route: Route) -> httpx.Proxy:
    """``route``'s proxy as ``httpx.Proxy``, or :class:`ProxySettingError` naming the
    setting and the proxy without its user and password: a scheme httpx does not know, a
    malformed URL (a host IDNA 2008 refuses included), no usable host (httpx keeps ``[``,
    spaces and the like percent-encoded in the host, and an empty one, until the connect
    fails), or a port outside 1-65535. The host is checked in the ASCII form httpcore
    connects to (``raw_host``): an internationalised name is accepted as httpx takes it."""
    assert route.proxy is not None
    try:
        proxy = httpx.Proxy(route.proxy)
    except (httpx.InvalidURL, ValueError):
        # httpx's message repeats the URL, which may carry a password: not shown
        raise ProxySettingError(
            f"proxy for {_setting(route.pattern)} from the environment "
            f"({_shown(route.proxy)}): not a proxy URL httpx can use "
            "(http://, https://, socks5:// or socks5h://)"
        ) from None
    host, port = proxy.url.raw_host.decode("ascii"), proxy.url.port  # what httpcore dials
    problem = None
    if not host:
        problem = "it names no host"
    elif not (_HOST_NAME.fullmatch(host) or _is_ip(host, ipaddress.IPv6Address)):
        problem = "its host is not a host name or an IP address"
    elif port is not None and not 0 < port < 65536:
        problem = f"its port {port} is not in 1-65535"
    if problem is not None:
        raise ProxySettingError(
            f"proxy for {_setting(route.pattern)} from the environment "
            f"({_shown(route.proxy)}): {problem}"
        )
    return proxy


def _without_socks_support(route: Route, proxy: httpx.Proxy) -> ProxySettingError | None:
    """The refusal for a SOCKS proxy when ``socksio`` is not installed (httpx's transport
    raises ``ImportError`` for it: ``httpx/_transports/default.py``, "Using SOCKS proxy,
    but the 'socksio' package is not installed"), found without building a transport, so
    :func:`environment_problem` names it as a venue client's build does."""
    if proxy.url.scheme not in ("socks5", "socks5h"):
        return None
    import importlib.util

    if importlib.util.find_spec("socksio") is not None:
        return None
    return ProxySettingError(
        f"proxy for {_setting(route.pattern)} from the environment ({shown(proxy)}): "
        "a SOCKS proxy needs the 'socksio' package, which is not installed "
        "(pip install 'httpx[socks]')"
    )


def route_through_proxies(
    direct: httpx.AsyncBaseTransport,
    routes: Sequence[Route],
    proxy_transport: Callable[[httpx.Proxy], httpx.AsyncBaseTransport],
) -> httpx.AsyncBaseTransport:
    """``direct`` itself when ``routes`` is empty; else a :class:`ProxyRoutingTransport`
    with one ``proxy_transport(httpx.Proxy(url))`` per distinct proxy URL (an unknown proxy
    scheme raises :class:`ProxySettingError` naming it, as httpx does)."""
    if not routes:
        return direct
    proxied: dict[str, httpx.AsyncBaseTransport] = {}
    for route in routes:
        if route.proxy is not None and route.proxy not in proxied:
            proxy = checked_proxy(route)
            unsupported = _without_socks_support(route, proxy)
            if unsupported is not None:
                raise unsupported
            try:
                proxied[route.proxy] = proxy_transport(proxy)
            except ImportError as error:  # socks5:// without socksio: httpx says what to install
                raise ProxySettingError(
                    f"proxy for {_setting(route.pattern)} from the environment: {error}"
                ) from None
    return ProxyRoutingTransport(direct, routes, proxied)


def environment_problem() -> str | None:
    """What is wrong with the environment's proxy settings (the message of the
    :class:`ProxySettingError` a venue client's build or a websocket would raise), or
    ``None`` when every proxy it names is usable."""
    try:
        for route in environment_routes():
            if route.proxy is not None:
                unsupported = _without_socks_support(route, checked_proxy(route))
                if unsupported is not None:
                    return str(unsupported)
    except ProxySettingError as error:
        return str(error)
    return None


def websocket_proxy(secure: bool, host: str, port: int) -> httpx.Proxy | None:
    """The proxy a websocket to ``host:port`` goes through: the one httpx would use for
    ``https://host:port`` (``wss://``) or ``http://host:port`` (``ws://``); ``None``: go
    directly. A malformed setting raises :class:`ProxySettingError` (as for the HTTP
    clients: every proxy the environment names is checked, not only this URL's)."""
    routes = environment_routes()
    for route in routes:
        if route.proxy is not None:
            checked_proxy(route)
    url = httpx.URL(scheme="https" if secure else "http", host=host, port=port)
    chosen = proxy_for(routes, url)
    if chosen is None:
        return None
    return httpx.Proxy(chosen)


def shown(proxy: httpx.Proxy) -> str:
    """``proxy``'s URL without its user and password (for messages)."""
    return _shown(str(proxy.url))


def _shown(proxy: str) -> str:
    """The proxy URL without its user and password; its host as httpcore connects to it
    (``raw_host``: ASCII, an internationalised name IDNA-encoded)."""
    try:
        url = httpx.URL(proxy)
    except (httpx.InvalidURL, ValueError):
        return "a malformed URL"
    port = f":{url.port}" if url.port is not None else ""
    raw = url.raw_host.decode("ascii")
    host = f"[{raw}]" if ":" in raw else raw
    return f"{url.scheme}://{host}{port}"


__all__ = [
    "SETTING_NAMES",
    "ProxyRoutingTransport",
    "ProxySettingError",
    "Route",
    "checked_proxy",
    "environment_problem",
    "environment_routes",
    "proxy_for",
    "route_through_proxies",
    "shown",
    "websocket_proxy",
]
