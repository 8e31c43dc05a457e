"""GRVT's account reads on the trading host (session cookie + ``X-Grvt-Account-Id``):
positions, balances, margin, open orders, own funding payments and the account's fees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.grvt import parsers
from adapters.grvt.config import GrvtCredentials
from adapters.grvt.fees import ACCOUNT_SUMMARY, parse_account_tier
from adapters.grvt.http import not_configured
from adapters.grvt.margin import parse_account_margin
from adapters.grvt.margin_rules import GrvtMarginRules
from adapters.grvt.market_data import HISTORY_PAGE_LIMIT, MAX_PAGES, ns
from adapters.published_fees import account_or_published
from atomic_fp.errors import MalformedResponse, VenueError
from atomic_fp.models import Balance, FeeQuote, FundingPayment, Order, Position
from atomic_fp.models.margin import AccountMargin


class GrvtAccount(GrvtMarginRules):
    """The account half of :class:`~adapters.grvt.factory.GrvtClient`."""

    _credentials: GrvtCredentials | None

    def _account_body(self) -> dict[str, Any]:
        assert self._credentials is not None
        return {"sub_account_id": self._credentials.sub_account_id}

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call(
            "positions", {**self._account_body(), "kind": ["PERPETUAL"]}, write=False
        )
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_positions(
            self._exchange, raw.unwrap(), self._lookup(), self._clock(), self._overrides
        )

    async def _fetch_fees(self) -> Result[FeeQuote, VenueError]:
        """The account's fee level (``full/v1/funding_account_summary``) with credentials,
        else (or when that fails) the published level 1 (:mod:`adapters.grvt.fees`)."""
        if self._credentials is None:
            return Success(account_or_published("grvt", None))
        raw = await self._http.trading_call(ACCOUNT_SUMMARY, {}, write=False)
        account: Result[FeeQuote, VenueError] = raw
        if isinstance(raw, Success):
            parsed = parse_account_tier(self._venue, raw.unwrap())
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("grvt", account))

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call("account_summary", self._account_body(), write=False)
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_balances(self._exchange, raw.unwrap(), self._clock())

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """``full/v1/account_summary`` (see ``grvt/margin.py``), plus the maintenance
        rates of symbols asked for (bar held ones with their own maintenance margin),
        from their margin rules
        (:mod:`adapters.grvt.margin_rules`)."""
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call("account_summary", self._account_body(), write=False)
        if isinstance(raw, Failure):
            return raw
        parsed = parse_account_margin(
            self._exchange, raw.unwrap(), self._lookup(), self._clock(), self._overrides
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        margin = parsed.unwrap()
        rates, problems = await self._maintenance_rates(
            margin.equity,
            {leg.symbol for leg in margin.legs if leg.maintenance_margin is not None},
        )
        return Success(
            attrs.evolve(
                margin,
                maintenance_rates={**margin.maintenance_rates, **rates},
                maintenance_rate_problems=problems,
            )
        )

    async def _open_orders(self) -> Result[tuple[Order, ...], VenueError]:
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        raw = await self._http.trading_call(
            "open_orders", {**self._account_body(), "kind": ["PERPETUAL"]}, write=False
        )
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_orders(self._exchange, raw.unwrap(), self._lookup(), self._overrides)

    async def _fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        if self._credentials is None:
            return Failure(not_configured(self._venue))
        body: dict[str, Any] = {
            **self._account_body(),
            "start_time": str(ns(start)),
            "end_time": str(ns(end)),
            "limit": HISTORY_PAGE_LIMIT,
        }
        payments: list[FundingPayment] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            raw = await self._http.trading_call("funding_payment_history", body, write=False)
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            page = parsers.parse_funding_payments(
                self._exchange, raw.unwrap(), self._lookup(), self._overrides
            )
            if isinstance(page, Failure):
                return Failure(page.failure())
            rows, cursor = page.unwrap()
            payments.extend(p for p in rows if start <= p.time < end)
            if not rows or cursor is None:
                return Success(tuple(sorted(payments, key=lambda p: p.time)))
            if cursor in seen:
                return Failure(MalformedResponse(self._venue, "funding payments: cursor repeats"))
            seen.add(cursor)
            body["cursor"] = cursor
        return Failure(MalformedResponse(self._venue, f"funding payments: over {MAX_PAGES} pages"))


__all__ = ["GrvtAccount"]
