"""The fake-venue base: requests in, replies out, per-venue routes and state, faults.

A venue's fake (``tests/adapters/<venue>/fake_venue.py``) subclasses :class:`FakeVenue`,
keeps its state as attributes (orders, positions, books...) and registers its routes with
:func:`route`::

    class FakeAcme(FakeVenue):
        @route("GET", "/v5/market/time")
        def time(self, request: Request) -> Reply:
            return Reply(200, {"time": self.now_ms()})

A route runs under ``self.lock`` (one lock around all state: the HTTP server is threaded)
and answers a :class:`Reply`. A fake that checks signatures, sessions or keys before
routing overrides :meth:`FakeVenue.handle` and calls ``super().handle(request)``.

Faults, for every venue alike:

- ``fail_next[(method, path)] = Reply(...)``: the next such request is answered with
  it, *not* processed (a 429, a 503 the venue did not act on, an HTML error page);
- ``delay_next[(method, path)] = seconds``: the next such request is processed, then
  answered late (an order the venue took whose answer the client gave up on);
- :meth:`FakeVenue.before` / :meth:`FakeVenue.after`: hooks a fault-injecting subclass
  overrides (before: answer without processing; after: replace, delay or drop the answer
  of a processed request). A :class:`Reply` can also close the connection without an
  answer (``close=True``) and take the server down (``stop_server=True``).

Every request is recorded in ``received`` (:class:`Request`: method, path, raw query,
headers, body) and, in the venue's own shape (:meth:`FakeVenue.log_entry`, e.g. Binance's
``(method, path, raw_query)``), in ``requests``, so a test asserts what reached the venue,
and in which order, not how long anything took.
The same fake is served on a real socket by :mod:`tests.harness.running` or in-process
through ``httpx.MockTransport(fake.mock_handler)``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl

import attrs
import httpx

F = TypeVar("F", bound=Callable[..., "Reply"])

_ROUTE_ATTRIBUTE = "__fake_venue_route__"


def route(method: str, path: str) -> Callable[[F], F]:
    """Mark a ``(self, request) -> Reply`` method as the handler of ``method path``."""

    def mark(handler: F) -> F:
        setattr(handler, _ROUTE_ATTRIBUTE, (method.upper(), path))
        return handler

    return mark


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@attrs.frozen
class Request:
    """One request as the venue received it."""

    method: str
    path: str
    raw_query: str = ""
    headers: httpx.Headers = attrs.field(factory=httpx.Headers)
    body: bytes = b""

    @property
    def query(self) -> dict[str, str]:
        """The query string's parameters (the last value of a repeated key)."""
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    def json(self) -> Any:
        """The body as JSON (``ValueError`` when it is not)."""
        return json.loads(self.body)


@attrs.frozen
class Reply:
    """What the venue answers: ``status`` and a JSON ``body`` (or ``raw`` bytes)."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    raw: bytes | None = None
    """Sent as is instead of ``body`` (an HTML error page, a truncated answer)."""
    delay: float = 0.0
    """Seconds to wait before answering (the request was already processed)."""
    close: bool = False
    """Close the connection without answering (after ``delay``)."""
    stop_server: bool = False
    """Take the whole server down before answering (a venue going down)."""

    def encoded(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.body, default=_plain).encode()

    def all_headers(self) -> dict[str, str]:
        """``headers``, with ``Content-Type: application/json`` for a JSON body."""
        if self.raw is not None:
            return dict(self.headers)
        return {"Content-Type": "application/json", **self.headers}


Fault = Reply | tuple[int, bytes, Mapping[str, str]]
"""A canned answer: a :class:`Reply`, or ``(status, raw body, headers)``."""


def as_reply(fault: Fault) -> Reply:
    if isinstance(fault, Reply):
        return fault
    status, raw, headers = fault
    return Reply(status, raw=raw, headers=dict(headers))


def not_found(request: Request) -> Reply:
    return Reply(404, {"error": f"no route for {request.method} {request.path}"})


class FakeVenue:
    """State and request handling of one fake venue; thread-safe (one lock)."""

    _routes: ClassVar[dict[tuple[str, str], str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes: dict[tuple[str, str], str] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                key = getattr(member, _ROUTE_ATTRIBUTE, None)
                if key is not None:
                    routes[key] = name
        cls._routes = routes

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.received: list[Request] = []
        self.requests: list[Any] = []
        """``log_entry`` of every request, in order."""
        self.fail_next: dict[tuple[str, str], Fault] = {}
        self.delay_next: dict[tuple[str, str], float] = {}
        self.clock_offset_ms = 0

    # ------------------------------------------------------------------ helpers

    def now_ms(self) -> int:
        """The venue's clock in Unix milliseconds (``clock_offset_ms`` skews it)."""
        return int(time.time() * 1000) + self.clock_offset_ms

    def paths(self) -> list[str]:
        """The path of every request received, in order."""
        with self.lock:
            return [request.path for request in self.received]

    def log_entry(self, request: Request) -> Any:
        """What ``requests`` records of ``request`` (default: the request itself)."""
        return request

    # ------------------------------------------------------------------ to override

    def handle(self, request: Request) -> Reply:
        """Route ``request`` (called under ``self.lock``)."""
        name = self._routes.get((request.method, request.path))
        if name is None:
            return self.unrouted(request)
        handler: Callable[[Request], Reply] = getattr(self, name)
        return handler(request)

    def unrouted(self, request: Request) -> Reply:
        """The answer to a request no route takes (the venue's own 404)."""
        return not_found(request)

    def before(self, request: Request) -> Reply | None:
        """A fault answered *instead of* processing ``request`` (default: none)."""
        return None

    def after(self, request: Request, reply: Reply) -> Reply:
        """The answer actually sent for a processed ``request`` (default: ``reply``)."""
        return reply

    async def websocket(self, connection: Any) -> None:
        """Serve one websocket connection (``websockets`` ``ServerConnection``); by
        default the venue has no websocket and closes it."""
        await connection.close()

    # ------------------------------------------------------------------ entry point

    def respond(self, request: Request) -> Reply:
        """Record ``request``, apply the faults, route it: the reply to send."""
        key = (request.method, request.path)
        with self.lock:
            self.received.append(request)
            self.requests.append(self.log_entry(request))
            injected = self.fail_next.pop(key, None)
            late = self.delay_next.pop(key, 0.0)
        if injected is not None:
            return as_reply(injected)
        early = self.before(request)
        if early is not None:
            return early
        with self.lock:
            reply = self.handle(request)
        reply = self.after(request, reply)
        return attrs.evolve(reply, delay=reply.delay + late) if late else reply

    def mock_handler(self, request: httpx.Request) -> httpx.Response:
        """``httpx.MockTransport`` handler: the same venue without a socket (delays are
        not slept; a closed connection is ``httpx.RemoteProtocolError``)."""
        reply = self.respond(
            Request(
                request.method,
                request.url.path,
                request.url.query.decode(),
                httpx.Headers(request.headers),
                request.content,
            )
        )
        if reply.close:
            raise httpx.RemoteProtocolError("server closed the connection", request=request)
        return httpx.Response(reply.status, content=reply.encoded(), headers=reply.all_headers())


__all__ = ["FakeVenue", "Fault", "Reply", "Request", "as_reply", "not_found", "route"]
