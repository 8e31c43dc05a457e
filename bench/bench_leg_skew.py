"""Leg submission skew (issue 20, target 3): over N hedges on mixed venues, the gap
between the two legs' orders reaching their venues, measured server-side, with the
real clients and the real execution path (``execute_signal``).

Venue pairs: Binance + Hyperliquid, GRVT + Lighter, Binance + Lighter, in both leg
orders (alternating: signing inside the send task costs the *second* leg's signing time,
so it loses most when the slower signer is second). Lighter
signs with lighter-sdk's own native signer when it loads here (about 10 ms an order
under load; otherwise the tests' stand-in, and the report says so); GRVT with EIP-712
(eth-account), Hyperliquid with its agent key, Binance with HMAC.

Noise kept out of the figure (each choice is the product's or the measurement's, never
a shortcut the product does not take):

- every venue fake runs in its own process, so no fake competes with the client or with
  the other fake for an interpreter lock (in-process fakes measured the GIL);
- the stamp is the first bytes of the order request as the server reads them (the
  request line, ``time.monotonic_ns()``: CLOCK_MONOTONIC, one clock for all processes),
  not the end of the server's parsing;
- each pair warms up first (connections, GRVT's session, Lighter's nonce), as a running
  ``run`` process is warm;
- no garbage collection while a round's legs are sent: that is the product's behaviour
  (:mod:`atomic_fp.orchestration.gc_pause`), so it is in both paths, not added here.

Two paths alternate hedge by hedge in the same run: ``prepared`` (every leg signed
before any is sent: the product) and ``baseline`` (each leg signed inside its own send
task, forced by a trader that offers no two-step path). No timed test asserts any of this.

    python -m bench.bench_leg_skew [--hedges 200] [--pairs all] [--write]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import anyio
import httpx
from returns.result import Result, Success

from adapters.binance.client import BinanceClient
from adapters.grvt.client import GrvtClient
from adapters.hyperliquid.client import HyperliquidClient
from adapters.lighter.client import LighterClient
from adapters.lighter.signer import LighterSigner, load_sdk_signer
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
from tests.adapters.grvt.fake_venue import Exchange
from tests.adapters.grvt.fake_venue import serve as serve_grvt
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid
from tests.adapters.lighter.fake_venue import ACCOUNT_INDEX, API_KEY_INDEX, FakeLighter
from tests.adapters.lighter.test_local_server import FakeSdkSigner
from tests.harness.running import _Handler, running, serve
from tests.harness.venue import FakeVenue, Reply, Request

BEGIN = "<!-- issue-20 leg skew: begin (bench/bench_leg_skew.py --write) -->"
END = "<!-- issue-20 leg skew: end -->"
TARGET_MS = 5.0
WARM_UP = 2
"""Hedges per pair and path before measuring (connections, session, nonce)."""
BTC = Symbol("BTC")
BINANCE, HYPERLIQUID = ExchangeIdentifier("binance"), ExchangeIdentifier("hyperliquid")
GRVT, LIGHTER = ExchangeIdentifier("grvt"), ExchangeIdentifier("lighter")
KEY, SECRET = "skewBenchKey0001", "skewBenchSecret0001"
GRVT_KEY, GRVT_API_KEY, GRVT_SUB = "0x" + "22" * 32, "skew-bench-grvt", "2147050003876484"
LIGHTER_API_KEY = "0x" + "11" * 40
SIZE = Decimal("0.01")
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(1000),
    trade_size=SIZE,
)
POLICY = ExecutionPolicy(lookup_delay=0.0, order_timeout=5.0, lookup_attempts=1)
ORDER_PATHS = {
    "binance": "/fapi/v1/order",
    "hyperliquid": "/exchange",
    "grvt": "/full/v1/create_order",
    "lighter": "/api/v1/sendTx",
}
PAIRS: dict[str, tuple[ExchangeIdentifier, ExchangeIdentifier]] = {
    "binance+hyperliquid": (HYPERLIQUID, BINANCE),
    "grvt+lighter": (LIGHTER, GRVT),
    "binance+lighter": (LIGHTER, BINANCE),
}
"""Each pair's venues, the slower signer first (the leg order alternates per hedge)."""
REFERENCE = {
    BINANCE: Decimal(65_000),
    HYPERLIQUID: Decimal(100_000),
    GRVT: Decimal(70_000),
    LIGHTER: Decimal(70_000),
}


# ---- the venue processes ------------------------------------------------------------

_first_bytes = threading.local()
_arrivals: list[int] = []


