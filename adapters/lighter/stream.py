"""Lighter's ``market_stats`` stream in the shared stream engine's terms.

The frames are read by the existing parser (:func:`adapters.lighter.parsers.parse_ws_frame`,
whose docstring cites the wire format); this module only names the subscription and turns
each market's live (current) hourly funding into a :class:`RateUpdate` keyed by market id
(the ``venue_symbol`` Lighter's markets carry). Stats without a current rate carry no
update: a missing rate is never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs
from returns.result import Failure

from adapters.lighter.parsers import WsFrame, next_hour, parse_ws_frame
from adapters.streams.types import Decoded, RateUpdate

DEFAULT_WS_URL = "wss://mainnet.zklighter.elliot.ai/stream"
HOUR = timedelta(hours=1)


def decode_market_stats_frame(message: object, received_at: datetime) -> Decoded:
    parsed = parse_ws_frame(message, received_at)
    if isinstance(parsed, Failure):
        return Decoded(garbage=parsed.failure().message[:200])
    return decoded_from_frame(parsed.unwrap())


def decoded_from_frame(frame: WsFrame) -> Decoded:
    """A parsed frame in the stream engine's terms: a pong for a ping, the venue's error,
    one :class:`RateUpdate` per market with a live rate."""
    if frame.kind == "ping":
        return Decoded(reply={"type": "pong"})
    if frame.kind == "error":
        return Decoded(error=frame.error or "error")
    updates = tuple(
        RateUpdate(
            venue_symbol=str(stats.market_id),
            rate=stats.current_funding_hourly,
            interval=HOUR,
            observed_at=stats.observed_at,
            next_funding_time=next_hour(stats.observed_at),
            mark_price=stats.mark_price,
            index_price=stats.index_price,
        )
        for stats in frame.stats
        if stats.current_funding_hourly is not None
    )
    return Decoded(updates=updates)


@attrs.frozen
class LighterMarketStatsWire:
    venue: str = "lighter"
    url: str = DEFAULT_WS_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [{"type": "subscribe", "channel": "market_stats/all"}]

    def heartbeat(self) -> object | None:
        return {"type": "ping"}  # Lighter closes a connection silent for two minutes

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_market_stats_frame(message, received_at)
