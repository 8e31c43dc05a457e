"""Binance USD-M market stream: all symbols' funding and mark over one connection.

The stream is named in the URL (no subscribe message): ``/market/ws/!markPrice@arr`` on
the new ``/market`` route (Binance's websocket change notice: mark-price streams moved
from the legacy root to ``/market``; fact sheet A1). Binance pings every 3 minutes and
drops a connection that does not answer; the protocol layer answers. Connections are cut
after 24 h; the feed reconnects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from adapters.binance.stream_parsing import decode_mark_price_frame
from adapters.streams.types import Decoded

DEFAULT_STREAM_URL = "wss://fstream.binance.com/market/ws/!markPrice@arr"


@attrs.frozen
class BinanceMarkPriceWire:
    venue: str = "binance"
    url: str = DEFAULT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return []  # the URL names the stream

    def heartbeat(self) -> object | None:
        return None  # a websocket ping (Binance accepts unsolicited pongs and pings)

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_mark_price_frame(message, received_at)