def _is_order(kind: str, request: Request) -> bool:
    """An order request of venue ``kind`` (Lighter: a CreateOrder, not a cancel)."""
    if request.method != "POST" or request.path != ORDER_PATHS[kind]:
        return False
    return kind != "lighter" or request.body.startswith(b"tx_type=14&")


def _stamp_first_bytes(kind: str) -> None:
    """In a venue process: stamp each request when its request line has been read, and
    keep the stamps of order requests."""
    parse_request = _Handler.parse_request
    respond = FakeVenue.respond

    def stamped_parse(self: _Handler) -> bool:
        _first_bytes.ns = time.monotonic_ns()
        return parse_request(self)

    def stamped_respond(self: FakeVenue, request: Request) -> Reply:
        if _is_order(kind, request):
            _arrivals.append(_first_bytes.ns)
        return respond(self, request)

    _Handler.parse_request = stamped_parse  # type: ignore[method-assign, assignment]
    FakeVenue.respond = stamped_respond  # type: ignore[method-assign]


class FillingLighter(FakeLighter):
    """The local Lighter, with an IOC order filled at its price (as a crossing IOC is)
    instead of left resting, so a hedge completes without a cancel."""

    def _apply(self, tx_type: int, info: dict[str, Any]) -> Reply | None:
        refused = super()._apply(tx_type, info)
        if refused is None and tx_type == 14 and info.get("TimeInForce") == 0:
            order = self.orders[info["ClientOrderIndex"]]
            order["status"] = "filled"
            order["filled_base_amount"] = order["initial_base_amount"]
            amount, price = Decimal(order["initial_base_amount"]), Decimal(order["price"])
            order["filled_quote_amount"] = f"{amount * price:.6f}"
        return refused


@contextmanager
def _venue(kind: str) -> Iterator[dict[str, str]]:
    if kind == "binance":
        with serve(FakeBinance(KEY, SECRET)) as url:
            yield {"base_url": url}
    elif kind == "hyperliquid":
        with serve(FakeHyperliquid(mainnet=True)) as url:
            yield {"base_url": url}
    elif kind == "grvt":
        exchange = Exchange(api_key=GRVT_API_KEY, sub_account_id=GRVT_SUB, authorised_key=GRVT_KEY)
        with serve_grvt(exchange) as hosts:
            yield {"base_url": hosts.market, "trading_url": hosts.trading, "auth_url": hosts.auth}
    else:
        with running(FillingLighter()) as server:
            yield {"base_url": server.url}


def _serve_child(kind: str, pipe: Any) -> None:
    """A venue process: serve one fake, answer "arrivals" with its order stamps.

    It asks for a higher scheduling priority (when allowed): a venue is another machine,
    whose reading of a request does not wait for this machine's other processes; the
    client keeps the ordinary priority, as the product runs."""
    with suppress(OSError):
        os.nice(-10)
    _stamp_first_bytes(kind)
    with _venue(kind) as urls:
        pipe.send(urls)
        while (command := pipe.recv()) != "stop":
            pipe.send(list(_arrivals) if command == "arrivals" else None)


class _Remote:
    """A venue in a child process, seen from the benchmark."""

    def __init__(self, kind: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve_child, args=(kind, child), daemon=True)
        self._process.start()
        self.urls: dict[str, str] = self._pipe.recv()

    @property
    def arrivals(self) -> list[int]:
        self._pipe.send("arrivals")
        stamps: list[int] = self._pipe.recv()
        return stamps

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)


# ---- the clients ----------------------------------------------------------------------

_handed_over: dict[str, list[int]] = {kind: [] for kind in ORDER_PATHS}
"""Per venue: when each order request was handed to httpx in the client (diagnostic)."""


