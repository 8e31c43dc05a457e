"""The configuration's leaf values: the error every problem raises and the parsers of
values several sections share (tables, decimals, durations, symbols, CA-bundle paths).

Split out of :mod:`scripts.config` (which re-exports every public name here): nothing
here knows which section a value belongs to; the caller passes the key to name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from atomic_fp.models import Symbol

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
MAX_DURATION_SECONDS = 3650 * 86400.0


class ConfigError(Exception):
    """An invalid configuration: which file, which key, what was expected."""

    def __init__(
        self, source: str, key: str, expected: str, got: object = None, *, reason: str = ""
    ) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        shown = "" if got is None else f", got {_show(got)}"
        # ``reason`` is a parser's or a model's own explanation (a TOML line and column, a
        # rule between two thresholds): shown whole, never cut like a quoted value
        because = f": {reason}" if reason else ""
        super().__init__(f"{source}: {key}: expected {expected}{shown}{because}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def require_table(value: object, source: str, key: str) -> Mapping[str, Any]:
    """``value`` when it is a TOML table, else a :class:`ConfigError` naming ``key``."""
    if not isinstance(value, dict):
        raise ConfigError(source, key, "a table", value)
    return value


def decimal_value(value: object, source: str, key: str) -> Decimal:
    """A TOML string/integer/float as an exact Decimal (floats through their repr)."""
    if isinstance(value, bool):
        raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value)
    try:
        if isinstance(value, str):
            result = Decimal(value.strip())
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value)
    except InvalidOperation:
        raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value) from None
    if not result.is_finite():
        raise ConfigError(source, key, "a finite decimal number", value)
    return result


def parse_duration(value: object, source: str, key: str) -> timedelta:
    """``30`` (seconds), ``"30s"``, ``"5m"``, ``"8h"``, ``"7d"``."""
    if isinstance(value, bool):
        raise ConfigError(source, key, 'a duration such as "5m", "8h", "7d" or seconds', value)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ConfigError(source, key, 'a duration such as "5m", "8h", "7d" or seconds', value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_DURATION_SECONDS:
        raise ConfigError(source, key, "a positive duration of at most 3650 days", value)
    duration = timedelta(seconds=seconds)
    if duration <= timedelta(0):  # 1e-121 s is positive, but timedelta(0) in microseconds
        raise ConfigError(source, key, "a positive duration of at most 3650 days", value)
    return duration


def parse_symbol(value: object, source: str, key: str) -> Symbol:
    if not isinstance(value, str):
        raise ConfigError(source, key, 'a symbol such as "BTC" or "PEPE"', value)
    try:
        return Symbol.parse(value)
    except ValueError:
        raise ConfigError(source, key, 'a symbol such as "BTC" or "PEPE"', value) from None


def parse_ca_bundle(value: object, source: str, key: str) -> str | None:
    """A readable file path, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise ConfigError(source, key, "the path of a readable PEM file of CA certificates", value)
    return value
