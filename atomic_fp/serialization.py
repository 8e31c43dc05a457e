"""JSON round trips for every model through one ``cattrs`` converter.

Decimals travel as strings (never floats), datetimes as ISO-8601 UTC, intervals as
seconds, enums by value, mappings as objects.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import cattrs
from returns.result import Failure, Result, Success

T = TypeVar("T")


def _decimal_from(value: object, _: type[Decimal]) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"decimal fields must be strings or integers, not {type(value).__name__}")
    if not isinstance(value, str | int):
        raise TypeError(f"decimal fields must be strings, got {type(value).__name__}")
    return Decimal(value)


def _datetime_from(value: object, _: type[datetime]) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"datetimes must be ISO-8601 strings, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no timezone")
    return parsed.astimezone(timezone.utc)


def _timedelta_from(value: object, _: type[timedelta]) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"durations must be seconds as int or string, got {type(value).__name__}")
    return timedelta(seconds=float(Decimal(value)))


def _timedelta_to(value: timedelta) -> str:
    return str(Decimal(value // timedelta(microseconds=1)) / 1_000_000)


def make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, _decimal_from)
    converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
    converter.register_structure_hook(datetime, _datetime_from)
    converter.register_unstructure_hook(timedelta, _timedelta_to)
    converter.register_structure_hook(timedelta, _timedelta_from)
    converter.register_unstructure_hook(
        MappingProxyType, lambda m: {k: converter.unstructure(v) for k, v in m.items()}
    )
    return converter


converter = make_converter()


def to_json_dict(model: object) -> Any:
    """Unstructure a model (or a collection of models) to JSON-ready primitives."""
    return converter.unstructure(model)


def from_json_dict(data: object, cls: type[T]) -> Result[T, str]:
    """Structure primitives into ``cls``; a bad payload is a ``Failure`` naming what was wrong."""
    try:
        return Success(converter.structure(data, cls))
    except Exception as error:  # cattrs raises many kinds; all become one readable failure
        return Failure(_describe(error))


def _describe(error: BaseException) -> str:
    if isinstance(error, cattrs.ClassValidationError):
        messages = cattrs.transform_error(
            error, format_exception=lambda exc, _type: f"{type(exc).__name__}: {exc}"
        )
        return "; ".join(messages)
    return f"{type(error).__name__}: {error}"
