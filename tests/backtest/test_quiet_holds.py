"""A held symbol's cycle certified quiet (``atomic_fp.backtest.run_quiet``) is one the
full decision would not act on, and certifying books exactly what deciding every cycle
books.

References: the live decision cycle itself (``decide_cycle`` on what the paper venues
answer), run at every certified cycle, must execute nothing; and the same engine with
``certify`` off (every changed held symbol decided in full) must book the same fills,
funding, equity, decisions, problems, symbol points and counters. Markets: the
deterministic fast-path market (hedges open, scale in, close and flip; with thin
collateral the opening gate refuses, safety closes and venues liquidate) and random
hourly histories (hypothesis). Each check is shown able to fail: a certificate that
forgets the liquidation check, or the scale-in check, is caught.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest import run_quiet
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.estimated import with_basis
from atomic_fp.backtest.replay_state import SymbolState
from atomic_fp.backtest.series import FundingSeries, HistoryRow, build_series
from atomic_fp.decisions.estimators import Basis
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees
from tests.backtest import fast_path_fixture


class _Full(_Run):
    certify = False


class _Checked(_Run):
    """Asks the full decision at every certified cycle; it must execute nothing."""

    checked = 0

    def _quiet(self, sym: SymbolState, now: datetime, aprs: list[tuple[str, Decimal]]) -> bool:
        quiet = super()._quiet(sym, now, aprs)
        if quiet:
            outcome, _ = self._outcome(sym, now)
            assert outcome.to_execute is None, (now, sym.base, outcome)
            self.checked += 1
        return quiet


class _NoSafetyCheck(_Checked):
    """Wrong on purpose: certifies without bounding the liquidation distance."""

    def _quiet(self, sym: SymbolState, now: datetime, aprs: list[tuple[str, Decimal]]) -> bool:
        record = sym.quiet
        if record is not None and record.assets:
            sym.quiet = record._replace(assets=())
        return super()._quiet(sym, now, aprs)


def _bookings(result: BacktestResult) -> tuple[object, ...]:
    r = result
    return (
        r.fills, r.funding, r.equity, r.symbol_points, r.decisions, r.problems,
        r.missed_in_position, r.time_in_market, r.per_symbol, r.peak_gross_notional,
        r.steps, r.decision_runs, r.screened, r.safety_actions, r.liquidations,
    )  # fmt: skip


@pytest.fixture(scope="module")
def market() -> list[FundingSeries]:
    return list(build_series(fast_path_fixture.rows()).series)


def _fixture_run(
    kind: type[_Run],
    series: list[FundingSeries],
    capital: Decimal | None,
    buffer: str,
    cycle: timedelta = timedelta(minutes=1),
) -> tuple[_Run, BacktestResult]:
    config = attrs.evolve(fast_path_fixture.config(), liquidation_buffer=Decimal(buffer))
    run_settings = BacktestSettings(config=config, capital=capital, cycle_interval=cycle)
    run = kind(series, run_settings, None, backtest_venue)
    return run, run.run()


@pytest.mark.parametrize(
    ("capital", "buffer", "cycle"),
    [
        (None, "0.05", timedelta(minutes=1)),
        (None, "0.05", timedelta(hours=1)),  # held below max_position between cycles
        (Decimal(100), "0.02", timedelta(minutes=1)),
        (Decimal(200), "0.02", timedelta(minutes=1)),
        (Decimal(400), "0.3", timedelta(hours=3)),
    ],
)
def test_certified_cycles_are_ones_the_decision_does_not_act_on(
    market: list[FundingSeries], capital: Decimal | None, buffer: str, cycle: timedelta
) -> None:
    run, certified = _fixture_run(_Checked, market, capital, buffer, cycle)
    _, full = _fixture_run(_Full, market, capital, buffer, cycle)
    assert isinstance(run, _Checked)
    assert run.checked == run.certified > 0  # certificates were given, and each checked
    assert _bookings(certified) == _bookings(full)
    assert full.fills and full.funding
    if capital is not None and capital <= 200:
        assert certified.liquidations or certified.safety_actions


@pytest.mark.parametrize("basis", [Basis.AVG24H])
def test_certifying_on_trailing_averages_books_what_deciding_every_cycle_books(
    market: list[FundingSeries], basis: Basis
) -> None:
    """The decisions see the trailing average (the series' signals), not the settled
    rate: the certificate reads the same APRs."""
    averaged = [with_basis(series, basis) for series in market]
    config = attrs.evolve(fast_path_fixture.config(), build_threshold=Decimal("0.1"))
    run_settings = BacktestSettings(config=config, cycle_interval=timedelta(hours=1))
    run = _Checked(averaged, run_settings, None, backtest_venue)
    certified = run.run()
    full = _Full(averaged, run_settings, None, backtest_venue).run()
    assert run.checked == run.certified > 0
    assert full.fills
    assert _bookings(certified) == _bookings(full)


def test_a_certificate_without_the_liquidation_bound_is_caught(
    market: list[FundingSeries],
) -> None:
    """Thin collateral: safety closes hedges the wrong certificate would have let be."""
    with pytest.raises(AssertionError, match="safety"):
        _fixture_run(_NoSafetyCheck, market, Decimal(200), "0.02")


def test_a_certificate_without_the_scale_in_check_is_caught(
    market: list[FundingSeries], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong on purpose: no room is ever left under ``max_position``, so a hedge held
    below it (cycles an hour apart) that should scale in is certified quiet."""
    monkeypatch.setattr(run_quiet, "open_capacity", lambda *_: Decimal(0))
    with pytest.raises(AssertionError, match="funding"):
        _fixture_run(_Checked, market, None, "0.05", timedelta(hours=1))


START = datetime(2026, 3, 1, tzinfo=timezone.utc)
VENUES = ("alpha", "beta", "gamma")
STEP = Decimal("0.00005")


def _series(rates: dict[str, list[int | None]], marks: list[int]) -> list[FundingSeries]:
    """Hourly settlements per venue (``None``: missing), rate = grid steps x 0.00005; a
    mark on alpha only (the others are priced by the symbol's reference)."""
    rows: list[HistoryRow] = []
    for venue, steps in rates.items():
        for hour, step in enumerate(steps, start=1):
            if step is None:
                continue
            rows.append(
                HistoryRow(
                    venue, Symbol("X"), "XUSDT", Decimal(1),
                    START + timedelta(hours=hour), step * STEP, timedelta(hours=1),
                    Decimal(marks[hour - 1]) if venue == "alpha" else None, "test",
                )
            )  # fmt: skip
    return list(build_series(rows).series)


step_values = st.sampled_from([-3, -2, -1, 0, 0, 1, 1, 2, 3, 4]) | st.none()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    length=st.integers(min_value=8, max_value=40),
    data=st.data(),
    use_books=st.booleans(),
    capital=st.sampled_from([None, Decimal(150), Decimal(400)]),
    buffer=st.sampled_from([Decimal(0), Decimal("0.02"), Decimal("0.3")]),
    close=st.sampled_from([Decimal("-0.5"), Decimal("0.05"), Decimal("0.3")]),
    cap=st.sampled_from([None, Decimal(1), Decimal(3)]),
)
def test_certifying_books_what_deciding_every_held_cycle_books(
    length: int,
    data: st.DataObject,
    use_books: bool,
    capital: Decimal | None,
    buffer: Decimal,
    close: Decimal,
    cap: Decimal | None,
) -> None:
    rates = {
        venue: data.draw(st.lists(step_values, min_size=length, max_size=length), label=venue)
        for venue in VENUES
    }
    rates["alpha"][0] = rates["alpha"][0] or 0  # a first mark: the symbol can be priced
    marks = data.draw(
        st.lists(st.integers(min_value=60, max_value=140), min_size=length, max_size=length),
        label="marks",
    )
    config = ArbitrageConfig(
        build_threshold=STEP * 8760 * 2,
        close_threshold=close,
        max_position=Decimal(2),
        trade_size=Decimal(1),
        liquidation_buffer=buffer,
        max_total_exposure=cap,
        fees={
            "alpha": VenueFees(maker=Decimal(0), taker=Decimal(0)),
            "beta": VenueFees(maker=Decimal(0), taker=Decimal("0.0001")),
            "gamma": VenueFees(maker=Decimal(0), taker=Decimal(0)),
        },
    )
    series = _series(rates, marks)
    run_settings = BacktestSettings(
        config=config, use_books=use_books, capital=capital, half_spread=Decimal("0.001")
    )
    run = _Checked(series, run_settings, None, backtest_venue)
    certified = run.run()
    full = _Full(series, run_settings, None, backtest_venue).run()
    assert _bookings(certified) == _bookings(full)
    assert run.checked == run.certified
    event("certified" if run.certified else "none certified")
