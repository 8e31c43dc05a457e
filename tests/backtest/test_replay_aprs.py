"""The replay's per-row APRs (computed once per distinct signal and interval of a series)
are each row's ``signal / interval hours * 8760``, digit for digit: equal Decimals of
other exponents (``0.0001``, ``0.00010``, ``1E-4``) keep their own quotients."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.backtest.replay_state import _aprs_of
from atomic_fp.models import HOURS_PER_YEAR, interval_hours

_signal = st.sampled_from(
    [None, "0.0001", "0.00010", "1E-4", "-0", "0E-8", "0.0000125", "-0.00030", "0.000012500"]
).map(lambda text: None if text is None else Decimal(text))
_interval = st.sampled_from([1, 4, 8]).map(lambda hours: timedelta(hours=hours))


@given(st.lists(st.tuples(_signal, _interval), max_size=30))
def test_each_row_is_its_own_quotient(rows: list[tuple[Decimal | None, timedelta]]) -> None:
    signals = [signal for signal, _ in rows]
    intervals = [interval for _, interval in rows]
    expected = [
        None if signal is None else signal / interval_hours(interval) * HOURS_PER_YEAR
        for signal, interval in rows
    ]
    assert repr(_aprs_of(signals, intervals)) == repr(expected)
