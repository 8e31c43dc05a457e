"""Bounds of one execution: residual policy, waits, and each order's validity window."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from decimal import Decimal

import anyio
import attrs

Sleep = Callable[[float], Awaitable[None]]
"""How the execution waits (``anyio.sleep``; tests inject a fake that advances a fake
clock, so no test depends on wall-clock speed)."""


def _positive_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a positive number of seconds, got {value!r}")


def _non_negative_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be >= 0 seconds, got {value!r}")


@attrs.frozen
class ExecutionPolicy:
    """Bounds of the residual policy and of the waits around orders."""

    max_retries: int = 2
    """Rounds of retrying the short side."""
    max_unwind_rounds: int = 2
    """Rounds of reduce-only unwinds of the excess."""
    retry_rejected: bool = True
    """Retry a leg the venue rejected (a rejection can be transient: margin, rate limit)."""
    order_timeout: float = 10.0
    """Seconds an order call may take; past that the order is ambiguous."""
    lookup_attempts: int = 3
    """Failed lookups (errors other than "not found") after which an ambiguous order is
    left unresolved for reconciliation."""
    lookup_delay: float = 0.5
    """Seconds before the first lookup of an ambiguous order."""
    validity_window: float = attrs.field(default=5.0, validator=_positive_seconds)
    """Seconds every order stays valid after it is planned: its ``expires_at``, which the
    venue itself enforces (see :mod:`atomic_fp.orchestration.validity`). Binance's
    default ``recvWindow`` is 5000 ms (at most 60000)."""
    clock_skew_margin: float = attrs.field(default=1.0, validator=_non_negative_seconds)
    """Seconds added to a deadline for the difference between our clock and the venue's
    (Binance refuses a timestamp more than 1000 ms ahead of its own clock)."""
    unknown_status_grace: float = attrs.field(default=5.0, validator=_non_negative_seconds)
    """Further seconds an ambiguous order is watched past deadline + margin before it may
    be called never sent (Binance: HTTP 503 / ``-1007`` "execution status unknown", the
    order may still execute after the answer; see :mod:`~atomic_fp.orchestration.validity`)."""
    watch_interval: float = attrs.field(default=0.5, validator=_positive_seconds)
    """Seconds between lookups while an ambiguous order is watched."""
    sleep: Sleep = attrs.field(default=anyio.sleep, eq=False, repr=False)
    """How waits are made (injectable: a fake clock's ``sleep`` in tests)."""
    unwind_slippage_factor: Decimal = Decimal(2)
    """Unwinds accept this multiple of the configured slippage cap: closing exposure
    matters more than its price."""
    max_retry_after: float = 30.0
    """Longest ``Retry-After`` (HTTP 429/418/503) an execution waits for before it retries
    or unwinds on that venue. A venue asking for longer gets nothing more from this
    execution (re-sending early invites a 418 IP ban on Binance): the leg is left as it
    is and reported."""

    @property
    def watch_after_deadline(self) -> float:
        """Seconds past an order's deadline it is still watched for."""
        return self.clock_skew_margin + self.unknown_status_grace


__all__ = ["ExecutionPolicy", "Sleep"]
