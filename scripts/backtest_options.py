"""``atomic-fp backtest``'s command line: the option parsers and the :class:`Request` they
fill (split out of :mod:`scripts.backtest_command`, which re-exports :class:`Request`).

Every bad value is a ``click.BadParameter`` naming the option (exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

if TYPE_CHECKING:
    from scripts.backtest_sweep import SweepRequest


@attrs.frozen
class Request:
    data: tuple[Path, ...]
    symbols: list[str]
    venues: list[str]
    start: datetime | None
    end: datetime | None
    config_path: str | None
    overrides: Mapping[str, Decimal]
    half_spread: Decimal
    capital: Decimal | None
    prices: Mapping[str, Decimal]
    out_dir: Path | None
    plot: Path | None
    output_format: str | None
    basis: str | None = None
    sweep: SweepRequest | None = None


def when_option(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD or ISO-8601)", param_hint=name
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def split_commas(values: Iterable[str]) -> list[str]:
    """Comma-separated values of one or more (repeated) options, blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def decimal_option(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a number", param_hint=name) from None
    if not value.is_finite():
        raise click.BadParameter(f"{text!r} is not finite", param_hint=name)
    return value


def optional_decimal(value: str | None, name: str) -> Decimal | None:
    return None if value is None else decimal_option(value, name)


def prices_option(values: tuple[str, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in split_commas(values):
        base, sep, price = item.partition("=")
        number = optional_decimal(price, "--price") if sep else None
        if not base or number is None or number <= 0:
            raise click.BadParameter(f"{item!r}: expected BASE=PRICE", param_hint="--price")
        out[base.strip().upper()] = number
    return out
