"""GRVT market stream: every instrument's ticker over one connection.

One JSON-RPC ``subscribe`` names every instrument's ``v1.ticker.s`` selector
(``<instrument>@<ms>``, snapshot rates 500/1000/5000 ms per the api-spec), so the first
full set of rates arrives about one round trip after connecting, where REST needs one
ticker call per instrument (80 instruments at 8 concurrent calls: 10 round trips).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from adapters.grvt.stream_parsing import TICKER_STREAM, decode_ticker_frame
from adapters.streams.types import Decoded

DEFAULT_STREAM_URL = "wss://market-data.grvt.io/ws/full"


@attrs.frozen
class GrvtTickerWire:
    venue: str = "grvt"
    url: str = DEFAULT_STREAM_URL
    snapshot_ms: int = 1000

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [
            {
                "jsonrpc": "2.0",
                "method": "subscribe",
                "params": {
                    "stream": TICKER_STREAM,
                    "selectors": [f"{name}@{self.snapshot_ms}" for name in venue_symbols],
                },
                "id": 1,
            }
        ]

    def heartbeat(self) -> object | None:
        return None  # a websocket ping

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_ticker_frame(message, received_at)
