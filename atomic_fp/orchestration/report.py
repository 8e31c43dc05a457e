"""What an execution did, leg by leg, and what exposure it left.

These are the values the orchestrator returns and the journal stores; a CLI prints them
with :meth:`ExecutionReport.describe`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.errors import VenueError
from atomic_fp.models import Order, OrderRequest, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier


class LegOutcome(enum.Enum):
    """How one order ended, as far as we can know.

    - ``FILLED`` / ``PARTIALLY_FILLED``: the venue says so (an IOC remainder is cancelled);
    - ``REJECTED``: the venue answered and did not act (including an IOC that found no
      liquidity within its limit and expired unfilled);
    - ``NOT_SENT``: provably never reached the venue (refused locally, connect error, or
      looked up by client id after an ambiguous answer and not found);
    - ``AMBIGUOUS``: the venue may have acted and a lookup by client id has not settled
      it yet. Nothing else is sent on that leg until it is resolved.
    """

    FILLED = "filled"
    PARTIALLY_FILLED = "partially_filled"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"
    AMBIGUOUS = "ambiguous"

    @property
    def is_resolved(self) -> bool:
        return self is not LegOutcome.AMBIGUOUS


class OrderPurpose(enum.Enum):
    ENTRY = "entry"
    RETRY = "retry"
    UNWIND = "unwind"


RETRY_ATTEMPTS = range(1, 50)
"""Attempt numbers of retries (``0`` is the entry); unwinds use :data:`UNWIND_ATTEMPTS`,
so every order of a signal has its own deterministic client order id."""
UNWIND_ATTEMPTS = range(50, 100)


class ExecutionStatus(enum.Enum):
    COMPLETE = "complete"
    """Every leg filled in full; no residual."""
    PARTIAL = "partial"
    """Part of the signal executed, the legs are balanced (excess unwound); no residual."""
    NOT_EXECUTED = "not_executed"
    """Nothing filled; no exposure was created."""
    RESIDUAL = "residual"
    """An unhedged residual remains (stated in ``residual_base``); journaled and surfaced."""
    UNRESOLVED = "unresolved"
    """At least one order's fate is unknown; reconciliation must resolve it."""
    REFUSED = "refused"
    """Nothing was sent: a leg could not be priced or sized safely."""

    @property
    def is_clean(self) -> bool:
        return self in (
            ExecutionStatus.COMPLETE,
            ExecutionStatus.PARTIAL,
            ExecutionStatus.NOT_EXECUTED,
            ExecutionStatus.REFUSED,
        )


@attrs.frozen
class OrderAttempt:
    """One order sent (or about to be) for one leg, and how it ended."""

    leg_index: int
    attempt: int
    purpose: OrderPurpose
    request: OrderRequest
    outcome: LegOutcome
    order: Order | None = None
    error: VenueError | None = None
    looked_up: bool = False
    """The outcome came from a lookup by client id after an ambiguous answer."""

    @property
    def client_order_id(self) -> str:
        return self.request.client_order_id

    @property
    def filled_size(self) -> Decimal:
        return self.order.filled_size if self.order is not None else Decimal(0)

    def describe(self) -> str:
        req = self.request
        text = (
            f"leg {self.leg_index} {self.purpose.value} #{self.attempt} {req.exchange} "
            f"{req.side.value} {req.size}{' reduce-only' if req.reduce_only else ''} "
            f"@ {req.limit_price if req.limit_price is not None else 'market'} "
            f"[{self.client_order_id}]: {self.outcome.value}"
        )
        if self.order is not None and self.order.filled_size > 0:
            text += f", filled {self.order.filled_size} @ {self.order.average_price}"
        if self.looked_up:
            text += " (resolved by client-id lookup)"
        if self.error is not None:
            text += f" ({self.error.describe()})"
        return text


@attrs.frozen
class LegSummary:
    """Where one leg ended: sizes in venue units, exposure in base units (signed)."""

    leg_index: int
    exchange: ExchangeIdentifier
    target_size: Decimal
    filled_size: Decimal
    """Filled by entry and retry orders, in the leg's direction."""
    unwound_size: Decimal
    """Filled by unwind orders, against the leg's direction."""
    net_base: Decimal
    """Signed base-asset exposure this execution left on the venue."""
    unresolved: tuple[str, ...] = ()


