"""Aster transport and auth: request budget, error codes, v3 API-wallet signed requests.

Aster's futures REST API is a Binance USDⓈ-M clone on the wire (paths ``/fapi/v1/...``,
bodies and error objects ``{"code": -1121, "msg": "Invalid symbol."}``), so Binance's wire
(:func:`adapters.binance.http.send_weighted`: weight budget, error parsers, code table)
carries its requests; the signing and its parameters here are Aster's own.

Every request takes its weight from one IP budget (the kit's
:class:`~adapters.kit.budget.RequestBudget`); a 429/418 with ``Retry-After`` backs it off.

Signed calls (``/fapi/v3/...``) carry the v3 API-wallet parameters (``user``, ``signer``,
``nonce`` in µs, ``signature``: :mod:`adapters.aster.signing`) plus ``timestamp`` (ms) and
``recvWindow``. The nonce is the local clock in microseconds, forced strictly increasing
(aster-api-auth-v3: "prefer monotonic"); it must be within ~5 s of the venue's clock, so the
host clock must be NTP-synced (no server-clock offset is applied: the nonce is a local-time
quantity by design). Parameters go in the query string for every method (the docs allow
"query or body"), so the signed text is exactly the text sent.

Errors: ``-1022`` (bad signature), ``-2014``/``-2015``, ``-1002`` are
:class:`AuthenticationError`; ``-2013`` :class:`OrderNotFound`; ``-1121``
:class:`UnknownSymbol`; ``-1003``/``-1015`` :class:`RateLimited`; a timeout, a 5xx or
``-1007`` on a write is :class:`Ambiguous` (Aster keeps Binance's code table: asterdex
api-docs "Error Codes"). Messages never contain the key, the signature or the signed query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import attrs
from returns.result import Failure, Result, Success

from adapters.aster.config import DEFAULT_BASE_URL, AsterOptions
from adapters.aster.signing import MAX_RECV_WINDOW_MS, ApiWallet, signed_params
from adapters.binance.http import send_weighted, wire_json
from adapters.binance.signing import recv_window_until
from adapters.binance.weights import WeightBudget
from adapters.kit.facade import redact
from adapters.registry import VenueSettings
from atomic_fp.errors import NotConfigured, NotSent, VenueError


class AsterHttp:
    """One Aster account's HTTP side: budget, nonces, signing."""

    def __init__(
        self,
        settings: VenueSettings,
        options: AsterOptions,
        *,
        clock: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        self.venue = str(settings.id)
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.wallet = ApiWallet.from_settings(settings.credentials)
        self.clock = clock
        self.recv_window = options.recv_window_ms
        self.chain_id = options.chain_id
        self.budget = WeightBudget(
            "request-weight",
            options.weight_per_minute,
            60.0,
            options.max_budget_wait_seconds,
            monotonic,
        )
        self.json = wire_json(settings, self.venue, self.base_url)
        self.client = self.json.client
        self._last_nonce = 0

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def keyed(self) -> bool:
        return self.wallet is not None

    def secrets(self) -> Sequence[str]:
        return () if self.wallet is None else (self.wallet.private_key,)

    def not_configured(self, what: str) -> Failure[VenueError]:
        return Failure(
            NotConfigured(
                self.venue, f"{what} needs credentials user, signer and private_key for this venue"
            )
        )

    def next_nonce(self) -> int:
        """The local time in µs, strictly above the previous nonce."""
        nonce = max(int(self.clock() * 1_000_000), self._last_nonce + 1)
        self._last_nonce = nonce
        return nonce

    async def send(
        self,
        method: str,
        url: str,
        weight: int,
        *,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Result[Any, VenueError]:
        return await send_weighted(
            self.json, self.budget, method, url, weight, params=params, idempotent=idempotent
        )

    async def public(
        self, path: str, weight: int, params: Mapping[str, str] | None = None
    ) -> Result[Any, VenueError]:
        return await self.send("GET", path, weight, params=params)

    async def signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[Any, VenueError]:
        """Sign and send at once (:meth:`prepare_signed` then :meth:`send_signed`)."""
        call = await self.prepare_signed(
            method, path, params, weight, idempotent=idempotent, deadline=deadline
        )
        if isinstance(call, Failure):
            return Failure(call.failure())
        return await self.send_signed(call.unwrap())

    async def prepare_signed(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        weight: int,
        *,
        idempotent: bool,
        deadline: datetime | None = None,
    ) -> Result[AsterSignedCall, VenueError]:
        """The signed call, nothing sent (issue 20, leg skew: both legs of a hedge are
        signed before either is sent). ``deadline`` (an order's ``expires_at``) sets
        ``recvWindow`` to the ms left until it (at most 5000, Aster v3's cap: the venue's
        deadline is then the earlier one), so Aster refuses the request if it arrives
        later, whenever it is sent. The nonce is taken here, so a prepared call keeps its
        place in the nonce order."""
        wallet = self.wallet
        if wallet is None:
            return self.not_configured(f"{method} {path}")
        now_ms = int(self.clock() * 1000)
        window = recv_window_until(deadline, now_ms, self.recv_window, MAX_RECV_WINDOW_MS)
        if window is None:
            return Failure(NotSent(self.venue, f"{method} {path}: the order's deadline passed"))
        pairs = signed_params(
            params,
            wallet,
            nonce_us=self.next_nonce(),
            timestamp_ms=now_ms,
            recv_window_ms=window,
            chain_id=self.chain_id,
        )
        return Success(
            AsterSignedCall(
                method=method,
                path=path,
                query=urlencode(pairs),
                signature=pairs[-1][1],
                weight=weight,
                idempotent=idempotent,
            )
        )

    async def send_signed(self, call: AsterSignedCall) -> Result[Any, VenueError]:
        """Send a prepared call exactly as signed (never re-signed: a stale one is refused
        by the venue, which is the deadline doing its job)."""
        result = await self.send(
            call.method, f"{call.path}?{call.query}", call.weight, idempotent=call.idempotent
        )
        if isinstance(result, Failure):
            error = result.failure()
            clean = redact(error.message, [call.query, call.signature, *self.secrets()])
            if clean != error.message:
                error = attrs.evolve(error, message=clean)
            return Failure(error)
        return result


@attrs.frozen(repr=False)
class AsterSignedCall:
    """A signed Aster v3 call ready to send (see :meth:`AsterHttp.prepare_signed`);
    ``repr`` shows no query or signature."""

    method: str
    path: str
    query: str
    signature: str
    weight: int
    idempotent: bool

    def __repr__(self) -> str:
        return f"AsterSignedCall({self.method} {self.path}, signed)"


__all__ = ["AsterHttp", "AsterSignedCall"]
