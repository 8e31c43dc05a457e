"""Every websocket of the process verifies with one SSL context per CA bundle
(``adapters.tls.shared_ssl_context``), as the HTTP clients do (issue 20: building a
context loads the CA store, ~23 ms per client plus 65 ms once).

What is checked is the object handed to ``anyio.connect_tcp`` by each connection: the
market feeds (:class:`StreamFeed`, Lighter's :class:`MarketStatsFeed`) share one context,
and a feed given ``ca_bundle`` trusts that bundle (a local ``wss://`` server whose
certificate is signed by a throwaway CA, ``trustme``) while one without it refuses it.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import pytest
import trustme

from adapters import tls
from adapters.lighter.ws import MarketStatsFeed
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from tests.adapters.lighter.fake_venue import local_lighter, market_stats

Seen = list[ssl.SSLContext | None]


@pytest.fixture
def handed_contexts(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """The ``ssl_context`` of every ``anyio.connect_tcp`` call, in order (then the real
    connect runs)."""
    seen: Seen = []
    real = anyio.connect_tcp

    async def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("ssl_context"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(anyio, "connect_tcp", spy)
    return seen


async def _until(condition: Callable[[], bool]) -> None:
    with anyio.fail_after(10):
        while not condition():  # noqa: ASYNC110 - polling plain counters
            await anyio.sleep(0.01)


def _now_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)


@pytest.mark.anyio
async def test_two_feeds_given_a_ca_bundle_connect_with_the_same_context(
    tmp_path: Path, handed_contexts: Seen
) -> None:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    stats = {"1": market_stats(1, "64356.3", "0.0012", _now_ms())}
    with local_lighter(stats, server_ssl) as server:
        wire = wire_for("lighter", "lighter", server.ws_url)
        assert wire is not None and server.ws_url.startswith("wss://")
        generic = StreamFeed(wire=wire, venue_symbols=("1",), ca_bundle=str(bundle))
        lighter = MarketStatsFeed(url=server.ws_url, ca_bundle=str(bundle))
        untrusted = MarketStatsFeed(url=server.ws_url, backoff_initial=0.01)
        async with anyio.create_task_group() as group:
            await group.start(generic.run)
            await group.start(lighter.run)
            await group.start(untrusted.run)
            await _until(
                lambda: (
                    generic.health.connects >= 1
                    and lighter.latest(1) is not None
                    and untrusted.health.drops >= 2
                )
            )
            group.cancel_scope.cancel()
    assert generic.health.connects >= 1 and lighter.health.connects >= 1  # the bundle is trusted
    assert untrusted.health.connects == 0  # without it, the test CA is not
    bundled = tls.shared_ssl_context(str(bundle))
    by_bundle = [c for c in handed_contexts if c is bundled]
    assert len(by_bundle) >= 2  # both trusting feeds, one object
    default = tls.shared_ssl_context(None)
    assert all(c is bundled or c is default for c in handed_contexts), handed_contexts


@pytest.mark.anyio
async def test_feeds_without_a_bundle_share_the_default_context(handed_contexts: Seen) -> None:
    """Nothing listens on the port: each attempt is refused after the context was handed
    over (what is asserted is which object it was, not the connection)."""
    with anyio.fail_after(10):
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()  # a port nothing listens on: connections are refused
    url = f"wss://127.0.0.1:{port}/stream"
    wire = wire_for("binance", "binance", url)
    assert wire is not None
    feeds = [StreamFeed(wire=wire), StreamFeed(wire=wire)]
    lighter = MarketStatsFeed(url=url, backoff_initial=0.01)
    async with anyio.create_task_group() as group:
        for feed in feeds:
            await group.start(feed.run)
        await group.start(lighter.run)
        await _until(lambda: len(handed_contexts) >= 3)
        group.cancel_scope.cancel()
    assert len({id(c) for c in handed_contexts}) == 1
    assert handed_contexts[0] is tls.shared_ssl_context(None)
