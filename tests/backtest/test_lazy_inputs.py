"""The backtest fetches each venue's account margin and order book only when the
decisions read them (``atomic_fp/backtest/lazy_inputs.py``), and books exactly what it
booked when it fetched every margin and book before every decision.

References: a plain dict of the same values (the mapping's behaviour, hypothesis over
random reads), and in the same run the engine with every margin fetched up front (the
behaviour before), on the fast-path fixture's market at full and at thin collateral
(where the opening gate refuses trades for thin margin and the venues liquidate).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest import run_decide
from atomic_fp.backtest.engine import BacktestResult, BacktestSettings, _Run, run_backtest
from atomic_fp.backtest.lazy_inputs import FetchedOnRead
from atomic_fp.backtest.series import build_series
from atomic_fp.decisions.cycle import decide_cycle
from tests.backtest import fast_path_fixture

_read = st.one_of(
    st.tuples(st.just("get"), st.integers(0, 5)),
    st.tuples(st.just("item"), st.integers(0, 5)),
    st.tuples(st.just("in"), st.integers(0, 5)),
    st.tuples(st.sampled_from(["items", "values", "keys", "len", "iter", "eq"]), st.just(0)),
)


@given(
    st.dictionaries(st.integers(0, 4), st.text(max_size=3), max_size=4),
    st.lists(_read, max_size=12),
)
def test_reads_answer_what_the_plain_dict_answers_and_fetch_each_value_once(
    values: dict[int, str], reads: list[tuple[str, int]]
) -> None:
    calls: list[int] = []

    def fetch(source: tuple[str, int]) -> str:
        calls.append(source[1])
        return values[source[1]]

    lazy = FetchedOnRead({key: ("source", key) for key in values}, fetch)
    for op, key in reads:
        if op == "get":
            assert lazy.get(key) == values.get(key)
        elif op == "item":
            if key in values:
                assert lazy[key] == values[key]
            else:
                with pytest.raises(KeyError):
                    lazy[key]
        elif op == "in":
            before = len(calls)
            assert (key in lazy) == (key in values)
            assert len(calls) == before  # membership never fetches
        elif op == "items":
            assert list(lazy.items()) == list(values.items())
        elif op == "values":
            assert list(lazy.values()) == list(values.values())
        elif op == "keys":
            assert list(lazy.keys()) == list(values.keys())
        elif op == "len":
            assert len(lazy) == len(values)
        elif op == "iter":
            assert list(lazy) == list(values)
        else:
            assert lazy == values
    assert sorted(calls) == sorted(set(calls))  # each value fetched at most once
    assert lazy.fetched() == frozenset(calls)


class _EagerMargins(FetchedOnRead[Any, Any, Any]):
    """The behaviour before: every venue's margin and book fetched before the decision
    runs."""

    def __init__(self, sources: Mapping[Any, Any], fetch: Callable[[Any], Any]) -> None:
        super().__init__(sources, fetch)
        for key in self:
            self[key]


def _run(capital: Decimal | None, buffer: str = "0.05") -> BacktestResult:
    """At thin ``capital`` with a 2 % ``buffer`` the opening gate refuses ~100 openings
    for thin margin (it asks for twice the buffer), and safety or a liquidation acts."""
    config = attrs.evolve(fast_path_fixture.config(), liquidation_buffer=Decimal(buffer))
    settings = BacktestSettings(config=config, capital=capital)
    series = build_series(fast_path_fixture.rows()).series
    return run_backtest(series, settings, venues=backtest_venue)


@pytest.mark.parametrize(
    ("capital", "buffer"), [(None, "0.05"), (Decimal(100), "0.02"), (Decimal(200), "0.02")]
)
def test_a_run_books_what_it_booked_with_every_margin_fetched_first(
    capital: Decimal | None, buffer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lazy = _run(capital, buffer)
    monkeypatch.setattr(run_decide, "FetchedOnRead", _EagerMargins)
    eager = _run(capital, buffer)
    assert lazy.fills and lazy.funding  # the market trades: the comparison means something
    if capital is not None:
        # thin collateral: a venue liquidated, or safety closed before it could
        assert lazy.liquidations or lazy.safety_actions
    for field in attrs.fields(BacktestResult):
        assert getattr(lazy, field.name) == getattr(eager, field.name), field.name
    assert repr(lazy.fills) == repr(eager.fills)
    assert repr(lazy.equity) == repr(eager.equity)


def test_margins_are_fetched_only_in_cycles_that_found_an_opening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[FetchedOnRead[Any, Any, Any]] = []

    class Counted(FetchedOnRead[Any, Any, Any]):
        def __init__(self, sources: Mapping[Any, Any], fetch: Callable[[Any], Any]) -> None:
            super().__init__(sources, fetch)
            made.append(self)

    opening: list[bool] = []
    decide = decide_cycle

    def recorded(**kwargs: Any) -> Any:
        outcome = decide(**kwargs)
        opening.append(outcome.signal is not None and outcome.signal.kind.value == "open")
        return outcome

    monkeypatch.setattr(run_decide, "FetchedOnRead", Counted)
    monkeypatch.setattr(run_decide, "decide_cycle", recorded)
    # every cycle decided in full (no quiet holds certified), so each decision run is
    # one call of decide_cycle
    monkeypatch.setattr(_Run, "certify", False)
    result = _run(None)
    margins, books = made[0::2], made[1::2]  # each cycle makes its margins, then its books
    assert len(margins) == len(books) == len(opening) == result.decision_runs
    fetched = [bool(m.fetched()) for m in margins]
    assert fetched == opening  # read exactly when the opening gate ran
    assert 0 < sum(fetched) < len(fetched) / 2
    # books: read in every cycle that opened (the legs are priced on them), not in all
    read = [len(b.fetched()) for b in books]
    assert all(count >= 2 for count, opened in zip(read, opening, strict=True) if opened)
    assert 0 < read.count(0) < len(read)


def test_a_cycle_fetches_its_margins_and_books_from_one_table_without_partials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each cycle's margins and books read one table of venue states through one fetch
    function each: no ``functools.partial`` per venue (six a cycle before, issue 20)."""
    partials: list[object] = []
    made: list[FetchedOnRead[Any, Any, Any]] = []

    class Counted(FetchedOnRead[Any, Any, Any]):
        def __init__(self, sources: Mapping[Any, Any], fetch: Callable[[Any], Any]) -> None:
            super().__init__(sources, fetch)
            made.append(self)

    def counted_partial(*args: Any, **kwargs: Any) -> Any:
        partials.append(args)
        return functools.partial(args[0], *args[1:], **kwargs)

    monkeypatch.setattr(run_decide, "partial", counted_partial, raising=False)
    monkeypatch.setattr(run_decide, "FetchedOnRead", Counted)
    result = _run(None)
    assert result.decision_runs > 0 and made
    assert partials == []
    for margins, books in zip(made[0::2], made[1::2], strict=True):
        assert margins._sources is books._sources  # the books' too: use_books is on
        assert set(margins._sources) == set(margins)
