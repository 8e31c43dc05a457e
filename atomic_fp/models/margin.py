"""What margin safety needs from one venue account: equity, maintenance margin, margin
ratio and, per position, the liquidation price and where it came from.

A venue that publishes a liquidation price (Binance ``liquidationPrice``, Hyperliquid
``liquidationPx``, GRVT ``est_liquidation_price``, Lighter ``liquidation_price``) is read
as is (``source = venue``). Where it does not, :func:`estimate_liquidation_price` derives
one from the account's equity and maintenance margin (``source = estimated``), holding
every other position's price fixed -- the cross-margin rule all four venues document:
an account is liquidated when its equity falls to its maintenance margin.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    finite_decimal,
    non_empty_str,
    optional_non_negative,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.account import Position
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


class LiquidationSource(enum.Enum):
    VENUE = "venue"
    """The venue published the price."""
    ESTIMATED = "estimated"
    """Derived here from equity and maintenance margin (see :func:`estimate_liquidation_price`)."""


@attrs.frozen
class LegMargin:
    """One open position and how far it is from liquidation."""

    position: Position
    liquidation_price: Decimal | None = attrs.field(validator=optional_non_negative)
    source: LiquidationSource | None
    """``None`` when the price is unknown (no venue price and nothing to estimate from)."""
    maintenance_margin: Decimal | None = attrs.field(default=None, validator=optional_non_negative)

    @property
    def symbol(self) -> Symbol:
        return self.position.symbol

    @property
    def liquidation_distance(self) -> Decimal | None:
        """``|mark - liquidation| / mark``; ``None`` when either is unknown."""
        mark = self.position.mark_price
        if mark is None or mark == 0 or self.liquidation_price is None:
            return None
        return abs(mark - self.liquidation_price) / mark


def _rates(rates: Mapping[Symbol, Decimal]) -> dict[Symbol, Decimal]:
    return dict(rates)


def _reasons(reasons: Mapping[Symbol, str]) -> dict[Symbol, str]:
    return dict(reasons)


@attrs.frozen
class AccountMargin:
    """One venue account's margin, in its settle/collateral asset (USDT, USDC...)."""

    exchange: ExchangeIdentifier
    asset: str = attrs.field(validator=non_empty_str)
    equity: Decimal = attrs.field(validator=finite_decimal)
    """Wallet balance plus unrealised PnL (what the venue calls margin balance,
    account value, total equity or total asset value)."""
    maintenance_margin: Decimal | None = attrs.field(validator=optional_non_negative)
    """``None`` when the venue does not report it and it could not be derived."""
    observed_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    legs: tuple[LegMargin, ...] = ()
    maintenance_rates: Mapping[Symbol, Decimal] = attrs.field(
        factory=dict, converter=_rates, hash=False
    )
    """Per symbol, the maintenance margin a *new* position would carry, as a fraction of
    its notional -- or a documented upper bound of it (Binance: ``1 / leverage``, the
    initial margin rate at the account's leverage setting, which maintenance never
    exceeds). Empty when the venue says nothing; the opening check
    (:mod:`atomic_fp.decisions.opening_margin`) then refuses a leg it cannot size."""
    maintenance_rate_problems: Mapping[Symbol, str] = attrs.field(
        factory=dict, converter=_reasons, hash=False
    )
    """Per symbol, why no rate is in :attr:`maintenance_rates` (e.g. GRVT's margin-rules
    read failed); the opening check quotes it when it refuses the leg."""

    @property
    def margin_ratio(self) -> Decimal | None:
        """Maintenance margin / equity (Binance's definition; 1 = liquidation). ``None``
        when the maintenance margin is unknown; a non-positive equity reads as 1 (at or
        past liquidation)."""
        if self.maintenance_margin is None:
            return None
        if self.equity <= 0:
            return Decimal(1)
        return self.maintenance_margin / self.equity

    @property
    def excess(self) -> Decimal | None:
        """Equity above maintenance margin: what could be withdrawn before liquidation."""
        if self.maintenance_margin is None:
            return None
        return self.equity - self.maintenance_margin

    def leg(self, symbol: Symbol) -> LegMargin | None:
        return next((leg for leg in self.legs if leg.symbol == symbol), None)

    def maintenance_rate(self, symbol: Symbol) -> Decimal | None:
        """The rate a position in ``symbol`` carries: its own leg's ``maintenance_margin /
        notional`` when the venue reports one, else :attr:`maintenance_rates`."""
        leg = self.leg(symbol)
        if leg is not None and leg.maintenance_margin is not None:
            mark = leg.position.mark_price
            notional = abs(leg.position.size) * mark if mark else Decimal(0)
            if notional > 0:
                return leg.maintenance_margin / notional
        return self.maintenance_rates.get(symbol)


