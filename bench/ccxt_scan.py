"""The peer's scan: ccxt (async_support) fetching funding rates of four venues concurrently.

Runs with the ccxt benchmark environment's interpreter (``bench/.venv-ccxt``), never the
project's: it imports nothing from this project, only the standard library and ccxt.

    python bench/ccxt_scan.py '{"binance": "http://127.0.0.1:PORT", ...}' [OPTIONS_JSON]

The optional second argument (e.g. ``'{"enableRateLimit": false}'``) is passed to every
exchange's constructor (the benchmark runs ccxt both with its defaults and with its
client-side rate limiter off).

What it does per venue, all venues under one ``asyncio.gather`` (what a ccxt user writes):
construct the exchange (default options unless given), point every URL of ``urls['api']`` at the
local server (scheme and host replaced, paths kept), then

- ``binanceusdm``, ``hyperliquid``, ``lighter``: ``fetch_funding_rates()`` (which loads
  the markets first, as ccxt always does);
- ``grvt``: ccxt 4.5.90's ``grvt`` has no ``fetchFundingRate(s)`` (``NotSupported``), so
  ``load_markets()`` then ``fetch_ticker`` for every perpetual concurrently; the funding
  rate is in the ticker's raw ``info['funding_rate']`` (the same ticker call our adapter
  makes).

Prints one JSON object: ccxt version, seconds spent importing ccxt, seconds of the
concurrent fetch, and per venue whether it answered and how many rates it returned.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import time
from typing import Any

CCXT_IDS = {
    "binance": "binanceusdm",
    "hyperliquid": "hyperliquid",
    "grvt": "grvt",
    "lighter": "lighter",
}


def repoint(value: Any, base: str) -> Any:
    """Every URL in ccxt's ``urls['api']`` (a string or nested dicts) moved to ``base``."""
    if isinstance(value, str):
        return re.sub(r"^https?://[^/]+", base, value)
    if isinstance(value, dict):
        return {key: repoint(item, base) for key, item in value.items()}
    return value


async def one(ccxt: Any, venue: str, base: str, options: dict[str, Any]) -> dict[str, Any]:
    exchange_id = CCXT_IDS[venue]
    exchange = getattr(ccxt, exchange_id)(dict(options))
    exchange.urls["api"] = repoint(exchange.urls["api"], base)
    start = time.perf_counter()
    try:
        if exchange.has.get("fetchFundingRates"):
            method = "fetch_funding_rates"
            rates = await exchange.fetch_funding_rates()
            count = sum(1 for rate in rates.values() if rate.get("fundingRate") is not None)
        else:
            method = "load_markets + fetch_ticker per perpetual"
            await exchange.load_markets()
            perps = [s for s, m in exchange.markets.items() if m.get("swap")]
            tickers = await asyncio.gather(*(exchange.fetch_ticker(s) for s in perps))
            count = sum(1 for t in tickers if (t.get("info") or {}).get("funding_rate") is not None)
        outcome: dict[str, Any] = {"ok": count > 0, "rates": count, "error": None}
    except Exception as error:  # reported, not raised: one venue must not hide the others
        method = "failed"
        outcome = {"ok": False, "rates": 0, "error": f"{type(error).__name__}: {error}"[:300]}
    finally:
        await exchange.close()
    outcome.update(
        exchange=exchange_id, method=method, seconds=round(time.perf_counter() - start, 6)
    )
    return outcome


async def scan(
    ccxt: Any, urls: dict[str, str], options: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    names = list(urls)
    results = await asyncio.gather(*(one(ccxt, name, urls[name], options) for name in names))
    return dict(zip(names, results, strict=True))


def main(argv: list[str]) -> int:
    urls = json.loads(argv[1])
    options = json.loads(argv[2]) if len(argv) > 2 else {}
    start = time.perf_counter()
    ccxt = importlib.import_module("ccxt.async_support")
    imported = time.perf_counter()
    venues = asyncio.run(scan(ccxt, urls, options))
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "ccxt_version": ccxt.__version__,
                "options": options,
                "import_s": round(imported - start, 6),
                "fetch_s": round(done - imported, 6),
                "venues": venues,
            }
        )
    )
    return 0 if any(v["ok"] for v in venues.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
