"""The peer's scan: ccxt (async_support) fetching funding rates of four venues concurrently.

Runs with the ccxt benchmark environment's interpreter (``bench/.venv-ccxt``), never the
project's: it imports nothing from this project, only the standard library and ccxt.

    python bench/ccxt_scan.py '{"binance": "http://127.0.0.1:PORT", ...}' [OPTIONS [ROUNDS]]

The optional second argument (e.g. ``'{"enableRateLimit": false}'``) is passed to every
exchange's constructor (the benchmark runs ccxt both with its defaults and with its
client-side rate limiter off). With a third, ``ROUNDS``, the same exchange objects scan
``ROUNDS`` times (markets stay loaded, like a long-running bot) and the output lists each
round's ``time.perf_counter`` start and end instead.

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


def make(ccxt: Any, venue: str, base: str, options: dict[str, Any]) -> Any:
    exchange = getattr(ccxt, CCXT_IDS[venue])(dict(options))
    exchange.urls["api"] = repoint(exchange.urls["api"], base)
    return exchange


async def fetch(exchange: Any) -> tuple[str, int]:
    """(how, how many rates) of one venue's funding rates (markets load on first use)."""
    if exchange.has.get("fetchFundingRates"):
        rates = await exchange.fetch_funding_rates()
        count = sum(1 for rate in rates.values() if rate.get("fundingRate") is not None)
        return "fetch_funding_rates", count
    await exchange.load_markets()
    perps = [s for s, m in exchange.markets.items() if m.get("swap")]
    tickers = await asyncio.gather(*(exchange.fetch_ticker(s) for s in perps))
    count = sum(1 for t in tickers if (t.get("info") or {}).get("funding_rate") is not None)
    return "load_markets + fetch_ticker per perpetual", count


async def one(ccxt: Any, venue: str, base: str, options: dict[str, Any]) -> dict[str, Any]:
    exchange = make(ccxt, venue, base, options)
    start = time.perf_counter()
    try:
        method, count = await fetch(exchange)
        outcome: dict[str, Any] = {"ok": count > 0, "rates": count, "error": None}
    except Exception as error:  # reported, not raised: one venue must not hide the others
        method = "failed"
        outcome = {"ok": False, "rates": 0, "error": f"{type(error).__name__}: {error}"[:300]}
    finally:
        await exchange.close()
    outcome.update(
        exchange=CCXT_IDS[venue], method=method, seconds=round(time.perf_counter() - start, 6)
    )
    return outcome


async def scan(
    ccxt: Any, urls: dict[str, str], options: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    names = list(urls)
    results = await asyncio.gather(*(one(ccxt, name, urls[name], options) for name in names))
    return dict(zip(names, results, strict=True))


async def repeated(
    ccxt: Any, urls: dict[str, str], options: dict[str, Any], rounds: int
) -> list[dict[str, Any]]:
    """``rounds`` scans with the same exchange objects (markets stay loaded)."""
    exchanges = {name: make(ccxt, name, base, options) for name, base in urls.items()}

    async def answered(exchange: Any) -> bool:
        try:
            return (await fetch(exchange))[1] > 0
        except Exception:
            return False

    done: list[dict[str, Any]] = []
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            names = list(exchanges)
            oks = await asyncio.gather(*(answered(exchanges[n]) for n in names))
            done.append(
                {
                    "start": start,
                    "end": time.perf_counter(),
                    "answered": dict(zip(names, oks, strict=True)),
                }
            )
    finally:
        for exchange in exchanges.values():
            await exchange.close()
    return done


def main(argv: list[str]) -> int:
    urls = json.loads(argv[1])
    options = json.loads(argv[2]) if len(argv) > 2 else {}
    if len(argv) > 3:
        ccxt = importlib.import_module("ccxt.async_support")
        rounds = asyncio.run(repeated(ccxt, urls, options, int(argv[3])))
        print(json.dumps({"ccxt_version": ccxt.__version__, "rounds": rounds}))
        return 0
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
