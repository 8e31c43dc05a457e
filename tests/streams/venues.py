"""Each venue's market stream, as a local server speaks it (frames shaped like the
documented examples cited in each ``adapters/<venue>/stream_parsing.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tests.streams.local_ws import Frame, LocalWs, local_ws


def binance_mark_price(symbol: str, rate: str, event_ms: int, mark: str = "100") -> dict[str, Any]:
    """Shape of the Binance docs' "Mark Price Stream" example payload."""
    return {
        "e": "markPriceUpdate",
        "E": event_ms,
        "s": symbol,
        "p": mark,
        "i": mark,
        "P": mark,
        "r": rate,
        "T": (event_ms // 28_800_000 + 1) * 28_800_000,
    }


def hyperliquid_ctx(coin: str, funding: str, mark: str = "100") -> dict[str, Any]:
    return {
        "channel": "activeAssetCtx",
        "data": {
            "coin": coin,
            "ctx": {
                "funding": funding,
                "markPx": mark,
                "oraclePx": mark,
                "openInterest": "1",
                "prevDayPx": mark,
                "dayNtlVlm": "0",
                "premium": "0",
                "midPx": mark,
                "impactPxs": [mark, mark],
                "dayBaseVlm": "0",
            },
        },
    }


def grvt_ticker(
    instrument: str, funding_percent: str, event_ns: int, sequence: int, mark: str = "100"
) -> dict[str, Any]:
    """Shape of the api-spec's "Ticker Snap" full feed response."""
    return {
        "stream": "v1.ticker.s",
        "selector": instrument,
        "sequence_number": str(sequence),
        "prev_sequence_number": str(sequence - 1),
        "feed": {
            "event_time": str(event_ns),
            "instrument": instrument,
            "mark_price": mark,
            "index_price": mark,
            "funding_rate": funding_percent,
            "funding_rate_8h_curr": funding_percent,
            "next_funding_time": str((event_ns // 28_800_000_000_000 + 1) * 28_800_000_000_000),
        },
    }


def lighter_stats(market_id: int, funding_percent: str, ts_ms: int) -> dict[str, Any]:
    return {
        "market_id": market_id,
        "index_price": "100",
        "mark_price": "100",
        "open_interest": "1",
        "last_trade_price": "100",
        "current_funding_rate": funding_percent,
        "funding_rate": funding_percent,
        "funding_timestamp": ts_ms,
        "daily_base_token_volume": 0,
        "daily_quote_token_volume": 0,
        "daily_price_low": 100,
        "daily_price_high": 100,
        "daily_price_change": 0,
    }


def lighter_update(stats: Mapping[int, dict[str, Any]], ts_ms: int, first: bool) -> dict[str, Any]:
    return {
        "type": "subscribed/market_stats" if first else "update/market_stats",
        "channel": "market_stats:all",
        "market_stats": {str(k): v for k, v in stats.items()},
        "timestamp": ts_ms,
    }


@contextmanager
def binance_server(initial: Callable[[], list[Frame]]) -> Iterator[LocalWs]:
    """Binance names the stream in the URL and pushes without being asked."""
    with local_ws(lambda message: [], on_connect=initial, path="/market/ws/!markPrice@arr") as s:
        yield s


@contextmanager
def hyperliquid_server(ctxs: Callable[[str], Frame | None]) -> Iterator[LocalWs]:
    def reply(message: Any) -> list[Frame]:
        if message.get("method") == "ping":
            return [{"channel": "pong"}]
        if message.get("method") != "subscribe":
            return []
        subscription = message["subscription"]
        frames: list[Frame] = [{"channel": "subscriptionResponse", "data": message}]
        ctx = ctxs(subscription["coin"]) if "coin" in subscription else None
        if ctx is not None:
            frames.append(ctx)
        return frames

    with local_ws(reply, path="/ws") as server:
        yield server


@contextmanager
def grvt_server(tickers: Callable[[str], Frame], *, delay: float = 0.0) -> Iterator[LocalWs]:
    def reply(message: Any) -> list[Frame]:
        if message.get("method") != "subscribe":
            return []
        selectors = message["params"]["selectors"]
        ack: Frame = {
            "jsonrpc": "2.0",
            "result": {
                "stream": message["params"]["stream"],
                "subs": selectors,
                "unsubs": [],
                "num_snapshots": [1] * len(selectors),
                "first_sequence_number": [1] * len(selectors),
            },
            "id": message["id"],
            "method": "subscribe",
        }
        return [ack, *(tickers(selector.split("@")[0]) for selector in selectors)]

    with local_ws(reply, delay=delay, path="/ws/full") as server:
        yield server


@contextmanager
def lighter_server(snapshot: Callable[[], Frame]) -> Iterator[LocalWs]:
    def reply(message: Any) -> list[Frame]:
        if message.get("type") == "ping":
            return [{"type": "pong"}]
        if message.get("type") == "subscribe":
            return [snapshot()]
        return []

    with local_ws(
        reply, on_connect=lambda: [{"type": "connected", "session_id": "t"}], path="/stream"
    ) as server:
        yield server


def now_ms_value() -> int:
    import time

    return int(time.time() * 1000)
