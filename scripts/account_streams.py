"""Account streams for ``run``: order updates pushed into the executions' book.

Binance (user-data stream on the ``/private`` route, a listen key kept alive),
Hyperliquid (``orderUpdates`` of the account address), GRVT (``v1.order`` of the
sub-account on the trading host, the handshake authenticated by the API-key session) and
Lighter (``account_all_orders`` of the account, subscribed with an auth token from the
API key's signer) where the venue's credentials are configured; every other venue, or
one whose stream cannot start, keeps the lookups by client id alone (they are the
safety net in every case). A stream's problems are
warnings, never a stop: trading does not depend on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from functools import partial
from typing import Any

import httpx
from returns.result import Failure

from adapters.binance.account_stream import PRIVATE_STREAM_URL
from adapters.binance.client import DEFAULT_BASE_URL as BINANCE_REST
from adapters.binance.user_data_session import UserDataSession
from adapters.grvt.account_stream import GrvtOrderWire
from adapters.grvt.auth import GrvtAuth
from adapters.grvt.client import HOSTS as GRVT_HOSTS
from adapters.grvt.client import venue_client_id as grvt_client_id
from adapters.hyperliquid.account_stream import HyperliquidOrderUpdatesWire
from adapters.hyperliquid.signing import cloid_for
from adapters.hyperliquid.stream import DEFAULT_STREAM_URL as HYPERLIQUID_WS
from adapters.lighter.account_stream import LighterAccountOrdersWire
from adapters.lighter.client import DEFAULT_BASE_URL as LIGHTER_REST
from adapters.lighter.client import client_order_index
from adapters.lighter.signer import LighterSigner, load_sdk_signer
from adapters.lighter.ws import DEFAULT_WS_URL as LIGHTER_WS
from adapters.streams.feed import StreamFeed
from adapters.streams.types import OrdersPushed, StreamEvent
from adapters.tls import default_transport
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.orchestration.order_updates import OrderUpdateBook
from scripts.config import VenueConfig
from scripts.context import REDACTOR, warn
from scripts.runtime import utc_now

log = logging.getLogger("scripts.account_streams")

RETRY_SECONDS = 60.0


def _listener(book: OrderUpdateBook) -> Callable[[StreamEvent], None]:
    def listen(event: StreamEvent) -> None:
        if isinstance(event, OrdersPushed):
            for update in event.orders:
                book.push(update)

    return listen


async def _binance(
    venue: VenueConfig, credentials: Mapping[str, str], book: OrderUpdateBook
) -> None:
    """The user-data stream on a listen key kept alive (renewed when it expires or a
    keep-alive fails): :class:`adapters.binance.user_data_session.UserDataSession`."""
    async with httpx.AsyncClient(
        timeout=venue.timeout, transport=default_transport(venue.ca_bundle)
    ) as http:
        session = UserDataSession(
            http=http,
            rest_url=(venue.base_url or BINANCE_REST).rstrip("/"),
            api_key=credentials["api_key"],
            listener=_listener(book),
            venue=str(venue.id),
            stream_base=venue.options.get("account_stream_url", PRIVATE_STREAM_URL),
            retry_after=RETRY_SECONDS,
            # the listen key reads the account's orders: keep it out of logs
            on_key=lambda key: REDACTOR.add([key]),
            on_no_key=lambda message: warn(message, venue=str(venue.id)),
            ca_bundle=venue.ca_bundle,
        )
        await session.run()


def grvt_stream_url(venue: VenueConfig) -> str:
    """``account_stream_url`` option, else the trading host's ``/ws/full`` (``wss://``)."""
    if "account_stream_url" in venue.options:
        return venue.options["account_stream_url"]
    trading = venue.trading_url or GRVT_HOSTS[venue.options.get("network", "mainnet")][1]
    return (
        trading.rstrip("/").replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        + "/ws/full"
    )


