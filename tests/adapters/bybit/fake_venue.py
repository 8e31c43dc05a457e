"""A Bybit v5 REST server on 127.0.0.1 speaking the venue's wire format, for round trips.

Awkward like the real one: every answer is an envelope ``{"retCode", "retMsg", "result",
"retExtInfo", "time"}`` delivered with HTTP 200 even when refused; decimals are strings,
times ms strings; instruments come in cursor pages (``page_size``); funding history is
newest first in pages of at most 200; the transaction log refuses windows over 7 days;
an order ack carries ids only; after a "server restart" (``restarted``) closed orders
are only in ``/v5/order/history``. Linear category also lists a USDC perpetual, a dated future
and a pre-launch symbol, which a client must skip.

Private requests are checked as Bybit documents (research notes D): ``X-BAPI-API-KEY``
must name the key (else 10003), ``X-BAPI-SIGN`` must be hex HMAC-SHA256 of
``timestamp + key + recv_window + payload`` (the raw query string of a GET, the raw body
of a POST; else 10004), and ``server_time - recv_window <= timestamp < server_time + 1000``
(else 10002). Every private request's headers are kept (``seen_headers``).

Trading is a toy: IOC/Market orders fill fully at the best level when they cross it, else
cancel; GTC limits that do not cross rest as ``New``.

Built on the fake-venue harness (:mod:`tests.harness`): routes by :func:`route`, served by
:func:`tests.harness.serve`. Faults: the harness's ``fail_next[(method, path)] = Reply``,
repeated ``fail_repeats[(method, path)]`` more times; ``on_arrival(path)`` runs before a
request is processed, outside the lock (to assert the order of events).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from tests.harness import FakeVenue, Reply, Request, route, serve

H = 3_600_000
INTERVAL_MINUTES = {
    "BTCUSDT": 480,
    "ETHUSDT": 480,
    "SOLUSDT": 240,
    "DOGEUSDT": 60,
    "1000PEPEUSDT": 480,
    "XRPUSDT": 480,
}


def instrument(
    symbol: str,
    base: str,
    minutes: int,
    *,
    settle: str = "USDT",
    contract: str = "LinearPerpetual",
    status: str = "Trading",
    tick: str = "0.10",
    step: str = "0.001",
) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "contractType": contract,
        "status": status,
        "baseCoin": base,
        "quoteCoin": settle,
        "settleCoin": settle,
        "launchTime": "1584230400000",
        "deliveryTime": "0",
        "priceScale": "2",
        "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
        "priceFilter": {"minPrice": tick, "maxPrice": "1999999.80", "tickSize": tick},
        "lotSizeFilter": {
            "maxOrderQty": "1190.000",
            "minOrderQty": step,
            "qtyStep": step,
            "postOnlyMaxOrderQty": "1190.000",
            "maxMktOrderQty": "119.000",
            "minNotionalValue": "5",
        },
        "unifiedMarginTrade": True,
        "fundingInterval": minutes,
        "copyTrading": "both",
        "upperFundingRate": "0.00375",
        "lowerFundingRate": "-0.00375",
    }


def _routed(method: str, path: str, *, private: bool) -> Callable[[FakeBybit, Request], Reply]:
    """A route of its own (one function object per path) into the venue's dispatcher."""

    def handler(fake: FakeBybit, request: Request) -> Reply:
        if private:
            body = request.json() if request.body else {}
            return Reply(200, fake.signed(request.method, request.path, request.query, body))
        return Reply(200, fake.public(request.path, request.query))

    return route(method, path)(handler)


