"""What an account holds on one venue: positions and balances."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    finite_decimal,
    non_empty_str,
    optional_finite_decimal,
    optional_non_negative,
    positive,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


@attrs.frozen
class Position:
    """A position on one venue. ``size`` is signed (long > 0, short < 0) in venue units;
    ``base_size`` is the signed exposure in base-asset units."""

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


__all__ = ["Balance", "FundingPayment", "Position"]
