"""The engine builds its symbol points positionally (issue 20: ~150,000 a benchmark
year), so their field order is pinned here: a field moved or added in
``atomic_fp/backtest/records.py`` would silently shift values between fields. Reference:
990c7ed's keyword build (:class:`_Keywords`), whole results compared by ``repr`` on random
cross-margin histories."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import _Run
from atomic_fp.backtest.records import SymbolPoint
from atomic_fp.backtest.replay_state import ZERO, SymbolState
from tests.backtest.test_cross_margin_accounts import _random_history
from tests.backtest.test_fingerprint_layout import _Before


def test_the_field_order_the_engine_builds_with() -> None:
    assert [field.name for field in attrs.fields(SymbolPoint)] == [
        "time", "symbol", "spread_apr", "long_venue", "short_venue", "position_base",
        "price", "funding", "net_pnl",
    ]  # fmt: skip


class _Keywords(_Run):
    """``_symbol_point`` of main 990c7ed, verbatim: the point built by keyword."""

    def _symbol_point(
        self,
        sym: SymbolState,
        now: datetime,
        widest: tuple[Decimal, str, str] | None,
        flat: bool = False,
    ) -> None:
        spread = widest[0] if widest is not None else None
        held = ZERO if flat else sum((s.position for s in sym.series if s.position > 0), ZERO)
        key = (spread, held)
        if sym.last_point == key:
            return
        sym.last_point = key
        self.symbol_points.append(
            SymbolPoint(
                time=now,
                symbol=sym.base,
                spread_apr=spread,
                long_venue=widest[1] if widest is not None else None,
                short_venue=widest[2] if widest is not None else None,
                position_base=held,
                price=sym.reference,
                funding=sym.funding,
                net_pnl=sym.net,
            )
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_equal_those_of_building_points_by_keyword(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    by_keyword = _Keywords(series, run_settings, None, backtest_venue).run()
    positional = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(positional) == repr(by_keyword)
    assert positional.symbol_points  # points were recorded and compared


class _KeywordsEverywhere(_Keywords, _Before):
    """990c7ed's cycle (every point through ``_symbol_point``) with 990c7ed's keyword
    build: the engine now builds a screened symbol's point inline, which ``_Keywords``
    alone no longer reaches."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_screened_points_equal_those_built_by_keyword(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    by_keyword = _KeywordsEverywhere(series, run_settings, None, backtest_venue).run()
    inline = _Run(series, run_settings, None, backtest_venue).run()
    assert repr(inline) == repr(by_keyword)
    assert inline.screened  # screened symbols' points were among those compared
