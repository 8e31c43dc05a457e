"""Connections a cold ``scan`` opens while it is still starting up (issue 20, target 1).

A cold scan spends about a third of a second importing and building its clients before
its first TCP connect, then pays a TCP and a TLS 1.3 handshake (two round trips) before
its first request. :func:`start` begins those handshakes as soon as the config file is
read, by the console script's first step before anything else is imported
(:mod:`scripts.early_preconnect`; this module imports neither ``attrs`` nor ``logging``
for that reason), in daemon threads (stdlib ``socket`` and ``ssl``, which release the GIL
while they wait), so that they run while the rest of the program imports (each connection:
:class:`adapters.prepared_connection.PreparedConnection`; a websocket's is taken through
its opening handshake too). The HTTP transport (:mod:`adapters.preconnected_transport`) and
the websocket (:func:`adapters.streams.connection.open_connection`) then :func:`claim` a
connection made for their host and port instead of opening one.

What does not change:

- Verification: the handshake uses the process's shared context for the venue's CA
  bundle (:func:`adapters.tls.shared_ssl_context`), with the URL's host as server name, as
  ``httpcore`` and the websocket do; the ALPN list is httpcore's (``["http/1.1"]``, set on
  that shared context by every HTTP/1.1 connect anyway). A claimed connection is used only
  when it was made with the SAME context object and host name the caller asks for;
  otherwise it is closed and the caller connects as before.
- Failures: a pre-connect that failed (refused, timed out, a certificate or host name
  refused, several addresses of which the first did not answer) is never reported: the
  caller connects as it always did, within what is left of its own connect timeout, and
  reports that connect's error exactly as before.
- Proxies: with a proxy configured in the environment (any ``*_proxy`` variable but
  ``no_proxy``, or the platform's proxy settings), nothing is pre-connected.
- Exit: a connection nobody claimed is closed by :func:`discard_unused` (the scan calls it
  when its venues are closed, and ``atexit`` again); a thread still handshaking closes its
  socket when it finishes. Each thread is bounded by the venue's own timeout, and daemon.

Which connections: :data:`SCAN_CONNECTIONS`, per venue kind, the URL a scan reads first
and how many connections it opens there at once (Binance asks ``premiumIndex`` and
``fundingInfo`` together: two). The counts are pinned by a test that counts the
connections a scan opens on local servers (``tests/adapters/test_preconnect_scan.py``).
GRVT's is its ticker websocket, plus its market-data host when its instrument list on disk
is missing or stale (the caller says which: ``plan(..., lists_needed=...)``). A venue with
options (a testnet switch, GRVT's REST tickers) is left to connect as before, as is a kind
not listed.
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from adapters.prepared_connection import PreparedConnection, warm_up

SCAN_CONNECTIONS: Mapping[str, tuple[str, str, int]] = {
    # kind: (URL setting, its default, connections a scan opens there at once)
    "binance": ("base_url", "https://fapi.binance.com", 2),
    "hyperliquid": ("base_url", "https://api.hyperliquid.xyz", 1),
    "lighter": ("base_url", "https://mainnet.zklighter.elliot.ai", 2),
    "grvt": ("ws_url", "wss://market-data.grvt.io/ws/full", 1),
    "bybit": ("base_url", "https://api.bybit.com", 2),
    "okx": ("base_url", "https://www.okx.com", 3),
}
"""The defaults are the adapters' own (checked equal by the tests). GRVT's ticker
websocket has a default only with the default hosts (``GrvtOptions.read``)."""


class VenueLike(Protocol):
    """What :func:`plan` reads of a configured venue (``scripts.config.VenueConfig``)."""

    @property
    def kind(self) -> str: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def ws_url(self) -> str | None: ...
    @property
    def options(self) -> Mapping[str, str]: ...
    @property
    def ca_bundle(self) -> str | None: ...
    @property
    def timeout(self) -> float: ...


V = TypeVar("V", bound=VenueLike)


class Target:
    """``count`` connections to ``host:port`` verified with ``ca_bundle``'s context;
    ``websocket``: a websocket's URL, whose opening handshake is sent (and answered) in
    the thread too. Immutable, compared by value. (A plain class: ``attrs``, like
    ``logging``, is not imported before the console script's first connections,
    :mod:`scripts.early_preconnect`.)"""

    __slots__ = ("ca_bundle", "count", "host", "port", "timeout", "websocket")
    _FIELDS = ("host", "port", "ca_bundle", "timeout", "count", "websocket")
    """In the order of the constructor's arguments."""

    host: str
    port: int
    ca_bundle: str | None
    timeout: float
    count: int
    websocket: str | None

    def __init__(
        self,
        host: str,
        port: int,
        ca_bundle: str | None,
        timeout: float,
        count: int,
        websocket: str | None = None,
    ) -> None:
        values = (host, port, ca_bundle, timeout, count, websocket)
        for name, value in zip(self._FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Target is immutable: cannot set {name}")

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        return type(other) is Target and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = zip(self._FIELDS, self._fields(), strict=True)
        return f"Target({', '.join(f'{name}={value!r}' for name, value in fields)})"


GRVT_MARKET_DATA = "https://market-data.grvt.io"
"""GRVT's default market-data host (``adapters.grvt.config.HOSTS["mainnet"][0]``): its
instrument list comes from there when the list on disk is missing or stale."""


def plan(
    venues: Iterable[V], *, lists_needed: Callable[[V], bool] | None = None
) -> tuple[Target, ...]:
    """The connections a live scan of ``venues`` opens first (see the module's doc).
    ``lists_needed(venue)``: whether a GRVT venue will fetch its instrument list (none on
    disk, or a stale one): one more connection, to its market-data host."""
    targets = []
    for venue in venues:
        known = SCAN_CONNECTIONS.get(venue.kind)
        if known is None or venue.options:
            continue
        setting, default, count = known
        url = getattr(venue, setting)
        if url is None and setting == "ws_url" and venue.base_url is not None:
            continue  # GRVT with its own hosts and no websocket: REST tickers
        url = url or default
        address = _secure_address(url)
        if address is not None:
            websocket = url if setting == "ws_url" else None
            targets.append(Target(*address, venue.ca_bundle, venue.timeout, count, websocket))
        if venue.kind == "grvt" and lists_needed is not None and lists_needed(venue):
            listing = _secure_address(venue.base_url or GRVT_MARKET_DATA)
            if listing is not None:
                targets.append(Target(*listing, venue.ca_bundle, venue.timeout, 1))
    return tuple(targets)


def _secure_address(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an ``https``/``wss`` URL with an ASCII host, else ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("https", "wss") or not host or not host.isascii():
        return None
    return host, port or 443


def proxies_configured(environ: Mapping[str, str]) -> bool:
    """Whether the environment names a proxy (``urllib.request.getproxies``'s sources:
    ``*_proxy`` variables in either case; elsewhere than Linux the system settings)."""
    if any(
        name.lower().endswith("_proxy") and name.lower() != "no_proxy" and value
        for name, value in environ.items()
    ):
        return True
    platform = sys.platform  # (a variable: the check is at run time, not mypy's platform)
    if platform == "linux":
        return False
    import urllib.request  # macOS and Windows: the system's proxy settings too

    return bool(urllib.request.getproxies())


_lock = threading.Lock()
_waiting: dict[tuple[str, int], deque[PreparedConnection]] = {}
_begun: list[PreparedConnection] = []
"""Every connection begun, claimed or not: :func:`discard_unused` closes any not taken."""
_started: list[bool] = []
_counts: dict[tuple[str, int, str | None, str | None], int] = {}
"""Connections begun per (host, port, CA bundle, websocket URL), claimed or not: what
makes :func:`start` idempotent."""


def start(targets: Iterable[Target], environ: Mapping[str, str]) -> int:
    """Begin the targets' connections (none with a proxy in ``environ``); how many were
    begun by this call.

    Idempotent: connections already begun in this process for the same host, port, CA
    bundle (so the same shared context object) and websocket URL count towards a
    target's ``count``, claimed or not, so a plan started twice opens its connections
    once: the console script starts a live scan's plan from its raw config file
    (:mod:`scripts.early_preconnect`), and the scan again once that file is validated
    (:mod:`scripts.scan_preconnect`). Targets of one call with the same key add up (two
    venue ids on one host: each its own). A second plan that differs begins only what the
    first lacks; a connection of the first that the scan never claims is closed by
    :func:`discard_unused`."""
    targets = tuple(targets)
    if not targets or proxies_configured(environ):
        return 0
    wanted: dict[tuple[str, int, str | None, str | None], tuple[Target, int]] = {}
    for target in targets:
        key = (target.host, target.port, target.ca_bundle, target.websocket)
        first, count = wanted.get(key, (target, 0))
        wanted[key] = (first, count + target.count)
    begun = 0
    with _lock:
        if not _started:
            atexit.register(discard_unused)
        _started.append(True)
        new = [key for key, (_, count) in wanted.items() if count > _counts.get(key, 0)]
        if new:  # the contexts, while the TCP connects are made
            warm_up(dict.fromkeys(key[2] for key in new))
        for key, (target, count) in wanted.items():
            for _ in range(count - _counts.get(key, 0)):
                connection = PreparedConnection(
                    target.host, target.port, target.ca_bundle, target.timeout, target.websocket
                )
                _waiting.setdefault((target.host, target.port), deque()).append(connection)
                _begun.append(connection)
                _counts[key] = _counts.get(key, 0) + 1
                connection.start()
                begun += 1
    planned = sum(count for _, count in wanted.values())
    import logging  # (not at import: see scripts.early_preconnect)

    logging.getLogger("adapters.preconnect").debug(
        "pre-connecting %d connection(s) (%d begun earlier): %s",
        planned,
        planned - begun,
        ", ".join(f"{t.host}:{t.port} x{t.count}" for t in targets),
    )
    return begun


def active() -> bool:
    """Whether :func:`start` began connections in this process (the transports of the
    clients built afterwards look for them)."""
    return bool(_started)


def claim(host: str, port: int, websocket: str | None = None) -> PreparedConnection | None:
    """The oldest unclaimed connection begun for ``host:port`` (and, for a websocket, its
    URL: a connection whose websocket handshake was sent serves only that websocket)."""
    with _lock:
        queue = _waiting.get((host, port), deque())
        for connection in queue:
            if connection.websocket == websocket:
                queue.remove(connection)
                return connection
        return None


def discard_unused() -> None:
    """Close every connection nobody took (see the module's doc): those never claimed,
    and those claimed by a caller that was cancelled or gave up before taking them."""
    with _lock:
        unused = list(_begun)
        _begun.clear()
        _waiting.clear()
        _counts.clear()
    for connection in unused:
        connection.abandon()


def reset() -> None:
    """Forget everything (tests): unclaimed connections are closed first."""
    discard_unused()
    with _lock:
        _started.clear()


__all__ = [
    "SCAN_CONNECTIONS",
    "PreparedConnection",
    "Target",
    "active",
    "claim",
    "discard_unused",
    "plan",
    "proxies_configured",
    "start",
]