async def _grvt(venue: VenueConfig, credentials: Mapping[str, str], book: OrderUpdateBook) -> None:
    network = venue.options.get("network", "mainnet")
    auth_url = venue.auth_url or GRVT_HOSTS[network][2]
    async with httpx.AsyncClient(
        timeout=venue.timeout, transport=default_transport(venue.ca_bundle)
    ) as http:
        auth = GrvtAuth(
            venue=str(venue.id),
            client=http,
            auth_url=auth_url,
            api_key=credentials["api_key"],
            clock=utc_now,
        )

        async def session_headers() -> Mapping[str, str]:
            headers = await auth.headers()
            if isinstance(headers, Failure):
                # a failed connect attempt: the feed backs off and tries again
                raise ConnectionError(f"login failed: {headers.failure().describe()}")
            found = headers.unwrap()
            REDACTOR.add([found["Cookie"].partition("=")[2]])  # the session reads orders
            return found

        wire = GrvtOrderWire(
            sub_account_id=str(credentials["sub_account_id"]),
            headers=session_headers,
            venue=str(venue.id),
            url=grvt_stream_url(venue),
        )
        await StreamFeed(wire=wire, listener=_listener(book), ca_bundle=venue.ca_bundle).run()


LIGHTER_TOKEN_LIFETIME = 8 * 3600 - 600
"""Seconds an auth token is asked to live: Lighter's maximum is 8 h (fact sheet 7)."""

SignerLoader = Callable[[VenueConfig, Mapping[str, str]], LighterSigner | str]


def _sdk_signer(venue: VenueConfig, credentials: Mapping[str, str]) -> LighterSigner | str:
    """lighter-sdk's native signer for the venue's API key, or why there is none."""
    try:
        account, key_index = int(credentials["account_index"]), int(credentials["api_key_index"])
    except ValueError:
        return "account_index and api_key_index must be integers"
    loaded = load_sdk_signer(
        base_url=(venue.base_url or LIGHTER_REST).rstrip("/"),
        account_index=account,
        api_key_index=key_index,
        api_private_key=credentials["api_private_key"],
    )
    return loaded.failure().describe() if isinstance(loaded, Failure) else loaded.unwrap()


def _lighter_task(
    venue: VenueConfig,
    credentials: Mapping[str, str],
    book: OrderUpdateBook,
    load_signer: SignerLoader,
) -> Work | None:
    signer = load_signer(venue, credentials)
    if isinstance(signer, str):
        warn(
            f"{venue.id}: account stream not started ({signer}); orders are settled by lookups",
            venue=str(venue.id),
        )
        return None

    def token() -> str:
        made = signer.create_auth_token(int(utc_now().timestamp()) + LIGHTER_TOKEN_LIFETIME)
        REDACTOR.add([made])  # the token reads the account's orders: keep it out of logs
        return made

    wire = LighterAccountOrdersWire(
        account_index=int(credentials["account_index"]),
        auth_token=token,
        venue=str(venue.id),
        url=venue.ws_url or LIGHTER_WS,
    )
    book.alias(ExchangeIdentifier(str(venue.id)), lambda cid: str(client_order_index(cid)))
    return StreamFeed(wire=wire, listener=_listener(book), ca_bundle=venue.ca_bundle).run


Work = Callable[[], Coroutine[Any, Any, None]]


def account_stream_tasks(
    venues: Sequence[VenueConfig],
    environ: Mapping[str, str],
    book: OrderUpdateBook,
    load_lighter_signer: SignerLoader = _sdk_signer,
) -> list[tuple[str, Work]]:
    """(description, work) of each account stream to run in the caller's task group."""
    tasks: list[tuple[str, Work]] = []
    for venue in venues:
        credentials = venue.resolve_credentials(environ)
        if venue.kind == "binance" and credentials.get("api_key"):
            tasks.append(
                (f"{venue.id}: user-data stream", partial(_binance, venue, credentials, book))
            )
        elif venue.kind == "hyperliquid" and credentials.get("account_address"):
            book.alias(ExchangeIdentifier(str(venue.id)), cloid_for)
            wire = HyperliquidOrderUpdatesWire(
                user=credentials["account_address"],
                venue=str(venue.id),
                url=venue.ws_url or HYPERLIQUID_WS,
            )
            feed = StreamFeed(wire=wire, listener=_listener(book), ca_bundle=venue.ca_bundle)
            tasks.append((f"{venue.id}: orderUpdates stream", feed.run))
        elif (
            venue.kind == "grvt"
            and credentials.get("api_key")
            and credentials.get("sub_account_id")
        ):
            book.alias(ExchangeIdentifier(str(venue.id)), grvt_client_id)
            tasks.append((f"{venue.id}: v1.order stream", partial(_grvt, venue, credentials, book)))
        elif venue.kind == "lighter" and all(
            credentials.get(name) for name in ("account_index", "api_key_index", "api_private_key")
        ):
            work = _lighter_task(venue, credentials, book, load_lighter_signer)
            if work is not None:
                tasks.append((f"{venue.id}: account_all_orders stream", work))
    return tasks
