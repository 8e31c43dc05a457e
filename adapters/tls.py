"""One SSL context for every venue client of a process, and a CA bundle to trust.

Building an ``ssl.SSLContext`` loads the CA store: measured about 23 ms per venue client
(each ``httpx.AsyncClient`` built its own) plus 65 ms once, in a scan that needs four
(issue 20). :func:`shared_ssl_context` builds one per CA bundle, lazily, and every client
built by :func:`adapters.registry.build_client` gets a transport using it
(:func:`default_transport`), unless its settings bring their own transport (tests, the
offline snapshot); every websocket (:func:`adapters.streams.connection.open_connection`,
so every :class:`~adapters.streams.feed.StreamFeed`, Lighter's market-stats feed and the
account streams) connects with it too, unless given its own ``ssl_context``. An
``SSLContext`` is safe to share between connections and clients: it holds configuration
(trusted CAs, protocol limits), not per-connection state.

``ca_bundle`` (a PEM file; config ``[venues.<id>] ca_bundle`` or ``[tls] ca_bundle``) is
trusted *instead of* the default store: for a venue behind a corporate TLS proxy, or the
benchmarks' local TLS servers with a test certificate. ``None`` is httpx's own default:
``certifi``'s bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set (httpx's
``create_ssl_context(trust_env=True)``), with certificate and host name verification.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from adapters.connection_events import connection_starting, listening

if TYPE_CHECKING:  # httpx is imported when a context or transport is built, not before
    import httpx

_lock = threading.Lock()
_contexts: dict[str | None, ssl.SSLContext] = {}


def shared_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The process's verifying SSL context for ``ca_bundle`` (built on first use).

    A missing or unreadable bundle raises ``OSError``/``ssl.SSLError`` naming it (the
    config check reports it as a configuration error before any client is built); so does
    an ``SSL_CERT_DIR`` that holds no CA (:func:`adapters.default_trust.cert_dir_problem`)."""
    with _lock:
        context = _contexts.get(ca_bundle)
        if context is None:
            if ca_bundle is None:
                import httpx

                from adapters.default_trust import cert_dir_problem

                unusable = cert_dir_problem()
                if unusable is not None:
                    raise unusable
                context = httpx.create_ssl_context(trust_env=True)
            else:
                context = ssl.create_default_context(cafile=ca_bundle)
            _contexts[ca_bundle] = context
        return context


def default_transport(ca_bundle: str | None = None) -> httpx.AsyncBaseTransport:
    """The transport ``httpx.AsyncClient`` builds by default (HTTP/1.1, default limits),
    verifying with :func:`shared_ssl_context`; it reports each connection it opens to
    :mod:`adapters.connection_events`.

    Proxies: httpx reads them from the environment only for a client built without a
    transport, so when the environment names one (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY``, ``NO_PROXY``, either case) the transport returned routes each request
    as such a client would (:mod:`adapters.proxy_routing`), every proxy transport
    verifying with the same shared context. With none, the transport is exactly the one
    below (the pre-connecting one is used only without a proxy: :mod:`adapters.preconnect`
    connects nothing then). A malformed proxy setting raises
    :class:`adapters.proxy_routing.ProxySettingError` naming it.

    In a process that pre-connected (:func:`adapters.preconnect.start`: a live ``scan``),
    the same transport written out over a backend that uses those connections
    (:class:`adapters.preconnected_transport.PreconnectingTransport`); every other
    process, and so every command that trades, gets ``httpx.AsyncHTTPTransport``."""
    from adapters import preconnect

    if not _may_name_proxies(os.environ):
        if preconnect.active():
            from adapters.preconnected_transport import PreconnectingTransport

            return PreconnectingTransport(shared_ssl_context(ca_bundle))
        return _signalling_transport()(verify=shared_ssl_context(ca_bundle), trust_env=True)
    from adapters.proxy_routing import environment_routes, route_through_proxies

    routes = environment_routes()
    if not routes and preconnect.active():  # (macOS/Windows: the system named no proxy)
        from adapters.preconnected_transport import PreconnectingTransport

        return PreconnectingTransport(shared_ssl_context(ca_bundle))
    context = shared_ssl_context(ca_bundle)
    transport_class = _signalling_transport()
    direct = transport_class(verify=context, trust_env=True)
    return route_through_proxies(
        direct, routes, lambda proxy: transport_class(verify=context, trust_env=True, proxy=proxy)
    )


def _may_name_proxies(environ: Mapping[str, str]) -> bool:
    """Whether ``urllib.request.getproxies`` (httpx's source) may name a proxy: on Linux,
    only a non-empty ``*_proxy`` variable (either case) can; elsewhere the system's
    settings too, so there it is always looked up. A cheap test, so that a process
    without a proxy never imports :mod:`adapters.proxy_routing`."""
    if sys.platform != "linux":
        return True
    return any(
        value and name.lower().endswith("_proxy") and name.lower() != "no_proxy"
        for name, value in environ.items()
    )


async def trace_connects(event: str, info: dict[str, Any]) -> None:
    """httpcore's ``trace`` extension: called with ``connection.connect_tcp.started`` right
    before it opens a TCP connection (``httpcore/_async/connection.py``)."""
    if event == "connection.connect_tcp.started":
        connection_starting()


@cache
def _signalling_transport() -> type[httpx.AsyncHTTPTransport]:
    import httpx

    class SignallingTransport(httpx.AsyncHTTPTransport):
        """``httpx.AsyncHTTPTransport`` that, while someone listens for connections, asks
        httpcore to trace the request (a request bringing its own trace keeps it)."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if listening() and "trace" not in request.extensions:
                request.extensions = {**request.extensions, "trace": trace_connects}
            return await super().handle_async_request(request)

    return SignallingTransport


__all__ = ["default_transport", "shared_ssl_context", "trace_connects"]
