"""Benchmark: rank every ordered venue pair over 10 venues x 500 symbols.

Run: ``python -m bench.bench_ranking`` (prints the median of several runs). Target from
issue 2: under 20 ms. It is a benchmark, not a test: timings depend on the machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from atomic_fp.decisions.ranking import best_per_symbol, rank_opportunities
from atomic_fp.models import (
    ArbitrageConfig,
    ExchangeIdentifier,
    FundingKind,
    FundingRate,
    Symbol,
    VenueFees,
)

VENUES = 10
SYMBOLS = 500
RUNS = 15
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
INTERVALS = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=8))


def make_rates(seed: int = 7) -> list[FundingRate]:
    rng = random.Random(seed)
    venues = [ExchangeIdentifier(f"venue{v:02d}") for v in range(VENUES)]
    rates = []
    for s in range(SYMBOLS):
        symbol = Symbol(f"COIN{s:03d}")
        for venue in venues:
            rates.append(
                FundingRate(
                    exchange=venue,
                    symbol=symbol,
                    rate=Decimal(rng.randint(-2000, 2000)) / Decimal(10_000_000),
                    interval=rng.choice(INTERVALS),
                    kind=FundingKind.CURRENT,
                    observed_at=NOW,
                    mark_price=Decimal(rng.randint(1, 100_000)) / 100,
                )
            )
    return rates


def make_config() -> ArbitrageConfig:
    return ArbitrageConfig(
        build_threshold=Decimal("0.05"),
        close_threshold=Decimal("0.01"),
        max_position=Decimal(10),
        trade_size=Decimal(1),
        fees={
            f"venue{v:02d}": VenueFees(maker=Decimal("0.0001"), taker=Decimal(f"0.000{v % 5 + 2}"))
            for v in range(VENUES)
        },
    )


def time_runs(runs: int = RUNS) -> list[float]:
    rates = make_rates()
    config = make_config()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        ranked = rank_opportunities(rates, config)
        timings.append(time.perf_counter() - start)
    assert len(ranked) == SYMBOLS * VENUES * (VENUES - 1)
    assert len(best_per_symbol(ranked)) == SYMBOLS
    return timings


def main() -> int:
    timings = time_runs()
    median_ms = statistics.median(timings) * 1000
    pairs = SYMBOLS * VENUES * (VENUES - 1)
    print(
        f"rank_opportunities: {VENUES} venues x {SYMBOLS} symbols = {pairs} ordered pairs; "
        f"median {median_ms:.1f} ms over {RUNS} runs "
        f"(min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms; target < 20 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