@attrs.frozen
class ExecutionReport:
    """Everything one execution of one signal did, and the exposure it left behind.

    ``residual_base`` is the unhedged base-asset exposure this execution created beyond the
    signal's own intent (for a hedge: the net of its legs). It is zero, or it is reported
    here, in the journal, and in ``status`` (``RESIDUAL``/``UNRESOLVED``).
    """

    signal: TradingSignal
    status: ExecutionStatus
    attempts: tuple[OrderAttempt, ...]
    legs: tuple[LegSummary, ...]
    residual_base: Decimal
    executed_fraction: Decimal
    actions: tuple[str, ...] = ()
    message: str = ""
    recovered: bool = False
    """This report finishes a signal found unfinished in the journal (after a restart)."""
    journal_error: str | None = None
    """The journal could not record part of this execution (busy, disk full, read-only):
    what it could not record is in ``message``; the next start resolves it."""

    @property
    def signal_id(self) -> str:
        return self.signal.signal_id

    @property
    def unresolved(self) -> tuple[str, ...]:
        return tuple(cid for leg in self.legs for cid in leg.unresolved)

    @property
    def hedged(self) -> bool:
        return self.status.is_clean and self.residual_base == 0 and self.journal_error is None

    def net_base_by_venue(self) -> Mapping[ExchangeIdentifier, Decimal]:
        net: dict[ExchangeIdentifier, Decimal] = {}
        for leg in self.legs:
            net[leg.exchange] = net.get(leg.exchange, Decimal(0)) + leg.net_base
        return net

    def describe(self) -> str:
        lines = [
            f"signal {self.signal_id} ({self.signal.kind.value} {self.signal.symbol}): "
            f"{self.status.value}; executed {self.executed_fraction:.4f} of the signal; "
            f"residual {self.residual_base} {self.signal.bound_symbol.base}"
            + (" (recovered after restart)" if self.recovered else "")
        ]
        lines += [f"  {attempt.describe()}" for attempt in self.attempts]
        lines += [f"  - {action}" for action in self.actions]
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)


@attrs.frozen
class PositionDifference:
    """Journal and venue disagree about one position (base units; the venue is right)."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    journal_base: Decimal
    venue_base: Decimal

    @property
    def difference(self) -> Decimal:
        return self.venue_base - self.journal_base

    def describe(self) -> str:
        return (
            f"{self.exchange} {self.symbol}: venue holds {self.venue_base}, journal says "
            f"{self.journal_base} (difference {self.difference})"
        )


@attrs.frozen
class OrderResolution:
    client_order_id: str
    exchange: ExchangeIdentifier
    outcome: LegOutcome
    filled_size: Decimal
    detail: str = ""


@attrs.frozen
class UnverifiedVenue:
    """A venue whose positions could not be read during reconciliation."""

    exchange: ExchangeIdentifier
    reason: str


@attrs.frozen
class ReconciliationReport:
    """What start-up (or a later re-check) found when comparing the journal with the
    venues. ``clean`` is required before any new position is opened."""

    at: datetime
    symbol: Symbol
    resolved: tuple[OrderResolution, ...] = ()
    unresolved: tuple[str, ...] = ()
    differences: tuple[PositionDifference, ...] = ()
    unverified: tuple[UnverifiedVenue, ...] = ()
    """Venues whose positions could not be read (with why): no opening involves them."""
    recovered: tuple[ExecutionReport, ...] = ()

    @property
    def clean(self) -> bool:
        return (
            not self.unresolved
            and not self.differences
            and not self.unverified
            and all(r.status.is_clean for r in self.recovered)
        )

    def problems(self) -> tuple[str, ...]:
        return self.blocking_problems() + tuple(
            f"positions not verified: {u.reason}" for u in self.unverified
        )

    def blocking_problems(self) -> tuple[str, ...]:
        """What refuses *every* new position (an unverified venue only blocks itself)."""
        out = [f"unresolved order {cid}" for cid in self.unresolved]
        out += [f"position mismatch: {d.describe()}" for d in self.differences]
        out += [
            f"recovered signal {r.signal_id} left {r.status.value} (residual {r.residual_base})"
            for r in self.recovered
            if not r.status.is_clean
        ]
        return tuple(out)

    def describe(self) -> str:
        head = f"reconciliation {self.symbol} at {self.at.isoformat()}: " + (
            "clean" if self.clean else "NOT clean"
        )
        lines = [head]
        lines += [
            f"  resolved {r.client_order_id} on {r.exchange}: {r.outcome.value} "
            f"filled {r.filled_size} {r.detail}".rstrip()
            for r in self.resolved
        ]
        lines += [f"  recovered: {r.describe()}" for r in self.recovered]
        lines += [f"  problem: {p}" for p in self.problems()]
        return "\n".join(lines)


__all__ = [
    "RETRY_ATTEMPTS",
    "UNWIND_ATTEMPTS",
    "ExecutionReport",
    "ExecutionStatus",
    "LegOutcome",
    "LegSummary",
    "OrderAttempt",
    "OrderPurpose",
    "OrderResolution",
    "PositionDifference",
    "ReconciliationReport",
    "UnverifiedVenue",
]
