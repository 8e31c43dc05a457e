"""A local Lighter: REST (http.server) and websocket (``websockets.serve``) on 127.0.0.1.

Both run in their own threads on real sockets (port 0), so tests on either anyio backend
talk to them over the network exactly as they would to Lighter. The REST side keeps a
tiny order state: ``sendTx`` checks the tx type, the API key's nonce and the client order
index, and the orders endpoints require an ``authorization`` header.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
from websockets.asyncio.server import ServerConnection, serve

from tests.adapters.lighter._data import ccxt_plain

ACCOUNT_INDEX = 1077
API_KEY_INDEX = 3


def _market(symbol: str, market_id: int) -> dict[str, Any]:
    row = dict(ccxt_plain("fetchMarkets")["order_book_details"][0])
    row.update(symbol=symbol, market_id=market_id, market_type="perp")
    return row


@attrs.define
class LighterState:
    next_nonce: int = 7
    nonce_skew: int = 0
    """Added to the nonce the server expects once, to force one 'invalid nonce' answer."""
    requests: list[tuple[str, str, dict[str, list[str]]]] = attrs.Factory(list)
    sent: list[dict[str, Any]] = attrs.Factory(list)
    orders: dict[int, dict[str, Any]] = attrs.Factory(dict)
    auth_headers: list[str] = attrs.Factory(list)
    list_orders: bool = True
    """False simulates the sequencer not having applied accepted transactions yet."""
    ws_frames_after_subscribe: list[str | bytes] = attrs.Factory(list)
    ws_close_after: bool = False
    ws_connections: int = 0
    ws_subscriptions: list[str] = attrs.Factory(list)
    ws_received: list[dict[str, Any]] = attrs.Factory(list)
    market_fees: dict[int, tuple[str, str]] = attrs.Factory(dict)
    """market id -> (taker_fee, maker_fee) served instead of the recorded "0.0000"."""

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


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


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        state.requests.append(("GET", url.path, query))
        one = {key: values[0] for key, values in query.items()}
        if url.path == "/api/v1/orderBookDetails":
            details = market_details()
            for row in details["order_book_details"]:
                fees = state.market_fees.get(row["market_id"])
                if fees is not None:
                    row["taker_fee"], row["maker_fee"] = fees
            self._reply(200, details)
        elif url.path == "/api/v1/funding-rates":
            self._reply(200, FUNDING_RATES)
        elif url.path == "/api/v1/fundings":
            start, end = int(one["start_timestamp"]), int(one["end_timestamp"])
            first = start - start % 3600
            rows = [
                {
                    "timestamp": t,
                    "value": "0.04",
                    "rate": "0.0012" if (t // 3600) % 2 else "0.0003",
                    "direction": "long" if (t // 3600) % 2 else "short",
                }
                for t in range(first, end + 1, 3600)
            ]
            self._reply(200, {"code": 200, "resolution": "1h", "fundings": rows})
        elif url.path == "/api/v1/orderBookOrders":
            self._reply(
                200,
                {
                    "code": 200,
                    "asks": [
                        {"price": "3430.00", "remaining_base_amount": "0.2000"},
                        {"price": "3430.00", "remaining_base_amount": "0.3000"},
                        {"price": "3431.50", "remaining_base_amount": "1.0000"},
                    ],
                    "bids": [
                        {"price": "3429.80", "remaining_base_amount": "1.3237"},
                        {"price": "3429.00", "remaining_base_amount": "2.0000"},
                    ],
                },
            )
        elif url.path == "/api/v1/account":
            if one.get("by") != "index" or one.get("value") != str(ACCOUNT_INDEX):
                self._reply(400, {"code": 21100, "message": "account not found"})
            else:
                self._reply(200, ccxt_plain("fetchPositions"))
        elif url.path == "/api/v1/nextNonce":
            if one.get("api_key_index") != str(API_KEY_INDEX):
                self._reply(400, {"code": 21101, "message": "unknown api key"})
            else:
                self._reply(200, {"code": 200, "nonce": state.next_nonce})
        elif url.path in ("/api/v1/accountActiveOrders", "/api/v1/accountInactiveOrders"):
            token = self.headers.get("authorization")
            if not token:
                self._reply(400, {"code": 20001, "message": "auth required"})
                return
            state.auth_headers.append(token)
            active = url.path.endswith("ActiveOrders") and "Inactive" not in url.path
            listed = state.orders.values() if state.list_orders else []
            orders = [o for o in listed if (o["status"] == "open") == active]
            self._reply(200, {"code": 200, "orders": orders})
        else:
            self._reply(404, {"code": 404, "message": "not found"})

    def do_POST(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        state.requests.append(("POST", url.path, form))
        if url.path != "/api/v1/sendTx":
            self._reply(404, {"code": 404, "message": "not found"})
            return
        if (
            self.headers.get("Content-Type", "").split(";")[0]
            != "application/x-www-form-urlencoded"
        ):
            self._reply(400, {"code": 20000, "message": "form body expected"})
            return
        tx_type = int(form["tx_type"][0])
        info = json.loads(form["tx_info"][0])
        expected = state.next_nonce + state.nonce_skew
        if info.get("Nonce") != expected:
            state.nonce_skew = 0
            self._reply(400, {"code": 21104, "message": "invalid nonce"})
            return
        if info.get("AccountIndex") != ACCOUNT_INDEX or info.get("ApiKeyIndex") != API_KEY_INDEX:
            self._reply(400, {"code": 21102, "message": "invalid account or api key"})
            return
        if not info.get("Sig"):
            self._reply(400, {"code": 21120, "message": "invalid signature"})
            return
        if tx_type == 14:
            index = info["ClientOrderIndex"]
            if index in state.orders:
                self._reply(400, {"code": 21728, "message": "duplicate client order index"})
                return
            state.orders[index] = {
                "order_index": 281476929510110 + len(state.orders),
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
        elif tx_type == 15:
            order = state.orders.get(info["Index"])
            if order is None:
                self._reply(400, {"code": 21500, "message": "order not found"})
                return
            order["status"] = "canceled"
        else:
            self._reply(400, {"code": 21000, "message": f"unexpected tx_type {tx_type}"})
            return
        state.next_nonce += 1
        state.sent.append({"tx_type": tx_type, "tx_info": info})
        self._reply(
            200,
            {
                "code": 200,
                "message": "{}",
                "tx_hash": f"{len(state.sent):064x}",
                "predicted_execution_time_ms": 1751465474,
                "volume_quota_remaining": 10,
            },
        )


class _Server(ThreadingHTTPServer):
    state: LighterState


async def _ws_handler(
    connection: ServerConnection, state: LighterState, stats: dict[str, Any]
) -> None:
    state.ws_connections += 1
    await connection.send(json.dumps({"type": "connected", "session_id": "s"}))
    async for message in connection:
        request = json.loads(message)
        state.ws_received.append(request)
        if request.get("type") == "ping":
            await connection.send(json.dumps({"type": "pong"}))
            continue
        if request.get("type") != "subscribe":
            continue
        channel = request["channel"]
        state.ws_subscriptions.append(channel)
        market = channel.split("/", 1)[1]
        rows = stats if market == "all" else {market: stats[market]}
        for key, row in rows.items():
            await connection.send(
                json.dumps(
                    {
                        "type": "subscribed/market_stats",
                        "channel": f"market_stats:{key}",
                        "market_stats": row,
                        "timestamp": row["funding_timestamp"],
                    }
                )
            )
        for frame in state.ws_frames_after_subscribe:
            await connection.send(frame)
        if state.ws_close_after:
            connection.transport.abort()  # a drop mid-stream: no close frame
            return


@attrs.define
class LocalLighter:
    base_url: str
    ws_url: str
    state: LighterState
    stats: dict[str, Any]


@contextmanager
def local_lighter(
    stats: dict[str, Any] | None = None, ws_ssl: ssl.SSLContext | None = None
) -> Iterator[LocalLighter]:
    state = LighterState()
    http = _Server(("127.0.0.1", 0), _Handler)
    http.state = state
    http_thread = threading.Thread(target=http.serve_forever, daemon=True)
    http_thread.start()

    stats = stats if stats is not None else {}
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    port: list[int] = []

    async def main() -> None:
        async with serve(
            lambda c: _ws_handler(c, state, stats),
            "127.0.0.1",
            0,
            ping_interval=None,
            ssl=ws_ssl,
        ) as server:
            port.append(next(iter(server.sockets)).getsockname()[1])
            ready.set()
            await stop.wait()

    ws_thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    ws_thread.start()
    ready.wait(10)
    try:
        yield LocalLighter(
            base_url=f"http://127.0.0.1:{http.server_address[1]}",
            ws_url=f"{'wss' if ws_ssl else 'ws'}://127.0.0.1:{port[0]}/stream",
            state=state,
            stats=stats,
        )
    finally:
        http.shutdown()
        http.server_close()
        loop.call_soon_threadsafe(stop.set)
        ws_thread.join(10)
        loop.close()
