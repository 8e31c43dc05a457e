"""Defensive readers for venue JSON.

Parsers read payloads through these helpers; any mismatch raises :class:`ParseError`
naming the path, which :func:`parse_guard` turns into a
:class:`~atomic_fp.errors.MalformedResponse`. Nothing else escapes a parser: floats are
refused where a venue sends strings (and read exactly, via ``str``, where it sends
numbers), NaN/Infinity and absurd magnitudes are refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from returns.result import Failure, Result, Success

from atomic_fp.errors import MalformedResponse

T = TypeVar("T")

_MAX_ABS = Decimal("1e30")
_MIN = -_MAX_ABS
"""``-_MAX_ABS``, negated once (exact: one digit) instead of once per number read."""
_MAX_DIGITS = 64


class ParseError(ValueError):
    """A payload did not have the expected shape; the message names the path."""


def obj(value: object, path: str = "$") -> Mapping[str, Any]:
    if type(value) is dict:  # what every decoder gives: skips the ABC check (issue 20)
        return value
    if not isinstance(value, Mapping):
        raise ParseError(f"{path}: expected an object, got {type(value).__name__}")
    return value


def arr(value: object, path: str = "$") -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ParseError(f"{path}: expected a list, got {type(value).__name__}")
    return value


def field(data: Mapping[str, Any], key: str, path: str = "$") -> Any:
    if key not in data:
        raise ParseError(f"{path}.{key}: missing")
    return data[key]


def _text_decimal(value: str) -> Decimal | None:
    """:func:`_plain_decimal` of a ``str`` (see there), computed."""
    text = value.strip()
    if len(text) > _MAX_DIGITS:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and _MIN <= number <= _MAX_ABS else None


MEMO_TEXTS = 16_384
"""How many number texts :data:`text_decimal` remembers (least recently used first out):
a scan reads ~1,800 of them (issue 20), most the same from one scan to the next."""

text_decimal = functools.lru_cache(maxsize=MEMO_TEXTS)(_text_decimal)
"""``text_decimal(value)``: :func:`_plain_decimal` of a ``str`` of at most ``_MAX_DIGITS``
characters, remembered (issue 20). Exact: the answer is a pure function of the text (a
``Decimal`` is immutable, and ``Decimal(text)`` of a text it reads is exact whatever the
context; a text it does not read is ``None`` in every context), so a remembered answer is
the one computed afresh; the key is the text itself (``str`` keys equal only ``str``), and
texts longer than ``_MAX_DIGITS`` are never keys (nothing large is kept). Venues repeat
their number texts from scan to scan and from row to row (Binance: ``"0.00010000"`` is the
rate of 151 of 379 rows in research-data/binance-premiumIndex-snapshot); a remembered one
costs a fifth of the computation. Equal to the computation before:
tests/adapters/test_parse_decimal_memo.py (the old code as oracle)."""


def _plain_decimal(value: object) -> Decimal | None:
    """The Decimal of a string (or Decimal) :func:`dec` accepts, else None (then
    :func:`dec` decides, and names what is wrong). Venues send numbers as strings: this is
    the path of nearly every number of a scan, with no type ladder and no path text unless
    something is wrong (issue 20; equal to :func:`dec`, tests/adapters/test_parse_fast_paths.py).
    A text is read once and remembered (:data:`text_decimal`)."""
    if type(value) is str:
        if len(value) <= _MAX_DIGITS:
            return text_decimal(value)
        return _text_decimal(value)  # maybe padded: computed, never kept
    if type(value) is Decimal:  # a JSON float read by ``parse_float=Decimal``
        # ``Decimal(str(value))`` is ``value`` (``str`` keeps every digit and exponent)
        return value if value.is_finite() and _MIN <= value <= _MAX_ABS else None
    return None


plain_decimal = _plain_decimal
"""``plain_decimal(value)``: the Decimal :func:`dec` would give ``value`` when it reads it
without a question (a plain number string, or a finite in-range Decimal), else ``None``;
then :func:`dec` (or :func:`dec_field`, :func:`opt_dec`) reads it or refuses it, naming
the path. For a parser's fast path, like :data:`instant_or_none`."""


def _plain_or_absent(value: object) -> Decimal | Literal[False] | None:
    """:func:`plain_or_absent` (see there), computed."""
    if value is None or value == "":
        return None
    number = _plain_decimal(value)
    return False if number is None else number


_text_or_absent = functools.lru_cache(maxsize=MEMO_TEXTS)(_plain_or_absent)
""":func:`_plain_or_absent` of a ``str`` of at most ``_MAX_DIGITS`` characters, remembered
as :data:`text_decimal` is (a pure function of the text)."""


