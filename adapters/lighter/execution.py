"""Lighter trading: the signer, nonces, ``sendTx`` and order look-ups.

Requests: ``GET /api/v1/nextNonce?account_index=&api_key_index=``, ``POST /api/v1/sendTx``
(form fields ``tx_type``, ``tx_info``), and with an ``authorization`` auth token
``GET /api/v1/accountActiveOrders`` / ``accountInactiveOrders``. Orders are encoded by
:mod:`adapters.lighter.orders` and signed by lighter-sdk's native signer
(:mod:`adapters.lighter.signer`, the ``lighter`` extra) or an injected one.

Orders go in two steps (:class:`~atomic_fp.venue.PreparesOrders`, issue 20 leg skew):
:meth:`LighterExecution._prepare_order` reserves the key's next nonce
(:meth:`~adapters.lighter.nonces.NonceBook.reserve`), signs and form-encodes the
``sendTx`` body; :meth:`LighterExecution._send_prepared` only writes it. The reservation
holds the key until the order is sent or :meth:`~atomic_fp.venue.PreparedOrder.discard`
gives the nonce back (a hedge abandoned before sending), so nonces still reach Lighter
in order. ``place_order`` is the two in a row: the same bytes as before.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import attrs
from returns.result import Failure, Result, Success

from adapters.lighter.account import LighterAccount
from adapters.lighter.http import AuthTokens
from adapters.lighter.parsers import parse_next_nonce, parse_orders, parse_send_tx
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import Order, OrderRequest, OrderStatus, Symbol
from atomic_fp.venue import PreparedOrder

if TYPE_CHECKING:
    from adapters.lighter.nonces import NonceBook, NonceLease
    from adapters.lighter.signer import CreateOrderTx, LighterSigner, SignedTx

# The order encoding (adapters.lighter.orders), the nonce book (adapters.lighter.nonces)
# and the signer's module (adapters.lighter.signer) are imported by the methods that use
# them, on the first order: a scan builds this client and places none (issue 20: a cold
# scan's critical path is its main thread's imports).

SEND_TX = "/api/v1/sendTx"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def sdk_present() -> bool:
    try:
        return importlib.util.find_spec("lighter") is not None
    except (ImportError, ValueError):
        return False


def _client_order_index(client_order_id: str) -> int:
    from adapters.lighter.orders import client_order_index

    return client_order_index(client_order_id)


def _is_invalid_nonce(error: VenueError) -> bool:
    return "nonce" in error.message.lower() and "invalid" in error.message.lower()


def send_tx_body(signed: SignedTx) -> bytes:
    """The ``sendTx`` form body, encoded exactly as httpx encodes ``data=`` (the bytes the
    single-step path sent), once, before the send."""
    form = {"tx_type": str(signed.tx_type), "tx_info": signed.tx_info}
    import httpx  # here, not at the top: a scan builds this client and never orders

    return httpx.Request("POST", "http://lighter.invalid", data=form).content


@attrs.frozen
class PreparedTx:
    """A prepared Lighter order: its fields, the signed transaction, the encoded body and
    the nonce reservation it was signed with."""

    order: CreateOrderTx
    signed: SignedTx
    body: bytes = attrs.field(repr=False)
    lease: NonceLease


class LighterExecution(LighterAccount):
    """The trading half of :class:`~adapters.lighter.factory.LighterClient`."""

    api_key_index: int | None
    api_private_key: str | None
    base_url: str
    signer: LighterSigner | None
    signer_loader: Callable[[], Result[LighterSigner, NotConfigured]] | None
    acceptance_window: timedelta
    _signer_failure: NotConfigured | None
    _nonces: NonceBook | None
    _auth: AuthTokens
    _accepted: dict[int, Order]
    """Orders whose sendTx the API accepted, by client order index (see _fetch_order)."""

    def _trading_configured(self) -> bool:
        """Credentials present and a signer available (injected, or lighter-sdk importable;
        whether its native library loads is only known at the first trading call)."""
        if self.account_index is None or self.api_key_index is None:
            return False
        if self.signer is not None or self.signer_loader is not None:
            return True
        return bool(self.api_private_key) and self._signer_failure is None and sdk_present()

    def _signer(self) -> Result[LighterSigner, NotConfigured]:
        if self.signer is not None:
            return Success(self.signer)
        if self._signer_failure is not None:
            return Failure(self._signer_failure)
        if self.account_index is None or self.api_key_index is None or not self.api_private_key:
            return Failure(
                NotConfigured(
                    self._venue,
                    "Lighter trading needs credentials account_index, api_key_index and "
                    "api_private_key",
                )
            )
        if self.signer_loader is not None:
            loaded = self.signer_loader()
        else:
            from adapters.lighter.signer import load_sdk_signer

            sdk = load_sdk_signer(
                base_url=self.base_url,
                account_index=self.account_index,
                api_key_index=self.api_key_index,
                api_private_key=self.api_private_key,
            )
            loaded = Success(sdk.unwrap()) if isinstance(sdk, Success) else Failure(sdk.failure())
        if isinstance(loaded, Failure):
            self._signer_failure = loaded.failure()
            return Failure(loaded.failure())
        self.signer = loaded.unwrap()
        return Success(self.signer)

    def _nonce_book(self) -> NonceBook:
        if self._nonces is None:
            from adapters.lighter.nonces import NonceBook

            self._nonces = NonceBook(fetch=self._fetch_next_nonce)
        return self._nonces

    async def _fetch_next_nonce(self) -> Result[int, VenueError]:
        body = await self._request(
            "GET",
            "/api/v1/nextNonce",
            params={"account_index": self.account_index, "api_key_index": self.api_key_index},
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        parsed = parse_next_nonce(body.unwrap())
        return (
            Success(parsed.unwrap()) if isinstance(parsed, Success) else Failure(parsed.failure())
        )

    async def _send_signed(
        self, sign: Callable[[LighterSigner, int], SignedTx], what: str, attempts: int = 2
    ) -> Result[str, VenueError]:
        """Lease a nonce, sign, POST ``sendTx``; one re-sync and retry on "invalid nonce".

        Nonce bookkeeping: accepted -> consumed; never sent (connect failure, local budget,
        signer failure) -> the nonce is handed out again; anything else (refused, "invalid
        nonce", ambiguous) -> re-sync from ``nextNonce`` before the next transaction. Lighter
        says an API-level refusal does not consume the nonce but a sequencer refusal does;
        asking costs one request and cannot be wrong.
        """
        from adapters.lighter.signer import SignerError

        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        book = self._nonce_book()
        last: VenueError = NotSent(self._venue, f"{what}: not attempted")
        for _attempt in range(attempts):
            async with book.lease() as leased:
                if isinstance(leased, Failure):
                    return Failure(leased.failure())
                lease = leased.unwrap()
                try:
                    signed = sign(signer.unwrap(), lease.nonce)
                except SignerError as error:
                    lease.unused()
                    return Failure(NotSent(self._venue, f"{what}: signer refused: {error}"))
                except Exception as error:  # the native library misbehaving: nothing sent
                    lease.unused()
                    return Failure(
                        NotSent(self._venue, f"{what}: signer failed: {type(error).__name__}")
                    )
                answer = await self._request(
                    "POST",
                    SEND_TX,
                    content=send_tx_body(signed),
                    headers=FORM_HEADERS,
                    idempotent=False,
                )
                sent = self._sent_outcome(answer, lease, what)
                if isinstance(sent, Success):
                    return sent
                last = sent.failure()
                if isinstance(last, VenueRejected) and _is_invalid_nonce(last):
                    continue
                return Failure(last)
        return Failure(last)

    async def _prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        """Reserve the key's next nonce, sign the CreateOrder and encode ``sendTx``'s
        body; nothing sent. The nonce stays reserved until :meth:`_send_prepared` or the
        prepared order's ``discard()`` (see :mod:`adapters.lighter.nonces`)."""
        if request.exchange != self._exchange:
            return Failure(InvalidRequest(self._venue, f"order is for {request.exchange}"))
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(request.symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        from adapters.lighter.orders import build_create_order

        tx = build_create_order(request, market.unwrap())
        if isinstance(tx, Failure):
            return Failure(tx.failure())
        order_tx = tx.unwrap()
        reserved = await self._nonce_book().reserve()
        if isinstance(reserved, Failure):
            return Failure(reserved.failure())
        lease = reserved.unwrap()
        signed = self._sign(signer.unwrap(), order_tx, lease, "create order")
        if isinstance(signed, Failure):
            return Failure(signed.failure())
        prepared = PreparedTx(order_tx, signed.unwrap(), send_tx_body(signed.unwrap()), lease)
        return Success(PreparedOrder(request, prepared, release=lease.release))

    def _sign(
        self, signer: LighterSigner, order_tx: CreateOrderTx, lease: NonceLease, what: str
    ) -> Result[SignedTx, VenueError]:
        """Sign with the reserved nonce; a signer failure gives the nonce back."""
        from adapters.lighter.signer import SignerError

        try:
            return Success(signer.sign_create_order(order_tx, lease.nonce))
        except SignerError as error:
            lease.release()
            return Failure(NotSent(self._venue, f"{what}: signer refused: {error}"))
        except Exception as error:  # the native library misbehaving: nothing sent
            lease.release()
            return Failure(NotSent(self._venue, f"{what}: signer failed: {type(error).__name__}"))

    async def _send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        """POST the prepared body. Nonce bookkeeping as :meth:`_send_signed`; an
        "invalid nonce" answer re-syncs, signs once more with the fresh nonce and sends
        (as the single-step path always did)."""
        tx = prepared.payload
        if not isinstance(tx, PreparedTx):
            return Failure(InvalidRequest(self._venue, "not an order prepared by this venue"))
        lease = tx.lease
        if lease.settled:
            why = "held unsent too long" if lease.expired else "already sent or discarded"
            return Failure(NotSent(self._venue, f"create order: prepared order {why}; not sent"))
        lease.sending = True
        try:
            answer = await self._request(
                "POST", SEND_TX, content=tx.body, headers=FORM_HEADERS, idempotent=False
            )
            sent = self._sent_outcome(answer, lease, "create order")
        finally:
            lease.settle()
        if isinstance(sent, Failure) and _is_invalid_nonce(sent.failure()):
            order_tx = tx.order
            sent = await self._send_signed(
                lambda s, nonce: s.sign_create_order(order_tx, nonce), "create order", attempts=1
            )
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        request = prepared.request
        accepted = Order(
            exchange=self._exchange,
            symbol=request.symbol,
            client_order_id=request.client_order_id,
            side=request.side,
            size=request.size,
            status=OrderStatus.PENDING,
            reduce_only=request.reduce_only,
            updated_at=self.clock(),
        )
        self._accepted[tx.order.client_order_index] = accepted
        return Success(accepted)

    def _sent_outcome(
        self, answer: Result[object, VenueError], lease: NonceLease, what: str
    ) -> Result[str, VenueError]:
        """``sendTx``'s answer as a tx hash or error, reported on the lease: accepted ->
        consumed; never sent -> unused; refused or unknown -> re-sync."""
        if isinstance(answer, Success):
            parsed = parse_send_tx(answer.unwrap())
            if isinstance(parsed, Failure):
                lease.resync()
                return Failure(Ambiguous(self._venue, f"{what}: unreadable sendTx answer"))
            lease.consumed()
            return Success(parsed.unwrap().tx_hash)
        error = answer.failure()
        if isinstance(error, NotSent):
            lease.unused()  # it never reached Lighter (incl. our own budget's refusal)
        else:
            lease.resync()  # refused, invalid nonce or unknown: ask nextNonce, not guess
        return Failure(error)

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        prepared = await self._prepare_order(request)
        if isinstance(prepared, Failure):
            return Failure(prepared.failure())
        return await self._send_prepared(prepared.unwrap())

    async def _cancel_order(
        self, symbol: Symbol, client_order_id: str
    ) -> Result[Order, VenueError]:
        """Cancel by client order index, then report the venue's view of the order.

        ``sendTx`` accepting the cancel means the API took it; the sequencer applies it
        shortly after, so the returned order may still show ``open``.
        """
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        market_id = market.unwrap().market_id
        index = _client_order_index(client_order_id)
        sent = await self._send_signed(
            lambda s, nonce: s.sign_cancel_order(market_id, index, nonce), "cancel order"
        )
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        return await self._fetch_order(symbol, client_order_id)

    async def _fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """The venue's view of the order with this client id (active, then inactive list).

        Lighter's API accepts a transaction before the sequencer applies it, so an order
        this client sent within ``acceptance_window`` (30 s) and not listed yet is reported
        as PENDING rather than ``OrderNotFound``: the venue did receive it.
        """
        signer = self._signer()
        if isinstance(signer, Failure):
            return Failure(signer.failure())
        market = await self._market(symbol)
        if isinstance(market, Failure):
            return Failure(market.failure())
        token = self._auth.token(signer.unwrap(), self.clock())
        if isinstance(token, Failure):
            return Failure(token.failure())
        headers = {"authorization": token.unwrap()}
        index = _client_order_index(client_order_id)
        lighter_market = market.unwrap()
        for path, extra in (
            ("/api/v1/accountActiveOrders", {}),
            ("/api/v1/accountInactiveOrders", {"limit": 100}),
        ):
            params = {"account_index": self.account_index, "market_id": lighter_market.market_id}
            body = await self._request("GET", path, params={**params, **extra}, headers=headers)
            if isinstance(body, Failure):
                return Failure(body.failure())
            parsed = parse_orders(
                body.unwrap(), self._exchange, lighter_market, index, client_order_id
            )
            if isinstance(parsed, Failure):
                return Failure(parsed.failure())
            order = parsed.unwrap()
            if order is not None:
                return Success(order)
        accepted = self._accepted.get(index)
        if (
            accepted is not None
            and accepted.updated_at is not None
            and self.clock() - accepted.updated_at < self.acceptance_window
        ):
            # sendTx accepted it moments ago; the sequencer has not listed it yet
            return Success(accepted)
        return Failure(
            OrderNotFound(self._venue, f"no order with client index {index} ({client_order_id})")
        )


__all__ = ["LighterExecution", "sdk_present"]
