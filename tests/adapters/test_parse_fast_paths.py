"""The parse helpers' fast paths (issue 20) answer exactly as the checks they skip.

Each helper in :mod:`adapters._parse` now tries the common case first (a plain ``str`` number,
an ``int``, a ``dict``) and falls back to the full ladder. The reference ladders below are the
helpers as they were before (d7c9c6c), copied unchanged; hypothesis drives both with every
kind of value a venue can send (and some it should not) and requires the same Decimal (same
digits and exponent, not only equal) or the same refusal message.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import _parse
from adapters._parse import ParseError

_MAX_ABS = Decimal("1e30")
_MAX_DIGITS = 64


# -- the reference ladders (d7c9c6c's adapters/_parse.py) -------------------------------


def ref_obj(value: object, path: str = "$") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(f"{path}: expected an object, got {type(value).__name__}")
    return value


def ref_field(data: Mapping[str, Any], key: str, path: str = "$") -> Any:
    if key not in data:
        raise ParseError(f"{path}.{key}: missing")
    return data[key]


def ref_dec(value: object, path: str = "$") -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ParseError(f"{path}: expected a number, got {value!r}")
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_DIGITS:
            raise ParseError(f"{path}: number too long ({len(text)} chars)")
    else:
        raise ParseError(f"{path}: expected a number, got {type(value).__name__}")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ParseError(f"{path}: not a number: {text[:40]!r}") from None
    if not number.is_finite():
        raise ParseError(f"{path}: not finite: {text[:40]!r}")
    if abs(number) > _MAX_ABS:
        raise ParseError(f"{path}: magnitude out of range: {text[:40]!r}")
    return number


def ref_dec_field(data: Mapping[str, Any], key: str, path: str = "$") -> Decimal:
    return ref_dec(ref_field(data, key, path), f"{path}.{key}")


def ref_opt_dec(data: Mapping[str, Any], key: str, path: str = "$") -> Decimal | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    return ref_dec(value, f"{path}.{key}")


def ref_string(value: object, path: str = "$") -> str:
    if not isinstance(value, str):
        raise ParseError(f"{path}: expected a string, got {type(value).__name__}")
    return value


def ref_str_field(data: Mapping[str, Any], key: str, path: str = "$") -> str:
    return ref_string(ref_field(data, key, path), f"{path}.{key}")


def ref_integer(value: object, path: str = "$") -> int:
    if isinstance(value, bool):
        raise ParseError(f"{path}: expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 40:
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    raise ParseError(f"{path}: expected an integer, got {value!r}"[:200])


def ref_int_field(data: Mapping[str, Any], key: str, path: str = "$") -> int:
    return ref_integer(ref_field(data, key, path), f"{path}.{key}")


# -- what venues send, and worse ----------------------------------------------------------

_NUMBER_TEXT = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=Decimal("-1e31"), max_value=Decimal("1e31"), places=8).map(str),
    st.from_regex(r"\A\s?-?[0-9]{0,70}(\.[0-9]{0,10})?([eE][-+]?[0-9]{1,3})?\s?\Z"),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "-Infinity",
            "sNaN",
            "1_000",
            "0x10",
            "1e30",
            "-1e30",
            "1.0000000000000000000000000000001e30",
            "1e31",
            "\u0661\u0662",  # Arabic-Indic digits: Decimal reads them
            " 0.00010000 ",
            "0.00003732",
            "-0.00003732",
            "abc",
            "1" * 64,
            "1" * 65,
            " " + "1" * 64 + " ",
        ]
    ),
    st.text(max_size=80),
)
_VALUES = st.one_of(
    _NUMBER_TEXT,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _outcome(call: Any, *args: Any) -> tuple[str, Any]:
    try:
        result = call(*args)
    except ParseError as error:
        return "refused", str(error)
    except ValueError as error:  # e.g. int("0\x1f"): parse_guard makes it MalformedResponse
        return type(error).__name__, str(error)
    if isinstance(result, Decimal):
        return "decimal", (str(result), result.as_tuple())
    return "value", (type(result), result)


@settings(max_examples=600, deadline=None)
@given(value=_VALUES)
def test_dec_answers_as_the_full_ladder(value: object) -> None:
    assert _outcome(_parse.dec, value, "$.x") == _outcome(ref_dec, value, "$.x")


@settings(max_examples=600, deadline=None)
@given(value=_VALUES, present=st.booleans())
def test_dec_field_and_opt_dec_answer_as_before(value: object, present: bool) -> None:
    row = {"rate": value} if present else {"other": value}
    for new, old in ((_parse.dec_field, ref_dec_field), (_parse.opt_dec, ref_opt_dec)):
        assert _outcome(new, row, "rate", "$[3]") == _outcome(old, row, "rate", "$[3]")


@settings(max_examples=400, deadline=None)
@given(value=_VALUES, present=st.booleans())
def test_int_and_str_fields_answer_as_before(value: object, present: bool) -> None:
    row = {"k": value} if present else {}
    assert _outcome(_parse.int_field, row, "k", "$[1]") == _outcome(ref_int_field, row, "k", "$[1]")
    assert _outcome(_parse.str_field, row, "k", "$[1]") == _outcome(ref_str_field, row, "k", "$[1]")
    assert _outcome(_parse.integer, value, "$.t") == _outcome(ref_integer, value, "$.t")


class _Bool(int):
    """An int subclass (``bool`` is one): the fast path must not take it for an int."""


@settings(max_examples=200, deadline=None)
@given(value=_VALUES)
def test_obj_answers_as_before(value: object) -> None:
    assert _outcome(_parse.obj, value, "$[2]") == _outcome(ref_obj, value, "$[2]")


def test_subclasses_take_the_full_ladder() -> None:
    class Text(str):
        pass

    assert _outcome(_parse.dec, Text(" 1.50 "), "$") == _outcome(ref_dec, Text(" 1.50 "), "$")
    refused = ("refused", "$: expected an integer, got a boolean")
    assert _outcome(_parse.integer, True, "$") == refused
    assert _parse.integer(_Bool(5), "$") == 5


def test_the_refusals_still_name_the_path() -> None:
    """NaN, an infinity, an absurd magnitude, text and a float where text is due: each is
    still refused, through the fast path's fallback, with the field's path."""
    row = {"r": "NaN", "i": "-Infinity", "m": "1e31", "t": "abc", "b": True, "n": None}
    assert _outcome(_parse.dec_field, row, "r", "$[0]") == ("refused", "$[0].r: not finite: 'NaN'")
    assert _outcome(_parse.dec_field, row, "i", "$[0]")[0] == "refused"
    assert _outcome(_parse.opt_dec, row, "m", "$[0]") == (
        "refused",
        "$[0].m: magnitude out of range: '1e31'",
    )
    assert _outcome(_parse.opt_dec, row, "t", "$[0]") == ("refused", "$[0].t: not a number: 'abc'")
    assert _outcome(_parse.dec_field, row, "b", "$[0]") == (
        "refused",
        "$[0].b: expected a number, got True",
    )
    assert _outcome(_parse.dec_field, row, "n", "$[0]") == (
        "refused",
        "$[0].n: expected a number, got None",
    )
    assert _outcome(_parse.dec_field, row, "absent", "$[0]") == ("refused", "$[0].absent: missing")
