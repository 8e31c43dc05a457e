"""A Binance user-data stream kept on a live listen key.

Binance docs "User Data Streams" (USD-M futures; fact sheet A1): ``POST
/fapi/v1/listenKey`` creates the key (or returns the live one), ``PUT /fapi/v1/listenKey``
extends its validity by 60 minutes ("It's recommended to send a ping about every 60
minutes"; a key not kept alive expires 60 minutes after creation), and an expired key is
announced on the stream by a ``listenKeyExpired`` event, after which the connection
delivers nothing more. So:

- a keep-alive ``PUT`` every ``keepalive_every`` seconds (30 min: well inside the hour);
- ``listenKeyExpired`` pushed -> a new key (``POST``) and a new connection with it;
- a keep-alive that fails (HTTP error, ``-1125`` "This listenKey does not exist", no
  answer) -> the same: a new key, a new connection;
- no key at all (the REST call fails) -> retried after ``retry_after`` seconds.

Meanwhile (no stream, a reconnect, a key being renewed) in-flight legs are settled by the
lookups by client id: the stream only ever shortens a wait, it is never needed. ``sleep``
is injectable so the cadence is tested on a fake clock; ``events`` records what happened,
in order (``key``, ``keep-alive``, ``keep-alive failed``, ``expired``, ``no key``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import anyio
import attrs
import httpx

from adapters.binance.account_stream import (
    KEEPALIVE_SECONDS,
    PRIVATE_STREAM_URL,
    BinanceUserDataWire,
    keep_alive,
    listen_key,
)
from adapters.streams.feed import Listener, StreamFeed
from adapters.streams.types import Decoded

log = logging.getLogger("adapters.binance.user_data")

RETRY_SECONDS = 60.0
EXPIRED = "listenKeyExpired"


def _nothing(key: str) -> None:
    return None


def _log_warning(message: str) -> None:
    log.warning("%s", message)


@attrs.frozen
class _ExpiryWatch:
    """The user-data wire, plus a signal when the stream says the key expired."""

    wire: BinanceUserDataWire
    on_expired: Callable[[], None]

    @property
    def venue(self) -> str:
        return self.wire.venue

    @property
    def url(self) -> str:
        return self.wire.url

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return self.wire.subscriptions(venue_symbols)

    def heartbeat(self) -> object | None:
        return self.wire.heartbeat()

    def decode(self, message: object, received_at: datetime) -> Decoded:
        decoded = self.wire.decode(message, received_at)
        if decoded.error is not None and decoded.error.startswith(EXPIRED):
            self.on_expired()
        return decoded


@attrs.define
class UserDataSession:
    http: httpx.AsyncClient
    rest_url: str
    api_key: str = attrs.field(repr=False)
    listener: Listener
    venue: str = "binance"
    stream_base: str = PRIVATE_STREAM_URL
    keepalive_every: float = KEEPALIVE_SECONDS
    retry_after: float = RETRY_SECONDS
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep
    on_key: Callable[[str], None] = _nothing
    """Told each new key (the caller keeps it out of its logs: it reads the account)."""
    on_no_key: Callable[[str], None] = _log_warning
    """Told (as text) when no key could be had: the caller says lookups carry on."""
    feed_options: dict[str, float] = attrs.field(factory=dict)
    ca_bundle: str | None = None
    """Trusted instead of the default store by the stream's TLS (``adapters.tls``)."""
    events: list[str] = attrs.field(factory=list)
    keys: int = 0

    async def run(self) -> None:
        """Forever (until cancelled): a key, a connection, keep-alives, renewal."""
        while True:
            try:
                key = await listen_key(self.http, self.rest_url, self.api_key)
            except Exception as error:  # no stream now: lookups carry on; retry later
                self.events.append("no key")
                self.on_no_key(
                    f"{self.venue}: account stream not started ({type(error).__name__}); "
                    "orders are settled by lookups"
                )
                await self.sleep(self.retry_after)
                continue
            self.keys += 1
            self.on_key(key)
            self.events.append("key")
            await self._stream_until_renewal(key)

    async def _stream_until_renewal(self, key: str) -> None:
        renew = anyio.Event()

        def renew_because(why: str) -> None:
            if not renew.is_set():
                self.events.append(why)
                renew.set()

        wire = _ExpiryWatch(
            BinanceUserDataWire(listen_key=key, venue=self.venue, base_url=self.stream_base),
            lambda: renew_because("expired"),
        )
        feed = StreamFeed(
            wire=wire,
            listener=self.listener,
            ca_bundle=self.ca_bundle,
            **self.feed_options,  # type: ignore[arg-type]
        )
        async with anyio.create_task_group() as group:
            await group.start(feed.run)
            group.start_soon(self._keep_alive, renew_because)
            await renew.wait()
            group.cancel_scope.cancel()  # a new key, a new connection

    async def _keep_alive(self, renew_because: Callable[[str], None]) -> None:
        while True:
            await self.sleep(self.keepalive_every)
            try:
                await keep_alive(self.http, self.rest_url, self.api_key)
            except Exception as error:
                log.warning(
                    "%s: listen key keep-alive failed (%s): renewing",
                    self.venue,
                    type(error).__name__,
                )
                renew_because("keep-alive failed")
                return
            self.events.append("keep-alive")
