"""Fault knobs of the paper venue, for tests and drills.

Every knob is a plain mutable attribute so a test (or a soak drill) can turn faults on and
off between calls. Counters (``*_next``) fire on the next N orders and count down;
probabilities draw from the injected ``rng`` only (a seeded :class:`random.Random`), so a
drill with a given seed is reproducible.
"""

from __future__ import annotations

import enum
import random
from decimal import Decimal
from operator import attrgetter

import attrs


class OrderFault(enum.Enum):
    """What happens to one order call."""

    NONE = "none"
    REJECT = "reject"
    """The venue answers and refuses (:class:`~atomic_fp.errors.VenueRejected`)."""
    TIMEOUT_AFTER_FILL = "timeout_after_fill"
    """The venue fills the order but the call answers :class:`~atomic_fp.errors.Ambiguous`."""
    DROP = "drop"
    """The call times out before the venue got it: :class:`~atomic_fp.errors.Ambiguous`,
    and the venue has no such order."""
    PARTIAL_FILL = "partial_fill"
    """Only ``partial_fill_ratio`` of the size fills (rounded down to the lot)."""
    LATE_EXECUTION = "late_execution"
    """The call answers :class:`~atomic_fp.errors.Ambiguous` now ("execution status
    unknown", as Binance's HTTP 503 / ``-1007``) and the venue executes the order
    ``late_execution_delay`` seconds later (venue clock), if that is still inside the
    order's validity window (``expires_at``); else the order expires unseen. Until it
    executes, a lookup by client id answers ``OrderNotFound``."""


@attrs.define
class PaperFaults:
    down: bool = False
    """Every call fails: reads with NetworkError, order calls with NotSent."""
    latency: float = 0.0
    """Seconds each call spends before the venue acts on it."""
    order_latency: float = 0.0
    """Extra seconds an order placement spends before the venue acts on it."""
    response_latency: float = 0.0
    """Seconds each call spends after the venue acted, before the answer arrives."""
    reject_next: int = 0
    reject_probability: float = 0.0
    timeout_after_fill_next: int = 0
    timeout_after_fill_probability: float = 0.0
    drop_next: int = 0
    drop_probability: float = 0.0
    partial_fill_next: int = 0
    partial_fill_probability: float = 0.0
    partial_fill_ratio: Decimal = Decimal("0.5")
    late_execution_next: int = 0
    late_execution_probability: float = 0.0
    late_execution_delay: tuple[float, float] = (0.0, 3.0)
    """Seconds (drawn uniformly from the range with ``rng``) after arrival at which a
    late-executed order executes."""
    reject_reduce_only: bool = False
    """Refuse every reduce-only order (e.g. to drill an unwind that cannot be done)."""
    read_failure_probability: float = 0.0
    """Chance that a read (positions, order lookup, book...) fails with NetworkError."""
    rng: random.Random = attrs.field(factory=lambda: random.Random(0), repr=False)  # noqa: S311

    def next_order_fault(self) -> OrderFault:
        """Draw the fault for one order call (counters first, then probabilities)."""
        if self.reject_next > 0:
            self.reject_next -= 1
            return OrderFault.REJECT
        if self.timeout_after_fill_next > 0:
            self.timeout_after_fill_next -= 1
            return OrderFault.TIMEOUT_AFTER_FILL
        if self.drop_next > 0:
            self.drop_next -= 1
            return OrderFault.DROP
        if self.partial_fill_next > 0:
            self.partial_fill_next -= 1
            return OrderFault.PARTIAL_FILL
        if self.late_execution_next > 0:
            self.late_execution_next -= 1
            return OrderFault.LATE_EXECUTION
        for probability, fault in (
            (self.reject_probability, OrderFault.REJECT),
            (self.timeout_after_fill_probability, OrderFault.TIMEOUT_AFTER_FILL),
            (self.drop_probability, OrderFault.DROP),
            (self.partial_fill_probability, OrderFault.PARTIAL_FILL),
            (self.late_execution_probability, OrderFault.LATE_EXECUTION),
        ):
            if probability > 0 and self.rng.random() < probability:
                return fault
        return OrderFault.NONE

    def late_delay(self) -> float:
        low, high = self.late_execution_delay
        return low if high <= low else self.rng.uniform(low, high)

    def read_fails(self) -> bool:
        return self.read_failure_probability > 0 and (
            self.rng.random() < self.read_failure_probability
        )

    def clear(self) -> None:
        """Turn every fault off (keeps the rng)."""
        rng = self.rng
        self.__init__(rng=rng)  # type: ignore[misc]


_KNOBS = attrgetter(*(f.name for f in attrs.fields(PaperFaults) if f.eq and f.name != "rng"))
_DEFAULT_KNOBS = _KNOBS(PaperFaults())


def faultless(faults: PaperFaults) -> bool:
    """``faults == PaperFaults(rng=faults.rng)``: every knob at its default, whatever the
    rng (what the backtest venue's direct order call requires, once per order). Compared
    as attrs' ``__eq__`` compares, field by field in one tuple (the rng is the same
    object on both sides, so it is equal), without building the default knobs per call;
    a subclass of :class:`PaperFaults` is compared by the old expression itself
    (``tests/adapters/test_paper_faultless.py``)."""
    if type(faults) is not PaperFaults:
        differs = faults != PaperFaults(rng=faults.rng)  # the old expression, as it was
        return not differs
    return bool(_KNOBS(faults) == _DEFAULT_KNOBS)


__all__ = ["OrderFault", "PaperFaults", "faultless"]
