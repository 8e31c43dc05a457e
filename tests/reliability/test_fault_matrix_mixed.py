"""Fault matrix across two different wire formats: one leg on a Binance server, the other
on a Hyperliquid server (both 127.0.0.1, both checking signatures like the venues), the
real clients, a SQLite journal; the Hyperliquid leg is faulted, as the long leg and as the
short leg. (Faults on Binance legs are the matrix of ``test_fault_matrix_wire``.)

Hyperliquid keys orders by a cloid derived from our client id, answers a lookup of an
order it never saw with ``unknownOid``, and reports an IOC remainder as ``canceled``:
exactly the places where a wrong reading would double an order or hide exposure.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from adapters.binance.client import BinanceClient
from adapters.hyperliquid.client import HyperliquidClient
from adapters.journal import SqliteJournal
from adapters.registry import VenueSettings
from atomic_fp.models import Side, SignalKind, TradeLeg, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import ArbitrageOrchestrator, ExecutionStatus, LegOutcome
from atomic_fp.venue import VenueClient
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER
from tests.adapters.hyperliquid.fake_venue import serve as serve_hyperliquid
from tests.reliability.invariants import (
    RecordingJournal,
    VenueView,
    assert_invariants,
    assert_retries_only_after_known_fates,
)
from tests.reliability.test_fault_matrix_wire import (
    BTC,
    CLIENT_TIMEOUT,
    CONFIG,
    KEY,
    POLICY,
    SECRET,
    SIZE,
    finish,
)
from tests.reliability.wire import BinanceView, FaultServer, FaultyBinance
from tests.reliability.wire_hyperliquid import FaultyHyperliquid, HyperliquidView

pytestmark = pytest.mark.anyio

BINANCE = ExchangeIdentifier("binance")
HYPERLIQUID = ExchangeIdentifier("hyperliquid")

# How the faulted leg's first order must be classified (the fault really happened).
FIRST_OUTCOME: dict[str, tuple[LegOutcome, bool]] = {
    "reject": (LegOutcome.REJECTED, False),
    "reject_always": (LegOutcome.REJECTED, False),
    "rate_limited": (LegOutcome.REJECTED, False),
    "hang": (LegOutcome.NOT_SENT, True),
    "ambiguous_503": (LegOutcome.FILLED, True),
    "late_answer": (LegOutcome.FILLED, True),
    "partial": (LegOutcome.PARTIALLY_FILLED, False),
}

CASES: dict[str, ExecutionStatus] = {
    "reject": ExecutionStatus.COMPLETE,
    "reject_always": ExecutionStatus.NOT_EXECUTED,
    "rate_limited": ExecutionStatus.COMPLETE,
    "hang": ExecutionStatus.COMPLETE,
    "ambiguous_503": ExecutionStatus.COMPLETE,
    "late_answer": ExecutionStatus.COMPLETE,
    "partial": ExecutionStatus.COMPLETE,
}


@pytest.fixture(params=["asyncio", pytest.param("trio", marks=pytest.mark.long)])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Over the wire the backends share every line but the event loop: CI runs asyncio,
    ``-m long`` adds trio (the paper matrix runs both in CI)."""
    return str(request.param)


@pytest.fixture
def venues(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FaultServer, FaultyHyperliquid, str]]:
    # A late answer to a client that gave up is the point of two faults; the server's
    # default handle_error would print its BrokenPipe traceback. Say nothing of those.
    default = ThreadingHTTPServer.handle_error

    def quiet(self: ThreadingHTTPServer, request: object, address: object) -> None:
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            default(self, request, address)  # type: ignore[arg-type]

    monkeypatch.setattr(ThreadingHTTPServer, "handle_error", quiet)
    binance = FaultServer(FaultyBinance(KEY, SECRET))
    hyperliquid = FaultyHyperliquid()
    try:
        with serve_hyperliquid(hyperliquid) as url:
            yield binance, hyperliquid, url
    finally:
        binance.stop()


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SqliteJournal]:
    opened = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    yield opened
    await opened.close()


def hedge(hyperliquid_leg: int) -> TradingSignal:
    hl_side = Side.BUY if hyperliquid_leg == 0 else Side.SELL
    hl = TradeLeg(
        HYPERLIQUID,
        BTC,
        hl_side,
        SIZE,
        reference_price=Decimal(100_000) if hl_side is Side.BUY else Decimal(99_990),
    )
    bn = TradeLeg(BINANCE, BTC, hl_side.opposite, SIZE, reference_price=Decimal(65_000))
    legs = (hl, bn) if hyperliquid_leg == 0 else (bn, hl)
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=legs,
        reason="mixed wire fault matrix",
        created_at=datetime.now(timezone.utc),
    )


@pytest.mark.parametrize("hyperliquid_leg", [0, 1])
@pytest.mark.parametrize("fault", sorted(CASES))
async def test_hyperliquid_leg_fault_keeps_the_invariants(
    fault: str,
    hyperliquid_leg: int,
    venues: tuple[FaultServer, FaultyHyperliquid, str],
    journal: SqliteJournal,
) -> None:
    binance_server, hyperliquid, url = venues
    binance = BinanceClient(
        VenueSettings(
            id=BINANCE,
            kind="binance",
            base_url=binance_server.url,
            credentials={"api_key": KEY, "api_secret": SECRET},
            timeout=CLIENT_TIMEOUT,
        )
    )
    hl = HyperliquidClient(
        VenueSettings(
            id=HYPERLIQUID,
            kind="hyperliquid",
            base_url=url,
            credentials={"account_address": MASTER, "agent_private_key": AGENT_KEY},
            options={"network": "mainnet"},
            timeout=CLIENT_TIMEOUT,
        )
    )
    clients: list[VenueClient] = [binance, hl]
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
        assert (await orch.reconcile()).clean
        for queryer in orch.queryers.values():
            (await queryer.get_market()).unwrap()
        hyperliquid.hang_seconds = CLIENT_TIMEOUT + 0.2
        if fault.endswith("_always"):
            hyperliquid.repeat_fault = fault.removesuffix("_always")
        else:
            hyperliquid.faults = [fault]

        signal = hedge(hyperliquid_leg)
        first = await orch.execute_signal(signal)
        hyperliquid.faults, hyperliquid.repeat_fault = [], None
        entry = next(x for x in first.attempts if x.leg_index == hyperliquid_leg and x.attempt == 0)
        assert (entry.outcome, entry.looked_up) == FIRST_OUTCOME[fault], first.describe()
        final = await finish(orch, first, [binance_server])
        assert final.status is CASES[fault], final.describe()

        cids = [o.intent.client_order_id for o in await journal.orders_for_signal(signal.signal_id)]
        views: list[VenueView] = [
            BinanceView(binance_server.fake, BINANCE),
            HyperliquidView(hyperliquid, HYPERLIQUID, cids),
        ]
        await assert_invariants(
            views,
            journal,
            BTC,
            exposure_before=Decimal(0),
            reported_residual=final.residual_base,
            signal_ids=[signal.signal_id],
        )
        assert_retries_only_after_known_fates(recorded)
        if fault in ("ambiguous_503", "late_answer"):
            assert sum(hyperliquid.posted.values()) == 1, hyperliquid.posted
    finally:
        for c in clients:
            await c.aclose()
