"""A fake Hyperliquid speaking the venue's wire format, on the fake-venue harness
(:mod:`tests.harness`), for round-trip tests.

It serves ``POST /info`` and ``POST /exchange`` bodies exactly as Hyperliquid does, and
it *verifies signatures like the venue*: it recomputes the action hash from the received
JSON action (msgpack, nonce, vault flag), rebuilds the EIP-712 phantom agent and recovers
the signer with eth-account; a signer other than the registered agent is refused with
the venue's own error text. This verification is written independently of
``adapters.hyperliquid.signing`` (same published algorithm, separate code), so a bug there
cannot hide itself here.

Use :class:`FakeHyperliquid` in-process (``httpx.MockTransport(fake.mock_handler)``) or on a
real socket (:func:`serve`, ``127.0.0.1`` port 0). Its routes are ``POST /info`` and
``POST /exchange``; ``requests`` logs ``(path, JSON body)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgpack
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from tests.harness import FakeVenue, Reply, Request, route, serve

MASTER = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
AGENT_KEY = "0x" + "11" * 32
OTHER_KEY = "0x" + "22" * 32
AGENT_ADDRESS = Account.from_key(AGENT_KEY).address

UNIVERSE = [
    {"name": "BTC", "szDecimals": 5, "maxLeverage": 40},
    {"name": "ETH", "szDecimals": 4, "maxLeverage": 25},
    {"name": "kPEPE", "szDecimals": 0, "maxLeverage": 10},
    {"name": "OLD", "szDecimals": 2, "maxLeverage": 3, "isDelisted": True},
]
CTXS = [
    {"funding": "0.0000125", "markPx": "100000.0", "oraclePx": "100010.0", "premium": "0.0001",
     "openInterest": "10", "prevDayPx": "99000", "dayNtlVlm": "1", "midPx": "100000.5",
     "impactPxs": ["99999", "100002"], "dayBaseVlm": "1"},
    {"funding": "-0.00001", "markPx": "3000.5", "oraclePx": "3001.0", "premium": None,
     "openInterest": "10", "prevDayPx": "2900", "dayNtlVlm": "1", "midPx": None,
     "impactPxs": None, "dayBaseVlm": "1"},
    {"funding": "0.00002", "markPx": "0.012345", "oraclePx": "0.01235", "premium": "0",
     "openInterest": "1", "prevDayPx": "0.012", "dayNtlVlm": "1", "midPx": "0.012345",
     "impactPxs": ["0.01234", "0.01235"], "dayBaseVlm": "1"},
    {"funding": "0.0", "markPx": "1.0", "oraclePx": "1.0", "premium": None, "openInterest": "0",
     "prevDayPx": "1.0", "dayNtlVlm": "0", "midPx": None, "impactPxs": None, "dayBaseVlm": "0"},
]  # fmt: skip


# A real ``userFees`` answer (Hyperliquid mainnet, 2024-07), recorded by ccxt (MIT):
# ccxt/ccxt ts/src/test/static/response/hyperliquid.json @ 0117dcb9 ``fetchTradingFee``.
USER_FEES = {
    "dailyUserVlm": [
        {
            "date": "2024-07-08",
            "userCross": "0.0",
            "userAdd": "0.0",
            "exchange": "90597185.23639999",
        }
    ],
    "feeSchedule": {
        "cross": "0.00035",
        "add": "0.0001",
        "tiers": {
            "vip": [{"ntlCutoff": "5000000.0", "cross": "0.0003", "add": "0.00005"}],
            "mm": [{"makerFractionCutoff": "0.005", "add": "-0.00001"}],
        },
        "referralDiscount": "0.04",
    },
    "userCrossRate": "0.00035",
    "userAddRate": "0.0001",
    "activeReferralDiscount": "0.0",
}


def _book(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> list[list[dict[str, Any]]]:
    return [
        [{"px": px, "sz": sz, "n": 1} for px, sz in bids],
        [{"px": px, "sz": sz, "n": 1} for px, sz in asks],
    ]


def recover_signer(body: dict[str, Any], mainnet: bool) -> str:
    """What the venue does: hash the received action, rebuild the phantom agent, recover."""
    data = msgpack.packb(body["action"]) + int(body["nonce"]).to_bytes(8, "big")
    vault = body.get("vaultAddress")
    data += b"\x00" if vault is None else b"\x01" + bytes.fromhex(vault[2:])
    if body.get("expiresAfter") is not None:
        data += b"\x00" + int(body["expiresAfter"]).to_bytes(8, "big")
    typed = {
        "domain": {"chainId": 1337, "name": "Exchange", "version": "1",
                   "verifyingContract": "0x0000000000000000000000000000000000000000"},
        "types": {
            "Agent": [{"name": "source", "type": "string"},
                      {"name": "connectionId", "type": "bytes32"}],
            "EIP712Domain": [{"name": "name", "type": "string"},
                             {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
        },
        "primaryType": "Agent",
        "message": {"source": "a" if mainnet else "b", "connectionId": keccak(data)},
    }  # fmt: skip
    signature = body["signature"]
    vrs = (int(signature["v"]), int(signature["r"], 16), int(signature["s"], 16))
    return str(Account.recover_message(encode_typed_data(full_message=typed), vrs=vrs))


def _valid_wire_number(text: str, max_decimals: int, sig_figs: int | None) -> bool:
    if not isinstance(text, str) or text != text.strip() or "e" in text.lower():
        return False
    if "." in text and text.endswith("0"):
        return False  # trailing zeros change the signed bytes: the venue refuses them
    value = Decimal(text)
    decimals = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    if decimals > max_decimals:
        return False
    if sig_figs is not None and value != value.to_integral_value():
        return len(value.as_tuple().digits) <= sig_figs
    return True


def _json_or_none(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        return None


class FakeHyperliquid(FakeVenue):
    """Venue state and request handling; thread-safe (the harness's one lock)."""

    requests: list[tuple[str, Any]]

    def __init__(self, *, mainnet: bool = True) -> None:
        super().__init__()
        self.mainnet = mainnet
        self.agent = AGENT_ADDRESS
        self.books = {
            "BTC": _book([("99990", "0.5"), ("99980", "1")], [("100000", "0.3"), ("100010", "2")]),
            "ETH": _book([("3000.1", "5")], [("3000.5", "5")]),
        }
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: dict[str, tuple[Decimal, Decimal]] = {}
        self.nonces: set[int] = set()
        self.next_oid = 1000
        self.funding_rows = [
            {"coin": "BTC", "fundingRate": "0.0000125", "premium": "0.0", "time": t}
            for t in range(1_700_000_000_000, 1_700_000_000_000 + 1200 * 3_600_000, 3_600_000)
        ]

    # -- harness ----------------------------------------------------------------------

    def log_entry(self, request: Request) -> tuple[str, Any]:
        return request.path, _json_or_none(request)

    def handle(self, request: Request) -> Reply:
        if _json_or_none(request) is None:
            return Reply(422, "Failed to deserialize the JSON body")
        return super().handle(request)

    @route("POST", "/info")
    def info(self, request: Request) -> Reply:
        return Reply(200, self._info(request.json()))

    @route("POST", "/exchange")
    def exchange(self, request: Request) -> Reply:
        return Reply(200, self._exchange(request.json()))

    def unrouted(self, request: Request) -> Reply:
        return Reply(404, {"error": "not found"})

    def _info(self, body: dict[str, Any]) -> Any:
        kind = body.get("type")
        if kind == "metaAndAssetCtxs":
            return [{"universe": UNIVERSE, "marginTables": []}, CTXS]
        if kind == "l2Book":
            return {
                "coin": body["coin"],
                "levels": self.books[body["coin"]],
                "time": 1_700_000_000_123,
            }
        if kind == "clearinghouseState":
            return self._state(body["user"])
        if kind == "userFees":
            return USER_FEES
        if kind == "orderStatus":
            order = self.orders.get(body["oid"]) if body["user"] == MASTER else None
            if order is None:
                return {"status": "unknownOid"}
            return {
                "status": "order",
                "order": {
                    "order": order["order"],
                    "status": order["status"],
                    "statusTimestamp": 1_700_000_001_000,
                },
            }
        if kind == "fundingHistory":
            rows = [
                r
                for r in self.funding_rows
                if body["startTime"] <= r["time"] <= body.get("endTime", 2**62)
            ]
            return rows[:500]
        return {"error": f"unknown type {kind}"}  # fmt: skip

    def _state(self, user: str) -> dict[str, Any]:
        positions = []
        if user == MASTER:
            for coin, (size, entry) in self.positions.items():
                if size == 0:
                    continue
                positions.append({"type": "oneWay", "position": {
                    "coin": coin, "szi": str(size), "entryPx": str(entry),
                    "leverage": {"type": "cross", "value": 20},
                    "positionValue": str(abs(size) * entry), "unrealizedPnl": "0.0",
                    "liquidationPx": str(entry / 2), "marginUsed": "1.0",
                    "cumFunding": {"allTime": "0.5", "sinceOpen": "0.25",
                                   "sinceChange": "0"}}})  # fmt: skip
        return {
            "marginSummary": {"accountValue": "1000.0", "totalNtlPos": "0", "totalRawUsd": "1000",
                              "totalMarginUsed": "0"},
            "crossMarginSummary": {"accountValue": "1000.0", "totalNtlPos": "0",
                                   "totalRawUsd": "1000", "totalMarginUsed": "0"},
            "crossMaintenanceMarginUsed": "5.0",
            "withdrawable": "900.0",
            "assetPositions": positions,
            "time": 1_700_000_002_000,
        }  # fmt: skip

    def _exchange(self, body: dict[str, Any]) -> Any:
        try:
            signer = recover_signer(body, self.mainnet)
        except Exception as error:
            return {"status": "err", "response": f"bad signature: {type(error).__name__}"}
        if signer.lower() != self.agent.lower():
            return {
                "status": "err",
                "response": f"User or API Wallet {signer.lower()} does not exist.",
            }
        nonce = int(body["nonce"])
        if nonce in self.nonces:
            return {"status": "err", "response": "Invalid nonce: duplicate nonce"}
        self.nonces.add(nonce)
        action = body["action"]
        if action["type"] == "order":
            statuses = [self._order(wire) for wire in action["orders"]]
            return {"status": "ok", "response": {"type": "order", "data": {"statuses": statuses}}}
        if action["type"] == "cancelByCloid":
            statuses = [self._cancel(c["cloid"]) for c in action["cancels"]]
            return {"status": "ok", "response": {"type": "cancel", "data": {"statuses": statuses}}}
        return {"status": "err", "response": "unsupported action"}

    def _order(self, wire: dict[str, Any]) -> Any:
        asset = UNIVERSE[wire["a"]]
        coin, sz_decimals = asset["name"], asset["szDecimals"]
        if not _valid_wire_number(wire["p"], 6 - sz_decimals, 5):
            return {"error": "Price must be divisible by tick size. asset=" + str(wire["a"])}
        if not _valid_wire_number(wire["s"], sz_decimals, None):
            return {"error": "Order has invalid size."}
        price, size = Decimal(wire["p"]), Decimal(wire["s"])
        is_buy, tif = wire["b"], wire["t"]["limit"]["tif"]
        book = self.books[coin]
        levels = book[1] if is_buy else book[0]
        filled, cost = Decimal(0), Decimal(0)
        for level in levels:
            px, available = Decimal(level["px"]), Decimal(level["sz"])
            if (is_buy and px > price) or (not is_buy and px < price):
                break
            take = min(available, size - filled)
            filled += take
            cost += take * px
            if filled == size:
                break
        oid = self.next_oid
        self.next_oid += 1
        remaining = size - filled
        if filled == 0 and tif == "Ioc":
            text = "Order could not immediately match against any resting orders."
            return {"error": f"{text} asset={wire['a']}"}
        if filled > 0:
            held, _ = self.positions.get(coin, (Decimal(0), Decimal(0)))
            signed = filled if is_buy else -filled
            self.positions[coin] = (held + signed, cost / filled)
        status = "filled" if remaining == 0 else ("canceled" if tif == "Ioc" else "open")
        self.orders[wire.get("c", str(oid))] = {
            "status": status,
            "order": {"coin": coin, "side": "B" if is_buy else "A", "limitPx": wire["p"],
                      "sz": str(Decimal(0) if status == "filled" else remaining),
                      "oid": oid, "timestamp": 1_700_000_000_500, "origSz": wire["s"],
                      "reduceOnly": wire["r"], "cloid": wire.get("c")},
        }  # fmt: skip
        if filled > 0:
            return {"filled": {"totalSz": str(filled), "avgPx": str(cost / filled), "oid": oid}}
        return {"resting": {"oid": oid}}

    def _cancel(self, cloid: str) -> Any:
        order = self.orders.get(cloid)
        if order is None or order["status"] != "open":
            return {"error": "Order was never placed, already canceled, or filled."}
        order["status"] = "canceled"
        return "success"


__all__ = ["AGENT_KEY", "MASTER", "OTHER_KEY", "FakeHyperliquid", "recover_signer", "serve"]
