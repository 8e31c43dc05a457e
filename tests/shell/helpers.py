"""Builders shared by the shell tests: paper venues, orchestrators, hand-built signals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import anyio
import attrs

from adapters.journal import SqliteJournal
from adapters.paper import ManualClock, PaperFaults, PaperMarketState, PaperVenue
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    Side,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
    VenueFees,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import (
    ArbitrageOrchestrator,
    ExecutionJournal,
    ExecutionPolicy,
    MemoryJournal,
)

BTC = Symbol("BTC")
T0 = datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc)
PRICE = Decimal(50_000)
LOT = Decimal("0.001")
FAST = ExecutionPolicy(lookup_delay=0.0, order_timeout=5.0)

TAKER_ONLY = VenueFees(maker=Decimal(0), taker=Decimal("0.0005"))

CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(10),
    trade_size=Decimal(1),
)


def market(venue: str, *, lot: Decimal = LOT, multiplier: Decimal = Decimal(1)) -> Market:
    return Market(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        venue_symbol="BTC-PERP",
        tick_size=Decimal("0.1"),
        lot_size=lot,
        contract_multiplier=multiplier,
        funding_interval=timedelta(hours=8),
    )


def paper(
    venue: str,
    *,
    clock: ManualClock | None = None,
    rate: Decimal = Decimal(0),
    faults: PaperFaults | None = None,
    fees: VenueFees = TAKER_ONLY,
    **kwargs: object,
) -> PaperVenue:
    return PaperVenue(
        venue,
        [PaperMarketState(market(venue), PRICE, funding_rate=rate)],
        fees=fees,
        clock=clock or ManualClock(T0),
        faults=faults,
        **kwargs,  # type: ignore[arg-type]
    )


def orchestrator(
    venues: Sequence[PaperVenue],
    *,
    journal: ExecutionJournal | None = None,
    policy: ExecutionPolicy = FAST,
    clock: ManualClock | None = None,
    config: ArbitrageConfig = CONFIG,
) -> ArbitrageOrchestrator:
    clock = clock or ManualClock(T0)
    if policy.sleep is anyio.sleep:
        # Watches of ambiguous orders run on the fake clock: no wall-clock waiting.
        policy = attrs.evolve(policy, sleep=clock.sleep)
    return ArbitrageOrchestrator(
        queryers=[AtomicQueryer(v, BTC) for v in venues],
        traders=[AtomicTrader(v, BTC) for v in venues],
        config=config,
        symbol=BTC,
        journal=journal,
        policy=policy,
        clock=clock,
        query_timeout=2.0,
    )


def hedge(
    long_venue: str = "a",
    short_venue: str = "b",
    size: Decimal = Decimal(1),
    *,
    at: datetime = T0,
    kind: SignalKind = SignalKind.OPEN,
    reduce_only: bool = False,
    reason: str = "test hedge",
) -> TradingSignal:
    return TradingSignal(
        kind=kind,
        symbol=BTC,
        legs=(
            TradeLeg(
                ExchangeIdentifier(long_venue),
                BTC,
                Side.BUY,
                size,
                reduce_only=reduce_only,
                reference_price=PRICE,
            ),
            TradeLeg(
                ExchangeIdentifier(short_venue),
                BTC,
                Side.SELL,
                size,
                reduce_only=reduce_only,
                reference_price=PRICE,
            ),
        ),
        reason=reason,
        created_at=at,
    )


def net_base(venues: Sequence[PaperVenue]) -> Decimal:
    return sum((v.position_base(BTC) for v in venues), Decimal(0))


async def journaled_residuals(journal: ExecutionJournal) -> list[Decimal]:
    """Residual amounts the journal recorded, oldest first (either implementation)."""
    if isinstance(journal, MemoryJournal):
        return [amount for _, amount, _ in journal.residuals]
    assert isinstance(journal, SqliteJournal)
    return [amount for _, _, amount, _, _ in await journal.residuals()]
