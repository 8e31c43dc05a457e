"""Bybit v5 and OKX v5 answers for the benchmark's replay servers, in the venues'
DOCUMENTED shapes: these are not recordings (no real Bybit or OKX responses are bundled).

The shapes are those the adapters' own tests serve and check against the venues' docs
(``tests/adapters/bybit/fake_venue.py``, ``tests/adapters/okx/fake_venue.py``; research
notes sections D and E): Bybit's ``{"retCode", "retMsg", "result": {"category", "list",
"nextPageCursor"}, ...}`` envelope with ``/v5/market/instruments-info`` and
``/v5/market/tickers?category=linear``; OKX's ``{"code", "msg", "data"}`` envelope with
``/api/v5/public/instruments?instType=SWAP``, ``/api/v5/public/funding-rate?instId=ANY``
and ``/api/v5/public/mark-price?instType=SWAP``.

Symbol counts are realistic-ish, so the bodies weigh what real ones do: Bybit lists about
500 linear USDT perpetuals (one page under ``limit=1000``), OKX about 250 USDT swaps. The
first symbols are the bundled snapshot's Binance symbols (so the scan finds cross-venue
pairs with the four other venues), with Binance's recorded marks and rates moved a little;
the rest are synthetic ``Snnn`` coins. Times are built when the servers start: each
symbol's next funding is the next boundary of its interval (8 h, some 4 h and 1 h).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from adapters.snapshot import Exchange, Snapshot

BYBIT_SYMBOLS = 500
OKX_SYMBOLS = 250
H_MS = 3_600_000


def _seed(snapshot: Snapshot) -> list[tuple[str, Decimal, Decimal]]:
    """(base coin, mark price, funding rate) of the snapshot's Binance symbols."""
    for recording in snapshot.venues:
        if recording.venue != "binance":
            continue
        for exchange in recording.exchanges:
            if exchange.path.endswith("/premiumIndex") and isinstance(exchange.body, list):
                return [
                    (
                        str(row["symbol"]).removesuffix("USDT"),
                        Decimal(str(row["markPrice"])),
                        Decimal(str(row["lastFundingRate"])),
                    )
                    for row in exchange.body
                    if str(row.get("symbol", "")).endswith("USDT")
                ]
    return []


def _coins(snapshot: Snapshot, count: int) -> list[tuple[str, Decimal, Decimal, int]]:
    """``count`` (base, mark, rate, interval hours): the snapshot's coins first, then
    synthetic ones; every 7th symbol funds each 4 h, every 11th each 1 h, else 8 h."""
    seeded = _seed(snapshot)
    coins: list[tuple[str, Decimal, Decimal, int]] = []
    for index in range(count):
        if index < len(seeded):
            base, mark, rate = seeded[index]
            rate += Decimal(index % 5 - 2) / Decimal(100_000)  # a venue's own rate
        else:
            base = f"S{index:03d}"
            mark = Decimal(1 + index % 97) / Decimal(10)
            rate = Decimal(index % 9 - 4) / Decimal(100_000)
        hours = 1 if index % 11 == 5 else 4 if index % 7 == 3 else 8
        coins.append((base, mark, rate, hours))
    return coins


