"""A local Bitget (API v2, USDT-M perpetuals) speaking its wire format, for the ccxt venue.

Shapes are Bitget's documented v2 responses, as ccxt's ``bitget.py`` reads them
(``{"code": "00000", "msg": "success", "requestTime": ..., "data": [...]}``):
``/api/v2/mix/market/contracts`` (``symbolType`` ``perpetual``, ``pricePlace``/
``priceEndStep``, ``volumePlace``/``sizeMultiplier``, ``minTradeNum``, ``minTradeUSDT``,
``fundInterval`` in hours), ``/api/v2/mix/market/tickers`` (``fundingRate`` but no interval:
the ccxt pitfall), ``/api/v2/mix/market/current-fund-rate`` (``fundingRateInterval`` in
hours: ccxt's ``fetchFundingIntervals``), ``/api/v2/mix/market/history-fund-rate``
(newest first). https://www.bitget.com/api-doc/contract/market/Get-All-Symbol-Ticker,
.../Get-Current-Funding-Rate, .../Get-History-Funding-Rate, .../Get-All-Symbols-Contracts.

Awkward like the real one: an interval per symbol (8 h, 4 h, 1 h), one symbol missing from
the interval list, one whose interval only its history shows, and one with neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from tests.harness.running import serve
from tests.harness.venue import FakeVenue, Reply, Request, route

HOUR_MS = 3_600_000
NOW_MS = 1_772_366_400_000  # 2026-03-01T12:00Z


def _contract(
    symbol: str, base: str, price_place: str, end_step: str, volume: str
) -> dict[str, Any]:
    return {
        "symbol": symbol,
        "baseCoin": base,
        "quoteCoin": "USDT",
        "buyLimitPriceRatio": "0.01",
        "sellLimitPriceRatio": "0.01",
        "makerFeeRate": "0.0002",
        "takerFeeRate": "0.0006",
        "supportMarginCoins": ["USDT"],
        "minTradeNum": volume,
        "priceEndStep": end_step,
        "volumePlace": str(len(volume.split(".")[1]) if "." in volume else 0),
        "pricePlace": price_place,
        "sizeMultiplier": volume,
        "symbolType": "perpetual",
        "minTradeUSDT": "5",
        "symbolStatus": "normal",
        "offTime": "-1",
        "limitOpenTime": "-1",
        "deliveryTime": "",
        "launchTime": "",
        "fundInterval": "8",
        "minLever": "1",
        "maxLever": "125",
    }


class FakeBitget(FakeVenue):
    """Bitget's public USDT-M market data. ``intervals`` (hours, as strings) feeds
    ``current-fund-rate``; ``history`` (ms timestamps) feeds ``history-fund-rate``."""

    def __init__(self) -> None:
        super().__init__()
        self.contracts = [
            _contract("BTCUSDT", "BTC", "1", "1", "0.001"),
            _contract("ETHUSDT", "ETH", "2", "1", "0.01"),
            _contract("SOLUSDT", "SOL", "3", "1", "0.1"),
            _contract("DOGEUSDT", "DOGE", "5", "1", "1"),
        ]
        self.rates = {
            "BTCUSDT": "0.0001",
            "ETHUSDT": "0.0002",
            "SOLUSDT": "0.0003",
            "DOGEUSDT": "0.0004",
        }
        self.prices = {symbol: "100" for symbol in self.rates}
        self.live_clock = False
        """Stamp tickers and books with the real time (for ``run``'s staleness check) instead of
        the fixed ``NOW_MS``."""
        self.intervals: dict[str, str] = {"BTCUSDT": "8", "ETHUSDT": "4"}
        self.tier_queries: list[str] = []
        self.history: dict[str, list[int]] = {
            "SOLUSDT": [NOW_MS - k * HOUR_MS for k in range(4)],  # hourly settlements
        }

    @staticmethod
    def _ok(data: Any) -> Reply:
        return Reply(200, {"code": "00000", "msg": "success", "requestTime": NOW_MS, "data": data})

    def _usdt_only(self, request: Request, data: Any) -> Reply:
        usdt = request.query.get("productType", "").upper() == "USDT-FUTURES"
        return self._ok(data if usdt else [])

    @route("GET", "/api/v2/mix/market/contracts")
    def contracts_(self, request: Request) -> Reply:
        return self._usdt_only(request, self.contracts)

    @route("GET", "/api/v2/spot/public/symbols")
    def spot_symbols(self, request: Request) -> Reply:
        return self._ok([])

    @route("GET", "/api/v2/margin/currencies")
    def margin_currencies(self, request: Request) -> Reply:
        return self._ok([])

    @route("GET", "/api/v2/spot/public/coins")
    def coins(self, request: Request) -> Reply:
        return self._ok([])

    @route("GET", "/api/v2/mix/market/tickers")
    def tickers(self, request: Request) -> Reply:
        rows = [
            {
                "symbol": symbol,
                "lastPr": self.prices[symbol],
                "markPrice": self.prices[symbol],
                "indexPrice": self.prices[symbol],
                "fundingRate": rate,
                "ts": str(self.now_ms() if self.live_clock else NOW_MS),
            }
            for symbol, rate in self.rates.items()
        ]
        return self._usdt_only(request, rows)

    @route("GET", "/api/v2/mix/market/current-fund-rate")
    def current_fund_rate(self, request: Request) -> Reply:
        rows = [
            {
                "symbol": symbol,
                "fundingRate": self.rates[symbol],
                "fundingRateInterval": hours,
                "nextUpdate": str(NOW_MS + HOUR_MS),
                "minFundingRate": "-0.003",
                "maxFundingRate": "0.003",
            }
            for symbol, hours in self.intervals.items()
        ]
        return self._usdt_only(request, rows)

    @route("GET", "/api/v2/mix/market/merge-depth")
    def merge_depth(self, request: Request) -> Reply:
        """Bitget's merged depth (Get-Merge-Depth): one level each side, 0.01 % around
        the price, 5 base units deep."""
        price = Decimal(self.prices[request.query.get("symbol", "")])
        spread = price / 10_000
        return self._ok(
            {
                "asks": [[str(price + spread), "5"]],
                "bids": [[str(price - spread), "5"]],
                "ts": str(self.now_ms() if self.live_clock else NOW_MS),
            }
        )

    @route("GET", "/api/v2/mix/market/query-position-lever")
    def position_lever(self, request: Request) -> Reply:
        """Bitget's position tiers (Get-Query-Position-Lever): 0.4 % maintenance up to
        150,000 USDT at 125x, 0.5 % up to 800,000 at 100x."""
        self.tier_queries.append(request.query.get("symbol", ""))
        symbol = request.query.get("symbol", "")
        rows = [
            {"symbol": symbol, "level": "1", "startUnit": "0", "endUnit": "150000",
             "leverage": "125", "keepMarginRate": "0.004"},
            {"symbol": symbol, "level": "2", "startUnit": "150000", "endUnit": "800000",
             "leverage": "100", "keepMarginRate": "0.005"},
        ]  # fmt: skip
        return self._ok(rows)

    @route("GET", "/api/v2/mix/market/history-fund-rate")
    def history_fund_rate(self, request: Request) -> Reply:
        symbol = request.query.get("symbol", "")
        stamps = sorted(self.history.get(symbol, []), reverse=True)  # newest first
        rows = [
            {"symbol": symbol, "fundingRate": self.rates.get(symbol, "0"), "fundingTime": str(t)}
            for t in stamps
        ]
        return self._ok(rows)


SECRET = "s-bitget"
API_KEY = "k-bitget"
PASSPHRASE = "p-bitget"


def bitget_sign(secret: str, timestamp: str, method: str, path: str, query: str, body: str) -> str:
    """Bitget's ACCESS-SIGN: base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath
    [+ "?" + queryString] + body)), per https://www.bitget.com/api-doc/common/signature
    and ccxt's ``bitget.sign`` (which signs the *decoded*, key-sorted query string)."""
    auth = timestamp + method.upper() + path + (f"?{unquote(query)}" if query else "") + body
    digest = hmac.new(secret.encode(), auth.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeBitgetAccount(FakeBitget):
    """Bitget's v2 USDT-M private endpoints, checking each request's signature server-side
    (a wrong key, passphrase or signature gets Bitget's ``40009`` "sign signature error" or
    ``40006`` "Invalid ACCESS_KEY", HTTP 400, and is not acted on).

    Orders rest (``state`` ``live``) until cancelled; ``place-order`` answers only
    ``orderId``/``clientOid`` (no state: ccxt must not invent one); an unknown client id is
    ``40768`` "Order does not exist". Positions are hedge-mode rows (``holdSide``,
    ``total`` in contracts, here base coin as Bitget's USDT-M ``sizeMultiplier`` steps)."""

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, dict[str, Any]] = {}
        self.positions: list[dict[str, Any]] = [
            {
                "marginCoin": "USDT",
                "symbol": "ETHUSDT",
                "holdSide": "short",
                "openDelegateSize": "0",
                "marginSize": "150",
                "available": "0.3",
                "locked": "0",
                "total": "0.3",
                "leverage": "10",
                "achievedProfits": "0",
                "openPriceAvg": "2000",
                "marginMode": "crossed",
                "posMode": "hedge_mode",
                "unrealizedPL": "-1.5",
                "liquidationPrice": "3100",
                "keepMarginRate": "0.004",
                "markPrice": "2005",
                "marginRatio": "0.02",
                "cTime": str(NOW_MS),
                "uTime": str(NOW_MS),
            }
        ]
        self.account = {
            "marginCoin": "USDT",
            "locked": "10",
            "available": "990.5",
            "crossedMaxAvailable": "990.5",
            "isolatedMaxAvailable": "990.5",
            "maxTransferOut": "990.5",
            "accountEquity": "1000.5",
            "usdtEquity": "1000.5",
            "btcEquity": "0.01",
            "crossedRiskRate": "0",
            "unrealizedPL": "-1.5",
            "coupon": "0",
        }
        self.rejected: list[str] = []

    @staticmethod
    def _error(code: str, msg: str) -> Reply:
        return Reply(400, {"code": code, "msg": msg, "requestTime": NOW_MS, "data": None})

    def _refused(self, request: Request) -> Reply | None:
        """Bitget's own check of the four ACCESS-* headers."""
        headers = request.headers
        if headers.get("ACCESS-KEY") != API_KEY:
            self.rejected.append(request.path)
            return self._error("40006", "Invalid ACCESS_KEY")
        if headers.get("ACCESS-PASSPHRASE") != PASSPHRASE:
            self.rejected.append(request.path)
            return self._error("40011", "Invalid ACCESS_PASSPHRASE")
        timestamp = headers.get("ACCESS-TIMESTAMP", "")
        wanted = bitget_sign(
            SECRET,
            timestamp,
            request.method,
            request.path,
            request.raw_query,
            request.body.decode(),
        )
        if not timestamp.isdigit() or not hmac.compare_digest(
            headers.get("ACCESS-SIGN", ""), wanted
        ):
            self.rejected.append(request.path)
            return self._error("40009", "sign signature error")
        return None

    @route("POST", "/api/v2/mix/order/place-order")
    def place_order(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        body = request.json()
        client_id = body["clientOid"]
        if client_id in self.orders:
            return self._error("40757", "Duplicate clientOid")
        order_id = str(1_000 + len(self.orders))
        self.orders[client_id] = {
            "symbol": body["symbol"],
            "size": body["size"],
            "orderId": order_id,
            "clientOid": client_id,
            "baseVolume": "0",
            "fee": "0",
            "price": body.get("price", ""),
            "priceAvg": "",
            "state": "live",
            "side": body["side"],
            "force": body.get("force", "gtc"),
            "marginCoin": body.get("marginCoin", "USDT"),
            "orderType": body["orderType"],
            "marginMode": body.get("marginMode", "crossed"),
            "reduceOnly": body.get("reduceOnly", "NO"),
            "posMode": "one_way_mode",
            "cTime": str(NOW_MS),
            "uTime": str(NOW_MS),
        }
        if str(body.get("force", "")).lower() == "ioc":  # ccxt sends "IOC"
            self._fill_or_cancel(self.orders[client_id])
        return self._ok({"clientOid": client_id, "orderId": order_id})

    def _fill_or_cancel(self, order: dict[str, Any]) -> None:
        """An IOC order fills whole at the book's level when its limit reaches it (the
        book is 5 deep), else is cancelled; a fill moves the one-way position."""
        price = Decimal(self.prices[order["symbol"]])
        level = price + price / 10_000 if order["side"] == "buy" else price - price / 10_000
        limit = Decimal(order["price"]) if order["price"] else level
        crosses = limit >= level if order["side"] == "buy" else limit <= level
        if not crosses:
            order["state"] = "canceled"
            return
        order.update(state="filled", baseVolume=order["size"], priceAvg=str(level))
        signed = Decimal(order["size"]) * (1 if order["side"] == "buy" else -1)
        self.positions.append(
            {
                **self.positions[0],
                "symbol": order["symbol"],
                "holdSide": "long" if signed > 0 else "short",
                "total": str(abs(signed)),
                "available": str(abs(signed)),
                "openPriceAvg": str(level),
                "markPrice": str(price),
                "unrealizedPL": "0",
                "liquidationPrice": str(level * (Decimal("0.5") if signed > 0 else 2)),
            }
        )

    def _order(self, client_id: str) -> dict[str, Any] | None:
        return self.orders.get(client_id)

    @route("GET", "/api/v2/mix/order/detail")
    def order_detail(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        order = self._order(request.query.get("clientOid", ""))
        if order is None:
            return self._error("40768", "Order does not exist")
        return self._ok(order)

    @route("POST", "/api/v2/mix/order/cancel-order")
    def cancel_order(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        order = self._order(request.json().get("clientOid", ""))
        if order is None or order["state"] != "live":
            return self._error("40768", "Order does not exist")
        order["state"] = "canceled"
        return self._ok({"orderId": order["orderId"], "clientOid": order["clientOid"]})

    @route("GET", "/api/v2/mix/position/all-position")
    def all_position(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        return self._usdt_only(request, self.positions)

    @route("GET", "/api/v2/mix/account/accounts")
    def accounts(self, request: Request) -> Reply:
        if (refused := self._refused(request)) is not None:
            return refused
        return self._usdt_only(request, [self.account])


def paths_asked(fake: FakeVenue) -> list[str]:
    return [request.path for request in fake.received]


def config_toml(url: str, extra: Mapping[str, str] | None = None) -> str:
    """A ``[venues.bitget]`` section pointing ccxt's bitget at ``url``."""
    lines = ["[venues.bitget]", 'kind = "ccxt"', 'exchange = "bitget"', f'base_url = "{url}"']
    lines += [f'{k} = "{v}"' for k, v in (extra or {}).items()]
    return "\n".join(lines) + "\n"


__all__ = [
    "API_KEY",
    "PASSPHRASE",
    "SECRET",
    "FakeBitget",
    "FakeBitgetAccount",
    "bitget_sign",
    "config_toml",
    "paths_asked",
    "serve",
]