def _stamp_hand_over() -> None:
    """In the client process: stamp each order request as it enters ``AsyncClient.send``.
    The gap between the two legs' stamps is the client's own share of the skew (the rest
    is httpx, the kernel and the servers' scheduling)."""
    send = httpx.AsyncClient.send
    kinds = {path: kind for kind, path in ORDER_PATHS.items()}

    async def stamped(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> Any:
        kind = kinds.get(request.url.path)
        if kind is not None and (kind != "lighter" or request.content.startswith(b"tx_type=14&")):
            _handed_over[kind].append(time.monotonic_ns())
        return await send(self, request, **kwargs)

    httpx.AsyncClient.send = stamped  # type: ignore[method-assign]


def _lighter_signer(url: str) -> tuple[LighterSigner, str]:
    loaded = load_sdk_signer(
        base_url=url,
        account_index=ACCOUNT_INDEX,
        api_key_index=API_KEY_INDEX,
        api_private_key=LIGHTER_API_KEY,
    )
    if isinstance(loaded, Success):
        return loaded.unwrap(), "lighter-sdk's native signer"
    return FakeSdkSigner(), f"the tests' stand-in signer ({loaded.failure().message[:80]})"


def _client(venue: ExchangeIdentifier, urls: dict[str, str], notes: list[str]) -> VenueClient:
    name = venue.name
    if name == "binance":
        return BinanceClient(
            VenueSettings(
                id=venue,
                kind=name,
                base_url=urls["base_url"],
                credentials={"api_key": KEY, "api_secret": SECRET},
                timeout=5.0,
            )
        )
    if name == "hyperliquid":
        return HyperliquidClient(
            VenueSettings(
                id=venue,
                kind=name,
                base_url=urls["base_url"],
                credentials={"account_address": MASTER, "agent_private_key": AGENT_KEY},
                options={"network": "mainnet"},
                timeout=5.0,
            )
        )
    if name == "grvt":
        return GrvtClient(
            VenueSettings(
                id=venue,
                kind=name,
                base_url=urls["base_url"],
                trading_url=urls["trading_url"],
                auth_url=urls["auth_url"],
                credentials={
                    "api_key": GRVT_API_KEY,
                    "sub_account_id": GRVT_SUB,
                    "private_key": GRVT_KEY,
                },
                timeout=5.0,
            )
        )
    signer, which = _lighter_signer(urls["base_url"])
    notes.append(f"Lighter signs with {which}.")
    return LighterClient(
        VenueSettings(
            id=venue,
            kind=name,
            base_url=urls["base_url"],
            credentials={
                "account_index": str(ACCOUNT_INDEX),
                "api_key_index": str(API_KEY_INDEX),
                "api_private_key": LIGHTER_API_KEY,
            },
            options={"requests_per_minute": "1000000"},
            timeout=5.0,
        ),
        signer=signer,
    )


class OldPathTrader(AtomicTrader):
    """The baseline: no two-step path, so each leg signs inside its own send task."""

    async def prepare_order(
        self, request: OrderRequest
    ) -> Result[PreparedOrder | None, VenueError]:
        return Success(None)


def _hedge(pair: str, index: int) -> TradingSignal:
    first, second = PAIRS[pair]
    side = Side.BUY if index % 2 == 0 else Side.SELL
    legs = (
        TradeLeg(first, BTC, side, SIZE, reference_price=REFERENCE[first]),
        TradeLeg(second, BTC, side.opposite, SIZE, reference_price=REFERENCE[second]),
    )
    if (index // 2) % 2:  # each path gets both leg orders, hedge by hedge
        legs = (legs[1], legs[0])
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=legs,
        reason=f"leg skew bench {pair} {index}",
        created_at=datetime.now(timezone.utc),
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _run_pair(
    pair: str,
    hedges: int,
    remotes: dict[ExchangeIdentifier, _Remote],
    clients: dict[ExchangeIdentifier, VenueClient],
    journal: MemoryJournal,
) -> dict[str, Any]:
    first, second = PAIRS[pair]
    pair_clients = [clients[first], clients[second]]
    queryers = {c.exchange: AtomicQueryer(c, BTC) for c in pair_clients}
    traders: dict[str, dict[ExchangeIdentifier, AtomicTrader]] = {
        "prepared": {c.exchange: AtomicTrader(c, BTC) for c in pair_clients},
        "baseline": {c.exchange: OldPathTrader(c, BTC) for c in pair_clients},
    }
    for queryer in queryers.values():  # warm the market caches (as preflight does)
        (await queryer.get_market()).unwrap()
    gaps: dict[str, list[float]] = {"prepared": [], "baseline": []}
    client_gaps: dict[str, list[float]] = {"prepared": [], "baseline": []}
    incomplete = 0
    for index in range(2 * (hedges + WARM_UP)):
        path = "prepared" if index % 2 == 0 else "baseline"
        before = (len(remotes[first].arrivals), len(remotes[second].arrivals))
        report = await execute_signal(
            _hedge(pair, index),
            traders=traders[path],
            queryers=queryers,
            journal=journal,
            config=CONFIG,
            policy=POLICY,
            clock=lambda: datetime.now(timezone.utc),
        )
        first_stamps, second_stamps = remotes[first].arrivals, remotes[second].arrivals
        if index < 2 * WARM_UP:
            continue
        after = (len(first_stamps), len(second_stamps))
        if report.status is not ExecutionStatus.COMPLETE or after != (
            before[0] + 1,
            before[1] + 1,
        ):
            incomplete += 1
            continue
        gaps[path].append(abs(first_stamps[-1] - second_stamps[-1]) / 1e6)
        handed = _handed_over[first.name][-1], _handed_over[second.name][-1]
        client_gaps[path].append(abs(handed[0] - handed[1]) / 1e6)
    return {"gaps": gaps, "client_gaps": client_gaps, "incomplete": incomplete}


async def _run(hedges: int, pairs: list[str]) -> dict[str, Any]:
    venues = sorted({v for pair in pairs for v in PAIRS[pair]}, key=lambda v: v.name)
    _stamp_hand_over()
    remotes = {v: _Remote(v.name) for v in venues}
    notes: list[str] = []
    clients = {v: _client(v, remotes[v].urls, notes) for v in venues}
    journal = MemoryJournal()
    results: dict[str, Any] = {}
    try:
        for pair in pairs:
            results[pair] = await _run_pair(pair, hedges, remotes, clients, journal)
    finally:
        for client in clients.values():
            await client.aclose()
        for remote in remotes.values():
            remote.stop()
    return {"pairs": results, "notes": notes}


def _row(
    label: str, gaps: list[float], client: list[float], verdict: Callable[[float], str]
) -> str:
    if not gaps:
        return f"| {label} | 0 | | | | | | no data |"
    p99 = _percentile(gaps, 0.99)
    return (
        f"| {label} | {len(gaps)} | {statistics.median(gaps):.2f} ms | "
        f"{_percentile(gaps, 0.9):.2f} ms | {p99:.2f} ms | {max(gaps):.2f} ms | "
        f"{statistics.median(client):.2f} / {_percentile(client, 0.99):.2f} ms | "
        f"{verdict(p99)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hedges", type=int, default=200, help="hedges per pair and path")
    parser.add_argument(
        "--pairs", default="all", help=f"comma-separated, of {', '.join(PAIRS)} (or all)"
    )
    parser.add_argument("--write", action="store_true", help="into bench/RESULTS.md")
    args = parser.parse_args()
    pairs = list(PAIRS) if args.pairs == "all" else args.pairs.split(",")
    unknown = [p for p in pairs if p not in PAIRS]
    if unknown:
        parser.error(f"unknown pair(s) {', '.join(unknown)}; choose from {', '.join(PAIRS)}")
    machine = describe()
    started = time.perf_counter()
    result = anyio.run(_run, args.hedges, pairs)
    load_after = os.getloadavg()
    lines = [
        f"`python -m bench.bench_leg_skew --hedges {args.hedges}` on {machine['date_utc']}, "
        f"commit {machine['git_commit']}, {machine['cpu_model']}, {machine['usable_cpus']} "
        f"usable cores, {machine['python']}. Load average (1, 5, 15 min) before "
        f"{', '.join(f'{x:.2f}' for x in machine['load_average'])}; after "
        f"{', '.join(f'{x:.2f}' for x in load_after)}. "
        f"{time.perf_counter() - started:.0f} s.",
        "",
        "Venue fakes on 127.0.0.1, each in its own process; real clients, real execution "
        "path, both leg orders alternating. Skew = gap between the first bytes of the two "
        "legs' order requests as the servers read them. Paths alternate hedge by hedge in "
        f"the same run, after {WARM_UP} warm-up hedges each. The client's share is the gap "
        "between the two order requests entering httpx in the client (the rest of the skew "
        "is httpx, the kernel and the scheduling of the processes). " + " ".join(result["notes"]),
        "",
        "| Pair, path | Hedges | p50 | p90 | p99 | max | client's share p50 / p99 "
        "| Target p99 <= 5 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    incomplete = []
    for pair, outcome in result["pairs"].items():
        baseline = outcome["gaps"]["baseline"]
        base_p99 = _percentile(baseline, 0.99) if baseline else None

        def verdict(p99: float, base: float | None = base_p99) -> str:
            mark = "**PASS**" if p99 <= TARGET_MS else "**FAIL**"
            return mark + (f" ({p99 / base:.2f} x baseline p99)" if base else "")

        client = outcome["client_gaps"]
        lines.append(
            _row(
                f"{pair}, both legs signed first",
                outcome["gaps"]["prepared"],
                client["prepared"],
                verdict,
            )
        )
        lines.append(
            _row(
                f"{pair}, sign in send task (old)",
                baseline,
                client["baseline"],
                lambda _: "baseline",
            )
        )
        incomplete.append(f"{pair} {outcome['incomplete']}")
    lines += ["", f"Hedges not complete on both venues (left out): {', '.join(incomplete)}."]
    report = "\n".join([BEGIN, "## Leg submission skew (issue 20)", "", *lines, END])
    print(report)
    if args.write:
        write_section(BEGIN, END, report)


if __name__ == "__main__":
    main()
