"""A fake Binance USDⓈ-M venue on the fake-venue harness (:mod:`tests.harness`), for
wire-format round trips (``serve(fake)`` runs it on 127.0.0.1; a base URL comes back).

It speaks the venue's formats (string decimals, ms timestamps, ``{"code","msg"}`` error
bodies with HTTP 400/401) and checks signed requests the way Binance does: the
``X-MBX-APIKEY`` header must name the key, ``signature`` must be the hex HMAC-SHA256 of
the raw query string before ``&signature=`` keyed by the secret (else ``-1022``), and
``timestamp`` must lie within ``recvWindow`` of the server clock (else ``-1021``).

Trading is a toy: LIMIT IOC and MARKET orders fill completely against the best level
when they cross it (else expire unfilled), GTC limits that do not cross rest as NEW.
Fault injection is the harness's: ``fail_next[(method, path)] = Reply(...)`` or
``(status, body_bytes, headers)``; ``delay_next[(method, path)] = seconds`` processes the
request, then answers late. ``requests`` logs ``(method, path, raw_query)``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from tests.harness import FakeVenue, Reply, Request, serve

H = 3_600_000


def _filters(tick: str, step: str, min_qty: str, notional: str) -> list[dict[str, Any]]:
    return [
        {"filterType": "PRICE_FILTER", "tickSize": tick, "minPrice": tick, "maxPrice": "1000000"},
        {"filterType": "LOT_SIZE", "stepSize": step, "minQty": min_qty, "maxQty": "1000"},
        {"filterType": "MARKET_LOT_SIZE", "stepSize": step, "minQty": min_qty, "maxQty": "120"},
        {"filterType": "MIN_NOTIONAL", "notional": notional},
    ]


def _symbol(
    name: str, base: str, quote: str, contract: str = "PERPETUAL", status: str = "TRADING"
) -> dict[str, Any]:
    tick, step, min_qty = (
        ("0.10", "0.001", "0.001") if base != "1000PEPE" else ("0.0000001", "1", "1")
    )
    return {
        "symbol": name,
        "pair": name.split("_")[0],
        "contractType": contract,
        "status": status,
        "baseAsset": base,
        "quoteAsset": quote,
        "marginAsset": quote,
        "filters": _filters(tick, step, min_qty, "100" if base == "BTC" else "5"),
    }


class FakeBinance(FakeVenue):
    requests: list[tuple[str, str, str]]

    def __init__(self, api_key: str, api_secret: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.api_secret = api_secret
        self.extra_funding_info: list[dict[str, Any]] = []  # more fundingInfo rows
        self.rate_overrides: dict[str, str] = {}  # symbol -> premiumIndex lastFundingRate
        self.next_funding_overrides: dict[str, int] = {}  # symbol -> nextFundingTime (ms)
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: dict[str, Decimal] = {}
        self.next_order_id = 1000
        self.bids = [("64999.90", "2.000"), ("64999.00", "5.000"), ("64990.00", "10.000")]
        self.asks = [("65000.10", "1.500"), ("65001.00", "4.000"), ("65010.00", "8.000")]
        # BTCUSDT history: 8-hourly until SWITCH, 4-hourly afterwards; 2 500 rows in all.
        first = 1_704_067_200_000  # 2024-01-01T00:00Z
        self.history: list[dict[str, Any]] = []
        stamp = first
        for i in range(2500):
            self.history.append(
                {
                    "symbol": "BTCUSDT",
                    "fundingRate": f"{Decimal(i % 7 - 3) / 100000:.8f}",
                    "fundingTime": stamp + (i % 4),  # Binance-style ms jitter
                    "markPrice": "" if i < 3 else f"{60000 + i}.00000000",
                }
            )
            stamp += (8 if i < 1200 else 4) * H
        self.income: list[dict[str, Any]] = [
            {
                "symbol": "BTCUSDT" if i % 2 == 0 else "1000PEPEUSDT",
                "incomeType": "FUNDING_FEE",
                "income": f"{Decimal(i) / 100 - Decimal('0.5'):.8f}",
                "asset": "USDT",
                "info": "FUNDING_FEE",
                "time": first + (i // 2) * 8 * H,  # both symbols settle at the same ms
                "tranId": 5_000_000 + i,
                "tradeId": "",
            }
            for i in range(2300)
        ]

    # ------------------------------------------------------------------ harness

    def log_entry(self, request: Request) -> tuple[str, str, str]:
        return request.method, request.path, request.raw_query

    def handle(self, request: Request) -> Reply:
        """Public paths answer anyone; a signed request is checked the way Binance
        checks it (key header, HMAC of the raw query, ``recvWindow``) before it acts."""
        if "signature=" not in request.raw_query:
            return Reply(*self.public(request.path, request.query))
        rejected = self.verify(request.raw_query, request.headers)
        if rejected is not None:
            return Reply(*rejected)
        return Reply(*self.signed(request.method, request.path, request.query))

    # ------------------------------------------------------------------ helpers

    def _order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        return dict(order)

    def _error(self, status: int, code: int, msg: str) -> tuple[int, Any]:
        return status, {"code": code, "msg": msg}

    # ------------------------------------------------------------------ public

    def public(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == "/fapi/v1/time":
            return 200, {"serverTime": self.now_ms()}
        if path == "/fapi/v1/exchangeInfo":
            return 200, {
                "timezone": "UTC",
                "serverTime": self.now_ms(),
                "rateLimits": [],
                "symbols": [
                    _symbol("BTCUSDT", "BTC", "USDT"),
                    _symbol("ETHUSDT", "ETH", "USDT"),
                    _symbol("1000PEPEUSDT", "1000PEPE", "USDT"),
                    _symbol("BTCUSDC", "BTC", "USDC"),
                    _symbol("SOLUSDC", "SOL", "USDC"),
                    _symbol("BTCUSDT_250328", "BTC", "USDT", contract="CURRENT_QUARTER"),
                    _symbol("XRPUSDT", "XRP", "USDT", status="SETTLING"),
                ],
            }
        if path == "/fapi/v1/fundingInfo":
            return 200, [
                {
                    "symbol": "1000PEPEUSDT",
                    "adjustedFundingRateCap": "0.03000000",
                    "adjustedFundingRateFloor": "-0.03000000",
                    "fundingIntervalHours": 4,
                    "disclaimer": False,
                },
                *self.extra_funding_info,
            ]
        if path == "/fapi/v1/premiumIndex":
            now = self.now_ms()
            rows = [
                ("BTCUSDT", "65000.10000000", "0.00012000", 1_732_723_200_000),
                ("ETHUSDT", "3400.00000000", "-0.00002500", 1_732_723_200_000),
                ("1000PEPEUSDT", "0.01835240", "0.00040000", 1_732_723_200_000),
                ("BTCUSDC", "65001.00000000", "0.00030000", 1_732_723_200_000),
                ("SOLUSDC", "240.00000000", "0.00010000", 1_732_723_200_000),
                ("BTCUSDT_250328", "98538.69436879", "0.00000000", 0),
            ]
            return 200, [
                {
                    "symbol": s,
                    "markPrice": mark,
                    "indexPrice": mark,
                    "estimatedSettlePrice": mark,
                    "lastFundingRate": self.rate_overrides.get(s, rate),
                    "interestRate": "0.00010000",
                    "nextFundingTime": self.next_funding_overrides.get(s, nxt),
                    "time": now,
                }
                for s, mark, rate, nxt in rows
            ]
        if path == "/fapi/v1/depth":
            if q.get("symbol") not in ("BTCUSDT", "ETHUSDT", "1000PEPEUSDT", "BTCUSDC", "SOLUSDC"):
                return self._error(400, -1121, "Invalid symbol.")
            limit = int(q.get("limit", "500"))
            return 200, {
                "lastUpdateId": 1027024,
                "E": self.now_ms(),
                "T": self.now_ms() - 5,
                "bids": [list(level) for level in self.bids[:limit]],
                "asks": [list(level) for level in self.asks[:limit]],
            }
        if path == "/fapi/v1/fundingRate":
            start = int(q.get("startTime", "0"))
            end = int(q.get("endTime", str(2**62)))
            limit = min(int(q.get("limit", "100")), 1000)
            found = [
                r
                for r in self.history
                if r["symbol"] == q.get("symbol") and start <= r["fundingTime"] <= end
            ]
            return 200, found[:limit]
        return self._error(404, -5000, "Path not found")

    # ------------------------------------------------------------------ signed

    def verify(self, raw_query: str, headers: Mapping[str, str]) -> tuple[int, Any] | None:
        if headers.get("X-MBX-APIKEY") != self.api_key:
            return self._error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        payload, sep, signature = raw_query.rpartition("&signature=")
        if not sep:
            return self._error(400, -1102, "Mandatory parameter 'signature' was not sent.")
        expected = hmac.new(self.api_secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self._error(400, -1022, "Signature for this request is not valid.")
        params = dict(parse_qsl(payload, keep_blank_values=True))
        stamp = int(params.get("timestamp", "0"))
        window = int(params.get("recvWindow", "5000"))
        now = self.now_ms()
        if stamp > now + 1000 or now - stamp > window:
            return self._error(
                400, -1021, "Timestamp for this request is outside of the recvWindow."
            )
        return None

    def _fill(self, order: dict[str, Any]) -> None:
        qty = Decimal(order["origQty"])
        buy = order["side"] == "BUY"
        best_price, best_size = (self.asks if buy else self.bids)[0]
        crosses = order["type"] == "MARKET" or (
            Decimal(order["price"]) >= Decimal(best_price)
            if buy
            else Decimal(order["price"]) <= Decimal(best_price)
        )
        if crosses and qty <= Decimal(best_size):
            order.update(status="FILLED", executedQty=order["origQty"], avgPrice=best_price)
            order["cumQuote"] = str(qty * Decimal(best_price))
            signed = qty if buy else -qty
            self.positions[order["symbol"]] = (
                self.positions.get(order["symbol"], Decimal(0)) + signed
            )
        elif order["timeInForce"] in ("IOC", "FOK") or order["type"] == "MARKET":
            order["status"] = "EXPIRED"
        else:
            order["status"] = "NEW"

    def signed(self, method: str, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == "/fapi/v1/order" and method == "POST":
            cid = q["newClientOrderId"]
            if cid in self.orders:
                return self._error(400, -4116, "ClientOrderId is duplicated.")
            self.next_order_id += 1
            now = self.now_ms()
            order = {
                "orderId": self.next_order_id,
                "symbol": q["symbol"],
                "status": "NEW",
                "clientOrderId": cid,
                "price": q.get("price", "0"),
                "avgPrice": "0.00",
                "origQty": q["quantity"],
                "executedQty": "0",
                "cumQuote": "0",
                "timeInForce": q.get("timeInForce", "GTC"),
                "type": q["type"],
                "reduceOnly": q.get("reduceOnly") == "true",
                "closePosition": False,
                "side": q["side"],
                "positionSide": "BOTH",
                "origType": q["type"],
                "time": now,
                "updateTime": now,
            }
            self._fill(order)
            self.orders[cid] = order
            return 200, self._order_view(order)
        if path == "/fapi/v1/order" and method in ("GET", "DELETE"):
            known = self.orders.get(q.get("origClientOrderId", ""))
            if known is None or known["symbol"] != q.get("symbol"):
                if method == "DELETE":
                    return self._error(400, -2011, "Unknown order sent.")
                return self._error(400, -2013, "Order does not exist.")
            if method == "DELETE":
                if known["status"] not in ("NEW", "PARTIALLY_FILLED"):
                    return self._error(400, -2011, "Unknown order sent.")
                known["status"] = "CANCELED"
                known["updateTime"] = self.now_ms()
            return 200, self._order_view(known)
        if path == "/fapi/v1/openOrders":
            return 200, [
                self._order_view(o)
                for o in self.orders.values()
                if o["status"] in ("NEW", "PARTIALLY_FILLED")
                and ("symbol" not in q or o["symbol"] == q["symbol"])
            ]
        if path == "/fapi/v3/positionRisk":
            return 200, [
                {
                    "symbol": symbol,
                    "positionSide": "BOTH",
                    "positionAmt": str(amount),
                    "entryPrice": "65000.1",
                    "breakEvenPrice": "65010.0",
                    "markPrice": "65000.10000000",
                    "unRealizedProfit": "0.00000000",
                    "liquidationPrice": "52000.5" if amount > 0 else "78000.5",
                    "isolatedMargin": "0",
                    "notional": str(amount * Decimal("65000.1")),
                    "marginAsset": "USDT",
                    "updateTime": self.now_ms(),
                }
                for symbol, amount in self.positions.items()
                if amount != 0
            ]
        if path == "/fapi/v2/account":  # the documented shape, trimmed to what margin reads
            held = [(s, a) for s, a in self.positions.items() if a != 0]
            maint = {s: abs(a) * Decimal("65000.1") * Decimal("0.004") for s, a in held}
            return 200, {
                "multiAssetsMargin": False,
                "totalMaintMargin": str(sum(maint.values(), Decimal(0))),
                "totalMarginBalance": "1000.00000000",
                "totalWalletBalance": "1000.50000000",
                "availableBalance": "900.25000000",
                "positions": [
                    {"symbol": s, "positionSide": "BOTH", "positionAmt": str(a),
                     "maintMargin": str(maint[s]), "leverage": "20",
                     "updateTime": self.now_ms()}
                    for s, a in held
                ] + [  # v2 lists flat symbols too, each with the account's leverage
                    {"symbol": s, "positionSide": "BOTH", "positionAmt": "0",
                     "maintMargin": "0", "leverage": "20", "updateTime": self.now_ms()}
                    for s in ("BTCUSDT", "ETHUSDT")
                    if not self.positions.get(s)
                ],
            }  # fmt: skip
        if path == "/fapi/v2/balance":
            return 200, [
                {
                    "accountAlias": "SgsR",
                    "asset": "USDT",
                    "balance": "1000.50000000",
                    "crossWalletBalance": "1000.50000000",
                    "crossUnPnl": "-0.50000000",
                    "availableBalance": "900.25000000",
                    "maxWithdrawAmount": "900.25000000",
                    "marginAvailable": True,
                    "updateTime": self.now_ms(),
                },
                {
                    "accountAlias": "SgsR",
                    "asset": "BNB",
                    "balance": "0.00000000",
                    "crossWalletBalance": "0.00000000",
                    "crossUnPnl": "0.00000000",
                    "availableBalance": "0.00000000",
                    "maxWithdrawAmount": "0.00000000",
                    "marginAvailable": True,
                    "updateTime": 0,
                },
            ]
        if path == "/fapi/v1/commissionRate":
            # Binance docs "User Commission Rate (USER_DATA)" response example
            if q.get("symbol") not in ("BTCUSDT", "ETHUSDT"):
                return self._error(400, -1121, "Invalid symbol.")
            return 200, {
                "symbol": q["symbol"],
                "makerCommissionRate": "0.0002",
                "takerCommissionRate": "0.0004",
            }
        if path == "/fapi/v1/income":
            start = int(q.get("startTime", "0"))
            end = int(q.get("endTime", str(2**62)))
            limit = min(int(q.get("limit", "100")), 1000)
            rows = [
                r
                for r in self.income
                if r["incomeType"] == q.get("incomeType", r["incomeType"])
                and start <= r["time"] <= end
            ]
            return 200, rows[:limit]
        return self._error(404, -5000, "Path not found")


__all__ = ["FakeBinance", "serve"]
