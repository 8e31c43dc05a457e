"""Mutable replay state of a backtest run: one :class:`SymbolState` per symbol, one
:class:`SeriesState` per (venue, symbol) series, and the helpers that read a series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from atomic_fp.backtest.gaps import expected_interval
from atomic_fp.backtest.results import BacktestSettings
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.backtest.venue import DirectVenue, LiquidationFloor, SimulatedVenue
from atomic_fp.errors import VenueError
from atomic_fp.models import HOURS_PER_YEAR, Symbol, interval_hours
from atomic_fp.models.identifiers import ExchangeIdentifier

T = TypeVar("T")
ZERO = Decimal(0)
SETTLE = 0
"""Event kind: a settlement of a series."""
UNKNOWN = 1
"""Event kind: a series' rate becomes unknown (its next settlement is overdue)."""
_HOURS: dict[timedelta, Decimal] = {}
"""``interval_hours`` of each interval seen (a handful of values, read per settlement)."""


class SymbolState:
    """Mutable replay state of one symbol: its series (one per venue) and its books."""

    __slots__ = (
        "base", "books_moved", "cash", "drawdown", "fees", "funding", "in_market_since",
        "index", "last_point", "peak_net", "quiet", "reference", "reference_time",
        "screened_out", "seen", "series", "slippage", "symbol", "time_in_market",
        "tracked_net", "value",
    )  # fmt: skip

    def __init__(self, index: int, symbol: Symbol) -> None:
        self.index = index
        self.symbol = symbol
        self.base = symbol.base
        self.series: list[SeriesState] = []
        self.reference: Decimal | None = None
        self.reference_time: datetime | None = None
        self.cash = ZERO
        self.fees = ZERO
        self.slippage = ZERO
        self.funding = ZERO
        self.value = ZERO
        self.peak_net = ZERO
        self.drawdown = ZERO
        self.tracked_net = self.net
        """:attr:`net` when the drawdown was last tracked (:attr:`books_moved` False:
        still the net, the same Decimal, as it is computed from the same objects)."""
        self.books_moved = False
        """``funding``, ``fees``, ``cash`` or ``value`` may have changed since the
        drawdown was last tracked (set by every writer of them: a settlement's payment, a
        decided cycle, a liquidation, a revaluation); the engine tracks it again only
        then."""
        self.in_market_since: datetime | None = None
        self.time_in_market = timedelta(0)
        self.seen: tuple[Any, ...] | None = None
        self.screened_out = False
        """Its last look was screened (flat, no pair can clear ``build_threshold``): a
        change of a venue account cannot make it trade (the screening reads no account)."""
        self.quiet: Any = None
        """What its last full decision that executed nothing read, while it holds a
        position (:class:`atomic_fp.backtest.run_quiet.QuietHold`); ``None`` after a fill
        or a liquidation."""
        self.last_point: tuple[Any, ...] | None = None

    @property
    def net(self) -> Decimal:
        return self.funding - self.fees + self.cash + self.value

    @property
    def flat(self) -> bool:
        return all(s.position == 0 for s in self.series)


