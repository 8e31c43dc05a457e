"""Parity: the same rates through ``ArbitrageOrchestrator.run_strategy_cycle`` on paper
venues and through the backtester give the same signals, at the same times, with the same
ids (a signal id hashes kind, symbol, time and every leg's venue, side and size).

The orchestrator side is driven by hand here, independently of the engine: at every
instant the backtester ran a cycle, each paper venue gets the settled rows of that instant
(mark first, then the funding of the period that ended, then the new current rate) and the
orchestrator runs one full cycle -- also at the instants where the backtester skipped the
decisions because no input had changed, which checks that skipping never hides a signal.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import anyio
import pytest

from adapters.paper import ManualClock, PaperMarketState, PaperVenue
from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, run_backtest
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Market, Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import ArbitrageOrchestrator

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")
HALF_SPREAD = Decimal("0.0005")
CAPITAL = Decimal(200_000)
FEES = {
    "alpha": VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0004")),
    "beta": VenueFees(maker=Decimal("0.0001"), taker=Decimal("0.0005")),
}
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.30"),
    close_threshold=Decimal("0.05"),
    max_position=Decimal("0.3"),
    trade_size=Decimal("0.1"),
    fees=FEES,
)


def _rows() -> list[HistoryRow]:
    """Two days: alpha 4-hourly with marks, beta hourly whose rate swings between regimes
    (so hedges open, scale in, and close in both directions)."""
    rows = []
    for hour in range(0, 48, 4):
        mark = Decimal(60_000) + Decimal(150) * Decimal((hour * 7) % 11 - 5)
        rows.append(
            HistoryRow(
                "alpha",
                BTC,
                "BTCUSDT",
                Decimal(1),
                T0 + timedelta(hours=hour),
                Decimal("0.00004"),
                timedelta(hours=4),
                mark,
                "parity",
            )
        )
    regimes = ["0.0002"] * 7 + ["0.00001"] * 6 + ["-0.0002"] * 9 + ["0.000005"] * 8
    regimes += ["0.00025"] * 10 + ["0.00001"] * 8
    for hour, rate in enumerate(regimes):
        rows.append(
            HistoryRow(
                "beta",
                BTC,
                "BTC",
                Decimal(1),
                T0 + timedelta(hours=hour),
                Decimal(rate),
                timedelta(hours=1),
                None,
                "parity",
            )
        )
    return rows  # fmt: skip


def _paper(name: str, clock: ManualClock, mark: Decimal, interval: timedelta) -> PaperVenue:
    return PaperVenue(
        name,
        [
            PaperMarketState(
                market=Market(
                    exchange=ExchangeIdentifier(name),
                    symbol=BTC,
                    venue_symbol="BTCUSDT" if name == "alpha" else "BTC",
                    tick_size=Decimal("0.00000001"),
                    lot_size=Decimal("0.00000001"),
                    funding_interval=interval,
                ),
                mark_price=mark,
                half_spread=HALF_SPREAD,
                depth=Decimal(10) ** 15,
            )
        ],
        fees=FEES[name],
        balances={"USD": CAPITAL / 2},
        clock=clock,
        auto_funding=False,
    )


def test_orchestrator_and_backtester_give_the_same_signals() -> None:
    rows = _rows()
    settings = BacktestSettings(config=CONFIG, half_spread=HALF_SPREAD, capital=CAPITAL)
    result = run_backtest(build_series(rows).series, settings, venues=backtest_venue)
    expected = [(d.time, d.outcome, d.signal_id) for d in result.decisions]
    kinds = {kind for _, kind, _ in expected}
    assert {"open", "close"} <= kinds, expected  # the scenario exercises both
    cycle_times = sorted({p.time for p in result.equity})

    by_time: dict[datetime, list[HistoryRow]] = {}
    for row in rows:
        by_time.setdefault(row.funding_time, []).append(row)
    clock = ManualClock(T0)
    first_mark = next(r.mark_price for r in rows if r.mark_price is not None)
    assert first_mark is not None
    venues = {
        "alpha": _paper("alpha", clock, first_mark, timedelta(hours=4)),
        "beta": _paper("beta", clock, first_mark, timedelta(hours=1)),
    }
    orchestrator = ArbitrageOrchestrator(
        queryers=[AtomicQueryer(v, BTC) for v in venues.values()],
        traders=[AtomicTrader(v, BTC) for v in venues.values()],
        config=CONFIG,
        symbol=BTC,
        clock=clock,
    )
    seen: list[tuple[datetime, str, str]] = []

    async def drive() -> None:
        reference = first_mark
        for when in cycle_times:
            clock.set(when)
            settling = sorted(by_time.get(when, []), key=lambda r: r.venue)
            for row in settling:  # marks first: the settlement uses the mark of its time
                if row.mark_price is not None:
                    reference = row.mark_price
            for venue in venues.values():
                if venue.market_state(BTC).mark_price != reference:
                    venue.set_mark_price(BTC, reference)
            for row in settling:
                venue = venues[row.venue]
                if venue.position_size(BTC) != 0:
                    venue.settle_funding(BTC, when, row.rate)
                venue.set_funding_rate(BTC, row.rate, row.interval)
            report = await orchestrator.run_strategy_cycle()
            if report.action != "none" and report.signal is not None:
                seen.append((when, report.signal.kind.value, report.signal.signal_id))

    anyio.run(drive)
    assert seen == expected
    # and both sides end with the same positions
    for name, venue in venues.items():
        held = sum((f.signed_base for f in result.fills if f.venue == name), Decimal(0))
        assert venue.position_base(BTC) == held


@pytest.mark.parametrize("name", ["alpha", "beta"])
def test_scenario_is_not_trivial(name: str) -> None:
    result = run_backtest(
        build_series(_rows()).series,
        BacktestSettings(config=CONFIG, half_spread=HALF_SPREAD, capital=CAPITAL),
        venues=backtest_venue,
    )
    assert any(f.venue == name for f in result.fills)
    assert len(result.decisions) >= 4
