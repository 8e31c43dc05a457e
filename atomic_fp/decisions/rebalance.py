"""RebalanceDecision: bring a symbol's net signed exposure across venues back under one lot.

A hedge is balanced when the signed base exposures of all venues sum to (about) zero. Fills
differ, so "about" is *one lot*: the largest base lot (``lot_size * contract_multiplier``)
among the venues holding a position, because a difference smaller than the coarsest venue's
step may be impossible to correct on that venue and is left alone.

When ``|net| >`` that lot, one corrective reduce-only leg trims the larger side: a SELL on
the biggest long when net is long, a BUY on the biggest short when net is short (ties: the
alphabetically first venue). Its size is ``|net|``, capped at that position, rounded *down*
to that venue's lot (never over-correcting), and must meet the venue's ``min_size``.

Partial knowledge is not acted on: a failed or missing position or market, or a position
older than ``config.max_data_age``, gives ``NoTrade`` naming the venue.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from returns.result import Failure, Result, Success

from atomic_fp import sizing
from atomic_fp.decisions._common import (
    describe_positions,
    read,
    single_symbol,
    untimely,
    venue_order,
)
from atomic_fp.decisions.types import MarketInputs, NoTrade, PositionInputs
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    Position,
    Side,
    SignalKind,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier


def _known_positions(
    positions: PositionInputs, config: ArbitrageConfig, now: datetime
) -> dict[ExchangeIdentifier, Position] | NoTrade:
    found: dict[ExchangeIdentifier, Position] = {}
    problems: list[str] = []
    for venue in sorted(positions, key=venue_order):
        position, error = read(positions[venue])
        if error is not None:
            problems.append(f"{venue}: position failed ({error})")
        elif position is not None and not position.is_flat:
            if problem := untimely(position.observed_at, now, config.max_data_age):
                problems.append(f"{venue}: position {problem}")
            else:
                found[venue] = position
    if problems:
        return NoTrade("not rebalancing on partial knowledge", tuple(problems))
    return found


class RebalanceDecision:
    @staticmethod
    def analyze(
        *,
        positions: PositionInputs,
        markets: MarketInputs,
        config: ArbitrageConfig,
        now: datetime,
    ) -> Result[TradingSignal, NoTrade]:
        """One corrective reduce-only leg when net exposure exceeds one lot (module doc)."""
        held = _known_positions(positions, config, now)
        if isinstance(held, NoTrade):
            return Failure(held)
        if not held:
            return Failure(NoTrade("no open positions: nothing to rebalance"))
        symbol = single_symbol(p.symbol for p in held.values())
        if isinstance(symbol, str):
            return Failure(NoTrade(f"not rebalancing: {symbol}"))
        rules: dict[ExchangeIdentifier, Market] = {}
        problems: list[str] = []
        for venue in held:
            market, error = read(markets[venue]) if venue in markets else (None, None)
            if market is None:
                problems.append(
                    f"{venue}: market rules " + (f"failed ({error})" if error else "missing")
                )
            elif market.symbol != symbol:
                problems.append(f"{venue}: market is for {market.symbol}, not {symbol}")
            else:
                rules[venue] = market
        if problems:
            return Failure(
                NoTrade("not rebalancing without every venue's lot size", tuple(problems))
            )
        net = sum((p.base_size for p in held.values()), Decimal(0))
        tolerance = max(sizing.base_lot(m) for m in rules.values())
        summary = f"net {net:+} {symbol.base} across {describe_positions(held.values())}"
        if abs(net) <= tolerance:
            return Failure(
                NoTrade(f"{symbol}: {summary} is within one lot ({tolerance} {symbol.base})")
            )
        sign = 1 if net > 0 else -1
        larger_side = [v for v, p in held.items() if p.size * sign > 0]
        venue = min(larger_side, key=lambda v: (-abs(held[v].base_size), v))
        position, market = held[venue], rules[venue]
        wanted = min(abs(net), abs(position.base_size))
        base_size = sizing.floor_to_step(wanted, sizing.base_lot(market))
        if base_size <= 0:
            return Failure(NoTrade(f"{symbol}: {summary}; {wanted} is below one lot on {venue}"))
        size = sizing.venue_size(base_size, market)
        if size < market.min_size:
            return Failure(
                NoTrade(
                    f"{symbol}: {summary}; {size} is below {venue}'s min_size {market.min_size}"
                )
            )
        side = Side.SELL if sign > 0 else Side.BUY
        leg = TradeLeg(
            exchange=venue,
            symbol=symbol,
            side=side,
            size=size,
            contract_multiplier=market.contract_multiplier,
            reduce_only=True,
            reference_price=position.mark_price or None,
        )
        reason = (
            f"{symbol}: {summary} exceeds one lot ({tolerance} {symbol.base}); "
            f"{side.value} {base_size} {symbol.base} on {venue} reduce-only"
        )
        return Success(
            TradingSignal(
                kind=SignalKind.REBALANCE,
                symbol=symbol,
                legs=(leg,),
                reason=reason,
                created_at=now,
            )
        )
