"""Pure parser of Hyperliquid's ``l2Book`` answer -> :class:`~atomic_fp.models.OrderBook`
(split from :mod:`adapters.hyperliquid.parsing`, which re-exports it; conventions there)."""

from __future__ import annotations

from typing import Any

from returns.result import Result

from adapters._parse import ParseError, arr, dec_field, field, obj, parse_guard, ts_millis
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import BookLevel, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


def _levels(raw: Any, path: str, depth: int) -> list[BookLevel]:
    levels: list[BookLevel] = []
    for index, raw_level in enumerate(arr(raw, path)[: max(depth, 0)]):
        level = obj(raw_level, f"{path}[{index}]")
        levels.append(
            BookLevel(
                price=dec_field(level, "px", f"{path}[{index}]"),
                size=dec_field(level, "sz", f"{path}[{index}]"),
            )
        )
    return levels


def _book(exchange: ExchangeIdentifier, symbol: Symbol, payload: Any, depth: int) -> OrderBook:
    body = obj(payload)
    sides = arr(field(body, "levels"), "$.levels")
    if len(sides) != 2:
        raise ParseError(f"$.levels: expected [bids, asks], got {len(sides)} sides")
    return OrderBook(
        exchange=exchange,
        symbol=symbol,
        bids=_levels(sides[0], "$.levels[0]", depth),
        asks=_levels(sides[1], "$.levels[1]", depth),
        timestamp=ts_millis(field(body, "time"), "$.time"),
    )


def parse_l2_book(
    exchange: ExchangeIdentifier, symbol: Symbol, payload: Any, depth: int = 20
) -> Result[OrderBook, MalformedResponse]:
    """``l2Book`` -> an order book (bids best first, asks best first), ``depth`` levels."""
    return parse_guard(str(exchange), lambda: _book(exchange, symbol, payload, depth))


__all__ = ["parse_l2_book"]
