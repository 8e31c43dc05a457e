"""The backtest's fast paths book exactly what the plain path books.

Two references: (1) figures recorded from the engine before the fast paths existed
(commit af4fca0, and main at f846562 with its margin opening check: async ``FutureResult``
calls into the paper venue, a ``Position`` model
built per leg for every liquidation check), on the deterministic market of
``fast_path_fixture``; (2) in the same run, the same market through a paper venue that
offers only the ``VenueClient`` calls (no ``DirectVenue``), so the engine takes its
generic path: every fill, funding payment, equity point, decision and problem is equal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from adapters.paper.backtest import BacktestPaperVenue, backtest_venue
from adapters.paper.venue import PaperVenue
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, run_backtest
from atomic_fp.backtest.series import FundingSeries, build_series
from atomic_fp.backtest.venue import DirectVenue
from atomic_fp.models import VenueFees
from tests.backtest import fast_path_fixture


def _plain_venue(
    name: str, *, fees: VenueFees, balance: Decimal, clock: Callable[[], datetime]
) -> PaperVenue:
    """The paper venue without the direct calls: the engine's generic path."""
    return PaperVenue(
        name, (), fees=fees, balances={"USD": balance}, clock=clock,
        auto_funding=False, ledger_retention=0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def series() -> list[FundingSeries]:
    return list(build_series(fast_path_fixture.rows()).series)


def _run(series: list[FundingSeries], venues: object) -> BacktestResult:
    settings = BacktestSettings(config=fast_path_fixture.config())
    return run_backtest(series, settings, venues=venues)  # type: ignore[arg-type]


def test_the_factories_differ_only_in_the_direct_calls() -> None:
    def clock() -> datetime:
        return fast_path_fixture.START

    fees = VenueFees(maker=Decimal(0), taker=Decimal(0))
    fast = backtest_venue("a", fees=fees, balance=Decimal(1), clock=clock)
    plain = _plain_venue("a", fees=fees, balance=Decimal(1), clock=clock)
    assert isinstance(fast, BacktestPaperVenue) and isinstance(fast, DirectVenue)
    assert not isinstance(plain, DirectVenue)


def test_fast_path_books_what_the_engine_booked_before_it(series: list[FundingSeries]) -> None:
    """Figures of the pre-fast-path engine (af4fca0) on this market. Decisions asked:
    578 before cross-margin accounts were tracked; 648 since (held symbols on a venue
    whose account another symbol changed are now considered; the bookings are the same,
    and equal to deciding every symbol at every instant: test_cross_margin_accounts);
    628 since the screening bounds each pair's entry gap (s10: the flat symbol-cycles
    whose decision refused every pair for its gap are screened instead, and a screened
    symbol is not considered again for another symbol's account change, so screened
    1117 -> 1132; the bookings are the same: test_entry_gap_screen)."""
    result = _run(series, backtest_venue)
    assert (len(result.fills), result.decision_runs, result.screened, result.steps) == (
        536, 628, 1132, 492,
    )  # fmt: skip
    assert result.equity[-1].net_pnl == Decimal("-1680.162599424498000000000")
    assert sum((f.fee for f in result.fills), Decimal(0)) == Decimal("1150.862651373936000000000")


def test_fast_and_generic_paths_book_identical_trades_and_pnl(
    series: list[FundingSeries],
) -> None:
    fast = _run(series, backtest_venue)
    plain = _run(series, _plain_venue)
    assert fast.fills and fast.funding  # the market trades: the comparison means something
    assert fast.fills == plain.fills
    assert fast.funding == plain.funding
    assert fast.equity == plain.equity
    assert fast.symbol_points == plain.symbol_points
    assert fast.decisions == plain.decisions
    assert fast.per_symbol == plain.per_symbol
    assert fast.problems == plain.problems
    assert fast.per_symbol == plain.per_symbol
    assert (fast.decision_runs, fast.screened) == (plain.decision_runs, plain.screened)


def test_direct_calls_refuse_a_venue_with_faults() -> None:
    fees = VenueFees(maker=Decimal(0), taker=Decimal(0))
    venue = backtest_venue(
        "a", fees=fees, balance=Decimal(1), clock=lambda: fast_path_fixture.START
    )
    venue.faults.latency = 0.5
    with pytest.raises(RuntimeError, match="no faults or latency"):
        venue.positions_now()
