"""What an account holds on one venue: positions and balances."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    Number,
    exact_decimal,
    finite_decimal,
    non_empty_str,
    optional_finite_decimal,
    optional_non_negative,
    positive,
    to_utc,
    utc_datetime,
    utc_now,
)
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol, venue_id


class PositionSide(enum.Enum):
    LONG = "long"
    SHORT = "short"

    @classmethod
    def parse(cls, value: PositionSide | str) -> PositionSide:
        if isinstance(value, PositionSide):
            return value
        if isinstance(value, str):
            for side in cls:
                if value.strip().lower() == side.value:
                    return side
        raise ValueError(f"side must be 'long' or 'short', got {value!r}")


def _signed_size(
    size: Number | None, quantity: Number | None, side: PositionSide | str | None
) -> Decimal:
    """The signed size from either spelling: ``size`` (signed) or the seed's unsigned
    ``quantity`` with ``side="long"``/``"short"``."""
    if quantity is None:
        if size is None:
            raise TypeError("Position needs size (signed) or quantity with side")
        if side is not None:
            raise TypeError("Position: side goes with quantity; size is already signed")
        return exact_decimal(size, "size")
    if size is not None:
        raise TypeError("Position: give size (signed) or quantity with side, not both")
    amount = exact_decimal(quantity, "quantity")
    if amount < 0:
        raise ValueError(f"quantity must be >= 0 (the side gives the sign), got {quantity!r}")
    if side is None:
        if amount == 0:
            return amount
        raise TypeError("Position: quantity needs side='long' or side='short'")
    return amount if PositionSide.parse(side) is PositionSide.LONG else -amount


@attrs.frozen(init=False)
class Position:
    """A position on one venue. ``size`` is signed (long > 0, short < 0) in venue units;
    ``base_size`` is the signed exposure in base-asset units.

    The seed design's spelling works too, converted exactly:
    ``Position(exchange="grvt", symbol=Symbol("BTC"), quantity=5.0, side="long")`` is
    ``size=Decimal("5.0")`` (a short is negative). ``observed_at`` defaults to now, in UTC.
    """

    exchange: ExchangeIdentifier
    symbol: Symbol
    size: Decimal = attrs.field(validator=finite_decimal)
    observed_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    contract_multiplier: Decimal = attrs.field(default=Decimal(1), validator=positive)
    entry_price: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    mark_price: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    liquidation_price: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    unrealized_pnl: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)
    cumulative_funding: Decimal | None = attrs.field(
        default=None, validator=optional_finite_decimal
    )
    leverage: Decimal | None = attrs.field(default=None, validator=optional_non_negative)

    def __init__(
        self,
        exchange: ExchangeIdentifier | str,
        symbol: Symbol,
        size: Number | None = None,
        observed_at: datetime | None = None,
        contract_multiplier: Number = Decimal(1),
        entry_price: Number | None = None,
        mark_price: Number | None = None,
        liquidation_price: Number | None = None,
        unrealized_pnl: Number | None = None,
        cumulative_funding: Number | None = None,
        leverage: Number | None = None,
        *,
        quantity: Number | None = None,
        side: PositionSide | str | None = None,
    ) -> None:
        def optional(value: Number | None, name: str) -> Decimal | None:
            return None if value is None else exact_decimal(value, name)

        self.__attrs_init__(
            venue_id(exchange),
            symbol,
            _signed_size(size, quantity, side),
            utc_now() if observed_at is None else observed_at,
            exact_decimal(contract_multiplier, "contract_multiplier"),
            optional(entry_price, "entry_price"),
            optional(mark_price, "mark_price"),
            optional(liquidation_price, "liquidation_price"),
            optional(unrealized_pnl, "unrealized_pnl"),
            optional(cumulative_funding, "cumulative_funding"),
            optional(leverage, "leverage"),
        )

    @property
    def quantity(self) -> Decimal:
        """The unsigned size (the seed's ``quantity``); :attr:`side` gives the direction."""
        return abs(self.size)

    @property
    def side(self) -> PositionSide | None:
        """``LONG``, ``SHORT``, or ``None`` when flat."""
        if self.size == 0:
            return None
        return PositionSide.LONG if self.size > 0 else PositionSide.SHORT

    @property
    def base_size(self) -> Decimal:
        return self.size * self.contract_multiplier

    @property
    def is_flat(self) -> bool:
        return self.size == 0

    @property
    def liquidation_distance(self) -> Decimal | None:
        """Fractional move of the mark price that would liquidate this position
        (``|mark - liq| / mark``), or ``None`` when the venue did not report both."""
        if self.mark_price is None or self.liquidation_price is None or self.mark_price == 0:
            return None
        if self.liquidation_price == 0:
            return None
        return abs(self.mark_price - self.liquidation_price) / self.mark_price


@attrs.frozen
class Balance:
    """Collateral of one asset on one venue."""

    exchange: ExchangeIdentifier
    asset: str = attrs.field(validator=non_empty_str)
    total: Decimal = attrs.field(validator=finite_decimal)
    available: Decimal = attrs.field(validator=finite_decimal)
    observed_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)


@attrs.frozen
class FundingPayment:
    """Funding actually paid or received by the account (positive = received)."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    amount: Decimal = attrs.field(validator=finite_decimal)
    asset: str = attrs.field(validator=non_empty_str)
    time: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    rate: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)
    position_size: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)


__all__ = ["Balance", "FundingPayment", "Position", "PositionSide"]
