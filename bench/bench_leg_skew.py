"""Leg submission skew (issue 20, target 3): over N hedges on mixed venues (a Binance and
a Hyperliquid wire fake on 127.0.0.1, the real clients, the real execution path), the gap
between the two legs' orders reaching their venues, measured server-side.

Each fake runs in its own process (so neither the client nor the other fake competes for
its interpreter lock: in-process fakes measured the GIL, not the client) and stamps
``time.monotonic_ns()`` (CLOCK_MONOTONIC, one clock for every process) when it has read
an order request (headers and body: the request is small, so this is its first bytes
plus one read); the skew of a hedge is ``|t_binance - t_hyperliquid|``. Two paths
alternate hedge by hedge in the same run: ``prepared`` (every leg signed before any is
sent: the current execution) and ``baseline`` (the old path: each leg signed inside its
own send task, forced by a trader that offers no two-step path). No timed test asserts any of this.

    python -m bench.bench_leg_skew [--hedges 200] [--write]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
from returns.result import Result, Success

from adapters.binance.client import BinanceClient
from adapters.hyperliquid.client import HyperliquidClient
from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    OrderRequest,
    Side,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import ExecutionPolicy, ExecutionStatus
from atomic_fp.orchestration.execution import execute_signal
from atomic_fp.orchestration.journal import MemoryJournal
from atomic_fp.venue import PreparedOrder, VenueClient
from bench.bench_backtest_vs_base import write_section
from bench.machine import describe
from tests.adapters.binance.fake_venue import FakeBinance
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid
from tests.harness.running import serve
from tests.harness.venue import Reply, Request

BEGIN = "<!-- issue-20 leg skew: begin (bench/bench_leg_skew.py --write) -->"
END = "<!-- issue-20 leg skew: end -->"
TARGET_MS = 5.0
BTC = Symbol("BTC")
BINANCE, HYPERLIQUID = ExchangeIdentifier("binance"), ExchangeIdentifier("hyperliquid")
KEY, SECRET = "skewBenchKey0001", "skewBenchSecret0001"
SIZE = Decimal("0.01")
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(1000),
    trade_size=SIZE,
)
POLICY = ExecutionPolicy(lookup_delay=0.0, order_timeout=5.0, lookup_attempts=1)


class _Stamped:
    """Mixin: the arrival time of every order request, by client order id order."""

    order_path: str
    arrivals: list[int]

    def respond(self, request: Request) -> Reply:
        if request.method == "POST" and request.path == self.order_path:
            self.arrivals.append(time.monotonic_ns())  # system-wide: comparable across processes
        return super().respond(request)  # type: ignore[misc, no-any-return]


class StampedBinance(_Stamped, FakeBinance):
    order_path = "/fapi/v1/order"

    def __init__(self) -> None:
        super().__init__(KEY, SECRET)
        self.arrivals = []


class StampedHyperliquid(_Stamped, FakeHyperliquid):
    order_path = "/exchange"

    def __init__(self) -> None:
        super().__init__(mainnet=True)
        self.arrivals = []


class OldPathTrader(AtomicTrader):
    """The baseline: no two-step path, so each leg signs inside its own send task."""

    async def prepare_order(
        self, request: OrderRequest
    ) -> Result[PreparedOrder | None, VenueError]:
        return Success(None)


def _hedge(index: int) -> TradingSignal:
    hl_side = Side.BUY if index % 2 == 0 else Side.SELL
    hl = TradeLeg(
        HYPERLIQUID,
        BTC,
        hl_side,
        SIZE,
        reference_price=Decimal(100_000) if hl_side is Side.BUY else Decimal(99_990),
    )
    bn = TradeLeg(BINANCE, BTC, hl_side.opposite, SIZE, reference_price=Decimal(65_000))
    # Hyperliquid (the slow signer) first: the order in which the old path loses most.
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(hl, bn),
        reason=f"leg skew bench {index}",
        created_at=datetime.now(timezone.utc),
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _serve_child(kind: str, pipe: Any) -> None:
    """A child process: serve one stamped fake, answer "arrivals" with its stamps."""
    fake: _Stamped = StampedBinance() if kind == "binance" else StampedHyperliquid()
    with serve(fake) as url:  # type: ignore[arg-type]
        pipe.send(url)
        while (command := pipe.recv()) != "stop":
            pipe.send(list(fake.arrivals) if command == "arrivals" else None)


class _Remote:
    """A fake in a child process, seen from the benchmark."""

    def __init__(self, kind: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve_child, args=(kind, child), daemon=True)
        self._process.start()
        self.url: str = self._pipe.recv()

    @property
    def arrivals(self) -> list[int]:
        self._pipe.send("arrivals")
        stamps: list[int] = self._pipe.recv()
        return stamps

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)


async def _run(hedges: int) -> dict[str, Any]:
    gaps: dict[str, list[float]] = {"prepared": [], "baseline": []}
    incomplete = 0
    binance, hyperliquid = _Remote("binance"), _Remote("hyperliquid")
    binance_url, hyperliquid_url = binance.url, hyperliquid.url
    clients: list[VenueClient] = [
        BinanceClient(
            VenueSettings(
                id=BINANCE,
                kind="binance",
                base_url=binance_url,
                credentials={"api_key": KEY, "api_secret": SECRET},
                timeout=5.0,
            )
        ),
        HyperliquidClient(
            VenueSettings(
                id=HYPERLIQUID,
                kind="hyperliquid",
                base_url=hyperliquid_url,
                credentials={"account_address": MASTER, "agent_private_key": AGENT_KEY},
                options={"network": "mainnet"},
                timeout=5.0,
            )
        ),
    ]
    queryers = {c.exchange: AtomicQueryer(c, BTC) for c in clients}
    traders: dict[str, dict[ExchangeIdentifier, AtomicTrader]] = {
        "prepared": {c.exchange: AtomicTrader(c, BTC) for c in clients},
        "baseline": {c.exchange: OldPathTrader(c, BTC) for c in clients},
    }
    journal = MemoryJournal()
    try:
        for queryer in queryers.values():  # warm the market caches (as preflight does)
            (await queryer.get_market()).unwrap()
        for index in range(2 * hedges):
            path = "prepared" if index % 2 == 0 else "baseline"
            before = (len(binance.arrivals), len(hyperliquid.arrivals))  # pipe round trips
            report = await execute_signal(
                _hedge(index),
                traders=traders[path],
                queryers=queryers,
                journal=journal,
                config=CONFIG,
                policy=POLICY,
                clock=lambda: datetime.now(timezone.utc),
            )
            binance_stamps, hyperliquid_stamps = binance.arrivals, hyperliquid.arrivals
            after = (len(binance_stamps), len(hyperliquid_stamps))
            if report.status is not ExecutionStatus.COMPLETE or after != (
                before[0] + 1,
                before[1] + 1,
            ):
                incomplete += 1
                continue
            gap_ns = abs(binance_stamps[-1] - hyperliquid_stamps[-1])
            gaps[path].append(gap_ns / 1e6)
    finally:
        for client in clients:
            await client.aclose()
        binance.stop()
        hyperliquid.stop()
    return {"gaps": gaps, "incomplete": incomplete}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hedges", type=int, default=200, help="hedges per path")
    parser.add_argument("--write", action="store_true", help="into bench/RESULTS.md")
    args = parser.parse_args()
    machine = describe()
    started = time.perf_counter()
    result = anyio.run(_run, args.hedges)
    load_after = os.getloadavg()
    lines = [
        f"`python -m bench.bench_leg_skew --hedges {args.hedges}` on {machine['date_utc']}, "
        f"commit {machine['git_commit']}, {machine['cpu_model']}, {machine['usable_cpus']} "
        f"usable cores, {machine['python']}. Load average (1, 5, 15 min) before "
        f"{', '.join(f'{x:.2f}' for x in machine['load_average'])}; after "
        f"{', '.join(f'{x:.2f}' for x in load_after)}. "
        f"{time.perf_counter() - started:.0f} s.",
        "",
        "Binance + Hyperliquid wire fakes on 127.0.0.1, each in its own process (real "
        "clients, real execution path, "
        "Hyperliquid leg first). Skew = gap between the two legs' order requests as read by "
        "the servers. Paths alternate hedge by hedge in the same run.",
        "",
        "| Path | Hedges | p50 | p90 | p99 | max | Target p99 <= 5 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, label in (
        ("prepared", "both legs signed first (current)"),
        ("baseline", "sign in send task (old)"),
    ):
        gaps = result["gaps"][path]
        if not gaps:
            lines.append(f"| {label} | 0 | | | | | no data |")
            continue
        p99 = _percentile(gaps, 0.99)
        verdict = "**PASS**" if p99 <= TARGET_MS else "**FAIL**"
        lines.append(
            f"| {label} | {len(gaps)} | {statistics.median(gaps):.2f} ms | "
            f"{_percentile(gaps, 0.9):.2f} ms | {p99:.2f} ms | {max(gaps):.2f} ms | "
            f"{verdict if path == 'prepared' else 'baseline'} |"
        )
    lines += ["", f"Hedges not complete on both venues (left out): {result['incomplete']}."]
    report = "\n".join([BEGIN, "## Leg submission skew (issue 20)", "", *lines, END])
    print(report)
    if args.write:
        write_section(BEGIN, END, report)


if __name__ == "__main__":
    main()
