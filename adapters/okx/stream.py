"""OKX public market stream: the ``funding-rate`` channel of every traded swap.

``wss://ws.okx.com:8443/ws/v5/public`` (the research fact sheet, section E; the host is the
one OKX's v5 docs give for public channels). After each (re)connect we send
``{"op": "subscribe", "args": [{"channel": "funding-rate", "instId": ...}, ...]}``; OKX
acknowledges each arg with ``{"event": "subscribe", "arg": {...}, "connId": ...}``, refuses
with ``{"event": "error", "code": "60018", "msg": ...}``, and pushes
``{"arg": {"channel": "funding-rate", "instId": ...}, "data": [{"fundingRate",
"fundingTime", "nextFundingTime", "ts", ...}]}`` (the recorded fixture
``ws_funding_rate.json``) every 30 to 90 s.

Each push carries its own interval, ``nextFundingTime - fundingTime``, exactly as the REST
answer (:func:`adapters.okx.parsing.funding_interval`), so an interval change shows at
the next push. Heartbeat: OKX closes a connection that is silent for 30 s and documents a
text ``ping``/``pong``; the shared stream engine sends websocket protocol pings (a JSON
heartbeat would be a quoted string), which the feed's ``ping_interval`` keeps below 30 s.
Whether OKX counts a protocol ping as activity is UNCONFIRMED: a drop is reconnected and
reported as a gap by the engine, and REST stays the fallback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from adapters._parse import ParseError, arr, dec_field, field, integer, obj, str_field, ts_millis
from adapters.okx.parsing import funding_interval
from adapters.streams.types import Decoded, RateUpdate

DEFAULT_STREAM_URL = "wss://ws.okx.com:8443/ws/v5/public"
CHANNEL = "funding-rate"


def _update(row: Mapping[str, Any], path: str) -> RateUpdate:
    funding_ms = integer(field(row, "fundingTime", path), f"{path}.fundingTime")
    next_ms = integer(field(row, "nextFundingTime", path), f"{path}.nextFundingTime")
    stamp = integer(field(row, "ts", path), f"{path}.ts")
    return RateUpdate(
        venue_symbol=str_field(row, "instId", path),
        rate=dec_field(row, "fundingRate", path),
        observed_at=ts_millis(stamp, f"{path}.ts"),
        interval=funding_interval(funding_ms, next_ms, path),
        next_funding_time=ts_millis(funding_ms, f"{path}.fundingTime"),
    )


def decode_funding_frame(message: object, received_at: datetime) -> Decoded:
    """One frame of OKX's public websocket -> what it meant (never raises)."""
    try:
        body = obj(message)
        event = body.get("event")
        if event == "subscribe":
            return Decoded(subscribed=True)
        if event == "error":
            return Decoded(error=f"{body.get('code')}: {body.get('msg')}"[:200])
        if event is not None:
            return Decoded()  # e.g. "notice" (service upgrade), "channel-conn-count"
        arg = obj(field(body, "arg"), "$.arg")
        if arg.get("channel") != CHANNEL:
            return Decoded()
        rows = arr(field(body, "data"), "$.data")
        updates = tuple(
            _update(obj(raw, f"$.data[{i}]"), f"$.data[{i}]") for i, raw in enumerate(rows)
        )
        return Decoded(updates=updates)
    except (ParseError, ValueError, TypeError, ArithmeticError) as error:
        return Decoded(garbage=str(error)[:200])


@attrs.frozen
class OkxFundingWire:
    """The :class:`~adapters.streams.types.WireFormat` of OKX's ``funding-rate`` channel."""

    venue: str = "okx"
    url: str = DEFAULT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        if not venue_symbols:
            return []
        args = [{"channel": CHANNEL, "instId": inst_id} for inst_id in venue_symbols]
        return [{"op": "subscribe", "args": args}]

    def heartbeat(self) -> object | None:
        return None  # a websocket protocol ping (see the module docstring)

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_funding_frame(message, received_at)


__all__ = ["DEFAULT_STREAM_URL", "OkxFundingWire", "decode_funding_frame"]
