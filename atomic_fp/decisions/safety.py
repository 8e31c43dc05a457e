"""SafetyDecision: reduce or close on liquidation risk or an exposure cap breach; refuse
to open on stale data.

Inputs are one symbol's per-venue positions and markets.

- **Liquidation.** When any known position's ``liquidation_distance`` is below
  ``config.liquidation_buffer``, the whole hedge is closed: one reduce-only leg per known
  non-flat position of the symbol, each its full size -- closing only the endangered leg
  would leave the other naked. A CLOSE signal.
- **Exposure cap.** ``config.max_total_exposure`` caps the symbol's *gross base exposure*:
  ``sum(|base_size|)`` over the venues, in base-asset units like ``max_position``. When it
  is exceeded, the largest long and the largest short are each reduced by the same base
  amount (half the excess, rounded *up* to a size valid on both venues, capped by the
  smaller position) so the hedge stays balanced. A one-sided book reduces its largest
  position by the excess (rounded up to its lot). A REDUCE signal. If the reduction cannot
  be sized (no market rules, below a lot), everything known is closed instead: whole
  positions need no rounding.

A failed position query does not stop a safety action on the others (closing or reducing
known legs never adds exposure); it is listed in the reason. A position with no reported
liquidation distance is not judged on that criterion.

:meth:`SafetyDecision.may_open` is the gate before opening: give it the inputs of the
venues you intend to trade; each needs a fresh rate and a known, fresh position.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from returns.result import Failure, Result, Success

from atomic_fp import sizing
from atomic_fp.decisions._common import (
    SUCCESS_NONE,
    closing_leg,
    describe_positions,
    held_and_unknown_positions,
    pct,
    read,
    single_symbol,
    untimely,
    venue_order,
)
from atomic_fp.decisions.types import MarketInputs, NoTrade, PositionInputs, RateInputs
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    Position,
    Side,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier


def _close_all(
    held: dict[ExchangeIdentifier, Position],
    symbol: Symbol,
    why: str,
    unknown: list[str],
    now: datetime,
) -> TradingSignal:
    note = f" (positions unknown: {'; '.join(unknown)})" if unknown else ""
    return TradingSignal(
        kind=SignalKind.CLOSE,
        symbol=symbol,
        legs=tuple(closing_leg(p) for p in held.values()),
        reason=f"{symbol}: {why}; close {describe_positions(held.values())} reduce-only{note}",
        created_at=now,
    )


def _reduce_leg(position: Position, market: Market, base_size: Decimal) -> TradeLeg:
    return TradeLeg(
        exchange=position.exchange,
        symbol=position.symbol,
        side=Side.SELL if position.size > 0 else Side.BUY,
        size=sizing.venue_size(base_size, market),
        contract_multiplier=market.contract_multiplier,
        reduce_only=True,
        reference_price=position.mark_price or None,
    )


def _reduction(
    held: dict[ExchangeIdentifier, Position], markets: MarketInputs, excess: Decimal
) -> tuple[TradeLeg, ...] | str:
    """Legs that cut gross exposure by at least ``excess``, staying balanced, or why not."""
    longs = [v for v, p in held.items() if p.size > 0]
    shorts = [v for v, p in held.items() if p.size < 0]
    chosen = [
        min(side, key=lambda v: (-abs(held[v].base_size), v)) for side in (longs, shorts) if side
    ]
    rules: dict[ExchangeIdentifier, Market] = {}
    for venue in chosen:
        market, _ = read(markets[venue]) if venue in markets else (None, None)
        if market is None:
            return f"no market rules for {venue}"
        rules[venue] = market
    step = sizing.common_base_step(rules.values())
    per_leg = excess / 2 if len(chosen) == 2 else excess
    cap = min(abs(held[v].base_size) for v in chosen)
    amount = min(sizing.ceil_to_step(per_leg, step), sizing.floor_to_step(cap, step))
    if amount <= 0:
        return f"a reduction of {per_leg} is below one common lot ({step})"
    legs = tuple(_reduce_leg(held[v], rules[v], amount) for v in chosen)
    for leg, venue in zip(legs, chosen, strict=True):
        if leg.size < rules[venue].min_size:
            return f"{venue} reduction {leg.size} below min_size {rules[venue].min_size}"
    return legs


class SafetyDecision:
    @staticmethod
    def analyze(
        *,
        positions: PositionInputs,
        markets: MarketInputs,
        config: ArbitrageConfig,
        now: datetime,
    ) -> Result[TradingSignal, NoTrade]:
        """A REDUCE/CLOSE signal when a position is too close to liquidation or exposure
        exceeds ``config.max_total_exposure``; ``Failure(NoTrade)`` when all is safe."""
        held, unknown = held_and_unknown_positions(positions)
        if not held:
            return Failure(NoTrade("no open positions", tuple(unknown)))
        symbol = single_symbol(p.symbol for p in held.values())
        if isinstance(symbol, str):
            return Failure(NoTrade(f"safety not judged: {symbol}", tuple(unknown)))
        endangered = [
            (venue, distance)
            for venue, p in held.items()
            if (distance := p.liquidation_distance) is not None
            and distance < config.liquidation_buffer
        ]
        if endangered:
            venue, distance = min(endangered, key=lambda e: (e[1], e[0]))
            why = (
                f"{venue} is {pct(distance)} from liquidation "
                f"(buffer {pct(config.liquidation_buffer)})"
            )
            return Success(_close_all(held, symbol, why, unknown, now))
        gross = sum((abs(p.base_size) for p in held.values()), Decimal(0))
        cap = config.max_total_exposure
        if cap is not None and gross > cap:
            why = f"gross exposure {gross} {symbol.base} exceeds cap {cap}"
            legs = _reduction(held, markets, gross - cap)
            if isinstance(legs, str):
                return Success(
                    _close_all(held, symbol, f"{why}, cannot reduce ({legs})", unknown, now)
                )
            note = f" (positions unknown: {'; '.join(unknown)})" if unknown else ""
            sizes = ", ".join(f"{leg.side.value} {leg.base_size} on {leg.exchange}" for leg in legs)
            return Success(
                TradingSignal(
                    kind=SignalKind.REDUCE,
                    symbol=symbol,
                    legs=legs,
                    reason=f"{symbol}: {why}; {sizes} reduce-only{note}",
                    created_at=now,
                )
            )
        unjudged = [str(v) for v, p in held.items() if p.liquidation_distance is None]
        detail = f"; liquidation distance unknown on {', '.join(unjudged)}" if unjudged else ""
        return Failure(
            NoTrade(
                f"{symbol}: positions within liquidation buffer and exposure cap{detail}",
                tuple(unknown),
            )
        )

    @staticmethod
    def may_open(
        *,
        rates: RateInputs,
        positions: PositionInputs,
        config: ArbitrageConfig,
        now: datetime,
        venues: Collection[ExchangeIdentifier] | None = None,
    ) -> Result[None, NoTrade]:
        """``Success(None)`` when opening is allowed; otherwise why not (stale rate,
        unknown or stale position, position near liquidation, fewer than two venues).

        ``venues`` limits the check to the venues to be traded -- pass the legs' venues of
        the OPEN signal (``{leg.exchange for leg in signal.legs}``), so that a failed venue
        the decision already left out does not block a trade elsewhere. Without it every
        venue in ``rates`` or ``positions`` is checked. (CLOSE/REDUCE signals need no gate:
        they only remove exposure.)"""
        problems: list[str] = []
        checked = sorted(set(rates) | set(positions) if venues is None else venues, key=venue_order)
        if len(checked) < 2:
            problems.append(f"a hedge needs two venues, got {len(checked)}")
        for venue in checked:
            rate, rate_error = read(rates[venue]) if venue in rates else (None, None)
            if rate is None:
                problems.append(
                    f"{venue}: funding rate "
                    + (f"failed ({rate_error})" if rate_error else "missing")
                )
            elif problem := untimely(rate.observed_at, now, config.max_data_age):
                problems.append(f"{venue}: rate {problem}")
            if venue not in positions:
                problems.append(f"{venue}: position missing (unknown is not flat)")
                continue
            position, position_error = read(positions[venue])
            if position_error is not None:
                problems.append(f"{venue}: position failed ({position_error})")
            elif position is not None and (
                problem := untimely(position.observed_at, now, config.max_data_age)
            ):
                problems.append(f"{venue}: position {problem}")
            elif (
                position is not None
                and (distance := position.liquidation_distance) is not None
                and distance < config.liquidation_buffer
            ):
                problems.append(f"{venue}: position {pct(distance)} from liquidation")
        if problems:
            return Failure(NoTrade("opening refused", tuple(problems)))
        return SUCCESS_NONE
