"""A fake Lighter on the fake-venue harness (:mod:`tests.harness`): REST and websocket on
127.0.0.1, real sockets, so tests on either anyio backend talk to it as to Lighter.

The REST side keeps a tiny order state: ``sendTx`` checks the tx type, the API key's nonce
and the client order index, and the orders endpoints require an ``authorization`` header;
errors are Lighter's ``{"code": ..., "message": ...}`` bodies. The websocket answers
``subscribe`` with ``subscribed/market_stats`` frames and the application ``ping`` with
``pong`` (Lighter's wire, see :mod:`adapters.lighter.ws`).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import attrs
from websockets.asyncio.server import ServerConnection

from tests.adapters.lighter._data import ccxt_plain
from tests.harness import FakeVenue, Reply, Request, route, running

ACCOUNT_INDEX = 1077
API_KEY_INDEX = 3


def _market(symbol: str, market_id: int) -> dict[str, Any]:
    row = dict(ccxt_plain("fetchMarkets")["order_book_details"][0])
    row.update(symbol=symbol, market_id=market_id, market_type="perp")
    return row


def market_details() -> dict[str, Any]:
    return {
        "code": 200,
        "order_book_details": [_market("ETH", 0), _market("BTC", 1), _market("1000PEPE", 7)],
        "spot_order_book_details": [{**_market("ETH", 2048), "market_type": "spot"}],
    }


FUNDING_RATES = {
    "code": 200,
    "funding_rates": [
        {"market_id": 0, "exchange": "lighter", "symbol": "ETH", "rate": 0.000096},
        {"market_id": 1, "exchange": "lighter", "symbol": "BTC", "rate": -0.00004},
        {"market_id": 7, "exchange": "lighter", "symbol": "1000PEPE", "rate": 0.0008},
        {"market_id": 1, "exchange": "binance", "symbol": "BTC", "rate": 0.0001},
        {"market_id": 1, "exchange": "hyperliquid", "symbol": "BTC", "rate": 0.0005},
    ],
}


def market_stats(market_id: int, mark: str, funding: str, timestamp: int) -> dict[str, Any]:
    return {
        "market_id": market_id,
        "index_price": mark,
        "mark_price": mark,
        "current_funding_rate": funding,
        "funding_rate": funding,
        "funding_timestamp": timestamp,
    }


def _error(code: int, message: str, status: int = 400) -> Reply:
    return Reply(status, {"code": code, "message": message})


class FakeLighter(FakeVenue):
    """Lighter's REST routes and websocket, with the state tests set and read."""

    def __init__(self, stats: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.stats: dict[str, Any] = stats if stats is not None else {}
        self.next_nonce = 7
        self.nonce_skew = 0
        """Added to the nonce the server expects once, to force one 'invalid nonce' answer."""
        self.sent: list[dict[str, Any]] = []
        self.orders: dict[int, dict[str, Any]] = {}
        self.auth_headers: list[str] = []
        self.list_orders = True
        """False simulates the sequencer not having applied accepted transactions yet."""
        self.ws_frames_after_subscribe: list[str | bytes] = []
        self.ws_close_after = False
        self.ws_connections = 0
        self.ws_subscriptions: list[str] = []
        self.ws_received: list[dict[str, Any]] = []
        self.market_fees: dict[int, tuple[str, str]] = {}
        """market id -> (taker_fee, maker_fee) served instead of the recorded "0.0000"."""

    def log_entry(self, request: Request) -> tuple[str, str, dict[str, list[str]]]:
        """``requests`` as ``(method, path, parameters)``: a GET's query, a POST's form."""
        raw = request.raw_query if request.method == "GET" else request.body.decode()
        return request.method, request.path, parse_qs(raw)

    def unrouted(self, request: Request) -> Reply:
        return _error(404, "not found", 404)

    # ---- REST: market data -------------------------------------------------------------

    @route("GET", "/api/v1/orderBookDetails")
    def order_book_details(self, request: Request) -> Reply:
        details = market_details()
        for row in details["order_book_details"]:
            fees = self.market_fees.get(row["market_id"])
            if fees is not None:
                row["taker_fee"], row["maker_fee"] = fees
        return Reply(200, details)

    @route("GET", "/api/v1/funding-rates")
    def funding_rates(self, request: Request) -> Reply:
        return Reply(200, FUNDING_RATES)

    @route("GET", "/api/v1/fundings")
    def fundings(self, request: Request) -> Reply:
        query = request.query
        start, end = int(query["start_timestamp"]), int(query["end_timestamp"])
        rows = [
            {
                "timestamp": t,
                "value": "0.04",
                "rate": "0.0012" if (t // 3600) % 2 else "0.0003",
                "direction": "long" if (t // 3600) % 2 else "short",
            }
            for t in range(start - start % 3600, end + 1, 3600)
        ]
        return Reply(200, {"code": 200, "resolution": "1h", "fundings": rows})

    @route("GET", "/api/v1/orderBookOrders")
    def order_book_orders(self, request: Request) -> Reply:
        asks = [("3430.00", "0.2000"), ("3430.00", "0.3000"), ("3431.50", "1.0000")]
        bids = [("3429.80", "1.3237"), ("3429.00", "2.0000")]
        return Reply(
            200,
            {
                "code": 200,
                "asks": [{"price": p, "remaining_base_amount": s} for p, s in asks],
                "bids": [{"price": p, "remaining_base_amount": s} for p, s in bids],
            },
        )

    # ---- REST: account and orders ------------------------------------------------------

    @route("GET", "/api/v1/account")
    def account(self, request: Request) -> Reply:
        query = request.query
        if query.get("by") != "index" or query.get("value") != str(ACCOUNT_INDEX):
            return _error(21100, "account not found")
        return Reply(200, ccxt_plain("fetchPositions"))

    @route("GET", "/api/v1/nextNonce")
    def nonce(self, request: Request) -> Reply:
        if request.query.get("api_key_index") != str(API_KEY_INDEX):
            return _error(21101, "unknown api key")
        return Reply(200, {"code": 200, "nonce": self.next_nonce})

    @route("GET", "/api/v1/accountActiveOrders")
    def active_orders(self, request: Request) -> Reply:
        return self._orders(request, active=True)

    @route("GET", "/api/v1/accountInactiveOrders")
    def inactive_orders(self, request: Request) -> Reply:
        return self._orders(request, active=False)

    def _orders(self, request: Request, *, active: bool) -> Reply:
        token = request.headers.get("authorization")
        if not token:
            return _error(20001, "auth required")
        self.auth_headers.append(token)
        listed = self.orders.values() if self.list_orders else []
        orders = [o for o in listed if (o["status"] == "open") == active]
        return Reply(200, {"code": 200, "orders": orders})

    @route("POST", "/api/v1/sendTx")
    def send_tx(self, request: Request) -> Reply:
        if request.headers.get("Content-Type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            return _error(20000, "form body expected")
        form = parse_qs(request.body.decode())
        tx_type = int(form["tx_type"][0])
        info = json.loads(form["tx_info"][0])
        if info.get("Nonce") != self.next_nonce + self.nonce_skew:
            self.nonce_skew = 0
            return _error(21104, "invalid nonce")
        if info.get("AccountIndex") != ACCOUNT_INDEX or info.get("ApiKeyIndex") != API_KEY_INDEX:
            return _error(21102, "invalid account or api key")
        if not info.get("Sig"):
            return _error(21120, "invalid signature")
        refused = self._apply(tx_type, info)
        if refused is not None:
            return refused
        self.next_nonce += 1
        self.sent.append({"tx_type": tx_type, "tx_info": info})
        return Reply(
            200,
            {
                "code": 200,
                "message": "{}",
                "tx_hash": f"{len(self.sent):064x}",
                "predicted_execution_time_ms": 1751465474,
                "volume_quota_remaining": 10,
            },
        )

    def _apply(self, tx_type: int, info: dict[str, Any]) -> Reply | None:
        """A CreateOrder (14) or CancelOrder (15) applied to the book; a refusal or None."""
        if tx_type == 14:
            index = info["ClientOrderIndex"]
            if index in self.orders:
                return _error(21728, "duplicate client order index")
            self.orders[index] = {
                "order_index": 281476929510110 + len(self.orders),
                "client_order_index": index,
                "market_index": info["MarketIndex"],
                "initial_base_amount": f"{info['BaseAmount'] / 10**4:.4f}",
                "filled_base_amount": "0.0000",
                "filled_quote_amount": "0.000000",
                "price": f"{info['Price'] / 100:.2f}",
                "is_ask": bool(info["IsAsk"]),
                "status": "open",
                "reduce_only": bool(info["ReduceOnly"]),
                "updated_at": 1777941383576,
            }
            return None
        if tx_type == 15:
            order = self.orders.get(info["Index"])
            if order is None:
                return _error(21500, "order not found")
            order["status"] = "canceled"
            return None
        return _error(21000, f"unexpected tx_type {tx_type}")

    # ---- websocket ---------------------------------------------------------------------

    async def websocket(self, connection: Any) -> None:
        socket: ServerConnection = connection
        self.ws_connections += 1
        await socket.send(json.dumps({"type": "connected", "session_id": "s"}))
        async for message in socket:
            request = json.loads(message)
            self.ws_received.append(request)
            if request.get("type") == "ping":
                await socket.send(json.dumps({"type": "pong"}))
                continue
            if request.get("type") != "subscribe":
                continue
            channel = request["channel"]
            self.ws_subscriptions.append(channel)
            market = channel.split("/", 1)[1]
            rows = self.stats if market == "all" else {market: self.stats[market]}
            for key, row in rows.items():
                frame = {
                    "type": "subscribed/market_stats",
                    "channel": f"market_stats:{key}",
                    "market_stats": row,
                    "timestamp": row["funding_timestamp"],
                }
                await socket.send(json.dumps(frame))
            for extra in self.ws_frames_after_subscribe:
                await socket.send(extra)
            if self.ws_close_after:
                socket.transport.abort()  # a drop mid-stream: no close frame
                return


@attrs.define
class LocalLighter:
    base_url: str
    ws_url: str
    state: FakeLighter
    stats: dict[str, Any]


@contextmanager
def local_lighter(
    stats: dict[str, Any] | None = None, ws_ssl: ssl.SSLContext | None = None
) -> Iterator[LocalLighter]:
    """A :class:`FakeLighter` served on 127.0.0.1 (REST and websocket) for the block."""
    fake = FakeLighter(stats)
    with running(fake, websocket=True, ws_ssl=ws_ssl) as server:
        yield LocalLighter(
            base_url=server.url,
            ws_url=f"{server.ws_url}/stream",
            state=fake,
            stats=fake.stats,
        )


__all__ = [
    "ACCOUNT_INDEX",
    "API_KEY_INDEX",
    "FUNDING_RATES",
    "FakeLighter",
    "LocalLighter",
    "local_lighter",
    "market_details",
    "market_stats",
]
