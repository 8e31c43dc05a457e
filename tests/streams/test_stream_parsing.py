"""Each venue's stream frames read against the venue's documented examples."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from adapters.binance.stream_parsing import decode_mark_price_frame
from adapters.grvt.stream_parsing import decode_ticker_frame
from adapters.hyperliquid.stream_parsing import decode_asset_ctx_frame
from adapters.lighter.stream import decode_market_stats_frame
from tests.streams.venues import lighter_stats, lighter_update

NOW = datetime(2025, 12, 3, 15, 12, 10, tzinfo=timezone.utc)


def test_binance_documented_mark_price_payload() -> None:
    # Binance docs, "Mark Price Stream" (USD-M futures websocket market streams)
    frame = [
        {
            "e": "markPriceUpdate",
            "E": 1562305380000,
            "s": "BTCUSDT",
            "p": "11794.15000000",
            "i": "11784.62659091",
            "P": "11784.25641265",
            "r": "0.00038167",
            "T": 1562306400000,
        }
    ]
    (update,) = decode_mark_price_frame(frame, NOW).updates
    assert update.venue_symbol == "BTCUSDT"
    assert update.rate == Decimal("0.00038167")
    assert update.observed_at == datetime(2019, 7, 5, 5, 43, tzinfo=timezone.utc)
    assert update.next_funding_time == datetime(2019, 7, 5, 6, 0, tzinfo=timezone.utc)
    assert update.mark_price == Decimal("11794.15000000")
    assert update.interval is None  # the instrument's own interval (fundingInfo)


def test_binance_skips_contracts_without_next_funding_and_reports_errors() -> None:
    row = {"e": "markPriceUpdate", "E": 1, "s": "BTCUSDT_250328", "p": "1", "r": "0", "T": 0}
    assert decode_mark_price_frame([row], NOW).updates == ()
    assert decode_mark_price_frame({"result": None, "id": 1}, NOW).subscribed
    error = {"error": {"code": 2, "msg": "Invalid request"}, "id": 1}
    assert decode_mark_price_frame(error, NOW).error is not None
    assert decode_mark_price_frame([{"e": "markPriceUpdate", "s": "X"}], NOW).garbage


def test_binance_combined_stream_wrapper() -> None:
    row = {
        "e": "markPriceUpdate",
        "E": 1562305380000,
        "s": "ETHUSDT",
        "p": "1",
        "r": "0.0001",
        "T": 1562306400000,
    }
    decoded = decode_mark_price_frame({"stream": "!markPrice@arr", "data": [row]}, NOW)
    assert [u.venue_symbol for u in decoded.updates] == ["ETHUSDT"]


def test_grvt_documented_ticker_snap_feed() -> None:
    # GRVT api-spec market_data_streams.md, "Ticker Snap", Full Feed Response
    frame = {
        "stream": "v1.ticker.s",
        "selector": "BTC_USDT_Perp",
        "sequence_number": "872634876",
        "feed": {
            "event_time": "1697788800000000000",
            "instrument": "BTC_USDT_Perp",
            "mark_price": "65038.01",
            "index_price": "65038.01",
            "funding_rate_8h_curr": 0.0003,
            "funding_rate": 0.0003,
            "next_funding_time": "1697788800000000000",
        },
        "prev_sequence_number": "872634875",
    }
    decoded = decode_ticker_frame(frame, NOW)
    (update,) = decoded.updates
    assert update.venue_symbol == "BTC_USDT_Perp"
    assert update.rate == Decimal("0.000003")  # percent -> fraction, as in REST
    assert update.observed_at == datetime(2023, 10, 20, 8, 0, tzinfo=timezone.utc)
    (mark,) = decoded.sequences
    assert (mark.number, mark.previous) == (872634876, 872634875)


def test_grvt_subscribe_answer_and_error() -> None:
    answer = {"jsonrpc": "2.0", "result": {"stream": "v1.ticker.s", "subs": []}, "id": 1}
    assert decode_ticker_frame(answer, NOW).subscribed
    error = {"request_id": 1, "code": 1002, "message": "Internal Server Error", "status": 500}
    assert decode_ticker_frame(error, NOW).error == "1002: Internal Server Error"


def test_hyperliquid_asset_ctx_is_hourly_and_stamped_on_receipt() -> None:
    frame = {
        "channel": "activeAssetCtx",
        "data": {
            "coin": "BTC",
            "ctx": {"funding": "0.0000125", "markPx": "92000", "oraclePx": "1"},
        },
    }
    (update,) = decode_asset_ctx_frame(frame, NOW).updates
    assert update.rate == Decimal("0.0000125")
    assert update.interval == timedelta(hours=1)
    assert update.observed_at == NOW
    assert update.next_funding_time == datetime(2025, 12, 3, 16, tzinfo=timezone.utc)
    assert decode_asset_ctx_frame({"channel": "pong"}, NOW).updates == ()
    assert decode_asset_ctx_frame({"channel": "error", "data": "bad"}, NOW).error == "bad"
    assert decode_asset_ctx_frame({"channel": "activeAssetCtx", "data": {}}, NOW).garbage


def test_lighter_ping_is_answered_and_stats_become_hourly_rates() -> None:
    assert decode_market_stats_frame({"type": "ping"}, NOW).reply == {"type": "pong"}
    frame = lighter_update({1: lighter_stats(1, "0.0012", 1764774730000)}, 1764774730000, True)
    (update,) = decode_market_stats_frame(frame, NOW).updates
    assert update.venue_symbol == "1"
    assert update.rate == Decimal("0.000012")  # percent per hour -> fraction per hour
    assert update.interval == timedelta(hours=1)
