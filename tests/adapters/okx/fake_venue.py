"""A fake OKX v5 (USDT swaps) on the fake-venue harness, in OKX's wire format.

Awkward the way OKX is: every answer is an envelope ``{"code", "msg", "data"}``; errors
come with HTTP 200 and a non-zero ``code`` (order rows with their own ``sCode``/``sMsg``),
auth errors with HTTP 401; sizes are contracts (``ctVal`` base units each) while prices
are per base unit; the instrument list holds inverse, USDC and suspended swaps beside the
linear USDT ones; ``funding-rate?instId=ANY`` also answers for instruments we do not
trade, with ``nextFundingRate`` empty; intervals differ per symbol (8 h, 4 h, 1 h).

Private requests are checked as OKX documents it, independently of the adapter's code:
``OK-ACCESS-KEY`` must be the key (``50111``), ``OK-ACCESS-PASSPHRASE`` the passphrase
(``50105``), ``OK-ACCESS-TIMESTAMP`` an ISO time within 30 s of the server (``50102``),
``OK-ACCESS-SIGN`` base64 HMAC-SHA256(secret, timestamp + METHOD + path[?query] + body)
(``50113``). A place request whose ``expTime`` header has passed is not processed (OKX
v5 "Transaction timeouts"; the refusal code OKX uses for it is not documented where we
looked, so this fake answers ``sCode`` "1").

Trading is a toy: ``market``/``ioc``/``fok`` orders and crossing ``limit`` orders fill
completely at the best level, non-crossing IOC/FOK ones are cancelled unfilled, resting
``limit`` orders stay ``live``. Fees: 0.05 % of notional, reported negative (charged).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from tests.harness import FakeVenue, Reply, Request, route

H_MS = 3_600_000
FIRST_MS = 1_704_067_200_000  # 2024-01-01T00:00Z
CLIENT_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")


def _instrument(
    inst_id: str,
    ct_val: str,
    tick: str,
    *,
    ct_type: str = "linear",
    settle: str = "USDT",
    state: str = "live",
) -> dict[str, Any]:
    base = inst_id.split("-")[0]
    return {
        "instType": "SWAP",
        "instId": inst_id,
        "ctType": ct_type,
        "ctVal": ct_val,
        "ctMult": "1",
        "ctValCcy": base if ct_type == "linear" else "USD",
        "settleCcy": settle if ct_type == "linear" else base,
        "lotSz": "0.01",
        "minSz": "0.01",
        "tickSz": tick,
        "lever": "50",
        "maxMktSz": "5000",
        "maxLmtSz": "100000000",
        "state": state,
        "listTime": "1573557408000",
        "uly": inst_id.rsplit("-", 1)[0],
    }


class FakeOkx(FakeVenue):
    def __init__(self, api_key: str, api_secret: str, passphrase: str) -> None:
        super().__init__()
        self.api_key, self.api_secret, self.passphrase = api_key, api_secret, passphrase
        self.instruments = [
            _instrument("BTC-USDT-SWAP", "0.01", "0.1"),
            _instrument("ETH-USDT-SWAP", "0.1", "0.01"),
            _instrument("SOL-USDT-SWAP", "1", "0.001"),
            _instrument("DOGE-USDT-SWAP", "1000", "0.00001"),
            _instrument("XRP-USDT-SWAP", "100", "0.0001"),
            _instrument("BTC-USD-SWAP", "100", "0.1", ct_type="inverse"),
            _instrument("BTC-USDC-SWAP", "0.0001", "0.1", settle="USDC"),
            _instrument("LUNA-USDT-SWAP", "1", "0.0001", state="suspend"),
        ]
        self.interval_hours = {
            "BTC-USDT-SWAP": 8,
            "ETH-USDT-SWAP": 8,
            "SOL-USDT-SWAP": 4,
            "DOGE-USDT-SWAP": 1,
            "XRP-USDT-SWAP": 8,
            "BTC-USD-SWAP": 8,
        }
        self.rates = {inst: "0.0001" for inst in self.interval_hours}
        self.rates["DOGE-USDT-SWAP"] = "-0.00003"
        self.bids = [("64999.9", "200"), ("64999.0", "500")]  # BTC, contracts
        self.asks = [("65000.1", "150"), ("65001.0", "400")]
        self.orders: dict[str, dict[str, Any]] = {}
        self.latency = 0.0  # every answer this late (a distant venue)
        self.served: list[tuple[str, float, float]] = []  # (path, arrived, answered)
        self.positions: dict[str, Decimal] = {}  # instId -> signed contracts
        self.next_order_id = 7_000_000_000_000_000_000
        self.history = [  # BTC-USDT-SWAP: 8-hourly, then 4-hourly; 250 rows
            {
                "instType": "SWAP",
                "instId": "BTC-USDT-SWAP",
                "fundingRate": f"{Decimal(i % 5 - 2) / 100000:.10f}",
                "realizedRate": f"{Decimal(i % 5 - 2) / 100000:.5f}",
                "fundingTime": str(FIRST_MS + sum(8 if k < 150 else 4 for k in range(i)) * H_MS),
                "method": "current_period",
            }
            for i in range(250)
        ]
        self.bills = [
            {
                "billId": str(900_000 + i),
                "instType": "SWAP",
                "instId": ("BTC-USDT-SWAP", "ETH-USDT-SWAP", "BTC-USD-SWAP")[i % 3],
                "ccy": "USDT" if i % 3 != 2 else "BTC",
                "type": "8",
                "subType": "173" if i % 2 else "174",
                "balChg": f"{Decimal(i % 7 - 3) / 10:.1f}",
                "sz": "12",
                "ts": str(FIRST_MS + (i // 3) * 8 * H_MS),
            }
            for i in range(240)
        ]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def ok(data: list[Any]) -> Reply:
        return Reply(200, {"code": "0", "msg": "", "data": data})

    @staticmethod
    def error(code: str, msg: str, status: int = 200) -> Reply:
        return Reply(status, {"code": code, "msg": msg, "data": []})

    @staticmethod
    def row_error(s_code: str, s_msg: str) -> Reply:
        row = {"ordId": "", "clOrdId": "", "sCode": s_code, "sMsg": s_msg, "tag": ""}
        return Reply(200, {"code": "1", "msg": "All operations failed", "data": [row]})

    def instrument(self, inst_id: str) -> dict[str, Any] | None:
        return next((i for i in self.instruments if i["instId"] == inst_id), None)

    def after(self, request: Request, reply: Reply) -> Reply:
        now = time.perf_counter()
        with self.lock:
            self.served.append((request.path, now, now + self.latency))
        return attrs.evolve(reply, delay=reply.delay + self.latency) if self.latency else reply

    # ------------------------------------------------------------------ auth

    def handle(self, request: Request) -> Reply:
        if request.path.startswith(("/api/v5/account/", "/api/v5/trade/")):
            refused = self.verify(request)
            if refused is not None:
                return refused
        return super().handle(request)

    def verify(self, request: Request) -> Reply | None:
        headers = request.headers
        if headers.get("OK-ACCESS-KEY") != self.api_key:
            return self.error("50111", "Invalid OK-ACCESS-KEY", 401)
        if headers.get("OK-ACCESS-PASSPHRASE") != self.passphrase:
            return self.error("50105", 'Request header "OK-ACCESS-PASSPHRASE" incorrect', 401)
        stamp = headers.get("OK-ACCESS-TIMESTAMP", "")
        try:
            sent = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
        except ValueError:
            return self.error("50112", "Invalid OK-ACCESS-TIMESTAMP", 401)
        sent_ms = int((sent - datetime(1970, 1, 1)).total_seconds() * 1000)
        if abs(self.now_ms() - sent_ms) > 30_000:
            return self.error("50102", "Timestamp request expired", 401)
        path = request.path + (f"?{request.raw_query}" if request.raw_query else "")
        text = f"{stamp}{request.method}{path}{request.body.decode()}"
        digest = hmac.new(self.api_secret.encode(), text.encode(), hashlib.sha256).digest()
        if headers.get("OK-ACCESS-SIGN") != base64.b64encode(digest).decode():
            return self.error("50113", "Invalid Sign", 401)
        return None

    # ------------------------------------------------------------------ public

    @route("GET", "/api/v5/public/time")
    def time(self, request: Request) -> Reply:
        return self.ok([{"ts": str(self.now_ms())}])

    @route("GET", "/api/v5/public/instruments")
    def list_instruments(self, request: Request) -> Reply:
        if request.query.get("instType") != "SWAP":
            return self.error("51000", "Parameter instType error", 400)
        return self.ok(self.instruments)

    def _funding_row(self, inst_id: str, hours: int) -> dict[str, Any]:
        now = self.now_ms()
        step = hours * H_MS
        funding = (now // step + 1) * step
        return {
            "instType": "SWAP",
            "instId": inst_id,
            "fundingRate": self.rates[inst_id],
            "fundingTime": str(funding),
            "nextFundingTime": str(funding + step),
            "nextFundingRate": "",
            "maxFundingRate": "0.00375",
            "minFundingRate": "-0.00375",
            "settState": "settled",
            "method": "current_period",
            "ts": str(now),
        }

    @route("GET", "/api/v5/public/funding-rate")
    def funding_rate(self, request: Request) -> Reply:
        wanted = request.query.get("instId", "")
        rows = [
            self._funding_row(inst, hours)
            for inst, hours in self.interval_hours.items()
            if wanted in ("ANY", inst)
        ]
        if not rows:
            return self.error("51001", "Instrument ID does not exist")
        return self.ok(rows)

    @route("GET", "/api/v5/public/mark-price")
    def mark_price(self, request: Request) -> Reply:
        marks = {"BTC-USDT-SWAP": "65000.5", "ETH-USDT-SWAP": "3400.25", "SOL-USDT-SWAP": ""}
        return self.ok(
            [
                {"instType": "SWAP", "instId": inst, "markPx": px, "ts": str(self.now_ms())}
                for inst, px in marks.items()
            ]
        )

    @route("GET", "/api/v5/public/funding-rate-history")
    def funding_history(self, request: Request) -> Reply:
        q = request.query
        limit = int(q.get("limit", "100"))
        if limit > 400:
            return self.error("51000", "Parameter limit error")
        rows = [r for r in self.history if r["instId"] == q.get("instId")]
        if "after" in q:
            rows = [r for r in rows if int(r["fundingTime"]) < int(q["after"])]
        if "before" in q:
            rows = [r for r in rows if int(r["fundingTime"]) > int(q["before"])]
        rows.sort(key=lambda r: -int(r["fundingTime"]))  # newest first
        return self.ok(rows[:limit])

    @route("GET", "/api/v5/market/books")
    def books(self, request: Request) -> Reply:
        if self.instrument(request.query.get("instId", "")) is None:
            return self.error("51001", "Instrument ID does not exist")
        size = int(request.query.get("sz", "1"))
        return self.ok(
            [
                {
                    "bids": [[p, s, "0", "3"] for p, s in self.bids[:size]],
                    "asks": [[p, s, "0", "2"] for p, s in self.asks[:size]],
                    "ts": str(self.now_ms()),
                }
            ]
        )

    # ------------------------------------------------------------------ account

    @route("GET", "/api/v5/account/balance")
    def balance(self, request: Request) -> Reply:
        details = [
            {"ccy": "USDT", "eq": "10000.5", "availBal": "9000.25", "availEq": "", "mmr": "12.5"},
            {"ccy": "BTC", "eq": "0.1", "availBal": "", "availEq": "0.1", "mmr": ""},
        ]
        return self.ok([{"totalEq": "16500", "mmr": "", "details": details}])

    @route("GET", "/api/v5/account/trade-fee")
    def trade_fee(self, request: Request) -> Reply:
        if request.query.get("instType") != "SWAP":
            return self.error("51000", "Parameter instType error")
        row = {"instType": "SWAP", "level": "Lv1", "maker": "", "taker": "",
               "makerU": "-0.0002", "takerU": "-0.0005", "makerUSDC": "-0.0002",
               "takerUSDC": "-0.0005", "category": "1", "ts": str(self.now_ms())}  # fmt: skip
        return self.ok([row])

    @route("GET", "/api/v5/account/positions")
    def list_positions(self, request: Request) -> Reply:
        rows = [
            {
                "instType": "SWAP",
                "instId": inst,
                "posSide": "net",
                "pos": str(size),
                "avgPx": "65000",
                "markPx": "65000.5",
                "liqPx": "40000" if size > 0 else "90000",
                "lever": "5",
                "upl": "1.5",
                "mgnMode": "cross",
                "uTime": str(self.now_ms()),
            }
            for inst, size in self.positions.items()
        ]
        rows.append({"instType": "SWAP", "instId": "ETH-USDT-SWAP", "posSide": "net", "pos": "0"})
        return self.ok(rows)

    @route("GET", "/api/v5/account/bills-archive")
    def bills_archive(self, request: Request) -> Reply:
        q = request.query
        rows = [b for b in self.bills if b["type"] == q.get("type", b["type"])]
        if "begin" in q:
            rows = [b for b in rows if int(b["ts"]) >= int(q["begin"])]
        if "end" in q:
            rows = [b for b in rows if int(b["ts"]) <= int(q["end"])]
        if "after" in q:
            rows = [b for b in rows if int(b["billId"]) < int(q["after"])]
        rows.sort(key=lambda b: -int(b["billId"]))
        return self.ok(rows[: int(q.get("limit", "100"))])

    # ------------------------------------------------------------------ trading

    def _order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        return dict(order)

    @route("POST", "/api/v5/trade/order")
    def place(self, request: Request) -> Reply:
        expires = request.headers.get("expTime")
        if expires is not None and self.now_ms() > int(expires):
            return self.row_error("1", "Request expired (expTime passed)")
        body = request.json()
        inst = self.instrument(body.get("instId", ""))
        if inst is None:
            return self.row_error("51001", "Instrument ID does not exist")
        cid = body.get("clOrdId", "")
        if not CLIENT_ID.match(cid):
            return self.row_error("51000", "Parameter clOrdId error")
        if cid in self.orders:
            return self.row_error("51016", "Duplicated clOrdId")
        if body.get("tdMode") not in ("cross", "isolated"):
            return self.row_error("51000", "Parameter tdMode error")
        size = Decimal(body["sz"])
        if size % Decimal(inst["lotSz"]) or size < Decimal(inst["minSz"]):
            return self.row_error("51121", "Order quantity must be a multiple of the lot size")
        kind = body["ordType"]
        price = Decimal(body["px"]) if "px" in body else None
        if kind != "market" and (price is None or price % Decimal(inst["tickSz"])):
            return self.row_error("51000", "Parameter px error")
        side = body["side"]
        best = Decimal(self.asks[0][0] if side == "buy" else self.bids[0][0])
        crosses = kind == "market" or (
            price is not None and (price >= best if side == "buy" else price <= best)
        )
        if kind == "post_only" and crosses:
            return self.row_error("51023", "Post only order would take liquidity")
        self.next_order_id += 1
        ord_id = str(self.next_order_id)
        state, filled, avg, fee = "live", Decimal(0), "", "0"
        if crosses:
            state, filled, avg = "filled", size, str(best)
            fee = f"{-(size * Decimal(inst['ctVal']) * best * Decimal('0.0005')):.8f}"
            signed = size if side == "buy" else -size
            self.positions[inst["instId"]] = self.positions.get(inst["instId"], Decimal(0)) + signed
        elif kind in ("ioc", "fok"):
            state = "canceled"
        self.orders[cid] = {
            "instType": "SWAP",
            "instId": inst["instId"],
            "ordId": ord_id,
            "clOrdId": cid,
            "side": side,
            "ordType": kind,
            "sz": body["sz"],
            "px": body.get("px", ""),
            "state": state,
            "accFillSz": str(filled),
            "avgPx": avg,
            "fee": fee,
            "feeCcy": "USDT",
            "reduceOnly": "true" if body.get("reduceOnly") else "false",
            "uTime": str(self.now_ms()),
            "cTime": str(self.now_ms()),
        }
        ack = {"ordId": ord_id, "clOrdId": cid, "tag": "", "sCode": "0", "sMsg": "Order placed"}
        return self.ok([ack])

    @route("GET", "/api/v5/trade/order")
    def order(self, request: Request) -> Reply:
        order = self.orders.get(request.query.get("clOrdId", ""))
        if order is None or order["instId"] != request.query.get("instId"):
            return self.error("51603", "Order does not exist")
        return self.ok([self._order_view(order)])

    @route("POST", "/api/v5/trade/cancel-order")
    def cancel(self, request: Request) -> Reply:
        body = request.json()
        order = self.orders.get(body.get("clOrdId", ""))
        if order is None or order["state"] not in ("live", "partially_filled"):
            return self.row_error(
                "51400",
                "Order cancellation failed: filled, canceled or does not exist",
            )
        order["state"] = "canceled"
        order["uTime"] = str(self.now_ms())
        ack = {"ordId": order["ordId"], "clOrdId": order["clOrdId"], "sCode": "0", "sMsg": ""}
        return self.ok([ack])
