"""Number texts read once and remembered (issue 20): ``adapters._parse.text_decimal`` and
Binance's ``_text_price`` answer exactly as the computation they remember.

The oracles are the functions as they were before the memo (f47b108's
``adapters/_parse.py::_plain_decimal`` and ``adapters/binance/parsing_funding.py::
_plain_price``), copied unchanged. Hypothesis drives the new functions with every kind of
value a venue sends (and worse), each value asked several times in a row and interleaved
with others (so answers come both computed and remembered), and requires the very same
answer: the same Decimal digits and exponent, or the same ``None``/``False``. Counted, not
timed: a repeated text is computed once, and a long text is never kept.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import _parse
from adapters.binance import parsing_funding
from adapters.binance.parsers import SymbolMap
from adapters.binance.parsing_funding import parse_premium_index
from atomic_fp.models.identifiers import ExchangeIdentifier

_MAX_ABS = Decimal("1e30")
_MIN = -_MAX_ABS
_MAX_DIGITS = 64


# -- the oracles (f47b108) ----------------------------------------------------------------


def old_plain_decimal(value: object) -> Decimal | None:
    if type(value) is not str:
        if type(value) is Decimal:  # a JSON float read by ``parse_float=Decimal``
            # ``Decimal(str(value))`` is ``value`` (``str`` keeps every digit and exponent)
            return value if value.is_finite() and _MIN <= value <= _MAX_ABS else None
        return None
    text = value.strip()
    if len(text) > _MAX_DIGITS:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and _MIN <= number <= _MAX_ABS else None


def old_plain_or_absent(value: object) -> Decimal | Literal[False] | None:
    if value is None or value == "":
        return None
    number = old_plain_decimal(value)
    return False if number is None else number


def old_plain_price(value: object) -> Decimal | Literal[False] | None:
    if value is None or value == "":
        return None
    number = old_plain_decimal(value)
    if number is None:
        return False
    return None if number == 0 else number


# -- values -------------------------------------------------------------------------------

_TEXTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=Decimal("-1e31"), max_value=Decimal("1e31"), places=8).map(str),
    st.from_regex(r"\A\s{0,3}-?[0-9]{0,70}(\.[0-9]{0,10})?([eE][-+]?[0-9]{1,12})?\s{0,3}\Z"),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "0.00000000",
            "-0",
            "NaN",
            "nan",
            "-Infinity",
            "sNaN",
            "1_000",
            "0x10",
            "1e30",
            "-1e30",
            "1e31",
            "1e999999999999999999",
            "1.0000000000000000000000000000001e30",
            "\u0661\u0662",
            " 0.00010000 ",
            "0.00010000",
            "0.00003732",
            "-0.00003732",
            "abc",
            "1" * 64,
            "1" * 65,
            " " + "1" * 64 + " ",
            "  " + "1" * 63,
        ]
    ),
    st.text(max_size=80),
)
_VALUES = st.one_of(
    _TEXTS,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _same(answer: object) -> tuple[str, object]:
    if isinstance(answer, Decimal):
        return "decimal", (str(answer), answer.as_tuple())
    return "value", (type(answer), answer)


@settings(max_examples=800, deadline=None)
@given(values=st.lists(_VALUES, min_size=1, max_size=12), repeats=st.integers(1, 3))
def test_plain_decimal_answers_as_before_computed_and_remembered(
    values: list[object], repeats: int
) -> None:
    for _ in range(repeats):  # the first asks compute, the next ones are remembered
        for value in values:
            assert _same(_parse._plain_decimal(value)) == _same(old_plain_decimal(value))
            if type(value) is str and len(value) <= _MAX_DIGITS:
                assert _same(_parse.text_decimal(value)) == _same(old_plain_decimal(value))


@settings(max_examples=800, deadline=None)
@given(values=st.lists(_VALUES, min_size=1, max_size=12), repeats=st.integers(1, 3))
def test_plain_or_absent_answers_as_before_computed_and_remembered(
    values: list[object], repeats: int
) -> None:
    for _ in range(repeats):
        for value in values:
            assert _same(_parse.plain_or_absent(value)) == _same(old_plain_or_absent(value))


@settings(max_examples=800, deadline=None)
@given(values=st.lists(_VALUES, min_size=1, max_size=12), repeats=st.integers(1, 3))
def test_binance_price_answers_as_before_computed_and_remembered(
    values: list[object], repeats: int
) -> None:
    for _ in range(repeats):
        for value in values:
            assert _same(parsing_funding._plain_price(value)) == _same(old_plain_price(value))
            if type(value) is str and len(value) <= _MAX_DIGITS:
                assert _same(parsing_funding._text_price(value)) == _same(old_plain_price(value))


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, precision=st.integers(1, 40), trap=st.booleans())
def test_a_remembered_answer_is_the_one_any_context_computes(
    text: str, precision: int, trap: bool
) -> None:
    """The memo is shared by every decimal context: the answer computed under one is the
    one another computes (``Decimal(text)`` is exact; an unreadable text is ``None``
    whether the context raises or answers NaN)."""
    _parse.text_decimal.cache_clear()
    _parse._text_or_absent.cache_clear()
    parsing_funding._text_price.cache_clear()

    def answers(decimal: object, absent: object, price: object) -> tuple[object, ...]:
        return tuple(map(_same, (decimal, absent, price)))

    first = answers(
        _parse._plain_decimal(text),
        _parse.plain_or_absent(text),
        parsing_funding._plain_price(text),
    )
    with localcontext() as context:
        context.prec = precision
        context.traps[InvalidOperation] = trap
        again = answers(
            _parse._plain_decimal(text),
            _parse.plain_or_absent(text),
            parsing_funding._plain_price(text),
        )
        fresh = answers(old_plain_decimal(text), old_plain_or_absent(text), old_plain_price(text))
    assert first == again == fresh


def test_a_repeated_text_is_computed_once_and_a_long_one_never_kept() -> None:
    _parse.text_decimal.cache_clear()
    for _ in range(5):
        assert _parse._plain_decimal("0.00010000") == Decimal("0.00010000")
    info = _parse.text_decimal.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 4, 1)
    padded = " " * 40 + "0.5" + " " * 40  # longer than _MAX_DIGITS, a number once stripped
    assert _parse._plain_decimal(padded) == Decimal("0.5")
    assert _parse._plain_decimal("1" * 10_000) is None
    assert _parse.text_decimal.cache_info().currsize == 1  # neither kept
    assert _parse.text_decimal.cache_info().maxsize == _parse.MEMO_TEXTS
    _parse._text_or_absent.cache_clear()
    for _ in range(3):
        assert _parse.plain_or_absent("92697.3") == Decimal("92697.3")
        assert _parse.plain_or_absent("") is None
        assert _parse.plain_or_absent(padded) == Decimal("0.5")
    info = _parse._text_or_absent.cache_info()
    assert (info.misses, info.hits, info.currsize) == (2, 4, 2)  # the padded text not kept


def test_premium_index_rows_read_each_text_once() -> None:
    """The row loop reads every number text through the memo: a second read of the same
    body computes nothing, and gives the same rates."""
    _parse.text_decimal.cache_clear()
    parsing_funding._text_price.cache_clear()
    rows = [
        {
            "symbol": f"S{i:03d}USDT",
            "markPrice": f"{1 + i / 10:.8f}",
            "indexPrice": f"{1 + i / 10:.8f}",
            "lastFundingRate": "0.00010000" if i % 2 else "0.00005000",
            "nextFundingTime": 1732723200000,
            "time": 1732715655000,
        }
        for i in range(1, 21)
    ]
    exchange = ExchangeIdentifier("binance")
    first = parse_premium_index(exchange, rows, SymbolMap(), {}).unwrap()
    computed = (
        _parse.text_decimal.cache_info().misses,
        parsing_funding._text_price.cache_info().misses,
    )
    # two rate texts; twenty price texts (mark = index), each read once by text_decimal
    assert computed == (2 + 20, 20)
    again = parse_premium_index(exchange, rows, SymbolMap(), {}).unwrap()
    assert again == first
    assert _parse.text_decimal.cache_info().misses == 2 + 20
    assert parsing_funding._text_price.cache_info().misses == 20
