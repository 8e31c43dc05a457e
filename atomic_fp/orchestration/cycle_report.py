"""What one strategy cycle saw, decided and did: :class:`CycleReport`, which is also the
list of orders the cycle sent (the seed design's ``orders = await
orchestrator.run_strategy_cycle()``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import overload

import attrs

from atomic_fp.models import Order, Symbol, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.orchestration.report import ExecutionReport, ReconciliationReport


@attrs.frozen
class CycleReport(Sequence[Order]):
    """What one strategy cycle saw, decided and did.

    It *is* the list of orders the cycle sent, as the seed design's
    ``orders = await orchestrator.run_strategy_cycle()`` expects (``len(orders)``,
    ``orders[0]``, ``for order in orders``): every order a venue acknowledged, in the order
    they were sent (both legs first, then any retry or unwind); empty when nothing traded.
    The rest of the report (signal, execution with legs and residual, reasons) is on it.
    """

    symbol: Symbol
    at: datetime
    action: str
    """``safety``, ``rebalance``, ``funding`` (a signal was executed) or ``none``."""
    signal: TradingSignal | None = None
    execution: ExecutionReport | None = None
    no_trade: tuple[str, ...] = ()
    excluded: Mapping[str, str] = attrs.field(factory=dict)
    blocked: tuple[str, ...] = ()
    reconciliation: ReconciliationReport | None = None
    quotes: Mapping[str, str] = attrs.field(factory=dict)
    """Venue -> the quote (settlement asset) it trades the symbol in, for venues whose
    market was read."""
    margins: Mapping[ExchangeIdentifier, AccountMargin] = attrs.field(factory=dict)
    """The account margins read this cycle (venues whose margin could be read): what the
    opening check judged, and what ``run``'s margin alerts read."""
    rate_sources: Mapping[str, str] = attrs.field(factory=dict)
    """Venue -> where the decision's rate came from, with a pushed-rate source (``run``
    with market streams): ``stream (age 2s)``, ``REST`` or ``REST fallback: why``."""

    @property
    def orders(self) -> tuple[Order, ...]:
        if self.execution is None:
            return ()
        return tuple(a.order for a in self.execution.attempts if a.order is not None)

    @overload
    def __getitem__(self, index: int) -> Order: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Order]: ...

    def __getitem__(self, index: int | slice) -> Order | Sequence[Order]:
        return self.orders[index]

    def __len__(self) -> int:
        return len(self.orders)

    def __iter__(self) -> Iterator[Order]:
        return iter(self.orders)

    def __bool__(self) -> bool:
        """A report is always something (even with no order): ``if report`` stays true."""
        return True

    def describe(self) -> str:
        lines = [f"cycle {self.symbol} at {self.at.isoformat()}: {self.action}"]
        if self.quotes:
            used = ", ".join(f"{venue} {quote}" for venue, quote in sorted(self.quotes.items()))
            lines.append(f"  quotes: {used}")
        lines += [f"  excluded {venue}: {why}" for venue, why in sorted(self.excluded.items())]
        lines += [
            f"  rates {venue}: {source}"
            for venue, source in sorted(self.rate_sources.items())
            if source.startswith("REST fallback")
        ]
        lines += [f"  opening blocked: {why}" for why in self.blocked]
        lines += [f"  no trade: {why}" for why in self.no_trade]
        if self.signal is not None:
            lines.append(f"  why: {self.signal.reason}")
        if self.reconciliation is not None:
            lines.append("  " + self.reconciliation.describe().replace("\n", "\n  "))
        if self.execution is not None:
            lines.append("  " + self.execution.describe().replace("\n", "\n  "))
        return "\n".join(lines)
