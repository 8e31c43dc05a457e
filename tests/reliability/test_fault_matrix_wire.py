"""Fault matrix over the wire: both legs on Binance USDⓈ-M wire servers (127.0.0.1, real
sockets, signed requests checked like the venue does), the real Binance client, a SQLite
journal, every fault on either leg. The faults are those of :mod:`tests.reliability.wire`
plus clock skew between us and the venue (Binance refuses a request stamped outside its
recvWindow with ``-1021``, unread; the client re-syncs and re-signs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.binance.client import BinanceClient
from adapters.journal import SqliteJournal
from adapters.registry import VenueSettings
from atomic_fp.models import ArbitrageConfig, Side, SignalKind, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import (
    ArbitrageOrchestrator,
    ExecutionPolicy,
    ExecutionReport,
    ExecutionStatus,
    LegOutcome,
    OrderPurpose,
)
from tests.reliability.invariants import (
    RecordingJournal,
    assert_invariants,
    assert_retries_only_after_known_fates,
)
from tests.reliability.wire import BinanceView, FaultServer, FaultyBinance

pytestmark = pytest.mark.anyio

BTC = Symbol("BTC")
KEY, SECRET = "wireTestKey0001", "wireTestSecret0001"
REFERENCE = Decimal(65_000)
SIZE = Decimal("0.01")
CLIENT_TIMEOUT = 0.3
# One lookup per ambiguous order: a venue that is down fails it after the client's own
# connect retries (about 0.6 s); more lookups would only make the down cases slower.
# A short validity window (the venue enforces it as recvWindow = 1500 ms) keeps the watch
# of a lost request (deadline + margin + grace, real time) to about 2.5 s.
POLICY = ExecutionPolicy(
    lookup_delay=0.0,
    order_timeout=3.0,
    lookup_attempts=1,
    validity_window=1.5,
    clock_skew_margin=0.5,
    unknown_status_grace=0.5,
    watch_interval=0.25,
)
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(1),
    trade_size=SIZE,
)

# How the faulted leg's first order must be classified (the fault really happened):
# (outcome, looked up by client id).
FIRST_OUTCOME: dict[str, tuple[LegOutcome, bool]] = {
    "reject": (LegOutcome.REJECTED, False),
    "reject_always": (LegOutcome.REJECTED, False),
    "rate_limited": (LegOutcome.REJECTED, False),
    "rate_limited_always": (LegOutcome.REJECTED, False),
    "hang": (LegOutcome.NOT_SENT, True),
    "ambiguous_503": (LegOutcome.FILLED, True),
    "late_answer": (LegOutcome.FILLED, True),
    "partial": (LegOutcome.PARTIALLY_FILLED, False),
    "down_before_order": (LegOutcome.NOT_SENT, False),
    "down_at_order": (LegOutcome.AMBIGUOUS, True),
    "down_after_fill": (LegOutcome.AMBIGUOUS, True),
    "clock_skew_ahead": (LegOutcome.FILLED, False),
    "clock_skew_behind": (LegOutcome.FILLED, False),
}

# fault -> (status of the execution that finished the signal, unresolved at first)
CASES: dict[str, tuple[ExecutionStatus, bool]] = {
    "reject": (ExecutionStatus.COMPLETE, False),
    "reject_always": (ExecutionStatus.NOT_EXECUTED, False),
    "rate_limited": (ExecutionStatus.COMPLETE, False),
    "rate_limited_always": (ExecutionStatus.NOT_EXECUTED, False),
    "hang": (ExecutionStatus.COMPLETE, False),
    "ambiguous_503": (ExecutionStatus.COMPLETE, False),
    "late_answer": (ExecutionStatus.COMPLETE, False),
    "partial": (ExecutionStatus.COMPLETE, False),
    "down_before_order": (ExecutionStatus.NOT_EXECUTED, False),
    "down_at_order": (ExecutionStatus.COMPLETE, True),
    "down_after_fill": (ExecutionStatus.COMPLETE, True),
    "clock_skew_ahead": (ExecutionStatus.COMPLETE, False),
    "clock_skew_behind": (ExecutionStatus.COMPLETE, False),
}


@pytest.fixture(params=["asyncio", pytest.param("trio", marks=pytest.mark.long)])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Over the wire the backends share every line but the event loop: CI runs asyncio,
    ``-m long`` adds trio (the paper matrix runs both in CI)."""
    return str(request.param)


@pytest.fixture
def servers() -> Iterator[list[FaultServer]]:
    started = [FaultServer(FaultyBinance(KEY, SECRET)) for _ in range(2)]
    yield started
    for server in started:
        server.stop()


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SqliteJournal]:
    opened = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    yield opened
    await opened.close()


