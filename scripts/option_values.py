"""Values of command-line options that several commands take: UTC dates, finite decimals,
comma-separated lists. Every bad value is a ``click.BadParameter`` naming the option
(exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

import click


def parse_when(value: str, name: str) -> datetime:
    """``2025-12-01`` or ``2025-12-01T08:00`` (UTC unless an offset is given)."""
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
