"""Lighter's account reads: positions, balances and margin, all from one public request,
``GET /api/v1/account?by=index&value=<account_index>`` (no signature needed), joined to the
market list (and to the websocket's mark prices where fresh)."""

from __future__ import annotations

from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.lighter.margin import parse_account_margin
from adapters.lighter.market_data import LighterMarketData
from adapters.lighter.parsers import parse_balances, parse_positions
from atomic_fp.errors import NotConfigured, VenueError
from atomic_fp.models import Balance, Position
from atomic_fp.models.margin import AccountMargin


class LighterAccount(LighterMarketData):
    """The account half of :class:`~adapters.lighter.factory.LighterClient`."""

    account_index: int | None

    async def _account(self) -> Result[tuple[int, Any], VenueError]:
        if self.account_index is None:
            return Failure(
                NotConfigured(self._venue, "Lighter account reads need credentials.account_index")
            )
        body = await self._request(
            "GET", "/api/v1/account", params={"by": "index", "value": self.account_index}
        )
        if isinstance(body, Failure):
            return Failure(body.failure())
        return Success((self.account_index, body.unwrap()))

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_positions(body, self._exchange, index, markets.unwrap(), self.clock())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        by_symbol = {m.market.symbol: m.market_id for m in markets.unwrap()}
        now = self.clock()
        positions = []
        for position in parsed.unwrap():
            observed = self._fresh(by_symbol[position.symbol], now)
            if observed is not None and observed.stats.mark_price is not None:
                position = attrs.evolve(position, mark_price=observed.stats.mark_price)
            positions.append(position)
        return Success(tuple(positions))

    async def _fetch_margin(self) -> Result[AccountMargin, VenueError]:
        """``/api/v1/account`` + the markets' maintenance fractions (``lighter/margin.py``)."""
        markets = await self._load_markets()
        if isinstance(markets, Failure):
            return Failure(markets.failure())
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_account_margin(body, self._exchange, index, markets.unwrap(), self.clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        account = await self._account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        index, body = account.unwrap()
        parsed = parse_balances(body, self._exchange, index, self.clock())
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())


__all__ = ["LighterAccount"]
