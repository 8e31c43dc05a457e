"""The backtest's screening (flat symbols that provably cannot open are not decided) books
exactly what deciding every changed symbol at every step books.

Reference: the same engine with ``screening`` off (every symbol whose inputs changed is
handed to the live decision cycle). Random histories on three venues, drawn so that the
best ordered pair's net APR lands often *exactly* on ``build_threshold`` (hourly rates
on a 0.00005 grid, zero fees on one venue, threshold 0.438 = 0.00005 x 8760), with
gaps, marks on one venue only, and books off (so the decision's net APR is spread minus
fees, with no entry gap to hide an off-by-one at the threshold) and on. A deliberately
wrong screen (``>`` for ``>=``) is caught on a history built for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp import costs
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run
from atomic_fp.backtest.replay_state import SymbolState
from atomic_fp.backtest.series import FundingSeries, HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
VENUES = ("alpha", "beta", "gamma")
STEP = Decimal("0.00005")
THRESHOLD = STEP * 8760  # one grid step of an hourly rate, annualised: exactly 0.438
CONFIG = ArbitrageConfig(
    build_threshold=THRESHOLD,
    close_threshold=Decimal("0.1"),
    max_position=Decimal(2),
    trade_size=Decimal(1),
    fees={
        "alpha": VenueFees(maker=Decimal(0), taker=Decimal(0)),
        "beta": VenueFees(maker=Decimal(0), taker=Decimal(0)),
        "gamma": VenueFees(maker=Decimal(0), taker=Decimal("0.0001")),
    },
)


class _Unscreened(_Run):
    screening = False


class _WrongScreen(_Run):
    """Screens out a pair whose net APR equals the threshold (``>`` for ``>=``)."""

    def _may_open(self, sym: SymbolState, aprs: list[tuple[str, Decimal]] | None = None) -> bool:
        usable = self._aprs(sym) if aprs is None else aprs
        return any(
            short - long - costs.fee_apr(self.config, lv, sv) > self.config.build_threshold
            for lv, long in usable
            for sv, short in usable
            if lv != sv
        )


def _series(rates: dict[str, list[int | None]]) -> list[FundingSeries]:
    """Hourly settlements per venue (``None``: missing), rate = grid steps x 0.00005;
    a mark on alpha only (the others are priced by the symbol's reference)."""
    rows: list[HistoryRow] = []
    for venue, steps in rates.items():
        for hour, step in enumerate(steps, start=1):
            if step is None:
                continue
            rows.append(
                HistoryRow(
                    venue, Symbol("X"), "XUSDT", Decimal(1),
                    START + timedelta(hours=hour), step * STEP, timedelta(hours=1),
                    Decimal(100 + hour % 7) if venue == "alpha" else None, "test",
                )
            )  # fmt: skip
    return list(build_series(rows).series)


def _run(kind: type[_Run], series: list[FundingSeries], use_books: bool) -> BacktestResult:
    run_settings = BacktestSettings(
        config=CONFIG, use_books=use_books, capital=Decimal(100_000), half_spread=Decimal(0)
    )
    return kind(series, run_settings, None, backtest_venue).run()


def _bookings(result: BacktestResult) -> tuple[object, ...]:
    return (
        result.fills,
        result.funding,
        result.equity,
        result.symbol_points,
        result.decisions,
        result.problems,
        result.per_symbol,  # incl. max drawdown, tracked at every step when unscreened
        result.time_in_market,
    )


hours = st.integers(min_value=6, max_value=30)
step_values = st.sampled_from([-2, -1, 0, 0, 1, 1, 2, 3]) | st.none()


def grid_rates(length: int, data: st.DataObject) -> dict[str, list[int | None]]:
    """One list of ``length`` threshold-grid steps per venue, drawn in venue order."""
    rates = {
        venue: data.draw(st.lists(step_values, min_size=length, max_size=length), label=venue)
        for venue in VENUES
    }
    rates["alpha"][0] = rates["alpha"][0] or 0  # a first mark: the symbol can be priced
    return rates


def grid_history(
    length: int, data: st.DataObject, use_books: bool
) -> tuple[list[FundingSeries], BacktestSettings]:
    """A threshold-grid history (:func:`grid_rates`) and the settings the engine
    equivalence tests run it with."""
    run_settings = BacktestSettings(
        config=CONFIG, use_books=use_books, capital=Decimal(100_000), half_spread=Decimal(0)
    )
    return _series(grid_rates(length, data)), run_settings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    length=hours,
    data=st.data(),
    use_books=st.booleans(),
)
def test_screened_run_books_what_deciding_every_change_books(
    length: int, data: st.DataObject, use_books: bool
) -> None:
    series = _series(grid_rates(length, data))
    screened = _run(_Run, series, use_books)
    everything = _run(_Unscreened, series, use_books)
    assert _bookings(screened) == _bookings(everything)
    assert everything.screened == 0
    assert screened.decision_runs + screened.screened >= everything.decision_runs


def _threshold_history() -> list[FundingSeries]:
    """alpha at 0, beta one grid step above from hour 3: long alpha / short beta nets
    exactly the threshold (both fees zero), so the decision opens at hour 3."""
    zero: list[int | None] = [0] * 12
    beta: list[int | None] = [0, 0, *([1] * 10)]
    steps = {"alpha": zero, "beta": beta, "gamma": list(zero)}
    return _series(steps)


def test_a_pair_exactly_at_the_threshold_opens_with_and_without_the_screen() -> None:
    series = _threshold_history()
    screened = _run(_Run, series, use_books=False)
    assert screened.fills, "the exact-threshold pair opens"
    assert {f.venue for f in screened.fills} == {"alpha", "beta"}
    assert _bookings(screened) == _bookings(_run(_Unscreened, series, use_books=False))


def test_the_comparison_catches_a_screen_that_is_wrong_at_the_threshold() -> None:
    """The property above can fail: a screen using ``>`` never lets the exact-threshold
    pair reach the decision, and the bookings differ from the unscreened run."""
    series = _threshold_history()
    wrong = _run(_WrongScreen, series, use_books=False)
    everything = _run(_Unscreened, series, use_books=False)
    assert not wrong.fills and everything.fills
    assert _bookings(wrong) != _bookings(everything)