def client(name: str, server: FaultServer) -> BinanceClient:
    return BinanceClient(
        VenueSettings(
            id=ExchangeIdentifier(name),
            kind="binance",
            base_url=server.url,
            credentials={"api_key": KEY, "api_secret": SECRET},
            timeout=CLIENT_TIMEOUT,
        )
    )


def hedge(long: ExchangeIdentifier, short: ExchangeIdentifier) -> TradingSignal:
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(
            TradeLeg(long, BTC, Side.BUY, SIZE, reference_price=REFERENCE),
            TradeLeg(short, BTC, Side.SELL, SIZE, reference_price=REFERENCE),
        ),
        reason="wire fault matrix",
        created_at=datetime.now(timezone.utc),
    )


def arm(fault: str, server: FaultServer) -> None:
    fake = server.fake
    fake.hang_seconds = CLIENT_TIMEOUT + 0.2
    if fault in ("reject", "rate_limited", "hang", "ambiguous_503", "late_answer", "partial"):
        fake.faults = [fault]
    elif fault in ("reject_always", "rate_limited_always"):
        fake.repeat_fault = fault.removesuffix("_always")
    elif fault == "down_before_order":
        server.stop()
    elif fault in ("down_at_order", "down_after_fill"):
        fake.faults = [fault]
    elif fault == "clock_skew_ahead":
        fake.clock_offset_ms = 20_000  # the venue's clock runs 20 s ahead of ours
    elif fault == "clock_skew_behind":
        fake.clock_offset_ms = -20_000
    else:  # pragma: no cover
        raise AssertionError(fault)


async def finish(
    orch: ArbitrageOrchestrator, report: ExecutionReport, servers: list[FaultServer]
) -> ExecutionReport:
    for server in servers:
        server.fake.faults = []
        server.fake.repeat_fault = None
        if not server.running:
            server.start()
    final = report
    for _ in range(5):
        reconciliation = await orch.reconcile()
        for recovered in reconciliation.recovered:
            if recovered.signal_id == report.signal_id:
                final = recovered
        if reconciliation.clean and not await orch.journal.open_signals():
            break
    assert reconciliation.clean, reconciliation.describe()
    return final


@pytest.mark.parametrize("leg", [0, 1])
@pytest.mark.parametrize("fault", sorted(CASES))
async def test_wire_fault_on_either_leg_keeps_the_invariants(
    fault: str, leg: int, servers: list[FaultServer], journal: SqliteJournal
) -> None:
    names = [ExchangeIdentifier("binance-a"), ExchangeIdentifier("binance-b")]
    clients = [client(str(n), s) for n, s in zip(names, servers, strict=True)]
    recorded = RecordingJournal(journal)
    try:
        orch = ArbitrageOrchestrator(
            queryers=[AtomicQueryer(c, BTC) for c in clients],
            traders=[AtomicTrader(c, BTC) for c in clients],
            config=CONFIG,
            symbol=BTC,
            journal=recorded,
            policy=POLICY,
            query_timeout=2.0,
        )
        # Warm up: markets cached, server clocks synced (reconcile reads signed positions).
        assert (await orch.reconcile()).clean
        for queryer in orch.queryers.values():
            (await queryer.get_market()).unwrap()
        target = servers[leg]
        arm(fault, target)

        signal = hedge(names[0], names[1])
        first = await orch.execute_signal(signal)

        entry = next(x for x in first.attempts if x.leg_index == leg and x.attempt == 0)
        assert (entry.outcome, entry.looked_up) == FIRST_OUTCOME[fault], first.describe()
        expected, unresolved_first = CASES[fault]
        assert (first.status is ExecutionStatus.UNRESOLVED) == unresolved_first, first.describe()
        final = await finish(orch, first, servers)
        assert final.status is expected, final.describe()
        views = [BinanceView(s.fake, n) for s, n in zip(servers, names, strict=True)]
        await assert_invariants(
            views,
            journal,
            BTC,
            exposure_before=Decimal(0),
            reported_residual=final.residual_base,
            signal_ids=[signal.signal_id],
        )
        assert_retries_only_after_known_fates(recorded)
        posted = target.fake.posted
        if fault in ("ambiguous_503", "late_answer", "down_after_fill"):
            # Acted on, answer lost: found by client id; no second order on that leg.
            assert sum(posted.values()) == 1, posted
        if fault.startswith("clock_skew"):
            # -1021 came back unread; the re-signed order under the same id was the only
            # one the venue acted on.
            assert list(posted.values()) == [1], posted
            assert target.fake.paths().count("/fapi/v1/time") >= 2  # it re-synced
        if final.status is ExecutionStatus.NOT_EXECUTED:
            assert any(x.purpose is OrderPurpose.UNWIND for x in final.attempts)
        assert await journal.signal_status(signal.signal_id) is final.status
    finally:
        for c in clients:
            await c.aclose()
