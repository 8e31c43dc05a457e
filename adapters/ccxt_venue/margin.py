"""Account margin through ccxt's unified API, so ``run``'s margin safety and opening check
(:mod:`atomic_fp.decisions.opening_margin`) work on a ``kind = "ccxt"`` venue.

- **Equity**: ``fetchBalance``'s unified ``total`` of the settle asset. ccxt defines it as
  the account's total; for derivatives accounts the exchange's equity (e.g. Bitget swap:
  ``accountEquity``, unrealised PnL included, ccxt ``bitget.parse_balance``). Missing for
  the settle asset: a malformed answer, never zero equity.
- **Legs**: ``fetchPositions``: the venue's ``liquidationPrice`` as published (source
  ``venue``); each leg's ``maintenanceMargin`` (ccxt's figure; Bitget:
  ``keepMarginRate x notional`` plus the fee to close, ``bitget.parse_position``), else
  ``maintenanceMarginPercentage x notional``. The account's maintenance margin is their sum
  when every open leg has one, else unknown (``None``), never a partial sum.
- **Rates for new positions**: ``fetchMarketLeverageTiers`` (where ``has`` grants it) per
  symbol asked for since start (order books, rates by symbol, orders) and not held, cached
  ``TIERS_TTL_SECONDS``; the bound of :mod:`atomic_fp.models.risk_brackets`. A failed or
  missing tier read is a reason in ``maintenance_rate_problems``, never a default rate.
  ``run`` reads the books of the symbols it may trade before the margin read, so they are
  asked in the same cycle; a symbol never asked has no rate and the opening check refuses
  it (fail-closed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters.ccxt_venue.errors import classify
from adapters.ccxt_venue.parsing import decimal_or_none
from adapters.ccxt_venue.parsing_account import parse_positions
from adapters.kit import TtlCache
from atomic_fp.errors import MalformedResponse, NotSupported, VenueError
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin
from atomic_fp.models.risk_brackets import RiskBracket, maintenance_rate_bound

TIERS_TTL_SECONDS = 3600.0


def settle_asset(markets: Mapping[str, Market]) -> str:
    """The settle asset most of our markets use (USDT for the linear perpetuals we trade)."""
    counts = Counter(m.settle_asset for m in markets.values())
    if not counts:
        raise ValueError("no linear perpetual markets to read margin for")
    return counts.most_common(1)[0][0]


def _leg_maintenance(row: Mapping[str, Any]) -> Decimal | None:
    given = decimal_or_none(row.get("maintenanceMargin"))
    if given is not None and given >= 0:
        return given
    rate = decimal_or_none(row.get("maintenanceMarginPercentage"))
    notional = decimal_or_none(row.get("notional"))
    if rate is None or notional is None or rate < 0:
        return None
    return rate * abs(notional)


def parse_account_margin(
    exchange: ExchangeIdentifier,
    markets: Mapping[str, Market],
    positions: Sequence[Mapping[str, Any]],
    balance: Mapping[str, Any],
    now: datetime,
) -> AccountMargin:
    """ccxt's positions and balance (on ``markets``, keyed by ccxt symbol) as our account
    margin; raises ``ValueError`` naming what is missing (see the module docstring)."""
    asset = settle_asset(markets)
    totals = balance.get("total")
    equity = decimal_or_none(totals.get(asset)) if isinstance(totals, Mapping) else None
    if equity is None:
        raise ValueError(f"balance: no readable total for the settle asset {asset}")
    held = parse_positions(exchange, markets, positions, now)
    per_symbol: dict[Symbol, Decimal | None] = {}
    for row in positions:
        market = markets.get(str(row.get("symbol")))
        contracts = decimal_or_none(row.get("contracts"))
        if market is None or not contracts:
            continue
        mm = _leg_maintenance(row)
        before = per_symbol.get(market.symbol, Decimal(0))
        per_symbol[market.symbol] = None if mm is None or before is None else before + mm
    known = {s: mm for s, mm in per_symbol.items() if mm is not None}
    complete = all(p.symbol in known for p in held)
    return build_account_margin(
        exchange=exchange,
        asset=asset,
        equity=equity,
        maintenance_margin=sum(known.values(), Decimal(0)) if complete else None,
        observed_at=now,
        positions=held,
        leg_maintenance=known,
    )


def parse_tiers(raw: Sequence[Mapping[str, Any]]) -> tuple[RiskBracket, ...]:
    """ccxt's leverage-tier structures as risk brackets, ordered by ``minNotional``;
    ``ValueError`` naming the first unreadable field (a rate outside (0, 1), a leverage
    below 1, tiers that do not follow each other)."""
    brackets: list[RiskBracket] = []
    for i, row in enumerate(sorted(raw, key=lambda r: decimal_or_none(r.get("minNotional")) or 0)):
        floor = decimal_or_none(row.get("minNotional"))
        cap = decimal_or_none(row.get("maxNotional"))
        rate = decimal_or_none(row.get("maintenanceMarginRate"))
        leverage = decimal_or_none(row.get("maxLeverage"))
        if floor is None or floor < 0:
            raise ValueError(f"tier {i}: no readable minNotional")
        if rate is None or not Decimal(0) < rate < Decimal(1):
            raise ValueError(f"tier {i}: maintenanceMarginRate {rate} is not in (0, 1)")
        if leverage is None or leverage < 1:
            raise ValueError(f"tier {i}: maxLeverage {leverage} is below 1")
        if brackets and brackets[-1].notional_cap != floor:
            raise ValueError(f"tier {i}: does not start where tier {i - 1} ends")
        brackets.append(
            RiskBracket(i + 1, floor, cap if cap and cap > floor else None, rate, leverage)
        )
    if not brackets:
        raise ValueError("no leverage tiers")
    return tuple(brackets)


@attrs.define
class TierReader:
    """Per-symbol leverage tiers through ccxt, cached; the symbols asked for so far."""

    venue: str
    exchange: Any
    monotonic: Any
    asked: set[Symbol] = attrs.field(factory=set)
    _cache: dict[Symbol, TtlCache[tuple[RiskBracket, ...]]] = attrs.field(factory=dict)

    async def tiers(
        self, symbol: Symbol, ccxt_symbol: str
    ) -> Result[tuple[RiskBracket, ...], VenueError]:
        if not self.exchange.has.get("fetchMarketLeverageTiers"):
            return Failure(NotSupported(self.venue, "ccxt offers no fetchMarketLeverageTiers here"))
        cache = self._cache.setdefault(
            symbol, TtlCache(TIERS_TTL_SECONDS, monotonic=self.monotonic)
        )
        cached = cache.fresh()
        if cached is not None:
            return Success(cached)
        try:
            raw = await self.exchange.fetch_market_leverage_tiers(ccxt_symbol)
        except Exception as error:
            return Failure(classify(self.venue, error, write=False))
        try:
            brackets = parse_tiers(raw)
        except (ValueError, TypeError, AttributeError) as error:
            return Failure(MalformedResponse(self.venue, f"leverage tiers: {error}"[:300]))
        cache.put(brackets)
        return Success(brackets)

    async def rates(
        self, equity: Decimal, held: set[Symbol], ccxt_symbols: Mapping[Symbol, str]
    ) -> tuple[dict[Symbol, Decimal], dict[Symbol, str]]:
        """Per asked symbol not in ``held``: the rate bound, or why there is none."""
        rates: dict[Symbol, Decimal] = {}
        problems: dict[Symbol, str] = {}
        for symbol in sorted(self.asked - held, key=str):
            ccxt_symbol = ccxt_symbols.get(symbol)
            if ccxt_symbol is None:
                problems[symbol] = "not a linear perpetual on this venue"
                continue
            tiers = await self.tiers(symbol, ccxt_symbol)
            if isinstance(tiers, Failure):
                problems[symbol] = f"leverage tiers failed ({tiers.failure()})"
            else:
                rates[symbol] = maintenance_rate_bound(tiers.unwrap(), equity)
        return rates, problems


__all__ = ["TIERS_TTL_SECONDS", "TierReader", "parse_account_margin", "parse_tiers", "settle_asset"]
