"""Funding rates, carried with their interval and their meaning.

Sign convention everywhere in atomic-fp: a positive rate means longs pay shorts.
A rate is a fraction (``0.0001`` = 0.01 %) of notional paid per *settlement*; ``interval``
is the time between settlements (Lighter: 1 h, whatever unit a wire field is quoted in).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    finite_decimal,
    non_empty_str,
    optional_non_negative,
    optional_positive,
    optional_to_utc,
    optional_utc_datetime,
    positive_timedelta,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol

HOURS_PER_YEAR = Decimal(8760)
_MICROSECONDS_PER_HOUR = 3_600_000_000


class FundingKind(enum.Enum):
    """What a published rate means.

    - ``PREDICTED``: an estimate for a future period (e.g. Hyperliquid ``predictedFundings``).
    - ``CURRENT``: the rate accruing for the period in progress, paid at ``next_funding_time``
      (Binance ``lastFundingRate`` in ``premiumIndex``, Hyperliquid ctx ``funding``).
    - ``SETTLED``: a rate that has been paid, at ``funding_time``.
    """

    PREDICTED = "predicted"
    CURRENT = "current"
    SETTLED = "settled"


def interval_hours(interval: timedelta) -> Decimal:
    """Exact hours in a timedelta, as a Decimal (``60 min`` and ``1 h`` give the same)."""
    return Decimal(interval // timedelta(microseconds=1)) / _MICROSECONDS_PER_HOUR


@attrs.frozen
class FundingRate:
    """One funding-rate observation for one symbol on one venue.

    ``rate`` is per ``interval``; ``observed_at`` is when we (or the venue) observed it, which
    is what staleness is measured against. ``funding_time`` is the settlement instant of a
    SETTLED rate; ``next_funding_time`` the next settlement for a CURRENT/PREDICTED one.
    """

    exchange: ExchangeIdentifier
    symbol: Symbol
    rate: Decimal = attrs.field(validator=finite_decimal)
    interval: timedelta = attrs.field(validator=positive_timedelta)
    kind: FundingKind
    observed_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    next_funding_time: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_utc_datetime
    )
    funding_time: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_utc_datetime
    )
    mark_price: Decimal | None = attrs.field(default=None, validator=optional_positive)
    index_price: Decimal | None = attrs.field(default=None, validator=optional_positive)
    venue_symbol: str | None = attrs.field(default=None)
    cap: Decimal | None = attrs.field(default=None)
    """The highest rate per settlement the venue will pay (Binance ``adjustedFundingRateCap``,
    GRVT ``adjusted_funding_rate_cap``, Lighter ``funding_clamp_big``), if it publishes one."""
    floor: Decimal | None = attrs.field(default=None)
    """The lowest rate per settlement (Binance ``adjustedFundingRateFloor``...)."""
    open_interest: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    """The market's open interest in the quote currency, when the response that carried the
    rate also carried it (Hyperliquid ctx, GRVT ticker, Lighter ``orderBookDetails``)."""
    volume_24h: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    """The market's 24 h traded notional in the quote currency, when published alongside."""
    interval_doubt: str | None = attrs.field(default=None)
    """Why ``interval`` may be wrong (it contradicts the venue's next funding time even after
    the client refreshed it); such a rate is left out of rankings and decisions with this
    reason (:mod:`atomic_fp.intervals`)."""

    @cap.validator
    def _check_cap(self, attribute: attrs.Attribute[Decimal | None], value: Decimal | None) -> None:
        if value is not None:
            finite_decimal(self, attribute, value)

    @floor.validator
    def _check_floor(
        self, attribute: attrs.Attribute[Decimal | None], value: Decimal | None
    ) -> None:
        if value is not None:
            finite_decimal(self, attribute, value)
            if self.cap is not None and value > self.cap:
                raise ValueError(f"funding floor {value} is above its cap {self.cap}")

    @venue_symbol.validator
    def _check_venue_symbol(
        self, attribute: attrs.Attribute[str | None], value: str | None
    ) -> None:
        if value is not None and not (type(value) is str and value and not value.isspace()):
            non_empty_str(self, attribute, value)

    @property
    def interval_hours(self) -> Decimal:
        return interval_hours(self.interval)

    @property
    def payable(self) -> Decimal:
        """``rate`` clamped to ``[floor, cap]``: what one settlement can actually pay. Every
        APR is computed from this, so a rate beyond its cap is never annualised past it."""
        rate = self.rate
        if self.cap is not None and rate > self.cap:
            return self.cap
        if self.floor is not None and rate < self.floor:
            return self.floor
        return rate

    @property
    def capped(self) -> bool:
        """Whether ``rate`` lies beyond its cap or floor (``payable`` differs from it)."""
        return self.payable != self.rate

    @property
    def hourly(self) -> Decimal:
        """The payable rate per hour (fraction)."""
        return self.payable / self.interval_hours

    @property
    def apr(self) -> Decimal:
        """Simple annualised rate: ``payable / interval_hours * 8760`` (a fraction)."""
        return self.hourly * HOURS_PER_YEAR

    def age(self, now: datetime) -> timedelta:
        return now - self.observed_at
