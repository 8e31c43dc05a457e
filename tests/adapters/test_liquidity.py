"""Open interest and 24 h volume in the quote currency, per venue parser (recorded or
wire-format bodies): Hyperliquid ctx ``openInterest`` (coins) x ``markPx`` and
``dayNtlVlm``; Lighter ``orderBookDetails`` ``open_interest`` (base) x ``last_trade_price``
and ``daily_quote_token_volume``. GRVT's ticker figures are checked in
tests/cli/test_scan_liquidity.py."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from adapters.hyperliquid.parsers import parse_meta_and_asset_ctxs
from adapters.lighter.parsers import parse_markets
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid.fake_venue import CTXS, UNIVERSE
from tests.adapters.lighter._data import ccxt

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_hyperliquid_ctx_liquidity_on_markets_and_rates() -> None:
    body = [{"universe": UNIVERSE, "marginTables": []}, CTXS]
    snapshot = parse_meta_and_asset_ctxs(ExchangeIdentifier("hyperliquid"), body, NOW).unwrap()
    btc_market = next(m for m in snapshot.markets if m.symbol == Symbol("BTC"))
    btc_rate = next(r for r in snapshot.rates if r.symbol == Symbol("BTC"))
    # openInterest "10" BTC x markPx "100000.0"; dayNtlVlm "1" USDC
    assert btc_market.open_interest == btc_rate.open_interest == Decimal(1_000_000)
    assert btc_market.volume_24h == btc_rate.volume_24h == Decimal(1)
    pepe = next(m for m in snapshot.markets if m.symbol == Symbol("PEPE"))
    assert pepe.open_interest == Decimal("0.012345")  # 1 kPEPE x 0.012345


def test_lighter_order_book_details_liquidity() -> None:
    (eth,) = parse_markets(ccxt("fetchMarkets"), ExchangeIdentifier("lighter")).unwrap()
    assert eth.market.open_interest == Decimal("39559.3278") * Decimal("3550.69")
    assert eth.market.volume_24h == Decimal("1671431095.263844")


def test_without_a_price_open_interest_is_unknown_not_zero() -> None:
    ctxs: list[dict[str, Any]] = [{**dict(ctx), "markPx": None} for ctx in CTXS]  # type: ignore[call-overload]
    body = [{"universe": UNIVERSE, "marginTables": []}, ctxs]
    snapshot = parse_meta_and_asset_ctxs(ExchangeIdentifier("hyperliquid"), body, NOW).unwrap()
    assert {m.open_interest for m in snapshot.markets} == {None}
