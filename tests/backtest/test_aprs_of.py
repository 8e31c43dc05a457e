"""A series' APR per row (``replay_state._aprs_of``) is now computed row by row instead
of through a memo keyed by the signal's ``str`` (issue 20: the memo cost more than the two
Decimal operations it saved). Oracle: :func:`_memo_aprs_of`, main 0f8fce2's function
verbatim; results compared by ``repr`` (so exponents count) on series that repeat values
in several spellings, with and without a narrower decimal context."""

from __future__ import annotations

import decimal
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.backtest.replay_state import _aprs_of
from atomic_fp.models import HOURS_PER_YEAR, interval_hours

_HOURS: dict[timedelta, Decimal] = {}


def _memo_aprs_of(
    signals: list[Decimal | None], intervals: list[timedelta]
) -> list[Decimal | None]:
    """0f8fce2's ``_aprs_of``, verbatim (its module-level hours memo is this module's)."""
    hours_of = _HOURS
    aprs: list[Decimal | None] = []
    append = aprs.append
    known: dict[tuple[str, timedelta], Decimal] = {}
    for signal, interval in zip(signals, intervals, strict=True):
        if signal is None:
            append(None)
            continue
        key = (str(signal), interval)
        apr = known.get(key)
        if apr is None:
            hours = hours_of.get(interval)
            if hours is None:
                hours = hours_of[interval] = interval_hours(interval)
            apr = known[key] = signal / hours * HOURS_PER_YEAR
        append(apr)
    return aprs


# a few values in several spellings (equal Decimals, other exponents), like a venue
# pinned to its interest rate, plus arbitrary ones
_PINNED = [Decimal("0.0000125"), Decimal("0.00001250"), Decimal("1.25E-5"), Decimal("0"),
           Decimal("0E-8"), Decimal("-0.0000"), Decimal("0.0001")]  # fmt: skip
signals = st.one_of(
    st.none(),
    st.sampled_from(_PINNED),
    st.decimals(min_value=Decimal("-0.05"), max_value=Decimal("0.05"), places=8),
    st.decimals(allow_nan=False, allow_infinity=False),
)
intervals = st.sampled_from(
    [timedelta(hours=1), timedelta(hours=4), timedelta(hours=8), timedelta(minutes=90)]
)
rows = st.lists(st.tuples(signals, intervals), max_size=60)


@given(rows=rows, precision=st.sampled_from([None, 6, 12, 40]))
def test_row_by_row_aprs_equal_the_memo(
    rows: list[tuple[Decimal | None, timedelta]], precision: int | None
) -> None:
    signal_list = [signal for signal, _ in rows]
    interval_list = [interval for _, interval in rows]
    with decimal.localcontext() as context:
        if precision is not None:
            context.prec = precision
        expected = _memo_aprs_of(signal_list, interval_list)
        got = _aprs_of(signal_list, interval_list)
    assert repr(got) == repr(expected)


def test_spellings_of_one_value_keep_their_own_exponent() -> None:
    """The memo's reason for its ``str`` key: equal signals of other exponents give
    quotients that print differently; computed row by row, each keeps its own."""
    hour = timedelta(hours=1)
    got = _aprs_of([Decimal("0.0000125"), Decimal("0.00001250"), None], [hour, hour, hour])
    assert [str(apr) for apr in got[:2]] == ["0.1095000", "0.10950000"]
    assert got[2] is None
