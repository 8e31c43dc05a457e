"""Strategy configuration: thresholds, sizes, costs and safety limits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType

import attrs

from atomic_fp.models._validators import (
    finite_decimal,
    non_negative,
    optional_positive,
    positive,
    positive_timedelta,
)


@attrs.frozen
class VenueFees:
    """Fee rates as fractions of notional. A negative maker fee is a rebate."""

    maker: Decimal = attrs.field(validator=finite_decimal)
    taker: Decimal = attrs.field(validator=non_negative)


DEFAULT_FEES = VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))


def _freeze_fees(value: Mapping[str, VenueFees]) -> Mapping[str, VenueFees]:
    return MappingProxyType(dict(value))


@attrs.frozen
class ArbitrageConfig:
    """Everything a decision needs to know besides the market data.

    Thresholds are APRs as fractions (``0.05`` = 5 %). ``trade_size`` and ``max_position``
    are in base-asset units (BTC, ETH...): ``max_position`` caps the absolute position on
    each venue. Round-trip taker fees on both legs are amortised over ``holding_horizon``.
    ``max_total_exposure`` caps one symbol's *gross* base exposure (sum of ``|base size|``
    over all venues, base-asset units like ``max_position``); ``liquidation_buffer`` is
    the smallest allowed liquidation distance, a fraction of the mark price.
    ``min_open_interest`` / ``min_volume_24h`` (quote currency) leave out markets thinner
    than that where the venue publishes the figure (:mod:`atomic_fp.decisions.liquidity`).
    """

    build_threshold: Decimal = attrs.field(validator=finite_decimal)
    close_threshold: Decimal = attrs.field(validator=finite_decimal)
    max_position: Decimal = attrs.field(validator=positive)
    trade_size: Decimal = attrs.field(validator=positive)
    fees: Mapping[str, VenueFees] = attrs.field(factory=dict, converter=_freeze_fees, hash=False)
    default_fees: VenueFees = DEFAULT_FEES
    holding_horizon: timedelta = attrs.field(
        default=timedelta(days=7), validator=positive_timedelta
    )
    max_data_age: timedelta = attrs.field(
        default=timedelta(minutes=5), validator=positive_timedelta
    )
    slippage_cap: Decimal = attrs.field(default=Decimal("0.005"), validator=non_negative)
    liquidation_buffer: Decimal = attrs.field(default=Decimal("0.10"), validator=non_negative)
    max_total_exposure: Decimal | None = attrs.field(default=None, validator=optional_positive)
    min_open_interest: Decimal | None = attrs.field(default=None, validator=optional_positive)
    min_volume_24h: Decimal | None = attrs.field(default=None, validator=optional_positive)

    @close_threshold.validator
    def _close_below_build(self, _: attrs.Attribute[Decimal], value: Decimal) -> None:
        if value > self.build_threshold:
            raise ValueError(
                f"close_threshold ({value}) must not exceed build_threshold "
                f"({self.build_threshold}), or a hedge would close as soon as it opens"
            )

    def fees_for(self, venue: str) -> VenueFees:
        return self.fees.get(venue, self.default_fees)
