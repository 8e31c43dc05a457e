"""Bybit v5 linear market stream: each symbol's ``tickers.<SYMBOL>`` topic (pure).

Connection ``wss://stream.bybit.com/v5/public/linear`` (Bybit v5 "WebSocket Connect";
research notes D); ``{"op": "subscribe", "args": ["tickers.BTCUSDT", ...]}`` after each
(re)connect, sent 10 topics per message (the per-message cap is UNCONFIRMED; 10 keeps
under every figure seen); ``{"op": "ping"}`` as the application heartbeat (the v5 guide
asks for one every 20 s). Frames (nautilus' ``ws_ticker_linear.json``,
``ws_subscription_ack.json`` / ``_failure.json``):

- ``{"topic": "tickers.BTCUSDT", "type": "snapshot" | "delta", "ts": ms, "data": {...}}``:
  the same fields as REST ``/v5/market/tickers`` (``fundingRate``, ``nextFundingTime``,
  ``markPrice``, ``indexPrice``) plus ``fundingIntervalHour``. A *delta* carries only what
  changed: one without ``fundingRate`` is no rate update (never a zero rate);
- ``{"success": true, "op": "subscribe", ...}`` acknowledges; ``success: false`` is an
  error with ``ret_msg``; ``{"op": "pong" | "ping", "success": true}`` answers a ping.

The interval is the frame's ``fundingIntervalHour`` when present, else the instrument's
(``fundingInterval`` from instruments-info).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from adapters._parse import ParseError, dec, field, integer, obj, opt_dec, str_field, ts_millis
from adapters.bybit.parsing import bounded_rate
from adapters.streams.types import Decoded, RateUpdate

DEFAULT_STREAM_URL = "wss://stream.bybit.com/v5/public/linear"
TOPICS_PER_MESSAGE = 10
_TOPIC = "tickers."


def _positive(value: Any) -> Any:
    return value if value is not None and value > 0 else None


def _update(frame: Mapping[str, Any]) -> RateUpdate | None:
    topic = str_field(frame, "topic")
    data = obj(field(frame, "data"), "$.data")
    rate_raw = data.get("fundingRate")
    if rate_raw in (None, ""):
        return None  # a delta that did not change the rate
    next_raw = data.get("nextFundingTime")
    hours = data.get("fundingIntervalHour")
    interval = None
    if hours not in (None, ""):
        count = integer(hours, "$.data.fundingIntervalHour")
        if not 1 <= count <= 24:
            raise ParseError(f"$.data.fundingIntervalHour: {count} is not an interval")
        interval = timedelta(hours=count)
    return RateUpdate(
        venue_symbol=str_field(data, "symbol", "$.data")
        if "symbol" in data
        else topic[len(_TOPIC) :],
        rate=bounded_rate(dec(rate_raw, "$.data.fundingRate"), "$.data.fundingRate"),
        observed_at=ts_millis(field(frame, "ts"), "$.ts"),
        interval=interval,
        next_funding_time=(
            None if next_raw in (None, "", "0") else ts_millis(next_raw, "$.data.nextFundingTime")
        ),
        mark_price=_positive(opt_dec(data, "markPrice", "$.data")),
        index_price=_positive(opt_dec(data, "indexPrice", "$.data")),
    )


def decode_ticker_frame(message: object, received_at: datetime) -> Decoded:
    """One frame of the linear public stream -> what it meant; never raises."""
    try:
        frame = obj(message)
        if "success" in frame:
            if frame.get("success") is not True:
                return Decoded(error=str(frame.get("ret_msg", "refused"))[:200])
            return Decoded(subscribed=frame.get("op") == "subscribe")
        topic = frame.get("topic")
        if not isinstance(topic, str) or not topic.startswith(_TOPIC):
            return Decoded()
        update = _update(frame)
        return Decoded(updates=() if update is None else (update,))
    except (ParseError, ValueError, TypeError, ArithmeticError) as error:
        return Decoded(garbage=str(error)[:200])


@attrs.frozen
class BybitTickerWire:
    venue: str = "bybit"
    url: str = DEFAULT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        topics = [f"{_TOPIC}{name}" for name in venue_symbols]
        return [
            {"op": "subscribe", "args": topics[i : i + TOPICS_PER_MESSAGE]}
            for i in range(0, len(topics), TOPICS_PER_MESSAGE)
        ]

    def heartbeat(self) -> object | None:
        return {"op": "ping"}

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_ticker_frame(message, received_at)


__all__ = ["DEFAULT_STREAM_URL", "BybitTickerWire", "decode_ticker_frame"]
