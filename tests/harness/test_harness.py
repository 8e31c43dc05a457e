"""The fake-venue harness itself (``tests/harness``): routing, the request log, faults,
going down and coming back, websocket, and the same answers in-process and on a socket."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.harness import (
    FakeServer,
    FakeVenue,
    InternetAccessError,
    Reply,
    Request,
    block_internet,
    route,
    running,
    serve,
)


class Counter(FakeVenue):
    """A toy venue: a counter, an echo, a websocket that greets and echoes."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.added = threading.Event()

    @route("POST", "/add")
    def add(self, request: Request) -> Reply:
        self.count += int(request.json()["n"])
        self.added.set()
        return Reply(200, {"count": self.count})

    @route("GET", "/echo")
    def echo(self, request: Request) -> Reply:
        return Reply(200, {"query": request.query, "key": request.headers.get("x-key")})

    async def websocket(self, connection: object) -> None:
        ws = connection
        await ws.send(json.dumps({"hello": True}))  # type: ignore[attr-defined]
        async for message in ws:  # type: ignore[attr-defined]
            await ws.send(message)  # type: ignore[attr-defined]


class Guarded(Counter):
    """A venue that checks a key before routing, and inherits the routes."""

    def handle(self, request: Request) -> Reply:
        if request.headers.get("X-Key") != "k":
            return Reply(401, {"code": -2015})
        return super().handle(request)


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    block_internet(monkeypatch)
    yield


def test_routes_state_and_the_request_log() -> None:
    fake = Counter()
    with serve(fake) as url, httpx.Client(base_url=url) as client:
        assert client.post("/add", json={"n": 2}).json() == {"count": 2}
        echoed = client.get("/echo?a=1&b=x", headers={"X-Key": "v"}).json()
        assert echoed == {"query": {"a": "1", "b": "x"}, "key": "v"}
        missing = client.get("/nope")
        assert missing.status_code == 404 and "GET /nope" in missing.json()["error"]
    assert fake.paths() == ["/add", "/echo", "/nope"]
    assert fake.received[0].json() == {"n": 2} and fake.received[1].raw_query == "a=1&b=x"


def test_a_subclass_checks_before_routing_and_keeps_the_routes() -> None:
    fake = Guarded()
    with serve(fake) as url, httpx.Client(base_url=url) as client:
        assert client.post("/add", json={"n": 1}).status_code == 401
        assert client.post("/add", json={"n": 1}, headers={"X-Key": "k"}).json() == {"count": 1}


def test_fail_next_answers_without_processing_and_only_once() -> None:
    fake = Counter()
    fake.fail_next[("POST", "/add")] = Reply(429, {"code": -1003}, {"Retry-After": "7"})
    with serve(fake) as url, httpx.Client(base_url=url) as client:
        limited = client.post("/add", json={"n": 5})
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        assert fake.count == 0  # not acted on
        assert client.post("/add", json={"n": 5}).json() == {"count": 5}


def test_delay_next_processes_then_answers_too_late() -> None:
    fake = Counter()
    fake.delay_next[("POST", "/add")] = 2.0
    with (
        serve(fake) as url,
        httpx.Client(base_url=url, timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post("/add", json={"n": 3})
    assert fake.added.wait(10) and fake.count == 3  # the venue acted; the client never heard


def test_a_closed_connection_and_a_venue_that_goes_down_and_comes_back() -> None:
    fake = Counter()
    server = FakeServer(fake)
    try:
        with httpx.Client(base_url=server.url) as client:
            fake.fail_next[("GET", "/echo")] = Reply(close=True)
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/echo")
            port = server.port
            server.stop()
            with pytest.raises(httpx.ConnectError):
                client.get("/echo")
            server.start()
            assert server.port == port
            assert client.get("/echo").status_code == 200
    finally:
        server.close()


def test_the_same_answers_in_process() -> None:
    fake = Guarded()
    with httpx.Client(transport=httpx.MockTransport(fake.mock_handler), base_url="http://x") as c:
        assert c.post("/add", json={"n": 4}, headers={"X-Key": "k"}).json() == {"count": 4}
        assert c.get("/echo?q=1", headers={"X-Key": "k"}).json()["query"] == {"q": "1"}
        fake.fail_next[("GET", "/echo")] = Reply(close=True)
        with pytest.raises(httpx.RemoteProtocolError):
            c.get("/echo", headers={"X-Key": "k"})


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the websockets client is asyncio's
async def test_the_websocket_side() -> None:
    with running(Counter(), websocket=True) as server:
        assert server.ws_url.startswith("ws://127.0.0.1:")
        async with connect(server.ws_url) as ws:
            assert json.loads(await ws.recv()) == {"hello": True}
            await ws.send("ping")
            assert await ws.recv() == "ping"


def test_the_internet_is_blocked_but_loopback_is_not(no_internet: None) -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("fapi.binance.com", 443)
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(InternetAccessError):
            probe.connect(("1.1.1.1", 443))
    finally:
        probe.close()
    with serve(Counter()) as url, httpx.Client(base_url=url) as client:
        assert client.get("/echo").status_code == 200
