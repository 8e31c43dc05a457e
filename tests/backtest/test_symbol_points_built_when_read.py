"""A run's symbol points are kept as plain value tuples and built into
:class:`~atomic_fp.backtest.records.SymbolPoint` when first read
(:class:`~atomic_fp.backtest.records.SymbolPoints`, issue 20: ~147,000 a benchmark year).

Reference: f47b108's way of keeping points, every point built at once and returned as a
tuple (:class:`_BuiltAtOnce`: the CURRENT engine with each recorded value tuple built into
its point as it is appended, and the result's points a plain tuple). It pins the lazy
sequence, not what is recorded: the values' order in each tuple is pinned against the
fields by ``tests/backtest/test_symbol_point_fields.py`` (a swapped pair of values passes
here and fails there). Whole results compared by
``repr`` and by ``==`` on random cross-margin histories; the sequence behaves as that
tuple (length, indexing, slicing, iteration, equality both ways, hash, pickling, truth);
and no point is built until one is read (counted).
"""

from __future__ import annotations

import pickle
import random
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest import records
from atomic_fp.backtest.engine import BacktestResult, _Run
from atomic_fp.backtest.records import SymbolPoint, SymbolPoints
from tests.backtest.test_cross_margin_accounts import _random_history


class _Built(list[Any]):
    """A list that builds each appended value tuple into its point at once."""

    def append(self, value: Any) -> None:
        super().append(value if isinstance(value, SymbolPoint) else SymbolPoint(*value))


class _BuiltAtOnce(_Run):
    """The engine as at f47b108: every point built when recorded, a tuple in the result."""

    def run(self) -> BacktestResult:
        self.symbol_points = _Built()
        result = super().run()
        built = tuple(self.symbol_points)
        assert all(type(point) is SymbolPoint for point in built)
        return attrs.evolve(result, symbol_points=built)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_equal_those_with_every_point_built_at_once(seed: int) -> None:
    series, run_settings = _random_history(random.Random(seed))
    at_once = _BuiltAtOnce(series, run_settings, None, backtest_venue).run()
    lazy = _Run(series, run_settings, None, backtest_venue).run()
    assert type(at_once.symbol_points) is tuple
    assert isinstance(lazy.symbol_points, SymbolPoints)
    assert repr(lazy) == repr(at_once)
    assert lazy == at_once and at_once == lazy
    assert lazy.symbol_points == at_once.symbol_points
    assert at_once.symbol_points == lazy.symbol_points
    assert hash(lazy.symbol_points) == hash(at_once.symbol_points)
    assert list(lazy.symbol_points) == list(at_once.symbol_points)


def _points(seed: int) -> tuple[SymbolPoints, tuple[SymbolPoint, ...]]:
    series, run_settings = _random_history(random.Random(seed))
    lazy = _Run(series, run_settings, None, backtest_venue).run().symbol_points
    at_once = _BuiltAtOnce(series, run_settings, None, backtest_venue).run().symbol_points
    assert isinstance(lazy, SymbolPoints) and isinstance(at_once, tuple)
    return lazy, at_once


def test_the_sequence_behaves_as_the_tuple() -> None:
    lazy, at_once = _points(3)
    assert len(at_once) > 3
    assert len(lazy) == len(at_once)
    assert lazy[0] == at_once[0] and lazy[-1] == at_once[-1]
    assert lazy[1:3] == at_once[1:3] and type(lazy[1:3]) is tuple
    assert tuple(reversed(lazy)) == tuple(reversed(at_once))
    assert at_once[2] in lazy and lazy.index(at_once[2]) == at_once.index(at_once[2])
    assert lazy.count(at_once[0]) == at_once.count(at_once[0])
    assert bool(lazy) and not SymbolPoints() and SymbolPoints() == ()
    assert lazy != at_once[:-1] and lazy != list(at_once)
    copied = pickle.loads(pickle.dumps(lazy))
    assert copied == lazy and repr(copied) == repr(at_once)


def test_no_point_is_built_until_one_is_read(monkeypatch: Any) -> None:
    built = 0
    original = SymbolPoint.__init__

    def counting(self: SymbolPoint, *args: Any, **kwargs: Any) -> None:
        nonlocal built
        built += 1
        original(self, *args, **kwargs)

    series, run_settings = _random_history(random.Random(3))
    monkeypatch.setattr(records.SymbolPoint, "__init__", counting)
    lazy = _Run(series, run_settings, None, backtest_venue).run().symbol_points
    assert built == 0
    assert len(lazy) > 0 and built == 0  # the length needs no point
    first = lazy[0]
    assert built == len(lazy)  # all built at the first read, once
    assert lazy[0] is first and built == len(lazy)


def test_the_comparison_catches_a_point_built_from_shifted_values() -> None:
    """The property above can fail: values recorded in another order than the fields'."""

    class _Shifted(_Run):
        def run(self) -> BacktestResult:
            result = super().run()
            recorded = [value for value in self.symbol_points if isinstance(value, tuple)]
            assert len(recorded) == len(self.symbol_points)
            swapped: list[Any] = [(*v[:6], v[7], v[6], v[8]) for v in recorded]
            return attrs.evolve(result, symbol_points=SymbolPoints(swapped))

    series, run_settings = _random_history(random.Random(3))
    shifted = _Shifted(series, run_settings, None, backtest_venue).run()
    at_once = _BuiltAtOnce(series, run_settings, None, backtest_venue).run()
    assert repr(shifted) != repr(at_once)
    assert shifted.symbol_points != at_once.symbol_points
