"""The entry-gap screen (``AccountingRun._gap_refuses``) over the book shapes and market
rules ``test_entry_gap_screen.py`` does not draw (review of the screen): contract
multipliers from 0.001 to 1000 per venue, price scales from 1e-6 to 1e9, ticks and lots
up to 1, half spreads 0-5 %, horizons 5 minutes to 90 days, slippage caps, fee tiers,
negative rates; and a venue whose books have 1-5 levels with small sizes (so an order
walks the book and its average price is worse than the touch the bound reads) and,
now and then, an empty side.

Every cycle the bound screened is decided in full as well: the decision must trade
nothing there. And the run with the bound books exactly what the run without it books
(the counters of decisions asked and screened aside).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

from adapters.paper.backtest import BacktestPaperVenue, backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.series import FundingSeries, HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, BookLevel, OrderBook, Symbol, VenueFees

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
VENUES = ("alpha", "beta", "gamma")


class _WithoutBound(_Run):
    def _gap_refuses(self, *args: Any) -> bool:
        return False


class _Witnessed(_Run):
    """The engine, deciding in full every cycle the bound screened."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.refused_by_gap = 0
        self.witnessed = 0
        self.traded: list[object] = []

    def _gap_refuses(self, *args: Any) -> bool:
        refused: bool = super()._gap_refuses(*args)
        self.refused_by_gap += refused
        return refused

    def _cycle_symbol(self, sym: Any, now: datetime, retry: Any) -> bool:
        refused, screened = self.refused_by_gap, self.screened
        decided: bool = super()._cycle_symbol(sym, now, retry)
        if self.screened > screened and self.refused_by_gap > refused:
            outcome, _ = self._outcome(sym, now)
            self.witnessed += 1
            if outcome.to_execute is not None:
                self.traded.append((sym.base, now, outcome.to_execute.reason))
        return decided


def _pick(rng: random.Random, *choices: str) -> Decimal:
    return Decimal(rng.choice(choices))


def _history(rng: random.Random) -> tuple[list[FundingSeries], BacktestSettings]:
    length = rng.randint(8, 24)
    multipliers = {v: _pick(rng, "1", "1", "10", "100", "0.001", "1000", "0.1") for v in VENUES}
    scale = _pick(rng, "0.000001", "0.001", "1", "1", "1000", "100000", "1000000000")
    step = _pick(rng, "0.00005", "0.0005", "0.005")
    rows = []
    for name in ["X", "Y", "Z"][: rng.choice([1, 2, 3])]:
        base = Decimal(rng.choice([40, 60, 100, 150, 250, 1234567])) * scale
        for venue in VENUES:  # each venue its own marks: a basis between venues
            interval = rng.choice([1, 1, 2, 4, 8])
            basis = 1 + Decimal(rng.randint(-300, 300)) / 10000
            for hour in range(0, length + 1, interval):
                steps = rng.choice([-6, -3, -2, -1, 0, 1, 2, 3, 4, 6, 10, None])
                if steps is None:
                    continue  # a missing settlement
                mark = None
                if rng.random() < 0.85:
                    mark = (
                        base * basis * Decimal(1 + rng.randint(-50, 50) / 1000) * multipliers[venue]
                    )
                    if rng.random() < 0.3:
                        mark = mark.quantize(
                            Decimal(1).scaleb(mark.adjusted() - rng.choice([3, 6, 12]))
                        )
                rows.append(
                    HistoryRow(venue, Symbol(name), f"{name}USDT", multipliers[venue],
                               T0 + hour * HOUR, steps * step * interval, interval * HOUR, mark,
                               "test")
                )  # fmt: skip
    tick = _pick(rng, "0.00000001", "0.00000001", "0.01", "1", "0.5")
    config = ArbitrageConfig(
        build_threshold=step * 8760 * _pick(rng, "0.5", "1", "2", "3"),
        close_threshold=_pick(rng, "-0.5", "0", "0.05"),
        max_position=_pick(rng, "1", "2", "3", "10"),
        trade_size=_pick(rng, "0.5", "1", "3", "0.0123"),
        holding_horizon=rng.choice(
            [timedelta(days=7), timedelta(days=1), HOUR, timedelta(minutes=5), timedelta(days=90)]
        ),
        slippage_cap=_pick(rng, "0.005", "0", "0.5", "10"),
        max_data_age=rng.choice([timedelta(minutes=5), timedelta(days=1)]),
        fees={
            v: VenueFees(maker=Decimal(0), taker=_pick(rng, "0", "0.0002", "0.0005", "0.001"))
            for v in VENUES
        },
    )
    settings = BacktestSettings(
        config=config,
        use_books=True,
        capital=None,
        half_spread=_pick(rng, "0", "0.0001", "0.001", "0.01", "0.05"),
        tick_size=tick * (scale if rng.random() < 0.5 else 1),
        lot_size=_pick(rng, "0.00000001", "0.001", "1", "0.1"),
        cycle_interval=rng.choice([timedelta(minutes=1), HOUR]),
    )
    return list(build_series(rows).series), settings


class _DeepBooks(BacktestPaperVenue):
    """Books of 1-5 levels a side with small sizes, 10 % of sides empty, each a function
    of the mark (as the engine assumes a book is)."""

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        mark = state.mark_price
        spread = state.half_spread or Decimal("0.0001")
        rng = random.Random(f"{mark} {symbol.base}")
        levels = rng.choice([1, 2, 3, 5])
        size = _pick(rng, "0.2", "0.5", "1", "3", "1000")
        asks = {mark * (1 + spread * (i + 1) * _pick(rng, "1", "3", "10")) for i in range(levels)}
        bids = {mark * (1 - spread * (i + 1) * _pick(rng, "1", "3")) for i in range(levels)}
        ask_side = tuple(BookLevel(price, size) for price in sorted(asks))
        bid_side = tuple(
            BookLevel(price, size) for price in sorted(bids, reverse=True) if price > 0
        )
        return OrderBook(
            exchange=self._exchange,
            symbol=symbol,
            bids=() if rng.random() < 0.1 else bid_side,
            asks=() if rng.random() < 0.1 else ask_side,
            timestamp=self.now(),
        )


def _deep_venue(name: str, *, fees: VenueFees, balance: Decimal, clock: Any) -> BacktestPaperVenue:
    return _DeepBooks(
        name,
        (),
        fees=fees,
        balances={"USD": balance},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )


def _without_counters(result: BacktestResult) -> str:
    return repr(attrs.evolve(result, decision_runs=0, screened=0))


@pytest.mark.parametrize(
    ("venues", "seeds", "at_least"),
    [(backtest_venue, range(60), 100), (_deep_venue, range(40), 40)],
    ids=["synthetic-books", "deep-books"],
)
def test_no_cycle_the_bound_screens_would_trade(venues: Any, seeds: range, at_least: int) -> None:
    witnessed = 0
    for seed in seeds:
        series, settings = _history(random.Random(seed))
        run = _Witnessed(series, settings, None, venues)
        result = run.run()
        assert run.traded == [], seed
        assert _without_counters(result) == _without_counters(
            _WithoutBound(series, settings, None, venues).run()
        ), seed
        witnessed += run.witnessed
    assert witnessed >= at_least  # the bound did screen, and each screen was decided in full
