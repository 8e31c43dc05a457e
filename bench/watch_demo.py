"""A local stage for trying ``atomic-fp watch`` in a real terminal, without the internet.

Run: ``python -m bench.watch_demo demo.toml`` then, in another terminal,
``atomic-fp --config demo.toml watch``.

REST answers come from the bundled snapshot of recorded responses (:mod:`bench.replay_server`);
each venue's market stream is a local websocket server in that venue's wire format
(:mod:`tests.streams.venues`) pushing funding that drifts every second. To show the
failure paths: Lighter's stream refuses connections (``watch`` says "down, REST fallback"),
and Hyperliquid's connection is cut every 15 s (reconnected; the gap is reported).
"""

from __future__ import annotations

import random
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench.replay_server import serving
from tests.streams.venues import (
    binance_mark_price,
    binance_server,
    grvt_server,
    grvt_ticker,
    hyperliquid_ctx,
    hyperliquid_server,
    lighter_server,
    lighter_stats,
    lighter_update,
)

BINANCE = {"BTCUSDT": 0.0001, "ETHUSDT": 0.00008, "SOLUSDT": -0.00005, "BNBUSDT": 0.00002}
HYPERLIQUID = {"BTC": 0.00003, "ETH": 0.0000125, "SOL": 0.00002, "BNB": 0.00004}
GRVT = {"BTC_USDT_Perp": 0.02}  # percent per 8 h


def ms() -> int:
    return int(time.time() * 1000)


def _drift(rates: dict[str, float], step: float) -> None:
    for key in rates:
        rates[key] += random.uniform(-step, step)


def main() -> None:
    config_path = Path(sys.argv[1] if len(sys.argv) > 1 else "watch-demo.toml")
    sequence = [1]
    with ExitStack() as stack:
        rest = stack.enter_context(serving(0.0))
        binance = stack.enter_context(
            binance_server(
                lambda: [[binance_mark_price(s, f"{r:.8f}", ms()) for s, r in BINANCE.items()]]
            )
        )
        hyperliquid = stack.enter_context(
            hyperliquid_server(
                lambda coin: hyperliquid_ctx(coin, f"{HYPERLIQUID.get(coin, 0.0000125):.10f}")
            )
        )
        grvt = stack.enter_context(
            grvt_server(
                lambda name: grvt_ticker(
                    name, f"{GRVT.get(name, 0.01):.6f}", ms() * 10**6, sequence[0]
                )
            )
        )
        lighter = stack.enter_context(
            lighter_server(
                lambda: lighter_update({0: lighter_stats(0, "0.0012", ms())}, ms(), True)
            )
        )
        lighter.refuse = True
        urls = rest.urls()
        streams = {
            "binance": binance.url,
            "hyperliquid": hyperliquid.url,
            "grvt": grvt.url,
            "lighter": lighter.url,
        }
        lines = []
        for venue in ("binance", "hyperliquid", "grvt", "lighter"):
            lines += [
                f"[venues.{venue}]",
                f'kind = "{venue}"',
                f'base_url = "{urls[venue]}"',
                f'ws_url = "{streams[venue]}"',
                "",
            ]
        config_path.write_text("\n".join(lines))
        print(f"wrote {config_path}; run: atomic-fp --config {config_path} watch", flush=True)
        stop = threading.Event()
        tick = 0
        try:
            while not stop.wait(1.0):
                tick += 1
                _drift(BINANCE, 0.00002)
                _drift(HYPERLIQUID, 0.000003)
                _drift(GRVT, 0.003)
                binance.push([binance_mark_price(s, f"{r:.8f}", ms()) for s, r in BINANCE.items()])
                for coin, rate in HYPERLIQUID.items():
                    hyperliquid.push(hyperliquid_ctx(coin, f"{rate:.10f}"))
                sequence[0] += 1
                for name, rate in GRVT.items():
                    grvt.push(grvt_ticker(name, f"{rate:.6f}", ms() * 10**6, sequence[0]))
                if tick % 15 == 0:
                    hyperliquid.drop()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
