"""Mapping venue base-asset names to canonical ones.

Venues list small-priced coins in multiples: Binance ``1000PEPEUSDT`` / ``1000000MOGUSDT`` /
``1MBABYDOGEUSDT``, Hyperliquid ``kPEPE``. One unit of the venue's size is then
``multiplier`` units of the underlying, and the canonical base is the bare asset (``PEPE``).
Per-venue overrides from the config win over these rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from decimal import Decimal

from atomic_fp.models import Symbol

_NUMERIC_PREFIX = re.compile(r"^(1000000|100000|10000|1000|100)([A-Z][A-Z0-9]*)$")
_MILLION_PREFIX = re.compile(r"^1M([A-Z][A-Z0-9]*)$")
_KILO_PREFIX = re.compile(r"^k([A-Z][A-Z0-9]*)$")


def split_multiplier(raw_base: str) -> tuple[str, Decimal]:
    """``1000PEPE`` -> (``PEPE``, 1000); ``kPEPE`` -> (``PEPE``, 1000); ``BTC`` -> (``BTC``, 1)."""
    if match := _KILO_PREFIX.match(raw_base):
        return match.group(1), Decimal(1000)
    upper = raw_base.upper()
    if match := _NUMERIC_PREFIX.match(upper):
        return match.group(2), Decimal(match.group(1))
    if match := _MILLION_PREFIX.match(upper):
        return match.group(1), Decimal(1_000_000)
    return upper, Decimal(1)


def canonical_symbol(
    raw_base: str, overrides: Mapping[str, tuple[Symbol, Decimal]] | None = None
) -> tuple[Symbol, Decimal]:
    """Canonical symbol and contract multiplier of a venue base name.

    ``overrides`` maps a venue base (or venue symbol) to ``(Symbol, multiplier)``.
    Raises ``ValueError`` for a name that is not an asset code.
    """
    if overrides and raw_base in overrides:
        return overrides[raw_base]
    return _canonical(raw_base)


@functools.lru_cache(maxsize=8192)
def _canonical(raw_base: str) -> tuple[Symbol, Decimal]:
    """Memoised: every scan maps the same few hundred names per venue again (Symbol's
    validation was about 1.5 ms per 100 rates of a warm scan, issue 20); both results are
    immutable. A name that is not an asset code raises each time (never cached)."""
    base, multiplier = split_multiplier(raw_base)
    return Symbol(base=base), multiplier
