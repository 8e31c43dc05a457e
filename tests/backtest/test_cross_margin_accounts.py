"""Symbols sharing a cross-margin venue account: the backtest books what deciding every
symbol at every instant books.

Outside reference: the live orchestrator's cycle, which decides every symbol at every
cycle (no fingerprint, no screening, no certificate). :class:`_DecideEverything` is that
cycle run by the engine at every instant the engine has (steps and the re-decisions after
fills). Each paper venue account is cross-margin (``adapters/paper/margin.py``): one
symbol's mark move, fill, funding payment or liquidation changes every other position's
liquidation distance and the margin an opening may use on the same venue, so a symbol
whose own inputs did not change must still be considered (the review's reproduction: B's
mark jump brings A's short leg inside ``liquidation_buffer``; the live cycle closes A).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SymbolState
from atomic_fp.backtest.series import FundingSeries, HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
H = timedelta(hours=1)


class _DecideEverything(_Run):
    """The live runner's cycle: every symbol decided in full at every instant."""

    screening = False
    certify = False

    def _cycle(
        self, now: datetime, syms: set[SymbolState], retry: list[tuple[datetime, int]]
    ) -> None:
        super()._cycle(now, set(self.syms), retry)

    def _cycle_symbol(
        self, sym: SymbolState, now: datetime, retry: list[tuple[datetime, int]]
    ) -> bool:
        sym.seen = None
        return super()._cycle_symbol(sym, now, retry)


class _Uncertified(_Run):
    certify = False


def _booked(result: BacktestResult) -> tuple[object, ...]:
    """Everything a run books (not its counters of decisions asked and screened)."""
    r = result
    return (
        r.fills, r.funding, r.equity, r.symbol_points, r.decisions, r.problems,
        r.missed_in_position, r.time_in_market, r.per_symbol, r.peak_gross_notional,
        r.steps, r.safety_actions, r.liquidations,
    )  # fmt: skip


def _shared_venue_history() -> list[FundingSeries]:
    """A and B both hedge long alpha / short gamma (alpha and gamma settle every 4 h);
    B is also on beta, settling hourly with B's mark: 100, but 300 at hour 5."""
    r = Decimal("0.0001")
    rows = []
    for sym, mark in (("A", Decimal(1000)), ("B", None)):
        for h in range(0, 17, 4):
            for venue, rate in (("alpha", -4 * r), ("gamma", 4 * r)):
                rows.append(
                    HistoryRow(
                        venue, Symbol(sym), sym + "USDT", Decimal(1), T0 + h * H, rate,
                        4 * H, mark if venue == "alpha" else None, "test",
                    )
                )  # fmt: skip
    for h in range(0, 17):
        rows.append(
            HistoryRow(
                "beta", Symbol("B"), "BUSDT", Decimal(1), T0 + h * H, Decimal(0), H,
                Decimal(300) if h == 5 else Decimal(100), "test",
            )
        )  # fmt: skip
    return list(build_series(rows).series)


def _shared_venue_settings() -> BacktestSettings:
    config = ArbitrageConfig(
        build_threshold=Decimal("1.0"), close_threshold=Decimal("0.5"),
        max_position=Decimal(1), trade_size=Decimal(1), liquidation_buffer=Decimal("0.1"),
        fees={v: VenueFees(maker=Decimal(0), taker=Decimal(0)) for v in ("alpha", "beta", "gamma")},
    )  # fmt: skip
    return BacktestSettings(
        config=config, use_books=False, capital=Decimal(900), half_spread=Decimal("0.0001")
    )


def test_another_symbols_mark_jump_closes_a_hedge_as_the_live_cycle_does() -> None:
    series = _shared_venue_history()
    run_settings = _shared_venue_settings()
    live = _DecideEverything(series, run_settings, None, backtest_venue).run()
    engine = _Run(series, run_settings, None, backtest_venue).run()
    uncertified = _Uncertified(series, run_settings, None, backtest_venue).run()
    # the reference acts on A at 05:00 (B's mark jump, A's own inputs unchanged) ...
    at_five = [d for d in live.decisions if d.symbol == "A" and d.time == T0 + 5 * H]
    assert at_five, live.decisions
    assert live.safety_actions >= 1
    # ... and the engine, certified or not, books exactly what it books
    assert _booked(engine) == _booked(live)
    assert _booked(uncertified) == _booked(live)
    assert engine.decision_runs < live.decision_runs  # the engine still skips work


# ------------------------------------------------------------------ random shared venues

STEP = Decimal("0.00005")
VENUES = ("alpha", "beta", "gamma")


