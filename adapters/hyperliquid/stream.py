"""Hyperliquid market stream: one ``activeAssetCtx`` subscription per coin, one connection.

Hyperliquid has no all-assets context channel (``allMids`` carries mids only, no funding),
so each listed coin is subscribed to; the SDK's heartbeat is ``{"method":"ping"}`` every
50 s (fact sheet B4), we send it when quiet for ``ping_interval``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from adapters.hyperliquid.stream_parsing import decode_asset_ctx_frame
from adapters.streams.types import Decoded

DEFAULT_STREAM_URL = "wss://api.hyperliquid.xyz/ws"


@attrs.frozen
class HyperliquidAssetCtxWire:
    venue: str = "hyperliquid"
    url: str = DEFAULT_STREAM_URL

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        return [
            {"method": "subscribe", "subscription": {"type": "activeAssetCtx", "coin": coin}}
            for coin in venue_symbols
        ]

    def heartbeat(self) -> object | None:
        return {"method": "ping"}

    def decode(self, message: object, received_at: datetime) -> Decoded:
        return decode_asset_ctx_frame(message, received_at)