def _next_boundary(now_ms: int, hours: int) -> int:
    step = hours * H_MS
    return (now_ms // step + 1) * step


def bybit_exchanges(snapshot: Snapshot, now_ms: int | None = None) -> tuple[Exchange, ...]:
    """Bybit's linear instruments (one page) and tickers, documented shapes."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    coins = _coins(snapshot, BYBIT_SYMBOLS)
    instruments, tickers = [], []
    for base, mark, rate, hours in coins:
        symbol = f"{base}USDT"
        instruments.append(
            {
                "symbol": symbol,
                "contractType": "LinearPerpetual",
                "status": "Trading",
                "baseCoin": base,
                "quoteCoin": "USDT",
                "settleCoin": "USDT",
                "launchTime": "1584230400000",
                "deliveryTime": "0",
                "priceScale": "4",
                "leverageFilter": {
                    "minLeverage": "1",
                    "maxLeverage": "50.00",
                    "leverageStep": "0.01",
                },
                "priceFilter": {
                    "minPrice": "0.0001",
                    "maxPrice": "1999999.80",
                    "tickSize": "0.0001",
                },
                "lotSizeFilter": {
                    "maxOrderQty": "1000000",
                    "minOrderQty": "0.001",
                    "qtyStep": "0.001",
                    "postOnlyMaxOrderQty": "1000000",
                    "maxMktOrderQty": "100000",
                    "minNotionalValue": "5",
                },
                "unifiedMarginTrade": True,
                "fundingInterval": hours * 60,
                "copyTrading": "both",
                "upperFundingRate": "0.00375",
                "lowerFundingRate": "-0.00375",
            }
        )
        price = f"{mark}"
        tickers.append(
            {
                "symbol": symbol,
                "lastPrice": price,
                "indexPrice": price,
                "markPrice": price,
                "prevPrice24h": price,
                "price24hPcnt": "0.01",
                "highPrice24h": price,
                "lowPrice24h": price,
                "openInterest": "50000",
                "openInterestValue": "3250000",
                "turnover24h": "9000000",
                "volume24h": "140000",
                "fundingRate": f"{rate}",
                "nextFundingTime": str(_next_boundary(now, hours)),
                "bid1Price": price,
                "bid1Size": "1",
                "ask1Price": price,
                "ask1Size": "1",
            }
        )

    def envelope(result: Any) -> dict[str, Any]:
        return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": now}

    linear = {"category": "linear"}
    return (
        Exchange(
            "GET",
            "/v5/market/instruments-info",
            200,
            envelope({"category": "linear", "list": instruments, "nextPageCursor": ""}),
            linear,
        ),
        Exchange(
            "GET",
            "/v5/market/tickers",
            200,
            envelope({"category": "linear", "list": tickers}),
            linear,
        ),
    )


def _okx_contract(mark: Decimal) -> str:
    """A ``ctVal`` giving contracts worth tens of dollars, as OKX's are (0.01 BTC...)."""
    if mark >= 10_000:
        return "0.01"
    if mark >= 1_000:
        return "0.1"
    if mark >= 10:
        return "1"
    return "100"


def okx_exchanges(snapshot: Snapshot, now_ms: int | None = None) -> tuple[Exchange, ...]:
    """OKX's USDT swaps, funding (``instId=ANY``) and marks, documented shapes."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    coins = _coins(snapshot, OKX_SYMBOLS)
    instruments, funding, marks = [], [], []
    for base, mark, rate, hours in coins:
        inst = f"{base}-USDT-SWAP"
        instruments.append(
            {
                "instType": "SWAP",
                "instId": inst,
                "ctType": "linear",
                "ctVal": _okx_contract(mark),
                "ctMult": "1",
                "ctValCcy": base,
                "settleCcy": "USDT",
                "lotSz": "0.01",
                "minSz": "0.01",
                "tickSz": "0.0001",
                "lever": "50",
                "maxMktSz": "5000",
                "maxLmtSz": "100000000",
                "state": "live",
                "listTime": "1573557408000",
                "uly": f"{base}-USDT",
            }
        )
        funding_time = _next_boundary(now, hours)
        funding.append(
            {
                "instType": "SWAP",
                "instId": inst,
                "fundingRate": f"{rate + Decimal('0.00001')}",
                "fundingTime": str(funding_time),
                "nextFundingTime": str(funding_time + hours * H_MS),
                "nextFundingRate": "",
                "maxFundingRate": "0.00375",
                "minFundingRate": "-0.00375",
                "settState": "settled",
                "method": "current_period",
                "ts": str(now),
            }
        )
        marks.append({"instType": "SWAP", "instId": inst, "markPx": f"{mark}", "ts": str(now)})

    def envelope(data: Sequence[Any]) -> dict[str, Any]:
        return {"code": "0", "msg": "", "data": list(data)}

    return (
        Exchange(
            "GET", "/api/v5/public/instruments", 200, envelope(instruments), {"instType": "SWAP"}
        ),
        Exchange("GET", "/api/v5/public/funding-rate", 200, envelope(funding), {"instId": "ANY"}),
        Exchange("GET", "/api/v5/public/mark-price", 200, envelope(marks), {"instType": "SWAP"}),
    )


DOCUMENTED_VENUES = ("bybit", "okx")
"""The venues served from documented shapes rather than recordings."""


def documented_exchanges(snapshot: Snapshot) -> dict[str, tuple[Exchange, ...]]:
    """Per documented venue, its exchanges (see the module docstring)."""
    now = int(time.time() * 1000)
    return {"bybit": bybit_exchanges(snapshot, now), "okx": okx_exchanges(snapshot, now)}
