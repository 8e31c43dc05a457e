"""Local venue servers on 127.0.0.1 that replay recorded responses after an injected delay.

One real HTTP server per venue (its own port, thread per request, HTTP/1.1 keep-alive), so
concurrent requests are delayed concurrently, as by a distant venue, and any client (our
httpx adapters, ccxt's aiohttp) talks to it over real sockets.

What each server answers: the venue's exchanges from the bundled offline snapshot
(``adapters/snapshot/data``, matched with the snapshot's own rule,
:meth:`adapters.snapshot.Exchange.score`) plus, for the benchmark's ccxt comparison, the
extra endpoints ccxt asks for (:mod:`bench.ccxt_bodies`, built from the same recorded values
and documented there as synthesized). Anything else is a 404 naming the request, and is
kept in :attr:`VenueServer.unmatched` so a harness can refuse to report a broken run.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from adapters.snapshot import Exchange, Snapshot, bundled_snapshot


@attrs.frozen
class Served:
    """One request as the server saw it (times from ``time.perf_counter``)."""

    method: str
    path: str
    matched: bool
    arrived: float
    answered: float
    query: Mapping[str, str] = attrs.field(factory=dict)
    body: Any = None


class _TlsHTTPServer(ThreadingHTTPServer):
    """Speaks TLS on each accepted connection. The handshake runs in the connection's own
    thread (on its first read), not in the accepting loop, so concurrent clients'
    handshakes overlap as on a real server."""

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], tls: ssl.SSLContext
    ) -> None:
        self.tls = tls
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        wrapped = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return wrapped, address


class VenueServer:
    """A venue's recorded exchanges behind a real socket, each answer ``delay`` seconds late;
    over TLS when given a server-side ``tls`` context (a test certificate: ``trustme``)."""

    def __init__(
        self,
        name: str,
        exchanges: Sequence[Exchange],
        delay: float = 0.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self.exchanges = tuple(exchanges)
        # Encoded once: a body of 500 symbols encoded per request would hold the server's
        # GIL while other answers wait, a cost a real venue's own machines do not add.
        self._encoded = {id(e): json.dumps(e.body).encode() for e in self.exchanges}
        self.delay = delay
        self.scheme = "https" if tls is not None else "http"
        self._log: list[Served] = []
        self._lock = threading.Lock()
        self._httpd = (
            ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
            if tls is None
            else _TlsHTTPServer(("127.0.0.1", 0), self._handler_class(), tls)
        )
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"bench-{name}", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def take_log(self) -> list[Served]:
        """The requests served since the last call (and forget them)."""
        with self._lock:
            log, self._log = self._log, []
        return log

    @property
    def unmatched(self) -> list[Served]:
        with self._lock:
            return [s for s in self._log if not s.matched]

    def answer(
        self, method: str, path: str, query: Mapping[str, str], body: Any
    ) -> Exchange | None:
        best: Exchange | None = None
        best_score = -1
        for exchange in self.exchanges:
            score = exchange.score(method, path, query, body)
            if score is not None and score > best_score:
                best, best_score = exchange, score
        return best

    def _record(self, served: Served) -> None:
        with self._lock:
            self._log.append(served)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes; with Nagle on, a kept-alive connection
            # then waits for the client's delayed ACK (~40 ms) before the body goes out.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the benchmark prints its own summary

            def _serve(self) -> None:
                arrived = time.perf_counter()
                split = urlsplit(self.path)
                query = dict(parse_qsl(split.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                found = server.answer(self.command.upper(), split.path, query, body)
                if server.delay > 0:
                    time.sleep(server.delay)
                if found is None:
                    detail = f"not recorded for {server.name}: {self.command} {split.path}"
                    status, payload = 404, {"code": 404, "msg": detail, "error": detail}
                    content = json.dumps(payload).encode()
                else:
                    status, content = found.status, server._encoded[id(found)]
                # Logged before the answer leaves, so a client that has its answer always
                # finds its request in the log.
                server._record(
                    Served(
                        self.command.upper(),
                        split.path,
                        found is not None,
                        arrived,
                        time.perf_counter(),
                        query,
                        body,
                    )
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = _serve
            do_POST = _serve

        return Handler


def venue_exchanges(
    snapshot: Snapshot, *, with_ccxt: bool = True
) -> dict[str, tuple[Exchange, ...]]:
    """Per venue: the snapshot's recorded exchanges, then (optionally) ccxt's extra ones.

    Recorded exchanges come first and are never replaced; the synthesized ones only add
    endpoints (or request bodies) our clients do not use.
    """
    from bench.ccxt_bodies import extra_exchanges

    venues: dict[str, tuple[Exchange, ...]] = {}
    for recording in snapshot.venues:
        extra = extra_exchanges(recording) if with_ccxt else ()
        venues[recording.venue] = (*recording.exchanges, *extra)
    return venues


@attrs.define
class Servers:
    """The venue servers of one benchmark run (four recorded; six with ``documented``)."""

    by_venue: dict[str, VenueServer]

    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.by_venue.items()}

    def set_delay(self, delay: float) -> None:
        for server in self.by_venue.values():
            server.delay = delay

    def take_logs(self) -> dict[str, list[Served]]:
        return {name: server.take_log() for name, server in self.by_venue.items()}


@contextmanager
def serving(
    delay: float = 0.0,
    snapshot: Snapshot | None = None,
    tls: ssl.SSLContext | None = None,
    *,
    documented: bool = False,
) -> Iterator[Servers]:
    """Start one server per venue of ``snapshot`` (default: the bundled one), over TLS
    when ``tls`` is given; with ``documented``, also Bybit and OKX answering in their
    documented shapes (:mod:`bench.documented_bodies`: not recordings)."""
    from bench.documented_bodies import documented_exchanges

    source = snapshot or bundled_snapshot()
    exchanges_by_venue = dict(venue_exchanges(source))
    if documented:
        exchanges_by_venue.update(documented_exchanges(source))
    servers = {
        name: VenueServer(name, exchanges, delay, tls)
        for name, exchanges in exchanges_by_venue.items()
    }
    for server in servers.values():
        server.start()
    try:
        yield Servers(servers)
    finally:
        for server in servers.values():
            server.stop()


def waves(log: Sequence[Served], gap: float = 0.0) -> list[list[Served]]:
    """The requests of ``log`` grouped in sequential waves: a request arriving after every
    request of the current wave was answered (less ``gap``, for scheduling jitter) starts
    a new wave. With a per-request delay, the number of waves is the number of round
    trips on that venue's path."""
    grouped: list[list[Served]] = []
    wave_end = 0.0
    for served in sorted(log, key=lambda s: s.arrived):
        if not grouped or served.arrived >= wave_end - gap:
            grouped.append([served])
            wave_end = served.answered
        else:
            grouped[-1].append(served)
            wave_end = max(wave_end, served.answered)
    return grouped


def round_trips(log: Sequence[Served], gap: float = 0.0) -> int:
    """How many sequential waves of requests ``log`` holds (see :func:`waves`)."""
    return len(waves(log, gap))


def describe(served: Served) -> str:
    """``POST /info {type: meta}``-style label of one request."""
    label = f"{served.method} {served.path}"
    if isinstance(served.body, dict) and "type" in served.body:
        label += f" {{type: {served.body['type']}}}"
    return label