def _random_history(rng: random.Random) -> tuple[list[FundingSeries], BacktestSettings]:
    """Two or three symbols on the same three venues; marks jump (x0.5 .. x3) on one
    symbol's pricing venue; intervals differ per venue and change mid-history; gaps."""
    length = rng.randint(10, 30)
    symbols = ["X", "Y", "Z"][: rng.choice([2, 2, 3])]
    rows: list[HistoryRow] = []
    for s_i, sym in enumerate(symbols):
        marks = [Decimal(rng.choice([40, 60, 100, 100, 150, 250]))]
        for _ in range(length):
            factor = Decimal(rng.choice(["0.5", "0.8", "1", "1", "1", "1", "1.25", "2", "3"]))
            marks.append(max(Decimal(1), (marks[-1] * factor).quantize(Decimal("0.01"))))
        pricing = VENUES[s_i % len(VENUES)]
        for venue in VENUES:
            hour, interval_h = 1, rng.choice([1, 1, 2, 4])
            while hour <= length:
                if rng.random() < 0.1:
                    interval_h = rng.choice([1, 2, 4])
                    hour = ((hour + interval_h - 1) // interval_h) * interval_h or interval_h
                    if hour > length:
                        break
                step = rng.choice([-3, -2, -1, 0, 1, 1, 2, 3, 4, 6, None])
                if step is not None:
                    priced = venue == pricing or rng.random() < 0.15
                    rows.append(
                        HistoryRow(
                            venue, Symbol(sym), f"{sym}USDT", Decimal(1),
                            T0 + hour * H, step * STEP * interval_h, interval_h * H,
                            marks[hour - 1] if priced else None, "test",
                        )
                    )  # fmt: skip
                hour += interval_h
        rows.append(
            HistoryRow(pricing, Symbol(sym), f"{sym}USDT", Decimal(1), T0, Decimal(0), H,
                       Decimal(100), "test")
        )  # fmt: skip
    unique: dict[tuple[str, Symbol, datetime], HistoryRow] = {}
    for row in rows:
        unique.setdefault((row.venue, row.symbol, row.funding_time), row)
    series = list(build_series(list(unique.values())).series)
    config = ArbitrageConfig(
        build_threshold=STEP * 8760 * rng.choice([1, 2, 3]),
        close_threshold=Decimal(rng.choice(["-0.5", "0", "0.05", "0.3"])),
        max_position=Decimal(rng.choice([1, 2, 3])),
        trade_size=Decimal(rng.choice(["0.5", "1"])),
        liquidation_buffer=Decimal(rng.choice(["0", "0.05", "0.1", "0.3"])),
        max_total_exposure=rng.choice([None, None, Decimal(3)]),
        fees={
            "alpha": VenueFees(maker=Decimal(0), taker=Decimal(0)),
            "beta": VenueFees(maker=Decimal(0), taker=Decimal(rng.choice(["0", "0.0005"]))),
            "gamma": VenueFees(maker=Decimal(0), taker=Decimal(0)),
        },
    )
    run_settings = BacktestSettings(
        config=config, use_books=rng.random() < 0.5,
        capital=rng.choice([Decimal(150), Decimal(300), Decimal(600), Decimal(2000)]),
        half_spread=Decimal("0.001"),
        cycle_interval=rng.choice([timedelta(minutes=1), timedelta(hours=1), timedelta(hours=3)]),
    )  # fmt: skip
    return series, run_settings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_shared_venue_histories_book_what_the_live_cycle_books(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    live = _DecideEverything(series, run_settings, None, backtest_venue).run()
    engine = _Run(series, run_settings, None, backtest_venue).run()
    assert _booked(engine) == _booked(live)
    event("safety acted" if live.safety_actions else "no safety action")
    event("liquidated" if live.liquidations else "no liquidation")
    event("traded" if live.fills else "no fill")


# ------------------------------------------------------------------ interval change


class _CountingMarketChanges(_Run):
    """Counts the certificate checks that find a venue's market replaced since the
    recorded decision (``run_quiet``'s market-identity check)."""

    market_changed = 0

    def _quiet(self, sym: SymbolState, now: datetime, aprs: list[tuple[str, Decimal]]) -> bool:
        record = sym.quiet
        if record is not None:
            for state, market in zip(sym.series, record.markets, strict=True):
                now_market = (
                    state.venue.market_state(state.data.symbol).market if state.listed else None
                )
                if now_market is not market:
                    self.market_changed += 1
                    quiet = super()._quiet(sym, now, aprs)
                    assert not quiet  # a replaced market is never certified
                    return quiet
        return super()._quiet(sym, now, aprs)


def test_a_funding_interval_change_while_held_is_decided_not_certified() -> None:
    """X hedged long alpha / short gamma; gamma's interval goes from 4 h to 1 h at hour 8
    (the paper venue replaces the market's rules): the next cycle is decided in full, and
    the bookings equal the live cycle's."""
    rows = []
    for h in range(0, 25):
        rows.append(
            HistoryRow("alpha", Symbol("X"), "XUSDT", Decimal(1), T0 + h * H,
                       Decimal("-0.0001"), H, Decimal(100 + h), "test")
        )  # fmt: skip
    gamma_hours = [0, 4, 8, *range(9, 25)]
    for h in gamma_hours:
        interval = 4 * H if h <= 8 else H
        rate = Decimal("0.0004") if h <= 8 else Decimal("0.0001")
        rows.append(
            HistoryRow("gamma", Symbol("X"), "XUSDT", Decimal(1), T0 + h * H, rate, interval,
                       None, "test")
        )  # fmt: skip
    series = list(build_series(rows).series)
    config = ArbitrageConfig(
        build_threshold=Decimal("1.0"), close_threshold=Decimal("0.5"),
        max_position=Decimal(1), trade_size=Decimal(1), liquidation_buffer=Decimal("0.1"),
        fees={v: VenueFees(maker=Decimal(0), taker=Decimal(0)) for v in ("alpha", "gamma")},
    )  # fmt: skip
    run_settings = BacktestSettings(
        config=config, use_books=False, capital=Decimal(2000), half_spread=Decimal("0.0001")
    )
    run = _CountingMarketChanges(series, run_settings, None, backtest_venue)
    engine = run.run()
    live = _DecideEverything(series, run_settings, None, backtest_venue).run()
    assert engine.fills and engine.fills[0].time < T0 + 8 * H  # held across the change
    assert run.market_changed >= 1
    assert run.certified >= 1
    assert _booked(engine) == _booked(live)
