"""Layer 5: orchestration. Gathers data, runs the pure decisions, executes signals with
leg-safe execution, journals every step, reconciles on start. Imports no adapter: venues
come in as :class:`~atomic_fp.venue.VenueClient` objects (through the operations), the
journal as an :class:`ExecutionJournal`."""

from atomic_fp.orchestration.execution import ExecutionPolicy, classify
from atomic_fp.orchestration.journal import (
    ExecutionJournal,
    JournaledOrder,
    JournalUnavailable,
    MemoryJournal,
    OrderIntent,
)
from atomic_fp.orchestration.orchestrator import (
    ArbitrageOrchestrator,
    CycleReport,
    StrategyInputs,
    utc_now,
)
from atomic_fp.orchestration.pricing import capped_limit_price
from atomic_fp.orchestration.report import (
    ExecutionReport,
    ExecutionStatus,
    LegOutcome,
    LegSummary,
    OrderAttempt,
    OrderPurpose,
    OrderResolution,
    PositionDifference,
    ReconciliationReport,
    UnverifiedVenue,
)
from atomic_fp.orchestration.runner import RunSummary, SimpleStrategyRunner

__all__ = [
    "ArbitrageOrchestrator",
    "CycleReport",
    "ExecutionJournal",
    "ExecutionPolicy",
    "ExecutionReport",
    "ExecutionStatus",
    "JournalUnavailable",
    "JournaledOrder",
    "LegOutcome",
    "LegSummary",
    "MemoryJournal",
    "OrderAttempt",
    "OrderIntent",
    "OrderPurpose",
    "OrderResolution",
    "PositionDifference",
    "ReconciliationReport",
    "RunSummary",
    "SimpleStrategyRunner",
    "StrategyInputs",
    "UnverifiedVenue",
    "capped_limit_price",
    "classify",
    "utc_now",
]
