"""Answers for the endpoints ccxt calls that our clients do not (its ``load_markets``).

The benchmark's local servers replay the bundled snapshot (``adapters/snapshot/data``),
which holds exactly what *our* adapters request. ccxt asks for more before it fetches a
funding rate: market lists and currency lists. Those are served from here. Every body is
labelled:

- **SYNTHESIZED**: a minimal well-formed body built from the snapshot's recorded values
  (symbols, names); fields ccxt needs but nothing recorded are given neutral values
  (precisions, an empty spot universe). They only let ccxt load its markets; no funding
  value is synthesized.
- **REAL**: a body copied verbatim from ccxt's own MIT-licensed response fixtures
  (``ccxt/ccxt`` ``ts/src/test/static/response/lighter.json`` @ ``041bd89a6afdc2ba`` and
  ``.../grvt.json`` @ ``013f055f719248392d``, as transcribed in
  ``shared/research-data/ccxt-static/{lighter,grvt}``).

Funding data itself always comes from the recorded snapshot, so both scans parse the same
rates. Which endpoint each venue's ccxt client hits is listed in :data:`ENDPOINTS` (the
benchmark report prints it).
"""

from __future__ import annotations

from typing import Any

from adapters.snapshot import Exchange, VenueRecording

ENDPOINTS: dict[str, list[tuple[str, str]]] = {
    "binance": [
        ("GET /fapi/v1/exchangeInfo", "SYNTHESIZED from the recorded premiumIndex symbols"),
    ],
    "hyperliquid": [
        ("POST /info {type: spotMeta}", "SYNTHESIZED: empty spot universe"),
        ("POST /info {type: spotMetaAndAssetCtxs}", "SYNTHESIZED: empty spot universe"),
        ("POST /info {type: perpDexs}", "SYNTHESIZED: only the main dex"),
    ],
    "grvt": [
        ("POST /full/v1/currency", "REAL: ccxt's fixture (LTC, KPEPE, MNT, USDC)"),
    ],
    "lighter": [
        ("GET /api/v1/assetDetails", "REAL: ccxt's fixture (USDC asset)"),
    ],
}

_LIGHTER_ASSET_DETAILS: dict[str, Any] = {
    "code": 200,
    "asset_details": [
        {
            "asset_id": 3,
            "symbol": "USDC",
            "l1_decimals": 6,
            "decimals": 6,
            "min_transfer_amount": "1.000000",
            "min_withdrawal_amount": "1.000000",
            "margin_mode": "enabled",
            "index_price": "1.000000",
            "l1_address": "0x95Fd23d5110f9D89A4b0B7d63D78F5B5Ea5074D1",
        }
    ],
}


def _recorded(recording: VenueRecording, method: str, path: str) -> Any:
    for exchange in recording.exchanges:
        if exchange.method == method and exchange.path == path:
            return exchange.body
    return None


def _binance_exchange_info(recording: VenueRecording) -> dict[str, Any]:
    rows = _recorded(recording, "GET", "/fapi/v1/premiumIndex") or []
    symbols = []
    for row in rows:
        name = str(row["symbol"])
        quote = "USDT" if name.endswith("USDT") else "USDC"
        symbols.append(
            {
                "symbol": name,
                "pair": name,
                "contractType": "PERPETUAL",
                "deliveryDate": 4133404800000,
                "onboardDate": 1569398400000,
                "status": "TRADING",
                "baseAsset": name[: -len(quote)],
                "quoteAsset": quote,
                "marginAsset": quote,
                "pricePrecision": 8,
                "quantityPrecision": 3,
                "baseAssetPrecision": 8,
                "quotePrecision": 8,
                "underlyingType": "COIN",
                "triggerProtect": "0.0500",
                "filters": [],
                "orderTypes": ["LIMIT", "MARKET"],
                "timeInForce": ["GTC", "IOC"],
            }
        )
    return {
        "timezone": "UTC",
        "serverTime": 1764774730025,
        "futuresType": "U_MARGINED",
        "rateLimits": [],
        "exchangeFilters": [],
        "assets": [],
        "symbols": symbols,
    }


_GRVT_CURRENCIES: dict[str, Any] = {
    "result": [
        {"id": 51, "symbol": "LTC", "balance_decimals": 9, "quantity_multiplier": "1000000000"},
        {"id": 13, "symbol": "KPEPE", "balance_decimals": 3, "quantity_multiplier": "1000"},
        {"id": 56, "symbol": "MNT", "balance_decimals": 6, "quantity_multiplier": "1000000"},
        {"id": 2, "symbol": "USDC", "balance_decimals": 6, "quantity_multiplier": "1000000"},
    ]
}

_SPOT_META: dict[str, Any] = {"universe": [], "tokens": []}


def extra_exchanges(recording: VenueRecording) -> tuple[Exchange, ...]:
    """ccxt's extra endpoints for one venue of the snapshot (see :data:`ENDPOINTS`)."""
    if recording.kind == "binance":
        return (Exchange("GET", "/fapi/v1/exchangeInfo", 200, _binance_exchange_info(recording)),)
    if recording.kind == "hyperliquid":
        return (
            Exchange("POST", "/info", 200, _SPOT_META, json={"type": "spotMeta"}),
            Exchange("POST", "/info", 200, [_SPOT_META, []], json={"type": "spotMetaAndAssetCtxs"}),
            Exchange("POST", "/info", 200, [None], json={"type": "perpDexs"}),
        )
    if recording.kind == "grvt":
        return (Exchange("POST", "/full/v1/currency", 200, _GRVT_CURRENCIES),)
    if recording.kind == "lighter":
        return (Exchange("GET", "/api/v1/assetDetails", 200, _LIGHTER_ASSET_DETAILS),)
    return ()
