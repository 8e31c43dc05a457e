"""Construction-time validators shared by the models.

Every model refuses bad numbers at construction, so a NaN rate or a negative size can never
travel further than the parser that read it. The messages name the field and the value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs


def _name(attribute: attrs.Attribute[Any]) -> str:
    return attribute.name


def finite_decimal(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """The value is a finite ``Decimal`` (not float, not NaN, not infinity)."""
    if type(value) is Decimal and value.is_finite():  # the common case, checked first
        return
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise TypeError(f"{_name(attribute)} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{_name(attribute)} must be finite, got {value}")


def optional_finite_decimal(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (type(value) is Decimal and value.is_finite()):
        finite_decimal(obj, attribute, value)


def non_negative(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is Decimal and value.is_finite() and value >= 0:
        return  # the common case, checked first (issue 20)
    finite_decimal(obj, attribute, value)
    assert isinstance(value, Decimal)
    if value < 0:
        raise ValueError(f"{_name(attribute)} must be >= 0, got {value}")


def optional_non_negative(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # the common case inline: a model is built per rate, per scan (issue 20)
    if value is not None and not (type(value) is Decimal and value.is_finite() and value >= 0):
        non_negative(obj, attribute, value)


def positive(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is Decimal and value.is_finite() and value > 0:
        return  # the common case, checked first (issue 20)
    finite_decimal(obj, attribute, value)
    assert isinstance(value, Decimal)
    if value <= 0:
        raise ValueError(f"{_name(attribute)} must be > 0, got {value}")


def optional_positive(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (type(value) is Decimal and value.is_finite() and value > 0):
        positive(obj, attribute, value)


def utc_datetime(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A timezone-aware datetime in UTC (naive datetimes are ambiguous and refused)."""
    if type(value) is datetime and value.tzinfo is timezone.utc:  # the common case
        return
    if not isinstance(value, datetime):
        raise TypeError(f"{_name(attribute)} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        raise ValueError(f"{_name(attribute)} must be timezone-aware UTC, got {value!r}")


def optional_utc_datetime(obj: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not (type(value) is datetime and value.tzinfo is timezone.utc):
        utc_datetime(obj, attribute, value)


_NO_TIME = timedelta(0)


def positive_timedelta(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is timedelta and value > _NO_TIME:  # the common case, checked first
        return
    if not isinstance(value, timedelta):
        raise TypeError(f"{_name(attribute)} must be a timedelta, got {type(value).__name__}")
    if value <= timedelta(0):
        raise ValueError(f"{_name(attribute)} must be > 0, got {value}")


def non_empty_str(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is str and value and not value.isspace():
        return  # the common case: ``strip`` and ``isspace`` know the same whitespace
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{_name(attribute)} must be a non-empty string, got {value!r}")


def to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC (used as an attrs converter)."""
    if type(value) is datetime and value.tzinfo is timezone.utc:
        return value  # what astimezone would return (the same object): the common case
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value


def optional_to_utc(value: datetime | None) -> datetime | None:
    if value is None or (type(value) is datetime and value.tzinfo is timezone.utc):
        return value
    return to_utc(value)


Number = Decimal | int | float | str
"""What the seed's spellings pass for a quantity: converted exactly by :func:`exact_decimal`."""


def exact_decimal(value: object, name: str) -> Decimal:
    """``value`` as the ``Decimal`` its decimal text says: ``0.1`` (a float) is
    ``Decimal("0.1")``, not the binary double's 55 digits; ``5``, ``"5.0"`` and
    ``Decimal("5.0")`` are themselves. A bool, an unreadable string, NaN or an infinity is a
    ``ValueError``/``TypeError`` naming the field ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise TypeError(
            f"{name} must be a Decimal, int, float or numeric string, got {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        number = value
    else:
        # repr() of a float is the shortest text that round-trips to the same double, so
        # Decimal(repr(0.1)) is Decimal("0.1"): what the user typed, not 0.1000000000000000055...
        text = repr(value) if isinstance(value, float) else str(value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValueError(f"{name} must be a number, got {value!r}") from error
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def utc_now() -> datetime:
    """The wall clock in UTC: the default stamp of a model a user builds by hand (decisions
    and clients always pass their own time)."""
    return datetime.now(timezone.utc)


SlotSetters = tuple[Callable[[Any, object], None], ...]
"""A model's slot setters, in field order (see :func:`slot_setters`)."""


def slot_setters(
    cls: type[Any],
    shape: tuple[tuple[object, ...], ...],
    describe: Callable[[Any], tuple[object, ...]],
) -> SlotSetters | None:
    """The slot setters of ``cls``'s fields, in order, when ``describe`` of its attrs
    fields is exactly ``shape`` and nothing runs on setattr or around ``__init__``; else
    None. A one-check constructor (``checked_funding_rate``, ``checked_market``) written
    for ``shape`` sets the slots only then, and otherwise builds through ``cls`` itself.

    Also None when the constructor takes other keywords than the field names (a field
    with ``init=False`` or an alias) or keeps a slot of its own (``cache_hash=True``'s
    cached hash, which the constructor clears and a slot-set object would lack): shapes
    ``describe`` cannot see (tests/core/test_slot_setters_guard.py)."""
    fields = attrs.fields(cls)
    if (
        tuple(describe(f) for f in fields) != shape
        or any(f.on_setattr or not f.init or f.alias != f.name for f in fields)
        or set(getattr(cls, "__slots__", ())) - {f.name for f in fields} - {"__weakref__"}
        or hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
    ):
        return None
    return tuple(cls.__dict__[f.name].__set__ for f in fields)
