"""Which market stream each venue kind has (``None``: REST only, e.g. ``paper``)."""

from __future__ import annotations

from adapters.aster.stream import DEFAULT_STREAM_URL as ASTER_URL
from adapters.aster.stream import AsterMarkPriceWire
from adapters.binance.stream import DEFAULT_STREAM_URL as BINANCE_URL
from adapters.binance.stream import BinanceMarkPriceWire
from adapters.bybit.stream import DEFAULT_STREAM_URL as BYBIT_URL
from adapters.bybit.stream import BybitTickerWire
from adapters.grvt.stream import DEFAULT_STREAM_URL as GRVT_URL
from adapters.grvt.stream import GrvtTickerWire
from adapters.hyperliquid.stream import DEFAULT_STREAM_URL as HYPERLIQUID_URL
from adapters.hyperliquid.stream import HyperliquidAssetCtxWire
from adapters.lighter.stream import LighterMarketStatsWire
from adapters.lighter.ws import DEFAULT_WS_URL as LIGHTER_URL
from adapters.okx.stream import DEFAULT_STREAM_URL as OKX_URL
from adapters.okx.stream import OkxFundingWire
from adapters.streams.types import WireFormat

STREAM_KINDS = ("binance", "hyperliquid", "grvt", "lighter", "bybit", "okx", "aster")


def wire_for(kind: str, venue: str, ws_url: str | None) -> WireFormat | None:
    """The market-stream wire format of a venue of ``kind`` named ``venue``; ``ws_url``
    (the venue's ``ws_url`` config key) replaces the public mainnet URL."""
    if kind == "binance":
        return BinanceMarkPriceWire(venue=venue, url=ws_url or BINANCE_URL)
    if kind == "hyperliquid":
        return HyperliquidAssetCtxWire(venue=venue, url=ws_url or HYPERLIQUID_URL)
    if kind == "grvt":
        return GrvtTickerWire(venue=venue, url=ws_url or GRVT_URL)
    if kind == "lighter":
        return LighterMarketStatsWire(venue=venue, url=ws_url or LIGHTER_URL)
    if kind == "bybit":
        return BybitTickerWire(venue=venue, url=ws_url or BYBIT_URL)
    if kind == "okx":
        return OkxFundingWire(venue=venue, url=ws_url or OKX_URL)
    if kind == "aster":
        return AsterMarkPriceWire(venue=venue, url=ws_url or ASTER_URL)
    return None
