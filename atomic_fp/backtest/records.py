"""What a backtest run records, step by step. Plain immutable values; metrics, the CSV
files and the charts are all computed from these and nothing else."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models import Side


@attrs.frozen
class Fill:
    """One executed leg. ``size`` is in venue units, ``base_size`` in base units (unsigned);
    prices are per BASE unit. ``slippage`` is the cost against the mark at the fill
    (``|price - mark| * base_size`` when adverse, negative if the fill was better)."""

    time: datetime
    signal_id: str
    kind: str
    symbol: str
    venue: str
    side: Side
    size: Decimal
    base_size: Decimal
    price: Decimal
    mark: Decimal
    fee: Decimal
    slippage: Decimal
    client_order_id: str
    reason: str

    @property
    def signed_base(self) -> Decimal:
        return self.base_size * self.side.sign


@attrs.frozen
class FundingEvent:
    """One funding settlement on a venue where a position was held.

    ``amount`` (received; negative = paid) ``= -rate * position_base * price``."""

    time: datetime
    venue: str
    symbol: str
    rate: Decimal
    interval_hours: Decimal
    position_base: Decimal
    price: Decimal
    amount: Decimal


@attrs.frozen
class EquityPoint:
    """Cumulative totals after one step. ``net_pnl = funding - fees - slippage + price_pnl``;
    ``price_pnl`` is the mark-to-market PnL of the positions excluding slippage."""

    time: datetime
    funding: Decimal
    fees: Decimal
    slippage: Decimal
    price_pnl: Decimal
    gross_notional: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.funding - self.fees - self.slippage + self.price_pnl


@attrs.frozen
class SymbolPoint:
    """A symbol's state after a step where it changed: the widest funding spread among the
    venues whose rate is known (APR fraction; ``None`` with fewer than two), and the hedge
    position (base units held long; the short legs mirror it)."""

    time: datetime
    symbol: str
    spread_apr: Decimal | None
    long_venue: str | None
    short_venue: str | None
    position_base: Decimal
    price: Decimal | None
    funding: Decimal
    net_pnl: Decimal

    @property
    def notional(self) -> Decimal:
        return self.position_base * (self.price or Decimal(0))


@attrs.frozen
class Decision:
    """One decision run: what came out (signal kind, or why no trade)."""

    time: datetime
    symbol: str
    outcome: str
    signal_id: str | None
    detail: str


__all__ = ["Decision", "EquityPoint", "Fill", "FundingEvent", "SymbolPoint"]
