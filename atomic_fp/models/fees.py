"""What a venue charges, and where that figure came from.

A fee is only as good as its source, and the user acts on the net APR it produces, so every
fee carries one: ``account`` (the venue told us this account's rates), ``published`` (the
venue's published base tier, or a per-market fee the venue's API publishes for everyone),
``config`` (the user's ``[venues.<id>] fees``, which always wins) or ``assumed`` (a venue that
publishes nothing we can read: the conservative 0.05 % taker of :data:`DEFAULT_FEES`).
"""

from __future__ import annotations

import enum

import attrs

from atomic_fp.models.config import DEFAULT_FEES, VenueFees


class FeeSource(enum.Enum):
    ACCOUNT = "account"
    PUBLISHED = "published"
    CONFIG = "config"
    ASSUMED = "assumed"


@attrs.frozen
class FeeQuote:
    """One venue's maker/taker fees with their source and a one-line ``detail`` (which
    endpoint, tier or document, and when: shown in ``scan --format json``)."""

    fees: VenueFees
    source: FeeSource
    detail: str = ""


ASSUMED_FEES = FeeQuote(
    DEFAULT_FEES,
    FeeSource.ASSUMED,
    "the venue publishes no fee we can read: assumed 0.05 % taker / 0.02 % maker; "
    "set [venues.<id>] fees",
)

__all__ = ["ASSUMED_FEES", "FeeQuote", "FeeSource"]
