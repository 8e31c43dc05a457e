"""A fake Paradex REST API (``/v1``) on the fake-venue harness: public market data here,
the account and orders in :mod:`tests.adapters.paradex.fake_account`.

Awkward the way Paradex is (API reference at docs.paradex.trade/api/prod; the recorded
ccxt fixture in ``shared/research-data/ccxt-static/paradex``): lists come as
``{"results": [...]}``; ``/markets`` mixes options (``asset_kind`` ``PERP_OPTION``) with
perpetuals, and rows that omit ``funding_period_hours`` beside ones that set it (1 h);
``/markets/summary?market=ALL`` answers for markets a client may not know (options);
``/funding/data`` pages newest first with opaque ``next`` cursors (not timestamps), keeps
its own ``page_size`` and ends with ``next: null``; errors are a 4xx with ``{"error":
"<IDENTIFIER>", "message": "..."}``.
"""

from __future__ import annotations

import base64
from typing import Any

from adapters.paradex.signing import MAINNET_CHAIN_ID
from tests.adapters.paradex.fake_account import ParadexAccountRoutes
from tests.harness import FakeVenue, Reply, Request, route

FIRST_MS = 1_764_979_200_000  # 2025-12-06T00:00Z
SAMPLE_EVERY_MS = 5 * 60_000  # the fake samples every 5 min (Paradex: every few seconds)


MARGIN_PARAMS = {
    "delta1_cross_margin_params": {
        "imf_base": "0.02", "imf_shift": "180000", "imf_factor": "0.00007", "mmf_factor": "0.5"
    }
}  # fmt: skip
"""As in the recorded testnet ``/markets`` row (ccxt fixture); SOL's row has none."""


def _market(
    symbol: str, base: str, tick: str, step: str, *, period: int | None = None, kind: str = "PERP"
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "symbol": symbol,
        "base_currency": base,
        "quote_currency": "USD",
        "settlement_currency": "USDC",
        "order_size_increment": step,
        "price_tick_size": tick,
        "min_notional": "100",
        "open_at": 1698756879745,
        "expiry_at": 0,
        "asset_kind": kind,
        "max_funding_rate": "0.02",
    }
    if period is not None:
        row["funding_period_hours"] = period
    return row


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return None
    return int(text[2:]) if text.startswith("o:") and text[2:].isdigit() else None


class FakeParadex(FakeVenue, ParadexAccountRoutes):
    """Public market data (``samples`` holds ``/funding/data`` rows per market) and, for
    the accounts given (L2 address -> Stark public key), JWT auth and trading."""

    def __init__(
        self,
        *,
        samples_per_market: int = 250,
        max_page_size: int = 100,
        accounts: dict[int, int] | None = None,
        chain_id: str = MAINNET_CHAIN_ID,
    ) -> None:
        super().__init__()
        self.init_account(accounts or {}, chain_id)
        self.markets = [
            {**_market("BTC-USD-PERP", "BTC", "0.1", "0.001"), **MARGIN_PARAMS},
            {**_market("ETH-USD-PERP", "ETH", "0.01", "0.01", period=8), **MARGIN_PARAMS},
            _market("SOL-USD-PERP", "SOL", "0.001", "0.1", period=1),
            _market("BTC-USD-96000-C", "BTC", "1", "0.001", kind="PERP_OPTION"),
        ]
        self.summary = {
            "BTC-USD-PERP": "0.00012",
            "ETH-USD-PERP": "-0.00004",
            "SOL-USD-PERP": "0.00001",
            "BTC-USD-96000-C": "0.0003",
        }
        self.max_page_size = max_page_size
        self.samples: dict[str, list[dict[str, Any]]] = {
            name: [
                {
                    "market": name,
                    "funding_index": str(1000 + i),
                    "funding_premium": "0.5",
                    "funding_rate": f"0.0000{i % 10}",
                    "created_at": FIRST_MS + i * SAMPLE_EVERY_MS,
                }
                for i in range(samples_per_market)
            ]
            for name in ("BTC-USD-PERP", "ETH-USD-PERP")
        }

    @staticmethod
    def error(status: int, code: str, message: str) -> Reply:
        return Reply(status, {"error": code, "message": message})

    @route("GET", "/v1/markets")
    def list_markets(self, request: Request) -> Reply:
        return Reply(200, {"results": self.markets})

    @route("GET", "/v1/markets/summary")
    def markets_summary(self, request: Request) -> Reply:
        wanted = request.query.get("market")
        if not wanted:
            return self.error(400, "VALIDATION_ERROR", "market is required")
        rows = [
            {
                "symbol": name,
                "mark_price": "67275.2",
                "underlying_price": "67270.1",
                "last_traded_price": "67271",
                "bid": "67270",
                "ask": "67280",
                "volume_24h": "2611476.26",
                "open_interest": "150",
                "funding_rate": rate,
                "created_at": self.now_ms(),
            }
            for name, rate in self.summary.items()
            if wanted in ("ALL", name)
        ]
        return Reply(200, {"results": rows})

    @route("GET", "/v1/funding/data")
    def funding_data(self, request: Request) -> Reply:
        query = request.query
        market = query.get("market")
        if not market:
            return self.error(400, "VALIDATION_ERROR", "market is required")
        rows = self.samples.get(market)
        if rows is None:
            return self.error(404, "NOT_FOUND", f"market {market} not found")
        start = int(query.get("start_at", "0"))
        end = int(query.get("end_at", str(2**62)))
        in_range = sorted(
            (r for r in rows if start <= r["created_at"] <= end),
            key=lambda r: r["created_at"],
            reverse=True,
        )
        size = min(int(query.get("page_size", "100")), self.max_page_size)
        offset = 0
        if "cursor" in query:
            found = _offset(query["cursor"])
            if found is None:
                return self.error(400, "VALIDATION_ERROR", "invalid cursor")
            offset = found
        page = in_range[offset : offset + size]
        more = offset + size < len(in_range)
        return Reply(
            200,
            {
                "next": _cursor(offset + size) if more else None,
                "prev": _cursor(max(offset - size, 0)) if offset else None,
                "results": page,
            },
        )

    def unrouted(self, request: Request) -> Reply:
        prefix = "/v1/orderbook/"
        if request.method == "GET" and request.path.startswith(prefix):
            return self.orderbook(request, request.path[len(prefix) :])
        auth = "/v1/auth/"
        if request.method == "POST" and request.path.startswith(auth):
            return self.auth(request, request.path[len(auth) :])
        by_client = "/v1/orders/by_client_id/"
        if request.path.startswith(by_client):
            return self.by_client_id(request, request.path[len(by_client) :])
        return self.error(404, "NOT_FOUND", f"no route for {request.path}")

    def _levels(self, market: str, side: str, default: list[list[str]]) -> list[list[str]]:
        """The recorded-looking levels, or one deep level at ``books[market]`` (which the
        fake's matching fills at) when a test set one."""
        book = self.books.get(market)
        return default if book is None else [[str(book[side]), "100"]]

    def orderbook(self, request: Request, market: str) -> Reply:
        if market not in {m["symbol"] for m in self.markets}:
            return self.error(404, "NOT_FOUND", f"market {market} not found")
        depth = int(request.query.get("depth", "20"))
        return Reply(
            200,
            {
                "market": market,
                "seq_no": 14139427,
                "last_updated_at": self.now_ms(),
                "asks": self._levels(
                    market, "ask", [["67643.2", "3.734"], ["67650", "0"], ["79981", "0.5"]]
                )[:depth],
                "bids": self._levels(market, "bid", [["66810", "0.078"], ["66762.2", "0.979"]])[
                    :depth
                ],
            },
        )
