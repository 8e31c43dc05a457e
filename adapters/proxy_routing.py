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
        for route in self.routes:
            if route.matches(url):
                return self.direct if route.proxy is None else self.proxied[route.proxy]
        return self.direct

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        await self.direct.aclose()
        for transport in self.proxied.values():
            await transport.aclose()


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
            try:
                proxied[route.proxy] = proxy_transport(httpx.Proxy(route.proxy))
            except ImportError as error:  # socks5:// without socksio: httpx says what to install
                raise ProxySettingError(
                    f"proxy for {route.pattern!r} from the environment: {error}"
                ) from None
            except (httpx.InvalidURL, ValueError):
                # httpx's message repeats the URL, which may carry a password: not shown
                raise ProxySettingError(
                    f"proxy for {route.pattern!r} from the environment "
                    f"({_shown(route.proxy)}): not a proxy URL httpx can use "
                    "(http://, https://, socks5:// or socks5h://)"
                ) from None
    return ProxyRoutingTransport(direct, routes, proxied)


def _shown(proxy: str) -> str:
    """The proxy URL without its user and password."""
    try:
        url = httpx.URL(proxy)
    except (httpx.InvalidURL, ValueError):
        return "a malformed URL"
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


__all__ = [
    "ProxyRoutingTransport",
    "ProxySettingError",
    "Route",
    "environment_routes",
    "route_through_proxies",
]
