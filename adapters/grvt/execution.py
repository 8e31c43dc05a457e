"""GRVT trading: orders built, signed (EIP-712, :mod:`adapters.grvt.signing`) and sent to
the trading host; look-up and cancel by client order id.

Validity windows: an IOC/FOK order's signature expires ``order_expiry_seconds`` (300 s)
after it is built, or at the request's own ``expires_at`` when sooner (GRVT refuses an
order whose signature has expired, error 2001, so it cannot arrive later); a GTC order's
after ``gtc_expiry_seconds`` (7 days; GRVT caps it at 30).

Orders go in two steps (:class:`~atomic_fp.venue.PreparesOrders`, issue 20 leg skew):
``_prepare_order`` builds, signs (EIP-712, about 3 ms) and JSON-encodes the
``create_order`` body and makes sure the session cookie is fresh (a login is a round
trip); ``_send_prepared`` only writes it. The venue's window for a signature is
``now < expiration <= now + 30 days`` (G-SPEC ``schemas/signature``: 2001 "Signature has
expired", 2008 too long; G-SDK signs now + 5 min by default). Time only moves a prepared
order away from the upper bound, so the check at send is the lower one: a prepared order
whose expiration has passed is refused (``NotSent``), never sent stale and never
re-signed (its expiration is the order's own deadline or its IOC lifetime; a new one
would outlive what the caller asked for).
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

import attrs
import httpx
from returns.result import Failure, Result, Success

from adapters.grvt import parsers
from adapters.grvt.account import GrvtAccount
from adapters.grvt.http import not_configured
from adapters.grvt.market_data import ns
from adapters.grvt.parsers import GrvtInstrument
from adapters.grvt.signing import (
    PRICE_DECIMALS,
    TIME_IN_FORCE_CODES,
    OrderToSign,
    scale_exact,
    sign_order,
    signer_address,
)
from atomic_fp.errors import (
    InvalidRequest,
    MalformedResponse,
    NotConfigured,
    NotSent,
    OrderNotFound,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import Order, OrderRequest, OrderType, Symbol, TimeInForce
from atomic_fp.venue import PreparedOrder

_CLIENT_ID_FLOOR = 2**63
_UINT64 = 2**64
_TIF_NAMES = {
    TimeInForce.GTC: "GOOD_TILL_TIME",
    TimeInForce.POST_ONLY: "GOOD_TILL_TIME",
    TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
    TimeInForce.FOK: "FILL_OR_KILL",
}


def venue_client_id(client_order_id: str) -> str:
    """GRVT's numeric (uint64) client order id for one of ours, deterministically.

    GRVT requires a uint64 and recommends [2^63, 2^64) for API clients (grvt-pysdk). A
    decimal id already in that range is used as is; anything else (atomic-fp's
    ``afp<hash>..``) maps to ``2^63 | first 63 bits of sha256(id)``, so the same id always
    finds the same order (retries stay idempotent).
    """
    if client_order_id.isdigit() and _CLIENT_ID_FLOOR <= int(client_order_id) < _UINT64:
        return client_order_id
    digest = hashlib.sha256(client_order_id.encode()).digest()
    return str(_CLIENT_ID_FLOOR | (int.from_bytes(digest[:8], "big") >> 1))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


JSON_HEADERS = {"Content-Type": "application/json"}


def json_body(body: Any) -> bytes:
    """``body`` encoded exactly as httpx encodes ``json=`` (the bytes the single-step path
    sent), once, before the send."""
    return httpx.Request("POST", "http://grvt.invalid", json=body).content


@attrs.frozen
class PreparedCreate:
    """A prepared GRVT order: the encoded ``create_order`` body, its signature's
    expiration (unix ns) and what parsing the answer needs."""

    body: bytes = attrs.field(repr=False)
    expiration_ns: int
    instrument: GrvtInstrument


class GrvtExecution(GrvtAccount):
    """The trading half of :class:`~adapters.grvt.factory.GrvtClient`."""

    def _build_order(
        self, request: OrderRequest, instrument: GrvtInstrument
    ) -> Result[tuple[dict[str, Any], OrderToSign], VenueError]:
        """Validate and build the unsigned order; InvalidRequest before anything is sent."""
        assert self._credentials is not None
        market = instrument.market

        def invalid(message: str) -> Result[tuple[dict[str, Any], OrderToSign], VenueError]:
            return Failure(InvalidRequest(self._venue, f"{instrument.name}: {message}"))

        if request.exchange != self._exchange:
            return invalid(f"order is for {request.exchange}, not {self._exchange}")
        if request.size < market.min_size or request.size % market.lot_size != 0:
            return invalid(f"size {request.size} is not a multiple of {market.lot_size}")
        price = request.limit_price
        # A MARKET request that carries a price is sent as a limit order at that price (its
        # slippage cap); only a MARKET request without one becomes a GRVT market order.
        is_market = request.order_type is OrderType.MARKET and price is None
        if price is not None:
            if price % market.tick_size != 0:
                return invalid(f"price {price} is not a multiple of tick {market.tick_size}")
            if request.size * price < market.min_notional:
                return invalid(f"notional below the minimum {market.min_notional}")
        tif = request.time_in_force
        post_only = tif is TimeInForce.POST_ONLY
        if is_market and tif in (TimeInForce.GTC, TimeInForce.POST_ONLY):
            return invalid("a market order must be IOC or FOK")
        tif_name = _TIF_NAMES[tif]
        good_till_time = tif_name == "GOOD_TILL_TIME"
        lifetime = self._options.gtc_expiry if good_till_time else self._options.ioc_expiry
        expiration = ns(self._clock() + lifetime)
        if request.expires_at is not None and not good_till_time:
            # The order's deadline is the signature's expiration: GRVT refuses an order
            # whose signature has expired (error 2001), so it cannot arrive later.
            if request.expires_at <= self._clock():
                return Failure(NotSent(self._venue, "place_order: the order's deadline passed"))
            expiration = min(expiration, ns(request.expires_at))
        sub_account = self._credentials.sub_account_id
        if not sub_account.isdigit():
            return Failure(NotConfigured(self._venue, "GRVT sub_account_id must be a number"))
        try:
            to_sign = OrderToSign(
                sub_account_id=int(sub_account),
                asset_id=int(instrument.instrument_hash, 16),
                contract_size=scale_exact(request.size, instrument.base_decimals, "size"),
                limit_price=scale_exact(price or Decimal(0), PRICE_DECIMALS, "price"),
                is_buying=request.side.sign > 0,
                time_in_force=TIME_IN_FORCE_CODES[tif_name],
                nonce=secrets.randbelow(2**32),
                expiration_ns=expiration,
                is_market=is_market,
                post_only=post_only,
                reduce_only=request.reduce_only,
            )
        except ValueError as error:
            return invalid(str(error))
        order = {
            "sub_account_id": sub_account,
            "is_market": is_market,
            "time_in_force": tif_name,
            "post_only": post_only,
            "reduce_only": request.reduce_only,
            "legs": [
                {
                    "instrument": instrument.name,
                    "size": _plain(request.size),
                    "limit_price": _plain(price or Decimal(0)),
                    "is_buying_asset": to_sign.is_buying,
                }
            ],
            "metadata": {"client_order_id": venue_client_id(request.client_order_id)},
        }
        return Success((order, to_sign))

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """The signed, encoded ``create_order`` body; nothing sent (see the module)."""
        credentials = self._credentials
        if credentials is None:
            return Failure(not_configured(self._venue))
        found = await self._instrument_for(request.symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        built = self._build_order(request, instrument)
        if isinstance(built, Failure):
            return Failure(built.failure())
        order, to_sign = built.unwrap()
        chain_id = self._options.chain_id
        signed = sign_order(credentials.private_key, to_sign, chain_id)
        if isinstance(signed, Failure):
            return Failure(NotConfigured(self._venue, signed.failure()))
        signature = signed.unwrap()
        order["signature"] = {
            "signer": signature.signer,
            "r": signature.r,
            "s": signature.s,
            "v": signature.v,
            "expiration": str(to_sign.expiration_ns),
            "nonce": to_sign.nonce,
            "chain_id": str(chain_id),
        }
        session = await self._http.session()
        if isinstance(session, Failure):
            return Failure(session.failure())
        body = json_body({"order": order})
        payload = PreparedCreate(body, to_sign.expiration_ns, instrument)
        return Success(PreparedOrder(request, payload))

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        """POST the prepared body, unless its signature has expired (then ``NotSent``)."""
        create = prepared.payload
        if not isinstance(create, PreparedCreate):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        if ns(self._clock()) >= create.expiration_ns:
            return Failure(
                NotSent(
                    self._venue,
                    "place_order: the prepared order's signature expired before it was sent",
                )
            )
        raw = await self._http.trading_call(
            "create_order", create.body, write=True, headers=JSON_HEADERS
        )
        if isinstance(raw, Failure):
            return raw
        instrument = create.instrument
        return parsers.parse_order(
            self._exchange,
            raw.unwrap(),
            {instrument.name: instrument},
            prepared.request.client_order_id,
            self._overrides,
        )

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self._prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self._send_prepared(prepared.unwrap())

    def _order_not_found(self, error: VenueError, client_order_id: str) -> VenueError:
        """GRVT answers 1004 for an unknown client order id: that is ``OrderNotFound``."""
        if error.code == "1004":
            return OrderNotFound(self._venue, f"no order with client id {client_order_id}", "1004")
        return error

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call(
            "order",
            {**self._account_body(), "client_order_id": venue_client_id(client_order_id)},
            write=False,
        )
        if isinstance(raw, Failure):
            return Failure(self._order_not_found(raw.failure(), client_order_id))
        parsed = parsers.parse_order(
            self._exchange, raw.unwrap(), self._lookup(), client_order_id, self._overrides
        )
        if isinstance(parsed, Success) and parsed.unwrap().symbol != symbol:
            return Failure(
                MalformedResponse(
                    self._venue,
                    f"order {client_order_id} is on {parsed.unwrap().symbol}, not {symbol}",
                )
            )
        return parsed

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        """Cancel by client id, then read the order back (GRVT only acknowledges)."""
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call(
            "cancel_order",
            {**self._account_body(), "client_order_id": venue_client_id(client_order_id)},
            write=True,
        )
        if isinstance(raw, Failure):
            return Failure(self._order_not_found(raw.failure(), client_order_id))
        ack = parsers.parse_ack(self._exchange, raw.unwrap())
        if isinstance(ack, Failure):
            return Failure(ack.failure())
        if not ack.unwrap():
            return Failure(
                VenueRejected(self._venue, f"cancel of {client_order_id} not acknowledged")
            )
        return await self._fetch_order(symbol, client_order_id)

    def signer(self) -> Result[str, VenueError]:
        """The signing wallet address (checks the key without exposing it)."""
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        address = signer_address(self._credentials.private_key)
        if isinstance(address, Failure):
            return Failure(NotConfigured(self._venue, address.failure()))
        return Success(address.unwrap())


__all__ = ["GrvtExecution", "venue_client_id"]
