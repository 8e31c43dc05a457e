"""Hyperliquid ``activeAssetCtx`` frames -> :class:`~adapters.streams.types.Decoded` (pure).

Wire format (Hyperliquid websocket docs, "Subscriptions"; official SDK
``hyperliquid/websocket_manager.py`` and ``utils/types.py``; fact sheet B4):

- subscribe ``{"method":"subscribe","subscription":{"type":"activeAssetCtx","coin":"BTC"}}``,
  acknowledged by ``{"channel":"subscriptionResponse","data":{...}}``;
- data ``{"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"funding":"0.0000125",
  "markPx":..,"oraclePx":..,...}}}``: ``funding`` is the **hourly** rate, as in REST
  ``metaAndAssetCtxs`` (the same ``PerpAssetCtx`` type);
- heartbeat ``{"method":"ping"}`` answered by ``{"channel":"pong"}``; errors
  ``{"channel":"error","data":"..."}``.

The frame has no timestamp: ``observed_at`` is the receive time, and the next settlement
the next full hour (Hyperliquid pays funding every hour).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from adapters._parse import ParseError, dec_field, field, obj, opt_dec, str_field
from adapters.streams.types import Decoded, RateUpdate

HOUR = timedelta(hours=1)


def _next_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + HOUR


def _positive_or_none(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def decode_asset_ctx_frame(message: object, received_at: datetime) -> Decoded:
    try:
        body = obj(message)
        channel = str_field(body, "channel", "$")
        if channel == "pong":
            return Decoded()
        if channel == "subscriptionResponse":
            return Decoded(subscribed=True)
        if channel == "error":
            return Decoded(error=str(body.get("data"))[:200])
        if channel != "activeAssetCtx":
            return Decoded()
        data = obj(field(body, "data", "$"), "$.data")
        ctx = obj(field(data, "ctx", "$.data"), "$.data.ctx")
        update = RateUpdate(
            venue_symbol=str_field(data, "coin", "$.data"),
            rate=dec_field(ctx, "funding", "$.data.ctx"),
            interval=HOUR,
            observed_at=received_at,
            next_funding_time=_next_hour(received_at),
            mark_price=_positive_or_none(opt_dec(ctx, "markPx", "$.data.ctx")),
            index_price=_positive_or_none(opt_dec(ctx, "oraclePx", "$.data.ctx")),
        )
        return Decoded(updates=(update,))
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])
