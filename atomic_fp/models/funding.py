"""Funding rates, carried with their interval and their meaning.

Sign convention everywhere in atomic-fp: a positive rate means longs pay shorts.
A rate is a fraction (``0.0001`` = 0.01 %) of notional paid per *settlement*; ``interval``
is the time between settlements (Lighter: 1 h, whatever unit a wire field is quoted in).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs

from atomic_fp.models._validators import (
    SlotSetters,
    finite_decimal,
    non_empty_str,
    optional_non_negative,
    optional_positive,
    optional_to_utc,
    optional_utc_datetime,
    positive_timedelta,
    slot_setters,
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


_MICROSECOND = timedelta(microseconds=1)


def interval_hours(interval: timedelta) -> Decimal:
    """Exact hours in a timedelta, as a Decimal (``60 min`` and ``1 h`` give the same)."""
    return Decimal(interval // _MICROSECOND) / _MICROSECONDS_PER_HOUR


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


# ---------------------------------------------------------------------------- one check per rate

_UTC = timezone.utc
_NO_TIME = timedelta(0)
_SHAPE: tuple[tuple[str, object, object], ...] = (
    ("exchange", None, None),
    ("symbol", None, None),
    ("rate", finite_decimal, None),
    ("interval", positive_timedelta, None),
    ("kind", None, None),
    ("observed_at", utc_datetime, to_utc),
    ("next_funding_time", optional_utc_datetime, optional_to_utc),
    ("funding_time", optional_utc_datetime, optional_to_utc),
    ("mark_price", optional_positive, None),
    ("index_price", optional_positive, None),
    ("venue_symbol", FundingRate._check_venue_symbol, None),
    ("cap", FundingRate._check_cap, None),
    ("floor", FundingRate._check_floor, None),
    ("open_interest", optional_non_negative, None),
    ("volume_24h", optional_non_negative, None),
    ("interval_doubt", None, None),
)
"""The fields, validators and converters :func:`checked_funding_rate`'s one check was
written for, in order; any other shape of :class:`FundingRate` disables it."""


def _slot_setters() -> SlotSetters | None:
    return slot_setters(FundingRate, _SHAPE, lambda f: (f.name, f.validator, f.converter))


_SETTERS = _slot_setters()
"""Not None when :class:`FundingRate` has the shape :data:`_SHAPE` (nothing runs on setattr
or around ``__init__``): only then does :func:`checked_funding_rate` check and store the
fields itself."""


class _Unfrozen(FundingRate):
    """:class:`FundingRate` with ordinary attribute stores, for :func:`checked_funding_rate`
    only: it sets a new rate's slots by plain stores (the slots are FundingRate's own, its
    layout is FundingRate's) and then makes the object a :class:`FundingRate`
    (``__class__`` assignment, allowed between a class and a subclass adding no slots).
    Saves ~9,500 instructions a rate against calling the 16 slot setters (callgrind;
    ~900 rates a warm scan round, issue 20). Never seen outside: every object leaves
    :func:`checked_funding_rate` as a FundingRate (tests/core/test_checked_funding_rate.py)."""

    __slots__ = ()
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__  # both generic: plain stores are the slots' own


def checked_funding_rate(
    *,
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    rate: Decimal,
    interval: timedelta,
    kind: FundingKind,
    observed_at: datetime,
    next_funding_time: datetime | None = None,
    funding_time: datetime | None = None,
    mark_price: Decimal | None = None,
    index_price: Decimal | None = None,
    venue_symbol: str | None = None,
    cap: Decimal | None = None,
    floor: Decimal | None = None,
    open_interest: Decimal | None = None,
    volume_24h: Decimal | None = None,
    interval_doubt: str | None = None,
) -> FundingRate:
    """Exactly ``FundingRate(...)`` with these fields (the same object or the same
    refusal), at about half its cost: what parsers build ~900 times per scan (issue 20).

    Every field attrs would check is checked once, in one expression, for its common case
    (the exact types, UTC's own ``tzinfo`` so the converters would return their input);
    then the slots are set directly. Anything else (a miss of any check, a subclass of
    Decimal, another UTC ``tzinfo``, validators disabled or not) is built by
    ``FundingRate(...)`` itself, which converts, refuses with its own message, or accepts.
    tests/core/test_checked_funding_rate.py (hypothesis) holds both to the same outcome.
    """
    if (
        _SETTERS is not None
        and type(rate) is Decimal
        and rate.is_finite()
        and type(interval) is timedelta
        and interval > _NO_TIME
        and type(observed_at) is datetime
        and observed_at.tzinfo is _UTC
        and (
            next_funding_time is None
            or (type(next_funding_time) is datetime and next_funding_time.tzinfo is _UTC)
        )
        and (
            funding_time is None or (type(funding_time) is datetime and funding_time.tzinfo is _UTC)
        )
        and (
            mark_price is None
            or (type(mark_price) is Decimal and mark_price.is_finite() and mark_price > 0)
        )
        and (
            index_price is None
            or (type(index_price) is Decimal and index_price.is_finite() and index_price > 0)
        )
        and (
            venue_symbol is None
            or (type(venue_symbol) is str and venue_symbol != "" and not venue_symbol.isspace())
        )
        and (cap is None or (type(cap) is Decimal and cap.is_finite()))
        and (
            floor is None
            or (type(floor) is Decimal and floor.is_finite() and (cap is None or not floor > cap))
        )
        and (
            open_interest is None
            or (type(open_interest) is Decimal and open_interest.is_finite() and open_interest >= 0)
        )
        and (
            volume_24h is None
            or (type(volume_24h) is Decimal and volume_24h.is_finite() and volume_24h >= 0)
        )
    ):
        new: Any = object.__new__(_Unfrozen)  # Any: the frozen fields are stored here
        new.exchange = exchange
        new.symbol = symbol
        new.rate = rate
        new.interval = interval
        new.kind = kind
        new.observed_at = observed_at
        new.next_funding_time = next_funding_time
        new.funding_time = funding_time
        new.mark_price = mark_price
        new.index_price = index_price
        new.venue_symbol = venue_symbol
        new.cap = cap
        new.floor = floor
        new.open_interest = open_interest
        new.volume_24h = volume_24h
        new.interval_doubt = interval_doubt
        new.__class__ = FundingRate
        built: FundingRate = new
        return built
    return FundingRate(
        exchange=exchange,
        symbol=symbol,
        rate=rate,
        interval=interval,
        kind=kind,
        observed_at=observed_at,
        next_funding_time=next_funding_time,
        funding_time=funding_time,
        mark_price=mark_price,
        index_price=index_price,
        venue_symbol=venue_symbol,
        cap=cap,
        floor=floor,
        open_interest=open_interest,
        volume_24h=volume_24h,
        interval_doubt=interval_doubt,
    )