def estimate_liquidation_price(
    *,
    size: Decimal,
    mark: Decimal,
    equity: Decimal,
    maintenance_margin: Decimal,
    leg_maintenance_margin: Decimal,
) -> Decimal | None:
    """The mark of this position at which cross-margin equity equals maintenance margin,
    every other position's price held fixed.

    Equity moves with the mark ``p`` as ``E + q (p - m)`` (``q`` the signed size in the
    venue's units, ``m`` its mark per unit, so ``q m`` is the notional); this
    leg's maintenance margin scales with its notional, ``mm_leg * p / m``; the rest
    (``MM - mm_leg``) stays. Solving ``E + q (p - m) = MM - mm_leg + mm_leg p / m``:
    ``p = (q m - E + MM - mm_leg) / (q - mm_leg / m)``. ``None`` when no positive price
    liquidates it (e.g. a long backed by more than its value). An account already at or
    below maintenance margin is liquidated at the current mark.
    """
    if size == 0 or mark <= 0:
        return None
    if equity <= maintenance_margin:
        return mark
    denominator = size - leg_maintenance_margin / mark
    if denominator == 0:
        return None
    price = (size * mark - equity + maintenance_margin - leg_maintenance_margin) / denominator
    if price <= 0:
        return None
    losing_side = price < mark if size > 0 else price > mark
    return price if losing_side else None


def build_account_margin(
    *,
    exchange: ExchangeIdentifier,
    asset: str,
    equity: Decimal,
    maintenance_margin: Decimal | None,
    observed_at: datetime,
    positions: Iterable[Position],
    leg_maintenance: Mapping[Symbol, Decimal] | None = None,
    maintenance_rates: Mapping[Symbol, Decimal] | None = None,
) -> AccountMargin:
    """Combine account totals with the venue's positions: a venue liquidation price is
    kept (``venue``), a missing one is estimated (``estimated``) when the maintenance
    margin is known. A leg's maintenance margin is the venue's per-position figure when
    given (``leg_maintenance``), else the account's total shared by notional."""
    held = [p for p in positions if not p.is_flat]
    notionals = {p.symbol: abs(p.size) * p.mark_price for p in held if p.mark_price is not None}
    total_notional = sum(notionals.values(), Decimal(0))
    legs: list[LegMargin] = []
    for position in held:
        leg_mm = (leg_maintenance or {}).get(position.symbol)
        if leg_mm is None and maintenance_margin is not None and total_notional > 0:
            notional = notionals.get(position.symbol)
            if notional is not None:
                leg_mm = maintenance_margin * notional / total_notional
        venue_price = position.liquidation_price
        if venue_price is not None and venue_price > 0:
            legs.append(LegMargin(position, venue_price, LiquidationSource.VENUE, leg_mm))
            continue
        estimate = None
        if maintenance_margin is not None and leg_mm is not None and position.mark_price:
            estimate = estimate_liquidation_price(
                size=position.size,
                mark=position.mark_price,
                equity=equity,
                maintenance_margin=maintenance_margin,
                leg_maintenance_margin=leg_mm,
            )
        source = LiquidationSource.ESTIMATED if estimate is not None else None
        legs.append(LegMargin(position, estimate, source, leg_mm))
    return AccountMargin(
        exchange=exchange,
        asset=asset,
        equity=equity,
        maintenance_margin=maintenance_margin,
        observed_at=observed_at,
        legs=tuple(legs),
        maintenance_rates=maintenance_rates or {},
    )


__all__ = [
    "AccountMargin",
    "LegMargin",
    "LiquidationSource",
    "build_account_margin",
    "estimate_liquidation_price",
]
