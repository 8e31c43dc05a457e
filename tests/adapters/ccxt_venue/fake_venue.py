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

from collections.abc import Mapping
from typing import Any

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
        self.intervals: dict[str, str] = {"BTCUSDT": "8", "ETHUSDT": "4"}
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
                "lastPr": "100",
                "markPrice": "100",
                "indexPrice": "100",
                "fundingRate": rate,
                "ts": str(NOW_MS),
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

    @route("GET", "/api/v2/mix/market/history-fund-rate")
    def history_fund_rate(self, request: Request) -> Reply:
        symbol = request.query.get("symbol", "")
        stamps = sorted(self.history.get(symbol, []), reverse=True)  # newest first
        rows = [
            {"symbol": symbol, "fundingRate": self.rates.get(symbol, "0"), "fundingTime": str(t)}
            for t in stamps
        ]
        return self._ok(rows)


def paths_asked(fake: FakeVenue) -> list[str]:
    return [request.path for request in fake.received]


def config_toml(url: str, extra: Mapping[str, str] | None = None) -> str:
    """A ``[venues.bitget]`` section pointing ccxt's bitget at ``url``."""
    lines = ["[venues.bitget]", 'kind = "ccxt"', 'exchange = "bitget"', f'base_url = "{url}"']
    lines += [f'{k} = "{v}"' for k, v in (extra or {}).items()]
    return "\n".join(lines) + "\n"


__all__ = ["FakeBitget", "config_toml", "paths_asked", "serve"]
