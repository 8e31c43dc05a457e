"""The HTTP client a venue's :class:`~adapters.kit.http.JsonHttp` talks to: httpx's, or one
that answers in-process without loading httpx (the offline snapshot).

Why (issue 20): ``atomic-fp scan --offline`` replays recorded answers through each venue's
own client and parser, and building those clients on ``httpx.AsyncClient`` imported httpx
(with ``urllib.request``, ``http.client``, ``email`` and ``ssl``: ~35 ms of a 0.28 s
command) only to never open a socket. :func:`async_client` builds the client a venue asks
for from its ``settings.transport``: an :class:`InProcessTransport` gets an
:class:`InProcessClient` (no httpx); anything else (an httpx transport, or ``None``: the
network) gets ``httpx.AsyncClient``, imported then.

:class:`InProcessClient` does what ``JsonHttp`` needs of ``httpx.AsyncClient`` and no more,
the same way: a relative URL joins ``base_url``; query parameters are written as httpx
writes them (``True`` -> ``true``, ``None`` -> empty, a list -> repeated keys;
``httpx._utils.primitive_value_to_str``); ``json=`` and ``data=`` bodies are the bytes
httpx sends (``tests/adapters/kit/test_kit_http_client.py`` compares them); the response
announces its ``Content-Length`` (the body cap reads it) and yields its body in one chunk.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs

if TYPE_CHECKING:
    import httpx

    _TransportBase = httpx.AsyncBaseTransport
else:
    _TransportBase = object  # httpx is not imported for it (see InProcessTransport)


class HttpResponse(Protocol):
    """What :class:`~adapters.kit.http.JsonHttp` reads of a response (``httpx.Response``
    has it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class AsyncHttpClient(Protocol):
    """What :class:`~adapters.kit.http.JsonHttp` calls on its client
    (``httpx.AsyncClient`` has it)."""

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: str | bytes | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any: ...

    async def send(self, request: Any, *, stream: bool = False) -> HttpResponse: ...

    async def aclose(self) -> None: ...


class Responder(Protocol):
    """Answers one request in-process: ``(status, JSON body bytes)``."""

    def answer(
        self, method: str, path: str, query: Mapping[str, str], content: bytes
    ) -> tuple[int, bytes]: ...


@attrs.frozen
class InProcessTransport(_TransportBase):
    """A ``settings.transport`` answered by ``responder`` instead of the network.

    A client built by :func:`async_client` asks ``responder`` directly (no httpx). It is
    also an httpx transport (``handle_async_request``, ``aclose``, ``async with``; httpx
    asks no more of a transport, ``httpx._client``), so a venue client that builds
    ``httpx.AsyncClient`` on it itself replays the same answers: only then is httpx
    imported. (For the type checker it *is* an ``httpx.AsyncBaseTransport``; at run time
    it does not subclass one, which would import httpx.)
    """

    responder: Responder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import httpx

        status, body = self.responder.answer(
            request.method.upper(),
            request.url.path,
            dict(request.url.params.multi_items()),
            request.content,
        )
        headers = {"Content-Type": "application/json"}
        return httpx.Response(status, content=body, headers=headers, request=request)

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> InProcessTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        return None


@attrs.frozen
class InProcessRequest:
    method: str
    path: str
    query: Mapping[str, str]
    content: bytes


@attrs.frozen
class InProcessResponse:
    status_code: int
    body: bytes
    headers: Mapping[str, str]

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        yield self.body

    async def aclose(self) -> None:
        return None


def _text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else (value,)
        pairs.extend((str(key), _text(item)) for item in values)
    return pairs


@attrs.define
class InProcessClient:
    """The in-process stand-in for ``httpx.AsyncClient`` (see the module's doc)."""

    responder: Responder
    base_url: str = ""

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: str | bytes | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> InProcessRequest:
        full = url if "://" in url else self.base_url.rstrip("/") + "/" + url.lstrip("/")
        parts = urlsplit(full)
        # as httpx >= 0.28: ``params`` given (even empty) replace the URL's own query
        pairs = _pairs(params) if params is not None else parse_qsl(parts.query, True)
        query = dict(pairs)
        if json is not None:
            body = jsonlib.dumps(
                json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()  # as httpx >= 0.28 writes it (httpx._content.encode_json)
        elif content is not None:
            body = content.encode() if isinstance(content, str) else content
        elif data is not None:
            body = urlencode(_pairs(data), doseq=True).encode()
        else:
            body = b""
        return InProcessRequest(method.upper(), parts.path or "/", query, body)

    async def send(self, request: InProcessRequest, *, stream: bool = False) -> InProcessResponse:
        status, body = self.responder.answer(
            request.method, request.path, request.query, request.content
        )
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        return InProcessResponse(status, body, headers)

    async def aclose(self) -> None:
        return None


def async_client(
    transport: httpx.AsyncBaseTransport | None,
    *,
    timeout: float,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
) -> AsyncHttpClient:
    """The client for a venue's ``settings.transport`` (see the module's doc)."""
    if isinstance(transport, InProcessTransport):
        return InProcessClient(transport.responder, base_url)
    return httpx_client(transport, timeout=timeout, base_url=base_url, headers=headers)


def httpx_client(
    transport: httpx.AsyncBaseTransport | None,
    *,
    timeout: float,
    base_url: str = "",
    headers: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """``httpx.AsyncClient`` on ``transport`` (for a client that needs more of httpx than
    :class:`AsyncHttpClient`, e.g. a login session's cookies)."""
    import httpx

    return httpx.AsyncClient(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(timeout), headers=headers
    )


__all__ = [
    "AsyncHttpClient",
    "HttpResponse",
    "InProcessClient",
    "InProcessTransport",
    "Responder",
    "async_client",
    "httpx_client",
]
