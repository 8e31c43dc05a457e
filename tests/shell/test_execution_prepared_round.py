"""Both legs signed before either is sent (issue 20, leg skew), on real clients against
the Binance and Hyperliquid wire fakes (127.0.0.1, signatures checked as the venues do):
a leg whose signing fails sends nothing on *either* venue, whichever leg it is; when
signing works, the hedge fills on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.binance.client import BinanceClient
from adapters.hyperliquid.client import HyperliquidClient
from adapters.hyperliquid.signing import AgentSigner
from adapters.journal import SqliteJournal
from adapters.registry import VenueSettings
from atomic_fp.models import ArbitrageConfig, Side, SignalKind, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import (
    ArbitrageOrchestrator,
    ExecutionPolicy,
    ExecutionStatus,
    LegOutcome,
)
from atomic_fp.venue import VenueClient
from tests.adapters.binance.fake_venue import FakeBinance
from tests.adapters.hyperliquid.fake_venue import AGENT_KEY, MASTER, FakeHyperliquid
from tests.harness.running import serve

pytestmark = pytest.mark.anyio

BTC = Symbol("BTC")
KEY, SECRET = "prepTestKey0001", "prepTestSecret0001"
BINANCE = ExchangeIdentifier("binance")
HYPERLIQUID = ExchangeIdentifier("hyperliquid")
SIZE = Decimal("0.01")
POLICY = ExecutionPolicy(lookup_delay=0.0, order_timeout=3.0, lookup_attempts=1)
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(1),
    trade_size=SIZE,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def venues() -> Iterator[tuple[FakeBinance, str, FakeHyperliquid, str]]:
    binance, hyperliquid = FakeBinance(KEY, SECRET), FakeHyperliquid(mainnet=True)
    with serve(binance) as binance_url, serve(hyperliquid) as hyperliquid_url:
        yield binance, binance_url, hyperliquid, hyperliquid_url


@pytest.fixture
async def journal(tmp_path: Path) -> AsyncIterator[SqliteJournal]:
    opened = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()
    yield opened
    await opened.close()


def _orders_sent(binance: FakeBinance, hyperliquid: FakeHyperliquid) -> list[str]:
    return [f"binance {r.method} {r.path}" for r in binance.received if r.method == "POST"] + [
        f"hyperliquid {r.path}" for r in hyperliquid.received if r.path == "/exchange"
    ]


def _hedge(hyperliquid_leg: int) -> TradingSignal:
    hl_side = Side.BUY if hyperliquid_leg == 0 else Side.SELL
    hl = TradeLeg(
        HYPERLIQUID,
        BTC,
        hl_side,
        SIZE,
        reference_price=Decimal(100_000) if hl_side is Side.BUY else Decimal(99_990),
    )
    bn = TradeLeg(BINANCE, BTC, hl_side.opposite, SIZE, reference_price=Decimal(65_000))
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(hl, bn) if hyperliquid_leg == 0 else (bn, hl),
        reason="prepared round",
        created_at=datetime.now(timezone.utc),
    )


def _orchestrator(
    binance_url: str, hyperliquid_url: str, journal: SqliteJournal
) -> tuple[ArbitrageOrchestrator, list[VenueClient]]:
    clients: list[VenueClient] = [
        BinanceClient(
            VenueSettings(
                id=BINANCE,
                kind="binance",
                base_url=binance_url,
                credentials={"api_key": KEY, "api_secret": SECRET},
                timeout=2.0,
            )
        ),
        HyperliquidClient(
            VenueSettings(
                id=HYPERLIQUID,
                kind="hyperliquid",
                base_url=hyperliquid_url,
                credentials={"account_address": MASTER, "agent_private_key": AGENT_KEY},
                options={"network": "mainnet"},
                timeout=2.0,
            )
        ),
    ]
    orch = ArbitrageOrchestrator(
        queryers=[AtomicQueryer(c, BTC) for c in clients],
        traders=[AtomicTrader(c, BTC) for c in clients],
        config=CONFIG,
        symbol=BTC,
        journal=journal,
        policy=POLICY,
        query_timeout=2.0,
    )
    return orch, clients


@pytest.mark.parametrize("hyperliquid_leg", [0, 1])
async def test_a_leg_whose_signing_fails_sends_nothing_on_either_venue(
    hyperliquid_leg: int,
    venues: tuple[FakeBinance, str, FakeHyperliquid, str],
    journal: SqliteJournal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    binance, binance_url, hyperliquid, hyperliquid_url = venues

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("signing failed")

    monkeypatch.setattr(AgentSigner, "sign_l1_action", broken)
    orch, clients = _orchestrator(binance_url, hyperliquid_url, journal)
    try:
        report = await orch.execute_signal(_hedge(hyperliquid_leg))
    finally:
        for client in clients:
            await client.aclose()
    assert _orders_sent(binance, hyperliquid) == []
    assert report.status is ExecutionStatus.NOT_EXECUTED, report.describe()
    entries = {a.leg_index: a for a in report.attempts if a.attempt == 0}
    assert {i: a.outcome for i, a in entries.items()} == {
        0: LegOutcome.NOT_SENT,
        1: LegOutcome.NOT_SENT,
    }
    assert all(not a.looked_up for a in report.attempts)
    other = entries[1 - hyperliquid_leg].error
    assert other is not None and "another leg of the round could not be prepared" in other.message
    # The journal holds every intent with its outcome: nothing is left to reconcile.
    orders = await journal.orders_for_signal(report.signal_id)
    assert len(orders) == 2 and all(o.is_resolved for o in orders)


async def test_with_signing_working_both_legs_are_sent_and_fill(
    venues: tuple[FakeBinance, str, FakeHyperliquid, str],
    journal: SqliteJournal,
) -> None:
    binance, binance_url, hyperliquid, hyperliquid_url = venues
    orch, clients = _orchestrator(binance_url, hyperliquid_url, journal)
    try:
        report = await orch.execute_signal(_hedge(0))
    finally:
        for client in clients:
            await client.aclose()
    assert report.status is ExecutionStatus.COMPLETE, report.describe()
    assert sorted(_orders_sent(binance, hyperliquid)) == [
        "binance POST /fapi/v1/order",
        "hyperliquid /exchange",
    ]
