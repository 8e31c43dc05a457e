"""``atomic-fp backtest``'s command line: its option parsers and the :class:`Request` they
fill (split out of :mod:`scripts.backtest_command`, which re-exports :class:`Request`);
the value parsers other commands share are :mod:`scripts.option_values`.

Every bad value is a ``click.BadParameter`` naming the option (exit code 2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import click

from scripts.option_values import optional_decimal, parse_when, split_commas

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
    return None if value is None else parse_when(value, name)


def prices_option(values: tuple[str, ...]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for item in split_commas(values):
        base, sep, price = item.partition("=")
        number = optional_decimal(price, "--price") if sep else None
        if not base or number is None or number <= 0:
            raise click.BadParameter(f"{item!r}: expected BASE=PRICE", param_hint="--price")
        out[base.strip().upper()] = number
    return out