class FakeBybit(FakeVenue):
    def __init__(self, api_key: str, api_secret: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.api_secret = api_secret
        self.page_size = 3
        self.seen_headers: list[tuple[str, dict[str, str]]] = []  # (path, X-BAPI-*)
        self.fail_repeats: dict[tuple[str, str], int] = {}  # extra times fail_next repeats
        self.on_arrival: Callable[[str], None] | None = None  # called outside the lock
        self.latency = 0.0  # every answer this late (a distant venue)
        self.restarted = False  # closed orders only in /v5/order/history
        self.served: list[tuple[str, float, float]] = []  # (path, arrived, answered)
        self.instruments = [
            instrument(s, s.removesuffix("USDT"), m) for s, m in INTERVAL_MINUTES.items()
        ]
        self.instruments += [
            instrument("BTCPERP", "BTC", 480, settle="USDC"),
            instrument("BTCUSDT-26DEC25", "BTC", 0, contract="LinearFutures"),
            instrument("NEWUSDT", "NEW", 480, status="PreLaunch"),
        ]
        self.rates = {s: "0.0001" for s in INTERVAL_MINUTES}
        self.rates["SOLUSDT"] = "-0.00005"
        self.rates["DOGEUSDT"] = "0.0000125"
        self.next_funding: dict[str, int] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: dict[str, Decimal] = {}
        self.next_order_id = 1
        self.bids = [("64999.90", "2.000"), ("64999.00", "5.000")]
        self.asks = [("65000.10", "1.500"), ("65001.00", "4.000")]
        first = 1_704_067_200_000  # 2024-01-01T00:00Z
        self.history = [
            {
                "symbol": "BTCUSDT",
                "fundingRate": f"{Decimal(i % 5 - 2) / 10000}",
                "fundingRateTimestamp": str(first + i * 8 * H),
            }
            for i in range(450)
        ]
        self.settlements = [
            {
                "id": f"log-{i}",
                "symbol": "BTCUSDT" if i % 2 == 0 else "1000PEPEUSDT",
                "category": "linear",
                "side": "Buy",
                "transactionTime": str(first + i * 4 * H),
                "type": "SETTLEMENT",
                "qty": "0.1",
                "size": "0.1",
                "currency": "USDT",
                "tradePrice": "65000",
                "funding": f"{Decimal(i) / 100 - 1}",
                "fee": "0",
                "cashFlow": "0",
                "change": f"{Decimal(i) / 100 - 1}",
                "cashBalance": "1000",
                "feeRate": "0.0001",
                "bonusChange": "",
                "tradeId": "",
                "orderId": "",
                "orderLinkId": "",
            }
            for i in range(200)
        ]

    def envelope(self, result: Any, code: int = 0, msg: str = "OK") -> dict[str, Any]:
        return {
            "retCode": code,
            "retMsg": msg,
            "result": result,
            "retExtInfo": {},
            "time": self.now_ms(),
        }

    def refuse(self, code: int, msg: str) -> dict[str, Any]:
        return self.envelope({}, code, msg)

    # ------------------------------------------------------------------ public

    def _next_funding(self, symbol: str) -> int:
        if symbol in self.next_funding:
            return self.next_funding[symbol]
        step = INTERVAL_MINUTES[symbol] * 60_000
        return (self.now_ms() // step + 1) * step

    def _ticker(self, symbol: str) -> dict[str, Any]:
        return {
            "symbol": symbol,
            "lastPrice": "65000.00",
            "indexPrice": "64990.00",
            "markPrice": "65000.00",
            "prevPrice24h": "64000",
            "price24hPcnt": "0.015",
            "highPrice24h": "66000",
            "lowPrice24h": "63000",
            "openInterest": "50000",
            "openInterestValue": "3250000000",
            "turnover24h": "9000000000",
            "volume24h": "140000",
            "fundingRate": self.rates[symbol],
            "nextFundingTime": str(self._next_funding(symbol)),
            "bid1Price": self.bids[0][0],
            "bid1Size": self.bids[0][1],
            "ask1Price": self.asks[0][0],
            "ask1Size": self.asks[0][1],
        }

    def public(self, path: str, q: dict[str, str]) -> dict[str, Any]:
        if q.get("category", "linear") != "linear":
            return self.refuse(10001, "params error: category")
        if path == "/v5/market/time":
            now = self.now_ms()
            return self.envelope({"timeSecond": str(now // 1000), "timeNano": str(now * 10**6)})
        if path == "/v5/market/instruments-info":
            start = int(q.get("cursor") or 0)
            page = self.instruments[start : start + self.page_size]
            more = start + self.page_size < len(self.instruments)
            cursor = str(start + self.page_size) if more else ""
            return self.envelope({"category": "linear", "list": page, "nextPageCursor": cursor})
        if path == "/v5/market/tickers":
            rows = [self._ticker(s) for s in INTERVAL_MINUTES]
            rows.append({**self._ticker("BTCUSDT"), "symbol": "BTCPERP"})  # USDC: skipped
            return self.envelope({"category": "linear", "list": rows})
        if path == "/v5/market/orderbook":
            if q.get("symbol") not in INTERVAL_MINUTES:
                return self.refuse(10001, "params error: symbol invalid")
            limit = int(q.get("limit", "25"))
            return self.envelope(
                {
                    "s": q["symbol"],
                    "b": self.bids[:limit],
                    "a": self.asks[:limit],
                    "ts": self.now_ms(),
                    "u": 1,
                }
            )
        if path == "/v5/market/funding/history":
            if "startTime" in q and "endTime" not in q:
                return self.refuse(10001, "endTime is required with startTime")
            start = int(q.get("startTime", "0"))
            end = int(q.get("endTime", str(2**62)))
            limit = min(int(q.get("limit", "200")), 200)
            rows = [
                r
                for r in self.history
                if r["symbol"] == q.get("symbol") and start <= int(r["fundingRateTimestamp"]) <= end
            ]
            rows.sort(key=lambda r: -int(r["fundingRateTimestamp"]))
            return self.envelope({"category": "linear", "list": rows[:limit]})
        return self.refuse(10001, f"unknown path {path}")

    # ------------------------------------------------------------------ private

    def verify(self, path: str, headers: Any, payload: str) -> dict[str, Any] | None:
        key = headers.get("X-BAPI-API-KEY")
        stamp = headers.get("X-BAPI-TIMESTAMP", "")
        window = headers.get("X-BAPI-RECV-WINDOW", "5000")
        sign = headers.get("X-BAPI-SIGN", "")
        names = ("X-BAPI-API-KEY", "X-BAPI-TIMESTAMP", "X-BAPI-RECV-WINDOW", "X-BAPI-SIGN")
        self.seen_headers.append((path, {n: headers[n] for n in names if n in headers}))
        if key != self.api_key:
            return self.refuse(10003, "API key is invalid.")
        text = f"{stamp}{key}{window}{payload}"
        expected = hmac.new(self.api_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, sign):
            return self.refuse(10004, "error sign! origin_string[...]")
        now = self.now_ms()
        if not now - int(window) <= int(stamp) < now + 1000:
            return self.refuse(
                10002, "invalid request, please check your server timestamp or recv_window param"
            )
        return None

    def _order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        return dict(order)

    def _fill(self, order: dict[str, Any]) -> None:
        buy = order["side"] == "Buy"
        best = self.asks[0][0] if buy else self.bids[0][0]
        price = order.get("price")
        crosses = price is None or (
            Decimal(price) >= Decimal(best) if buy else Decimal(price) <= Decimal(best)
        )
        if crosses and (order["orderType"] == "Market" or order["timeInForce"] != "PostOnly"):
            qty = Decimal(order["qty"])
            order.update(
                orderStatus="Filled",
                cumExecQty=order["qty"],
                leavesQty="0",
                avgPrice=best,
                cumExecFee=str(qty * Decimal(best) * Decimal("0.00055")),
            )
            sign = 1 if buy else -1
            held = self.positions.get(order["symbol"], Decimal(0)) + sign * qty
            self.positions[order["symbol"]] = held
        elif order["timeInForce"] in ("IOC", "FOK") or order["orderType"] == "Market":
            order.update(orderStatus="Cancelled", cancelType="CancelByUser")

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        link = body.get("orderLinkId", "")
        if link in self.orders:
            return self.refuse(110072, "OrderLinkedID is duplicate")
        if body.get("symbol") not in INTERVAL_MINUTES or body.get("category") != "linear":
            return self.refuse(10001, "params error: symbol invalid")
        if body.get("reduceOnly") is True:
            held = self.positions.get(body["symbol"], Decimal(0))
            closing = (held > 0 and body["side"] == "Sell") or (held < 0 and body["side"] == "Buy")
            if not closing or Decimal(body["qty"]) > abs(held):
                return self.refuse(
                    110017, "current position is zero, cannot fix reduce-only order qty"
                )
        order = {
            "orderId": f"ord-{self.next_order_id}",
            "orderLinkId": link,
            "symbol": body["symbol"],
            "side": body["side"],
            "orderType": body["orderType"],
            "price": body.get("price"),
            "qty": body["qty"],
            "timeInForce": body["timeInForce"],
            "orderStatus": "New",
            "cumExecQty": "0",
            "leavesQty": body["qty"],
            "avgPrice": "",
            "cumExecFee": "0",
            "reduceOnly": body.get("reduceOnly", False),
            "positionIdx": body.get("positionIdx", 0),
            "rejectReason": "EC_NoError",
            "createdTime": str(self.now_ms()),
            "updatedTime": str(self.now_ms()),
        }
        self.next_order_id += 1
        self._fill(order)
        self.orders[link] = order
        return self.envelope({"orderId": order["orderId"], "orderLinkId": link})

    def signed(self, method: str, path: str, q: dict[str, str], body: Any) -> dict[str, Any]:
        if method == "POST" and path == "/v5/order/create":
            return self.create(body)
        if method == "POST" and path == "/v5/order/cancel":
            order = self.orders.get(body.get("orderLinkId", ""))
            if order is None or order["orderStatus"] not in ("New", "PartiallyFilled"):
                return self.refuse(110001, "order not exists or too late to cancel")
            order.update(orderStatus="Cancelled", updatedTime=str(self.now_ms()))
            return self.envelope({"orderId": order["orderId"], "orderLinkId": order["orderLinkId"]})
        if path in ("/v5/order/realtime", "/v5/order/history"):
            # realtime: open orders, and closed ones asked for by id, except after a
            # server restart (then closed orders are only in history; Bybit v5 docs)
            live = ("New", "PartiallyFilled")
            by_id = "orderLinkId" in q and not self.restarted
            rows = [
                self._order_view(o)
                for o in self.orders.values()
                if o["orderLinkId"] == q.get("orderLinkId", o["orderLinkId"])
                and (path == "/v5/order/history" or o["orderStatus"] in live or by_id)
            ]
            return self.envelope({"category": "linear", "list": rows, "nextPageCursor": ""})
        if path == "/v5/position/list":
            rows = [
                {
                    "positionIdx": 0,
                    "symbol": s,
                    "side": "Buy" if size > 0 else "Sell",
                    "size": str(abs(size)),
                    "avgPrice": "65000",
                    "markPrice": "65000.00",
                    "liqPrice": "",
                    "positionMM": str(abs(size) * 325),
                    "leverage": "10",
                    "unrealisedPnl": "0",
                    "positionStatus": "Normal",
                }
                for s, size in self.positions.items()
                if size != 0
            ]
            return self.envelope({"category": "linear", "list": rows, "nextPageCursor": ""})
        if path == "/v5/account/wallet-balance":
            coin = {
                "coin": "USDT",
                "equity": "10000.5",
                "walletBalance": "10000.5",
                "availableToWithdraw": "",
                "totalPositionIM": "650",
                "totalOrderIM": "0",
                "unrealisedPnl": "0",
                "borrowAmount": "0",
            }
            account = {
                "accountType": "UNIFIED",
                "totalEquity": "10000.5",
                "totalMarginBalance": "10000.5",
                "totalMaintenanceMargin": "32.5",
                "totalAvailableBalance": "9350.5",
                "coin": [coin],
            }
            return self.envelope({"list": [account]})
        if path == "/v5/account/fee-rate":
            return self.envelope(
                {
                    "list": [
                        {
                            "symbol": q.get("symbol"),
                            "takerFeeRate": "0.00055",
                            "makerFeeRate": "0.0002",
                            "baseCoin": "",
                        }
                    ]
                }
            )
        if path == "/v5/account/transaction-log":
            start, end = int(q["startTime"]), int(q["endTime"])
            if end - start > 7 * 24 * H:
                return self.refuse(10001, "The time range must be within 7 days")
            rows = [
                r
                for r in self.settlements
                if start <= int(r["transactionTime"]) <= end and r["type"] == q.get("type")
            ]
            offset = int(q.get("cursor") or 0)
            limit = int(q.get("limit", "20"))
            page = rows[offset : offset + limit]
            cursor = str(offset + limit) if offset + limit < len(rows) else ""
            return self.envelope({"list": page, "nextPageCursor": cursor})
        return self.refuse(10001, f"unknown path {path}")

    # ------------------------------------------------------------------ harness

    def respond(self, request: Request) -> Reply:
        if self.on_arrival is not None:
            self.on_arrival(request.path)
        key = (request.method, request.path)
        with self.lock:
            again = self.fail_next.get(key) if self.fail_repeats.get(key, 0) > 0 else None
            if again is not None:
                self.fail_repeats[key] -= 1
        reply = super().respond(request)
        if again is not None:
            with self.lock:
                self.fail_next[key] = again
        return reply

    def after(self, request: Request, reply: Reply) -> Reply:
        now = time.perf_counter()
        with self.lock:
            self.served.append((request.path, now, now + self.latency))
        return attrs.evolve(reply, delay=reply.delay + self.latency) if self.latency else reply

    def handle(self, request: Request) -> Reply:
        if request.path in PUBLIC_PATHS:
            return super().handle(request)
        payload = request.raw_query if request.method == "GET" else request.body.decode()
        refused = self.verify(request.path, request.headers, payload)
        return Reply(200, refused) if refused is not None else super().handle(request)

    def answer(self, method: str, path: str, query: dict[str, str], body: Any = None) -> Any:
        """The envelope a route answers, in-process and unsigned (valid payloads for the
        parser tests)."""
        if path in PUBLIC_PATHS:
            return self.public(path, query)
        return self.signed(method, path, query, body or {})

    market_time = _routed("GET", "/v5/market/time", private=False)
    instruments_info = _routed("GET", "/v5/market/instruments-info", private=False)
    tickers = _routed("GET", "/v5/market/tickers", private=False)
    orderbook = _routed("GET", "/v5/market/orderbook", private=False)
    funding_history = _routed("GET", "/v5/market/funding/history", private=False)
    order_create = _routed("POST", "/v5/order/create", private=True)
    order_cancel = _routed("POST", "/v5/order/cancel", private=True)
    order_realtime = _routed("GET", "/v5/order/realtime", private=True)
    order_history = _routed("GET", "/v5/order/history", private=True)
    position_list = _routed("GET", "/v5/position/list", private=True)
    wallet_balance = _routed("GET", "/v5/account/wallet-balance", private=True)
    fee_rate = _routed("GET", "/v5/account/fee-rate", private=True)
    transaction_log = _routed("GET", "/v5/account/transaction-log", private=True)


PUBLIC_PATHS = frozenset(
    {
        "/v5/market/time",
        "/v5/market/instruments-info",
        "/v5/market/tickers",
        "/v5/market/orderbook",
        "/v5/market/funding/history",
    }
)

__all__ = ["FakeBybit", "serve"]
