"""Pure parser of Hyperliquid's ``meta.universe`` (split from
:mod:`adapters.hyperliquid.parsing`, which re-exports it; conventions there): the listed
assets (the memo that keeps a client's last universe between scans stays there)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from adapters._parse import ParseError, arr, field, int_field, obj, opt_dec, str_field
from atomic_fp.models import Symbol
from atomic_fp.symbols import canonical_symbol

Overrides = Mapping[str, tuple[Symbol, Decimal]]


@attrs.frozen
class AssetInfo:
    """One entry of ``meta.universe``: the asset id for orders is its ``index``."""

    index: int
    name: str
    sz_decimals: int
    symbol: Symbol
    multiplier: Decimal
    max_leverage: Decimal | None
    delisted: bool


def _bool(value: object, path: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise ParseError(f"{path}: expected a boolean, got {type(value).__name__}")


def _symbol(name: str, overrides: Overrides) -> tuple[Symbol, Decimal] | None:
    """Canonical symbol of a coin name, or None when the name is not an asset code."""
    try:
        return canonical_symbol(name, overrides)
    except ValueError:
        return None


def parse_universe(meta: Any, overrides: Overrides) -> tuple[AssetInfo, ...]:
    """Every universe entry whose name maps to a symbol, with its index (kept even for
    delisted assets so later indices stay right)."""
    universe = arr(field(obj(meta, "$.meta"), "universe", "$.meta"), "$.meta.universe")
    assets: list[AssetInfo] = []
    for index, raw in enumerate(universe):
        path = f"$.meta.universe[{index}]"
        entry = obj(raw, path)
        name = str_field(entry, "name", path)
        sz_decimals = int_field(entry, "szDecimals", path)
        if not 0 <= sz_decimals <= 12:
            raise ParseError(f"{path}.szDecimals: out of range: {sz_decimals}")
        leverage = opt_dec(entry, "maxLeverage", path)
        delisted = _bool(entry.get("isDelisted"), f"{path}.isDelisted")
        mapped = _symbol(name, overrides)
        if mapped is None:
            continue
        symbol, multiplier = mapped
        assets.append(
            AssetInfo(
                index=index,
                name=name,
                sz_decimals=sz_decimals,
                symbol=symbol,
                multiplier=multiplier,
                max_leverage=leverage if leverage is not None and leverage > 0 else None,
                delisted=delisted,
            )
        )
    return tuple(assets)


__all__ = ["AssetInfo", "Overrides", "parse_universe"]
