"""The paper venue's margin and liquidation rules (pure), shared with the backtest.

One cross-margin account per settle asset, as Binance, Hyperliquid, GRVT and Lighter run
theirs: equity = wallet balance + unrealised PnL of every position in that asset;
maintenance margin = ``maintenance_rate`` x notional, per position. When equity falls to
the maintenance margin the account is liquidated: every position in that asset is closed
at the mark and a ``liquidation_fee`` (fraction of notional) is charged. Real venues
liquidate in steps and fees differ (Binance's clearance fee, Lighter's ``liquidation_fee``
of 1 % in its market list, Hyperliquid's liquidator keeps the remaining margin); closing
everything is the conservative simplification -- the backtest's "what a liquidation would
have cost" is then an upper bound for one event.

The liquidation price each position reports is :func:`estimate_liquidation_price` of the
shared margin model, so the price the venue shows is the price at which it liquidates
(other marks held fixed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models import Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin


@attrs.frozen
class PaperMarginRules:
    maintenance_rate: Decimal = Decimal("0.005")
    """Maintenance margin as a fraction of notional (0.5 %: Binance's lowest BTCUSDT tier;
    Hyperliquid's BTC at 40x is 1.25 %, Lighter's ETH 1.2 %)."""
    liquidation_fee: Decimal = Decimal("0.01")
    """Charged on the liquidated notional (Lighter lists 1 %)."""
    liquidate: bool = True
    """``False``: report margin but never liquidate (an unrealistic venue, for tests that
    need to move prices without consequence)."""


@attrs.frozen
class PaperLiquidation:
    """One liquidated position: what it cost beyond the price move (``fee``) and the
    account's state that triggered it."""

    time: datetime
    exchange: ExchangeIdentifier
    position: Position
    price: Decimal
    realized_pnl: Decimal
    fee: Decimal
    equity: Decimal
    maintenance_margin: Decimal


def account_margin(
    *,
    exchange: ExchangeIdentifier,
    asset: str,
    wallet: Decimal,
    positions: Iterable[Position],
    rules: PaperMarginRules,
    now: datetime,
    listed: Iterable[Symbol] = (),
) -> AccountMargin:
    """The cross-margin account of one settle asset (``positions`` in that asset, with
    marks; their own liquidation prices are ignored and estimated here). ``listed``: the
    symbols it trades in that asset, each reported at ``rules.maintenance_rate`` for a
    new position (the opening check sizes legs with it)."""
    held = [
        p if p.liquidation_price is None else attrs.evolve(p, liquidation_price=None)
        for p in positions
        if not p.is_flat
    ]
    unrealized = sum(
        ((p.mark_price - p.entry_price) * p.size for p in held if p.mark_price and p.entry_price),
        Decimal(0),
    )
    per_leg = {p.symbol: abs(p.size) * (p.mark_price or 0) * rules.maintenance_rate for p in held}
    return build_account_margin(
        exchange=exchange,
        asset=asset,
        equity=wallet + unrealized,
        maintenance_margin=sum(per_leg.values(), Decimal(0)),
        observed_at=now,
        positions=held,
        leg_maintenance=per_leg,
        maintenance_rates={symbol: rules.maintenance_rate for symbol in listed},
    )


_FLOOR_SLACK = Decimal("1e-12")
"""Relative margin taken off :func:`liquidation_floor`: the bound is exact mathematics,
the venue's estimate is Decimal arithmetic at 28 digits, whose distance
``|mark - price| / mark`` carries an ABSOLUTE error of ~1e-27 (the subtraction cancels
digits), so the relative slack covers it only while the floor is well above that: see
:data:`_TINY_SURPLUS`."""

_TINY_SURPLUS = Decimal("1e-12")
"""A surplus (equity - maintenance) below this fraction of the largest leg's notional
gives a floor of 0: there the true distance is below ~1e-12 and the venue's reported one
is dominated by cancellation error (a floor of ~1e-17 exceeded a reported distance:
``tests/backtest/test_liquidation_floor.py``), while 0 bounds every distance. With the
surplus at least this, the floor is >= ~1e-12 and the 1e-12 relative slack (~1e-24)
dwarfs the ~1e-27 absolute error."""


def liquidation_floor(
    *,
    wallet: Decimal,
    legs: Iterable[tuple[Decimal, Decimal | None, Decimal]],
    rules: PaperMarginRules,
) -> Decimal | None:
    """A lower bound on the ``liquidation_distance`` of every position of one cross-margin
    account as :func:`account_margin` reports it (a position reporting no distance is not
    bounded, and needs none), without building the account: ``legs`` are ``(signed size,
    entry price, mark)`` in venue units, flat ones included or not.

    With ``D = equity - maintenance`` > 0, solving the liquidation estimate
    (:func:`atomic_fp.models.margin.estimate_liquidation_price`) for a leg of size ``q``
    and mark ``m`` at ``r = maintenance_rate``: a long is liquidated at
    ``m - D / (q (1 - r))``, a short at ``m + D / (|q| (1 + r))``, so its distance is
    ``D / (|q| m (1 - r))`` or ``D / (|q| m (1 + r))``, each at least
    ``D / (max |q| m x (1 + r))`` (or the estimate is "no price", no distance). With
    ``D <= 0`` every leg is liquidated at its mark: distance 0; so is the floor for a
    positive ``D`` below ``1e-12`` of the largest notional (:data:`_TINY_SURPLUS`: there
    rounding, not the bound, decides the reported distance). ``None`` when no bound is
    given (a zero or missing mark, a maintenance rate outside [0, 1)). Equity and
    maintenance are summed as :func:`account_margin` sums them.
    ``tests/backtest/test_liquidation_floor.py`` checks it against the venue's positions."""
    rate = rules.maintenance_rate
    if not 0 <= rate < 1:
        return None
    unrealized = Decimal(0)
    maintenance = Decimal(0)
    largest = Decimal(0)
    for size, entry, mark in legs:
        if size == 0:
            continue
        if not mark or mark < 0:
            return None
        if entry:
            unrealized += (mark - entry) * size
        notional = abs(size) * mark
        maintenance += notional * rate
        if notional > largest:
            largest = notional
    if largest == 0:
        return None
    surplus = wallet + unrealized - maintenance
    if surplus <= largest * _TINY_SURPLUS:
        return Decimal(0)
    return surplus / (largest * (1 + rate)) * (1 - _FLOOR_SLACK)


def liquidation_due(margin: AccountMargin, rules: PaperMarginRules) -> bool:
    """Equity at or below maintenance margin, with something to liquidate."""
    return (
        rules.liquidate
        and bool(margin.legs)
        and margin.maintenance_margin is not None
        and margin.maintenance_margin > 0
        and margin.equity <= margin.maintenance_margin
    )


__all__ = [
    "PaperLiquidation",
    "PaperMarginRules",
    "account_margin",
    "liquidation_due",
    "liquidation_floor",
]
