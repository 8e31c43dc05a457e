"""What a backtest run is given (:class:`BacktestSettings`) and what it produces
(:class:`BacktestResult`); the engine is :mod:`atomic_fp.backtest.engine`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from atomic_fp.backtest.gaps import GAP_TOLERANCE, Coverage
from atomic_fp.backtest.records import Decision, EquityPoint, Fill, FundingEvent, SymbolPoint
from atomic_fp.errors import VenueError
from atomic_fp.models import ArbitrageConfig

Progress = Callable[[int, int], None]


@attrs.frozen
class HistoryGap(VenueError):
    """The history has no rate for this venue and symbol at this time (a gap, before the
    series starts, or after it ends). Never read as zero."""


@attrs.frozen
class BacktestSettings:
    """How to simulate. ``half_spread`` is the slippage model: the paper venue's synthetic
    book quotes ``mark * (1 +- half_spread)``, so every fill pays it against the mark.
    ``lot_size``/``tick_size`` are the simulated markets' steps in venue units.
    ``capital`` is the collateral, split equally over the venues (the paper venues'
    starting balances, which their liquidation estimates use) and the base of
    ``return_on_capital``. ``None`` = fully collateralised: each venue gets enough to carry
    ``max_position`` of every symbol at that symbol's highest price in the history (a
    deliberate look-ahead that only sizes collateral -- the liquidation estimate and the ROC
    denominator; give ``capital`` to avoid it).
    ``prices``: an assumed constant price per base unit for symbols whose history has no
    mark price on any venue (without it such a symbol cannot be priced and never trades)."""

    config: ArbitrageConfig
    start: datetime | None = None
    end: datetime | None = None
    half_spread: Decimal = Decimal("0.0002")
    capital: Decimal | None = None
    lot_size: Decimal = Decimal("0.00000001")
    tick_size: Decimal = Decimal("0.00000001")
    gap_tolerance: timedelta = GAP_TOLERANCE
    cycle_interval: timedelta = timedelta(minutes=1)
    use_books: bool = True
    prices: Mapping[str, Decimal] = attrs.field(factory=dict)


@attrs.frozen
class ExecutionProblem:
    time: datetime
    signal_id: str
    venue: str
    symbol: str
    detail: str


@attrs.frozen
class SymbolTotals:
    """One symbol's totals at the end. ``price_pnl`` is the mark-to-market PnL of its
    positions excluding slippage, so ``net_pnl = funding - fees - slippage + price_pnl``.
    ``max_drawdown`` is the largest fall of its net PnL from a previous peak."""

    funding: Decimal
    fees: Decimal
    slippage: Decimal
    price_pnl: Decimal
    max_drawdown: Decimal

    @property
    def net_pnl(self) -> Decimal:
        return self.funding - self.fees - self.slippage + self.price_pnl


@attrs.frozen
class BacktestResult:
    """Everything a run produced (metrics are computed from it, see ``metrics.py``)."""

    settings: BacktestSettings
    start: datetime
    end: datetime
    venues: tuple[str, ...]
    symbols: tuple[str, ...]
    coverage: tuple[Coverage, ...]
    fills: tuple[Fill, ...]
    funding: tuple[FundingEvent, ...]
    equity: tuple[EquityPoint, ...]
    symbol_points: Sequence[SymbolPoint]
    """A :class:`~atomic_fp.backtest.records.SymbolPoints`: the points, built when first
    read (equal to, and printed as, the tuple of them)."""
    decisions: tuple[Decision, ...]
    problems: tuple[ExecutionProblem, ...]
    missed_in_position: Mapping[str, int]
    """Per ``venue symbol``: settlements the history lacks while a position was open there
    (their funding is unknown and NOT in the totals)."""
    time_in_market: Mapping[str, timedelta]
    per_symbol: Mapping[str, SymbolTotals]
    peak_gross_notional: Decimal
    steps: int
    decision_runs: int
    """Times the decisions were asked (inputs changed and the symbol was not screened),
    including held symbols' cycles certified to execute nothing
    (:mod:`atomic_fp.backtest.run_quiet`), whose answer is the decision's."""
    screened: int
    """Times a flat symbol's inputs changed but its widest gross spread was below
    ``build_threshold``, so no decision could trade and none was asked."""
    capital: Decimal
    assumed_prices: Mapping[str, Decimal]
    safety_actions: int = 0
    """Times the safety decision (liquidation buffer or exposure cap) acted."""
    liquidations: tuple[Fill, ...] = ()
    """Positions the paper venues liquidated (its margin model, ``adapters/paper/margin``):
    each closed at the mark, its ``fee`` the liquidation fee; also in ``fills``."""


__all__ = [
    "BacktestResult",
    "BacktestSettings",
    "ExecutionProblem",
    "HistoryGap",
    "Progress",
    "SymbolTotals",
]