class SeriesState:
    """Mutable replay state of one series (one symbol on one venue)."""

    __slots__ = (
        "aprs", "available", "data", "direct", "floor", "index", "intervals", "known", "listed",
        "marks", "own_mark", "pending_rate", "position", "signals", "sym", "usable", "venue",
        "venue_id", "venue_mark", "venue_name",
    )  # fmt: skip

    def __init__(
        self, index: int, data: FundingSeries, sym: SymbolState, venue: SimulatedVenue
    ) -> None:
        self.index = index
        self.data = data
        self.sym = sym
        self.venue = venue
        self.venue_name = data.venue
        self.venue_id = ExchangeIdentifier(data.venue)
        self.known = -1
        self.available = False
        self.listed = False
        self.own_mark: Decimal | None = None
        self.venue_mark: Decimal | None = None
        """The mark (per venue unit) last given to the venue: at listing, then by each
        ``set_mark_price`` (:meth:`~atomic_fp.backtest.run_setup.RunBase._ensure_listed`);
        ``None`` before the market is listed."""
        self.position = ZERO
        self.signals = data.rates if data.signals is None else data.signals
        self.intervals = data.intervals
        """``data.intervals`` (read for every usable series of every symbol considered)."""
        self.marks = data.marks
        """``data.marks`` (read at every settlement)."""
        self.aprs = _aprs_of(self.signals, data.intervals)
        """APR of each row's signal (``None``: no estimate), the formula of
        ``FundingRate.apr``, computed for the whole series at once: the screening reads
        the current row's at every step."""
        self.direct = venue if isinstance(venue, DirectVenue) else None
        self.floor = (
            venue if self.direct is not None and isinstance(venue, LiquidationFloor) else None
        )
        """The venue's liquidation floor, when it also answers directly (the positions a
        certified quiet hold stands for are read through the direct calls)."""
        self.pending_rate: tuple[Decimal, timedelta] | None = None
        """The last ``set_funding_rate`` arguments not yet sent to the venue (a new rate
        at an unchanged interval): sent before the venue's rate is next read
        (:meth:`atomic_fp.backtest.run_setup.RunBase._send_rate`)."""
        self.usable = False
        """Its current rate (and the estimator's value of it) is known and it can be
        traded (a price is known); kept by :meth:`refresh` whenever one of those changes
        (read for every symbol at every step, so not recomputed on each read)."""

    def refresh(self) -> None:
        self.usable = (
            self.available
            and self.known >= 0
            and self.listed
            and self.signals[self.known] is not None
        )

    @property
    def price(self) -> Decimal | None:
        """Price per base unit on this venue now."""
        return self.own_mark if self.own_mark is not None else self.sym.reference

    def apr(self) -> Decimal:
        """APR of the current rate, the formula of ``FundingRate.apr``."""
        cached = self.aprs[self.known]
        if cached is None:  # pragma: no cover - apr() is read only when usable
            raise AssertionError("no estimate")
        return cached


def _aprs_of(
    signals: Sequence[Decimal | None], intervals: Sequence[timedelta]
) -> list[Decimal | None]:
    """``signal / interval_hours(interval) * HOURS_PER_YEAR`` per row (``None`` stays).

    Computed row by row: two Decimal operations cost less than the memo that 990c7ed
    keyed by ``str(signal)`` (which was needed to tell apart equal Decimals of other
    exponents); the results are the same objects' values, under the caller's decimal
    context (``tests/backtest/test_aprs_of.py`` keeps the memo as its oracle). The
    hours of an interval are looked up once per run of equal intervals."""
    hours_of = _HOURS
    aprs: list[Decimal | None] = []
    append = aprs.append
    year = HOURS_PER_YEAR
    last: timedelta | None = None
    hours = ZERO
    for signal, interval in zip(signals, intervals, strict=True):
        if signal is None:
            append(None)
            continue
        if interval != last:
            known = hours_of.get(interval)
            if known is None:
                known = hours_of[interval] = interval_hours(interval)
            hours = known
            last = interval
        append(signal / hours * year)
    return aprs


def unknown_after(series: FundingSeries, row: int, tolerance: timedelta) -> datetime | None:
    """When the rate of settlement ``row`` stops being the venue's current rate without a
    successor: the instant the next settlement is overdue. ``None`` when the successor
    arrives in time."""
    times = series.times
    if row + 1 < len(times):
        step = expected_interval(series, row + 1)
        if times[row + 1] - times[row] > step + tolerance:
            return times[row] + step + tolerance
        return None
    return times[row] + series.intervals[row] + tolerance


def default_capital(series: Sequence[FundingSeries], settings: BacktestSettings) -> Decimal:
    """Collateral per venue that carries ``max_position`` of every symbol at its highest
    price in the history (fully collateralised, no leverage)."""
    peaks: dict[str, Decimal] = {}
    for data in series:
        for mark in data.marks:
            if mark is not None and mark > peaks.get(data.symbol.base, ZERO):
                peaks[data.symbol.base] = mark
    for base, price in settings.prices.items():
        peaks.setdefault(base, price)
    return sum((settings.config.max_position * price for price in peaks.values()), ZERO)


def call_now(future: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """Run one paper-venue call to completion without an event loop. The backtest's paper
    venues have no latency knob set, so their calls never suspend; if one did, that is a
    bug here, not something to wait for."""
    coroutine = future.awaitable()
    try:
        coroutine.send(None)
    except StopIteration as done:
        return unsafe_perform_io(done.value)
    coroutine.close()
    raise RuntimeError("a paper venue call suspended; backtest venues must have no latency")


__all__ = [
    "SETTLE",
    "UNKNOWN",
    "ZERO",
    "SeriesState",
    "SymbolState",
    "call_now",
    "default_capital",
    "unknown_after",
]
