"""A fake Aster futures venue (API v3) on the fake-venue harness (:mod:`tests.harness`).

Public paths answer the Binance-shaped bodies Aster serves (string decimals, ms times,
``{"code","msg"}`` errors), with per-symbol funding intervals: ``ASTERUSDT`` settles every
4 h and ``DOGEUSDT`` every 1 h among 8 h symbols (``fundingInfo`` lists only adjusted
symbols, as in the live sample of asterdex/api-docs#1).

Signed requests are checked the way the v3 docs describe (skills.sh aster-api-auth-v3),
with code written here independently of the adapter: the parameters other than
``signature`` are sorted by key into ``k=v&...``; the EIP-712 digest of ``Message{msg}``
under ``AsterSignTransaction``/``1``/``chain_id``/0x0 is hashed by hand (keccak of the
type hashes and fields); the signer is *recovered* from ``signature`` and must equal the
``signer`` parameter, which must be an API wallet approved for ``user`` (else ``-1022`` /
``-2015``). ``nonce`` must be µs within 5 s of the venue clock and never reused;
``timestamp`` must lie within ``recvWindow`` (<= 5000) of the venue clock (``-1021``).

Trading is a toy: MARKET and crossing LIMIT IOC orders fill at the best level, else
expire; GTC limits rest as NEW. ``requests`` logs ``(method, path, raw_query)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from eth_keys.datatypes import Signature
from eth_utils.crypto import keccak

from tests.harness import FakeVenue, Reply, Request, serve

H = 3_600_000
ZERO = b"\x00" * 32


def _filters(tick: str, step: str, min_qty: str, notional: str) -> list[dict[str, Any]]:
    return [
        {"filterType": "PRICE_FILTER", "tickSize": tick, "minPrice": tick, "maxPrice": "1000000"},
        {"filterType": "LOT_SIZE", "stepSize": step, "minQty": min_qty, "maxQty": "1000"},
        {"filterType": "MARKET_LOT_SIZE", "stepSize": step, "minQty": min_qty, "maxQty": "120"},
        {"filterType": "MIN_NOTIONAL", "notional": notional},
    ]


def _symbol(name: str, base: str, tick: str, step: str) -> dict[str, Any]:
    return {
        "symbol": name,
        "pair": name,
        "contractType": "PERPETUAL",
        "status": "TRADING",
        "baseAsset": base,
        "quoteAsset": "USDT",
        "marginAsset": "USDT",
        "filters": _filters(tick, step, step, "5"),
    }


def eip712_digest(message: str, chain_id: int) -> bytes:
    """keccak(0x1901 || domainSeparator || hashStruct(Message{msg})), by hand (EIP-712)."""
    domain_type = keccak(
        b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    domain = keccak(
        domain_type
        + keccak(b"AsterSignTransaction")
        + keccak(b"1")
        + chain_id.to_bytes(32, "big")
        + ZERO
    )
    struct = keccak(keccak(b"Message(string msg)") + keccak(message.encode()))
    return keccak(b"\x19\x01" + domain + struct)


def recover(message: str, signature_hex: str, chain_id: int) -> str:
    raw = bytes.fromhex(signature_hex.removeprefix("0x"))
    if len(raw) != 65:
        raise ValueError("signature is not 65 bytes")
    v = raw[64] - 27 if raw[64] >= 27 else raw[64]
    sig = Signature(signature_bytes=raw[:64] + bytes([v]))
    return str(sig.recover_public_key_from_msg_hash(eip712_digest(message, chain_id))
               .to_checksum_address())  # fmt: skip


class FakeAster(FakeVenue):
    requests: list[tuple[str, str, str]]

    def __init__(self, agents: dict[str, str], chain_id: int = 1666) -> None:
        super().__init__()
        self.agents = {user.lower(): signer.lower() for user, signer in agents.items()}
        self.chain_id = chain_id
        self.seen_nonces: set[tuple[str, int]] = set()
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: dict[str, Decimal] = {}
        self.next_order_id = 5000
        self.income: list[dict[str, Any]] = []
        self.commission: dict[str, str] | None = None  # None: the documented 2 / 4 bp
        self.commission_down = False  # True: commissionRate answers a 5xx
        self.wallet_balance = Decimal("1000.5")
        self.bids = [("0.15010", "20000"), ("0.15000", "50000")]
        self.asks = [("0.15020", "15000"), ("0.15030", "40000")]
        self.history: list[dict[str, Any]] = [
            {"symbol": "ASTERUSDT", "fundingRate": f"{Decimal(i % 5 - 2) / 10000:.8f}",
             "fundingTime": 1_764_979_200_000 + i * 4 * H + (i % 3)}
            for i in range(30)
        ]  # fmt: skip

    def log_entry(self, request: Request) -> tuple[str, str, str]:
        return request.method, request.path, request.raw_query

    def handle(self, request: Request) -> Reply:
        if not request.path.startswith("/fapi/v3/"):
            return Reply(*self.public(request.path, request.query))
        params = list(parse_qsl(request.raw_query, keep_blank_values=True))
        rejected = self.verify(params)
        if rejected is not None:
            return Reply(*rejected)
        return Reply(*self.signed(request.method, request.path, dict(params)))

    def _error(self, status: int, code: int, msg: str) -> tuple[int, Any]:
        return status, {"code": code, "msg": msg}

    # ------------------------------------------------------------------ public

    def public(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        next_8h = 1_765_036_800_000
        if path == "/fapi/v1/exchangeInfo":
            return 200, {
                "timezone": "UTC",
                "serverTime": self.now_ms(),
                "rateLimits": [],
                "symbols": [
                    _symbol("BTCUSDT", "BTC", "0.1", "0.001"),
                    _symbol("ASTERUSDT", "ASTER", "0.00001", "1"),
                    _symbol("DOGEUSDT", "DOGE", "0.00001", "1"),
                ],
            }
        if path == "/fapi/v1/fundingInfo":
            return 200, [
                {"symbol": "ASTERUSDT", "interestRate": "0.00005000", "time": self.now_ms(),
                 "fundingIntervalHours": 4, "fundingFeeCap": 0.02, "fundingFeeFloor": -0.02},
                {"symbol": "DOGEUSDT", "interestRate": "0.00005000", "time": self.now_ms(),
                 "fundingIntervalHours": 1, "fundingFeeCap": 0.005, "fundingFeeFloor": -0.005},
            ]  # fmt: skip
        if path == "/fapi/v1/premiumIndex":
            rows = [
                ("BTCUSDT", "91000.10000000", "0.00010000", next_8h),
                ("ASTERUSDT", "0.15015000", "0.00020000", next_8h - 4 * H),
                ("DOGEUSDT", "0.14000000", "-0.00001250", next_8h - 7 * H),
            ]
            return 200, [
                {"symbol": s, "markPrice": mark, "indexPrice": mark,
                 "estimatedSettlePrice": mark, "lastFundingRate": rate,
                 "interestRate": "0.00005000", "nextFundingTime": nxt, "time": self.now_ms()}
                for s, mark, rate, nxt in rows
            ]  # fmt: skip
        if path == "/fapi/v1/depth":
            if q.get("symbol") not in ("BTCUSDT", "ASTERUSDT", "DOGEUSDT"):
                return self._error(400, -1121, "Invalid symbol.")
            limit = int(q.get("limit", "500"))
            return 200, {
                "lastUpdateId": 1027024,
                "E": self.now_ms(),
                "T": self.now_ms(),
                "bids": [list(level) for level in self.bids[:limit]],
                "asks": [list(level) for level in self.asks[:limit]],
            }
        if path == "/fapi/v1/fundingRate":
            start = int(q.get("startTime", "0"))
            end = int(q.get("endTime", str(2**62)))
            limit = min(int(q.get("limit", "100")), 1000)
            found = [
                r for r in self.history
                if r["symbol"] == q.get("symbol") and start <= r["fundingTime"] <= end
            ]  # fmt: skip
            return 200, found[:limit]
        return self._error(404, -5000, "Path not found")

    # ------------------------------------------------------------------ signed

    def verify(self, params: list[tuple[str, str]]) -> tuple[int, Any] | None:
        fields = dict(params)
        signature = fields.get("signature")
        if signature is None or params[-1][0] != "signature":
            return self._error(400, -1102, "Mandatory parameter 'signature' was not sent.")
        unsigned = sorted((k, v) for k, v in params if k != "signature")
        message = urlencode(unsigned)
        try:
            recovered = recover(message, signature, self.chain_id)
        except Exception:
            return self._error(400, -1022, "Signature for this request is not valid.")
        signer = fields.get("signer", "")
        if recovered.lower() != signer.lower():
            return self._error(400, -1022, "Signature for this request is not valid.")
        if self.agents.get(fields.get("user", "").lower()) != signer.lower():
            return self._error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        now = self.now_ms()
        nonce = int(fields.get("nonce", "0"))
        if abs(nonce - now * 1000) > 5_000_000 or (signer, nonce) in self.seen_nonces:
            return self._error(400, -1021, "Invalid nonce.")
        self.seen_nonces.add((signer, nonce))
        window = int(fields.get("recvWindow", "5000"))
        stamp = int(fields.get("timestamp", "0"))
        if window > 5000 or stamp > now + 1000 or now - stamp > window:
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

    def account(self) -> dict[str, Any]:
        """``GET /fapi/v3/accountWithJoinMargin`` in the documented shape (asterdex
        api-docs "Account Information v3"): maintenance 0.5 % of each position's notional
        at the mark, leverage 10, one-way ``BOTH`` rows for every symbol."""
        mark = Decimal("0.15015")
        rows = []
        maint_total = Decimal(0)
        for symbol in ("BTCUSDT", "ASTERUSDT", "DOGEUSDT"):
            amount = self.positions.get(symbol, Decimal(0))
            maint = abs(amount) * mark * Decimal("0.005")
            maint_total += maint
            rows.append(
                {"symbol": symbol, "initialMargin": str(abs(amount) * mark / 10),
                 "maintMargin": str(maint), "unrealizedProfit": "0.00000000",
                 "positionInitialMargin": str(abs(amount) * mark / 10),
                 "openOrderInitialMargin": "0", "leverage": "10", "isolated": False,
                 "entryPrice": "0.15020" if amount else "0.00000", "maxNotional": "250000",
                 "positionSide": "BOTH", "positionAmt": str(amount), "updateTime": 0}
            )  # fmt: skip
        wallet = f"{self.wallet_balance:.8f}"
        return {
            "feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True,
            "updateTime": 0, "totalInitialMargin": "0.00000000",
            "totalMaintMargin": str(maint_total), "totalWalletBalance": wallet,
            "totalUnrealizedProfit": "0.00000000", "totalMarginBalance": wallet,
            "totalPositionInitialMargin": "0.00000000",
            "totalOpenOrderInitialMargin": "0.00000000", "totalCrossWalletBalance": wallet,
            "totalCrossUnPnl": "0.00000000", "availableBalance": wallet,
            "maxWithdrawAmount": wallet, "assets": [], "positions": rows,
        }  # fmt: skip

    def signed(self, method: str, path: str, q: dict[str, str]) -> tuple[int, Any]:
        if path == "/fapi/v3/order" and method == "POST":
            cid = q["newClientOrderId"]
            if cid in self.orders:
                return self._error(400, -4116, "ClientOrderId is duplicated.")
            self.next_order_id += 1
            now = self.now_ms()
            order = {
                "orderId": self.next_order_id, "symbol": q["symbol"], "status": "NEW",
                "clientOrderId": cid, "price": q.get("price", "0"), "avgPrice": "0.00000",
                "origQty": q["quantity"], "executedQty": "0", "cumQty": "0", "cumQuote": "0",
                "timeInForce": q.get("timeInForce", "GTC"), "type": q["type"],
                "reduceOnly": q.get("reduceOnly") == "true", "closePosition": False,
                "side": q["side"], "positionSide": "BOTH", "stopPrice": "0",
                "origType": q["type"], "updateTime": now,
            }  # fmt: skip
            self._fill(order)
            self.orders[cid] = order
            return 200, dict(order)
        if path == "/fapi/v3/order" and method in ("GET", "DELETE"):
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
            return 200, dict(known)
        if path == "/fapi/v3/positionRisk":
            return 200, [
                {"symbol": s, "positionSide": "BOTH", "positionAmt": str(a),
                 "entryPrice": "0.15020", "markPrice": "0.15015000",
                 "unRealizedProfit": "0.00000000",
                 "liquidationPrice": "0.13650" if a > 0 else "0.16390",
                 "leverage": "10", "maxNotionalValue": "1000000", "marginType": "cross",
                 "isolatedMargin": "0.00000000", "isAutoAddMargin": "false",
                 "notional": str(a * Decimal("0.15015")), "isolatedWallet": "0",
                 "updateTime": self.now_ms()}
                for s, a in self.positions.items() if a != 0
            ]  # fmt: skip
        if path == "/fapi/v3/income":
            start = int(q.get("startTime", "0"))
            end = int(q.get("endTime", str(2**62)))
            limit = min(int(q.get("limit", "100")), 1000)
            rows = [
                r for r in self.income
                if r["incomeType"] == q.get("incomeType", r["incomeType"])
                and start <= r["time"] <= end
            ]  # fmt: skip
            return 200, sorted(rows, key=lambda r: r["time"])[:limit]
        if path == "/fapi/v3/commissionRate":
            if "symbol" not in q:
                return self._error(400, -1102, "Mandatory parameter 'symbol' was not sent.")
            if self.commission_down:
                return self._error(503, -1001, "Internal error; unable to process your request.")
            rates = self.commission or {"maker": "0.0002", "taker": "0.0004"}
            return 200, {"symbol": q["symbol"], "makerCommissionRate": rates["maker"],
                         "takerCommissionRate": rates["taker"]}  # fmt: skip
        if path == "/fapi/v3/accountWithJoinMargin":
            return 200, self.account()
        if path == "/fapi/v3/balance":
            return 200, [
                {"accountAlias": "SgsR", "asset": "USDT", "balance": "1000.50000000",
                 "crossWalletBalance": "1000.50000000", "crossUnPnl": "0.00000000",
                 "availableBalance": "900.25000000", "maxWithdrawAmount": "900.25000000",
                 "marginAvailable": True, "updateTime": self.now_ms()}
            ]  # fmt: skip
        return self._error(404, -5000, "Path not found")


__all__ = ["FakeAster", "eip712_digest", "recover", "serve"]
