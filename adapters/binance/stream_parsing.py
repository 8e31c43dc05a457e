"""Binance USD-M ``!markPrice@arr`` frames -> :class:`~adapters.streams.types.Decoded` (pure).

Payload (Binance docs "Mark Price Stream for All market"; official connector
``websocket_streams/models/mark_price_stream_response.py``, fact sheet A1): a JSON list of
``{"e":"markPriceUpdate","E":ms,"s":"BTCUSDT","p":mark,"i":index,"P":est. settle,
"r":funding rate,"T":next funding ms}``, every 3 s (``@1s``: every second). A combined
stream (``/stream?streams=``) wraps it as ``{"stream":..., "data":[...]}``; a request's
answer is ``{"result":null,"id":1}`` and an error ``{"error":{"code":..,"msg":..},"id":..}``.

``r`` is the same live rate as REST ``premiumIndex.lastFundingRate`` (a fraction per
interval, settling at ``T``); the interval comes from the instrument's
:class:`~atomic_fp.models.Market` (``fundingInfo``). ``T == 0`` marks a contract with no
next funding (delisted or settled): skipped, as in the REST parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    int_field,
    obj,
    opt_dec,
    str_field,
    ts_millis,
)
from adapters.streams.types import Decoded, RateUpdate

# The same sanity bound as the REST parser: no venue caps funding anywhere near 100 %.
_MAX_ABS_RATE = Decimal(1)


def _positive_or_none(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def _update(row: Mapping[str, Any], path: str) -> RateUpdate | None:
    if row.get("e") != "markPriceUpdate":
        return None
    next_ms = int_field(row, "T", path)
    if next_ms == 0:
        return None
    rate = dec_field(row, "r", path)
    if abs(rate) > _MAX_ABS_RATE:
        raise ParseError(f"{path}.r: implausible funding rate {rate}")
    return RateUpdate(
        venue_symbol=str_field(row, "s", path),
        rate=rate,
        observed_at=ts_millis(int_field(row, "E", path), f"{path}.E"),
        next_funding_time=ts_millis(next_ms, f"{path}.T"),
        mark_price=_positive_or_none(opt_dec(row, "p", path)),
        index_price=_positive_or_none(opt_dec(row, "i", path)),
    )


def decode_mark_price_frame(message: object, received_at: datetime) -> Decoded:
    """One frame of ``!markPrice@arr`` (or a single ``<symbol>@markPrice``)."""
    try:
        if isinstance(message, dict):
            if "error" in message:
                return Decoded(error=str(message["error"])[:200])
            if "result" in message and "id" in message:
                return Decoded(subscribed=True)
            if "data" in message:
                message = message["data"]
        rows = [message] if isinstance(message, dict) else arr(message)
        updates = []
        for i, raw in enumerate(rows):
            update = _update(obj(raw, f"$[{i}]"), f"$[{i}]")
            if update is not None:
                updates.append(update)
        return Decoded(updates=tuple(updates))
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])
