"""A compact, deterministic market for checking that the backtest's fast paths book exactly
what the plain path books: 3 symbols on 3 venues (8-hourly with marks and a switch to
4-hourly, 8-hourly without marks, hourly without marks), 20 days, missing settlements,
thresholds low enough that hedges open, scale in, close and flip many times, and a run
with thin collateral so the paper venues' margin model liquidates."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
HOURS = 20 * 24
VENUES = ("alpha", "beta", "gamma")


def rows(seed: int = 7) -> list[HistoryRow]:
    rng = random.Random(seed)
    out: list[HistoryRow] = []
    for s in range(3):
        base = f"S{s}"
        price = 10 ** rng.uniform(0, 4)
        premium = 0.0
        premiums: list[float] = []
        prices: list[float] = []
        for _ in range(HOURS):
            premium = 0.85 * premium + rng.gauss(0, 0.000015)
            price *= math.exp(rng.gauss(0, 0.01))
            premiums.append(premium)
            prices.append(price)
        for venue in VENUES:
            noise = random.Random(f"{seed}-{s}-{venue}")
            drop = set(noise.sample(range(24, HOURS - 24), 3))
            for hour in range(1, HOURS + 1):
                if venue == "gamma":
                    interval = 1
                elif venue == "alpha" and s % 2 == 0 and 150 <= hour < 300:
                    interval = 4
                else:
                    interval = 8
                if hour % interval or hour in drop:
                    continue
                window = premiums[hour - interval : hour]
                rate = sum(window) / len(window) * interval + noise.gauss(0, 0.00001)
                mark = Decimal(f"{prices[hour - 1]:.6g}") if venue == "alpha" else None
                out.append(
                    HistoryRow(
                        venue,
                        Symbol(base),
                        f"{base}USDT",
                        Decimal(1),
                        START + timedelta(hours=hour),
                        Decimal(f"{rate:.8f}"),
                        timedelta(hours=interval),
                        mark,
                        "fixture",
                    )
                )
    return out


def config() -> ArbitrageConfig:
    return ArbitrageConfig(
        build_threshold=Decimal("0.30"),
        close_threshold=Decimal("0.05"),
        max_position=Decimal(3),
        trade_size=Decimal(1),
        fees={
            "alpha": VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0004")),
            "beta": VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.00055")),
            "gamma": VenueFees(maker=Decimal("0.00015"), taker=Decimal("0.00045")),
        },
    )
