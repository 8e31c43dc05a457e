"""Closing an existing hedge: its carry at the current rates, and the CLOSE signal when
carrying stopped paying (step 2 of :mod:`atomic_fp.decisions.funding_arbitrage`, which
calls it; moved here whole, the same rules and messages).

The carry is the exposure-weighted ``short APR - long APR``, *gross*: exit costs are paid
whether we leave now or later, and we leave as soon as carrying stops paying. A hedge whose
rates are missing or stale is not judged (said in the reason)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from atomic_fp.decisions._common import (
    closing_leg,
    describe_positions,
    pct,
    read,
    untimely,
    venue_order,
)
from atomic_fp.decisions.types import PositionInputs, RateInputs
from atomic_fp.models import (
    ArbitrageConfig,
    Position,
    SignalKind,
    Symbol,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

_ZERO = Decimal(0)


def hedge_carry(legs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Exposure-weighted ``short APR - long APR`` of ``(base size, APR)`` legs in venue
    order: with one long and one short of equal size it is exactly the spread. Funding
    earned per year per unit of hedged base.

    No ``sum`` and no generators (issue 20: the backtest asks ~12,000 times a year): the
    legs are read first (a list is used as given), then every earned term is added, then
    every gross term, each from ``_ZERO`` in venue order, as the two ``sum`` calls did, so
    the answer and any exception are the same (one loop for both sums would not be: a
    gross overflow at one leg could then come before a later leg's invalid earned term;
    ``tests/core/test_hedge_carry_one_pass.py``)."""
    held = legs if type(legs) is list else list(legs)
    earned = _ZERO
    for base, apr in held:
        earned = earned + -base * apr
    gross = _ZERO
    for base, _ in held:
        gross = gross + abs(base)
    return earned / (gross / 2)


def carry_keeps_hedge(carry: Decimal, config: ArbitrageConfig) -> bool:
    """A hedge earning ``carry`` is kept: at or above ``close_threshold`` and not
    negative (else it is closed)."""
    return carry >= config.close_threshold and carry >= 0


def _hedge_carry(
    hedge: Mapping[ExchangeIdentifier, Position], rates: Mapping[ExchangeIdentifier, Decimal]
) -> Decimal:
    return hedge_carry((p.base_size, rates[v]) for v, p in hedge.items())


def consider_close(
    *,
    symbol: Symbol,
    rates: RateInputs,
    positions: PositionInputs,
    config: ArbitrageConfig,
    as_of: datetime,
) -> TradingSignal | str | None:
    """A CLOSE signal, a note on why an existing hedge could not be judged, or None."""
    hedge: dict[ExchangeIdentifier, Position] = {}
    # whether the legs held include a long and a short, found in the same pass
    long = short = False
    for venue in sorted(positions, key=venue_order):
        position, _ = read(positions[venue])
        if position is not None and not position.is_flat and position.symbol == symbol:
            hedge[venue] = position
            size = position.size
            if size > 0:
                long = True
            elif size < 0:
                short = True
    if not (long and short):
        return None
    aprs: dict[ExchangeIdentifier, Decimal] = {}
    for venue in hedge:
        rate, error = read(rates[venue]) if venue in rates else (None, None)
        if rate is None:
            why = f"failed ({error})" if error else "missing"
            return f"existing hedge not judged: {venue} rate {why}"
        if problem := untimely(rate.observed_at, as_of, config.max_data_age):
            return f"existing hedge not judged: {venue} rate {problem}"
        aprs[venue] = rate.apr
    carry = _hedge_carry(hedge, aprs)
    if carry_keeps_hedge(carry, config):
        return None
    legs_text = ", ".join(f"{v} {pct(a)}" for v, a in aprs.items())  # only a CLOSE reads it
    why = (
        "flipped negative" if carry < 0 else f"below close threshold {pct(config.close_threshold)}"
    )
    return TradingSignal(
        kind=SignalKind.CLOSE,
        symbol=symbol,
        legs=tuple(closing_leg(p) for p in hedge.values()),
        reason=(
            f"hedge carry {pct(carry)} APR {why} (APRs: {legs_text}); close "
            f"{describe_positions(hedge.values())} reduce-only"
        ),
        created_at=as_of,
        expected_net_apr=carry,
    )


__all__ = ["carry_keeps_hedge", "consider_close", "hedge_carry"]
