"""The account part of the ccxt venue client (a kit
:class:`~adapters.kit.components.AccountSource` with funding payments): positions, balances,
margin and the account's own funding payments through ccxt's ``fetchPositions``,
``fetchBalance`` and ``fetchFundingHistory``, each only where ``has`` grants it; mapped by
``parsing_account.py``. The facade asks it only when credentials are declared."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.ccxt_venue.margin import parse_account_margin
from adapters.ccxt_venue.market_data import MAX_HISTORY_PAGES, CcxtMarketData, epoch_ms, parsed
from adapters.ccxt_venue.parsing_account import (
    parse_balances,
    parse_funding_payment,
    parse_positions,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import Balance, FundingPayment, Position
from atomic_fp.models.margin import AccountMargin


class CcxtAccount:
    """One account's reads on one ccxt exchange, sharing the market data's markets."""

    def __init__(self, data: CcxtMarketData, exchange: Any) -> None:
        self._data = data
        self._ccxt = exchange
        self._exchange = data._exchange
        self._venue = data._venue
        self._clock = data._clock

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        """Open positions on the markets we trade, netted per symbol.

        Known gap: some exchanges answer ``fetchPositions`` for one product at a time, chosen
        by ccxt from the first symbol asked (Bitget's ``productType``: USDT-, USDC- or
        COIN-FUTURES, ``bitget.fetch_positions``). Our markets prefer USDT settlement, so a
        position in a USDC-settled perpetual on such an exchange may not be seen."""
        markets = await self._data.parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        raw = await self._data.granted(
            "fetchPositions", "positions", lambda: self._ccxt.fetch_positions(list(by_ccxt))
        )
        return raw.bind(
            lambda rows: parsed(
                self._venue, lambda: parse_positions(self._exchange, by_ccxt, rows, self._clock())
            )
        )

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """Equity, legs and rates for new positions (:mod:`adapters.ccxt_venue.margin`)."""
        markets = await self._data.parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        rows = await self._data.granted(
            "fetchPositions", "margin", lambda: self._ccxt.fetch_positions(list(by_ccxt))
        )
        if isinstance(rows, Failure):
            return rows
        balance = await self._data.granted("fetchBalance", "margin", self._ccxt.fetch_balance)
        if isinstance(balance, Failure):
            return balance
        now = self._clock()
        read = parsed(
            self._venue,
            lambda: parse_account_margin(
                self._exchange, by_ccxt, rows.unwrap(), balance.unwrap(), now
            ),
        )
        if isinstance(read, Failure):
            return read
        margin = read.unwrap()
        rates, problems = await self._data.tiers.rates(
            margin.equity,
            {leg.symbol for leg in margin.legs if leg.maintenance_margin is not None},
            {m.symbol: ccxt_symbol for ccxt_symbol, m in by_ccxt.items()},
        )
        return Success(
            attrs.evolve(
                margin,
                maintenance_rates={**margin.maintenance_rates, **rates},
                maintenance_rate_problems=problems,
            )
        )

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        raw = await self._data.granted("fetchBalance", "balances", self._ccxt.fetch_balance)
        return raw.bind(
            lambda body: parsed(
                self._venue, lambda: parse_balances(self._exchange, body, self._clock())
            )
        )

    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        """The account's own payments in ``[start, end)``, by pages of ccxt's
        ``fetchFundingHistory`` from ``start`` (all symbols at once)."""
        markets = await self._data.parsed_markets()
        if isinstance(markets, Failure):
            return markets
        by_ccxt = markets.unwrap()
        entries: dict[tuple[str, int, str], Mapping[str, Any]] = {}
        since = epoch_ms(start)
        for _ in range(MAX_HISTORY_PAGES):
            page = await self._data.granted(
                "fetchFundingHistory",
                "funding payments",
                functools.partial(self._ccxt.fetch_funding_history, None, since),
            )
            if isinstance(page, Failure):
                return page
            fresh = [
                e
                for e in page.unwrap()
                if isinstance(e.get("timestamp"), int) and e["timestamp"] >= since
            ]
            keys = [(str(e.get("symbol")), e["timestamp"], str(e.get("id"))) for e in fresh]
            new = {k: e for k, e in zip(keys, fresh, strict=True) if k not in entries}
            entries.update(new)
            if not new or max(k[1] for k in new) >= epoch_ms(end):
                break
            since = max(k[1] for k in new) + 1
        wanted = [
            (by_ccxt[k[0]], e)
            for k, e in sorted(entries.items())
            if k[0] in by_ccxt and epoch_ms(start) <= k[1] < epoch_ms(end)
        ]
        return parsed(
            self._venue,
            lambda: tuple(
                sorted(
                    (parse_funding_payment(self._exchange, m, e) for m, e in wanted),
                    key=lambda p: p.time,
                )
            ),
        )


__all__ = ["CcxtAccount"]