def plain_or_absent(value: object) -> Decimal | Literal[False] | None:
    """``opt_dec``'s answer for a value it reads without a question: ``None`` for an absent
    value (``None`` or ``""``), the Decimal of a plain number; ``False`` for anything else
    (then :func:`opt_dec` reads it or refuses it, naming the path). For a fast path (GRVT's
    tickers, Hyperliquid's contexts: ~1,200 a scan); a text is read once and remembered."""
    if type(value) is str and len(value) <= _MAX_DIGITS:
        return _text_or_absent(value)
    return _plain_or_absent(value)


def dec(value: object, path: str = "$") -> Decimal:
    """A finite Decimal from a string or an int/float JSON number (floats via ``repr``)."""
    number = _plain_decimal(value)
    if number is not None:
        return number
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


def dec_field(data: Mapping[str, Any], key: str, path: str = "$") -> Decimal:
    if key not in data:
        raise ParseError(f"{path}.{key}: missing")
    value = data[key]
    number = _plain_decimal(value)
    return dec(value, f"{path}.{key}") if number is None else number


def opt_dec(data: Mapping[str, Any], key: str, path: str = "$") -> Decimal | None:
    """A Decimal, or None when the key is missing, null or an empty string."""
    value = data.get(key)
    if value is None or value == "":
        return None
    number = _plain_decimal(value)
    return dec(value, f"{path}.{key}") if number is None else number


def string(value: object, path: str = "$") -> str:
    if not isinstance(value, str):
        raise ParseError(f"{path}: expected a string, got {type(value).__name__}")
    return value


def str_field(data: Mapping[str, Any], key: str, path: str = "$") -> str:
    if key not in data:
        raise ParseError(f"{path}.{key}: missing")
    value = data[key]
    return value if type(value) is str else string(value, f"{path}.{key}")


def integer(value: object, path: str = "$") -> int:
    """An int from a JSON int or an integer string (as venues send timestamps)."""
    if type(value) is int:  # the common case first (a bool's type is bool, not int)
        return value
    if isinstance(value, bool):
        raise ParseError(f"{path}: expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 40:
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    raise ParseError(f"{path}: expected an integer, got {value!r}"[:200])


def int_field(data: Mapping[str, Any], key: str, path: str = "$") -> int:
    if key not in data:
        raise ParseError(f"{path}.{key}: missing")
    value = data[key]
    return value if type(value) is int else integer(value, f"{path}.{key}")


_MIN_TS = datetime(2000, 1, 1, tzinfo=timezone.utc)
_MAX_TS = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _from_epoch(value: int, per_second: int, path: str) -> datetime:
    stamp = _epoch(value, per_second)
    if stamp is None:
        raise ParseError(f"{path}: timestamp out of range: {value}")
    return stamp


@functools.lru_cache(maxsize=4096)
def _epoch(value: int, per_second: int) -> datetime | None:
    """The UTC instant, or ``None`` out of range. Memoised: a venue's list repeats the same
    few stamps in every row (its ``time``, the next funding), scan after scan (issue 20:
    about a fifth of parsing 500 Binance rates); ``datetime`` is immutable."""
    seconds, fraction = divmod(value, per_second)
    try:
        stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    stamp = stamp.replace(microsecond=fraction * 1_000_000 // per_second)
    return stamp if _MIN_TS <= stamp < _MAX_TS else None


instant_or_none = _epoch
"""``instant_or_none(value, per_second)``: the memoised UTC instant of an exact ``int``
stamp, or ``None`` out of range, for a parser's fast path; on ``None`` (or any other
type) it asks :func:`ts_millis` & co., which read or refuse it naming the path."""


def ts_seconds(value: object, path: str = "$") -> datetime:
    return _from_epoch(integer(value, path), 1, path)


def ts_millis(value: object, path: str = "$") -> datetime:
    return _from_epoch(integer(value, path), 1_000, path)


def ts_nanos(value: object, path: str = "$") -> datetime:
    return _from_epoch(integer(value, path), 1_000_000_000, path)


def parse_guard(venue: str, parse: Callable[[], T]) -> Result[T, MalformedResponse]:
    """Run a parser; any parse or model-validation error becomes ``MalformedResponse``.

    Model constructors raise ``ValueError``/``TypeError`` on bad values (negative sizes,
    NaN...), and parsers index payloads, so those (plus ``KeyError``/``IndexError``/
    ``AttributeError``/``ArithmeticError``) are all a malformed payload.
    """
    try:
        return Success(parse())
    except (
        ParseError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        ArithmeticError,
        RecursionError,
    ) as error:
        return Failure(MalformedResponse(venue=venue, message=str(error)[:500]))
