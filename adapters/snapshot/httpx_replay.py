"""The recorded answers as httpx transports: :class:`ReplayTransport` (a
:class:`~adapters.snapshot.replay.Replay` behind ``httpx.AsyncBaseTransport``) and
:class:`RecordingTransport` (``atomic-fp record``). Kept apart from
:mod:`adapters.snapshot.replay` so that reading and replaying a snapshot in-process never
imports httpx (issue 20)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx

from adapters.snapshot.replay import Exchange, Replay, request_json


def _query(request: httpx.Request) -> dict[str, str]:
    return {key: value for key, value in request.url.params.multi_items()}


class ReplayTransport(httpx.AsyncBaseTransport):
    """Serves recorded responses; what was not recorded is a 404, never a guess."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self._replay = Replay(exchanges)
        self.requests = self._replay.requests
        self.unmatched = self._replay.unmatched

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        status, body = self._replay.answer(
            request.method.upper(), request.url.path, _query(request), request.content
        )
        return httpx.Response(
            status,
            content=body,
            headers={"Content-Type": "application/json"},
            request=request,
        )


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards to a real transport and keeps every JSON exchange, for ``record``.

    Only public market-data calls are recorded by the CLI (it builds clients without
    credentials), and request headers are never stored.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = None
        else:
            request_body = request_json(request.content)
            self.exchanges.append(
                Exchange(
                    method=request.method.upper(),
                    path=request.url.path,
                    status=response.status_code,
                    body=body,
                    query=_query(request),
                    json=request_body if isinstance(request_body, dict) else None,
                )
            )
        # ``content`` is already decoded: drop the encoding/length headers of the wire form.
        headers = [
            (key, value)
            for key, value in response.headers.multi_items()
            if key.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code, headers=headers, content=content, request=request
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


__all__ = ["RecordingTransport", "ReplayTransport"]
