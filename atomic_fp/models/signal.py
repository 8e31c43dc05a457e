"""Decisions' output: legs and the signal that groups them."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    non_empty_str,
    optional_finite_decimal,
    optional_positive,
    positive,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.book import Side
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


class SignalKind(enum.Enum):
    OPEN = "open"
    CLOSE = "close"
    REBALANCE = "rebalance"
    REDUCE = "reduce"


@attrs.frozen
class TradeLeg:
    """One order-to-be on one venue. ``size`` is in venue units, valid for the venue's lot
    step; ``base_size`` (size x multiplier) is the base-asset exposure it moves.
    ``reference_price`` is the price the decision expected (book VWAP or mark), from which
    the slippage-capped limit price is derived."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    side: Side
    size: Decimal = attrs.field(validator=positive)
    contract_multiplier: Decimal = attrs.field(default=Decimal(1), validator=positive)
    reduce_only: bool = False
    reference_price: Decimal | None = attrs.field(default=None, validator=optional_positive)

    @property
    def base_size(self) -> Decimal:
        return self.size * self.contract_multiplier

    @property
    def signed_base_size(self) -> Decimal:
        return self.base_size * self.side.sign


def _legs(value: Sequence[TradeLeg]) -> tuple[TradeLeg, ...]:
    return tuple(value)


def _non_empty_legs(
    _: object, attribute: attrs.Attribute[tuple[TradeLeg, ...]], value: tuple[TradeLeg, ...]
) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must hold at least one leg")


@attrs.frozen
class TradingSignal:
    """What a decision wants done: any number of legs, why, and what kind of action.

    ``signal_id`` is a content hash, so the same decision on the same data always yields the
    same id, and client order ids derived from it make retries idempotent.
    """

    kind: SignalKind
    symbol: Symbol
    legs: tuple[TradeLeg, ...] = attrs.field(converter=_legs, validator=_non_empty_legs)
    reason: str = attrs.field(validator=non_empty_str)
    created_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    expected_net_apr: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)

    @property
    def signal_id(self) -> str:
        digest = hashlib.sha256()
        digest.update(
            "|".join(
                [
                    self.kind.value,
                    str(self.symbol),
                    self.created_at.isoformat(),
                    *(
                        f"{leg.exchange}:{leg.side.value}:{leg.size.normalize()}:{leg.reduce_only}"
                        for leg in self.legs
                    ),
                ]
            ).encode()
        )
        return digest.hexdigest()[:16]

    def client_order_id(self, leg_index: int, attempt: int = 0) -> str:
        """Deterministic client order id of one leg (and retry attempt) of this signal."""
        if not 0 <= leg_index < len(self.legs):
            raise IndexError(f"leg index {leg_index} out of range")
        return f"afp{self.signal_id}{leg_index:02d}{attempt:02d}"

    @property
    def net_base_exposure(self) -> Decimal:
        return sum((leg.signed_base_size for leg in self.legs), Decimal(0))


__all__ = ["SignalKind", "TradeLeg", "TradingSignal"]
