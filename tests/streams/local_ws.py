"""A local websocket venue on 127.0.0.1 (``websockets.serve`` in its own thread and event
loop, so the client under test may run on asyncio or trio).

``reply(message) -> frames`` answers each message a client sends (after ``delay`` seconds:
a stand-in for network latency); tests push frames to every open connection with
:meth:`LocalWs.push`, cut connections with :meth:`LocalWs.drop` (TCP abort, no close
frame), and refuse new ones with ``refuse = True`` (the handshake is rejected with 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

import attrs
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

Frame = str | dict[str, Any] | list[Any]
Reply = Callable[[Any], list[Frame]]


def _text(frame: Frame) -> str:
    return frame if isinstance(frame, str) else json.dumps(frame)


@attrs.define
class LocalWs:
    url: str
    loop: asyncio.AbstractEventLoop
    received: list[Any] = attrs.field(factory=list)
    received_at: list[float] = attrs.field(factory=list)
    connections: list[ServerConnection] = attrs.field(factory=list)
    handshakes: int = 0
    refuse: bool = False
    replies_sent: int = 0
    request_paths: list[str] = attrs.field(factory=list)
    """Each handshake's request path with its query (e.g. a listen key), in order."""
    request_headers: list[dict[str, str]] = attrs.field(factory=list)
    """Each accepted or refused handshake's request headers, in order."""
    required_header: tuple[str, str] | None = None
    """(name, value) a handshake must carry, else it is refused with 401 (an
    authenticated stream, e.g. GRVT's trading host and its session cookie)."""

    def push(self, frame: Frame) -> None:
        text = _text(frame)

        async def send() -> None:
            for connection in list(self.connections):
                with contextlib.suppress(Exception):  # a connection closing under us
                    await connection.send(text)

        asyncio.run_coroutine_threadsafe(send(), self.loop).result(5)

    def drop(self) -> None:
        def abort() -> None:
            for connection in list(self.connections):
                connection.transport.abort()

        self.loop.call_soon_threadsafe(abort)

    def open_connections(self) -> int:
        return len(self.connections)


@contextmanager
def local_ws(
    reply: Reply,
    *,
    on_connect: Callable[[], list[Frame]] | None = None,
    delay: float = 0.0,
    path: str = "/",
) -> Iterator[LocalWs]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box: list[LocalWs] = []

    async def handler(connection: ServerConnection) -> None:
        server = box[0]
        server.connections.append(connection)
        try:
            for frame in on_connect() if on_connect else []:
                await connection.send(_text(frame))
            async for message in connection:
                request = json.loads(message)
                server.received.append(request)
                server.received_at.append(time.monotonic())
                frames = reply(request)
                if frames and delay:
                    await asyncio.sleep(delay)
                for frame in frames:
                    await connection.send(_text(frame))
                    server.replies_sent += 1
        except Exception:
            pass
        finally:
            server.connections.remove(connection)

    def process_request(connection: ServerConnection, request: Request) -> Response | None:
        server = box[0]
        server.request_paths.append(request.path)
        server.request_headers.append({k.lower(): v for k, v in request.headers.raw_items()})
        if server.refuse:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "down for a test\n")
        if server.required_header is not None:
            name, value = server.required_header
            if request.headers.get(name) != value:
                return connection.respond(HTTPStatus.UNAUTHORIZED, "authenticate first\n")
        server.handshakes += 1
        return None

    stop = asyncio.Event()

    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            box.append(LocalWs(url=f"ws://127.0.0.1:{port}{path}", loop=loop))
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("local websocket server did not start")
    try:
        yield box[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
