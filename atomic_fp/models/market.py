"""A tradable perpetual on one venue, with the venue's trading rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import cast

import attrs

from atomic_fp.models._validators import (
    SlotSetters,
    non_empty_str,
    optional_non_negative,
    optional_positive,
    positive,
    positive_timedelta,
    slot_setters,
)
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


@attrs.frozen
class Market:
    """Trading rules of one instrument on one venue.

    Sizes (``lot_size``, ``min_size``) are in the venue's own size unit; one unit of that
    is ``contract_multiplier`` units of ``symbol.base`` (e.g. Binance ``1000PEPEUSDT`` and
    Hyperliquid ``kPEPE`` both have multiplier 1000). Prices are per venue size unit.
    ``min_notional`` is in the settlement asset. ``open_interest`` and ``volume_24h`` are
    liquidity in the quote currency (``None``: the venue does not publish it where we read).
    """

    exchange: ExchangeIdentifier
    symbol: Symbol
    venue_symbol: str = attrs.field(validator=non_empty_str)
    tick_size: Decimal = attrs.field(validator=positive)
    lot_size: Decimal = attrs.field(validator=positive)
    min_size: Decimal = attrs.field(validator=optional_non_negative, default=Decimal(0))
    min_notional: Decimal = attrs.field(validator=optional_non_negative, default=Decimal(0))
    contract_multiplier: Decimal = attrs.field(validator=positive, default=Decimal(1))
    funding_interval: timedelta = attrs.field(
        validator=positive_timedelta, default=timedelta(hours=8)
    )
    """The venue's funding period. The 8 h default is an assumption that misleads wherever
    it is read for a venue that did not say (the stream layer's ``Listing.of_market``
    turns pushed rates into per-interval rates with it; the paper venue settles by it):
    venues that cannot tell set it explicitly (the ccxt kind uses an absurd 1 s
    placeholder plus ``interval_doubt`` on its rates, see ``adapters/ccxt_venue/parsing``)."""
    settle_asset: str = "USD"
    max_leverage: Decimal | None = attrs.field(validator=optional_positive, default=None)
    open_interest: Decimal | None = attrs.field(validator=optional_non_negative, default=None)
    """Open interest in the quote currency (base OI x price), where the venue publishes it."""
    volume_24h: Decimal | None = attrs.field(validator=optional_non_negative, default=None)
    """Traded notional over the last 24 h in the quote currency, where published."""

    @property
    def base_lot(self) -> Decimal:
        """The smallest size step in base-asset units."""
        return self.lot_size * self.contract_multiplier

    def to_base(self, venue_size: Decimal) -> Decimal:
        return venue_size * self.contract_multiplier

    def to_venue(self, base_size: Decimal) -> Decimal:
        return base_size / self.contract_multiplier


# ---------------------------------------------------------------------------- one check per market

_NO_TIME = timedelta(0)
_SHAPE: tuple[tuple[str, object, object], ...] = (
    ("exchange", None, attrs.NOTHING),
    ("symbol", None, attrs.NOTHING),
    ("venue_symbol", non_empty_str, attrs.NOTHING),
    ("tick_size", positive, attrs.NOTHING),
    ("lot_size", positive, attrs.NOTHING),
    ("min_size", optional_non_negative, Decimal(0)),
    ("min_notional", optional_non_negative, Decimal(0)),
    ("contract_multiplier", positive, Decimal(1)),
    ("funding_interval", positive_timedelta, timedelta(hours=8)),
    ("settle_asset", None, "USD"),
    ("max_leverage", optional_positive, None),
    ("open_interest", optional_non_negative, None),
    ("volume_24h", optional_non_negative, None),
)
"""The fields, validators and defaults :func:`checked_market`'s one check was written for,
in order; any other shape of :class:`Market` (a converter, a new field or validator, a
post-init) disables it."""

_FIELDS = attrs.fields(Market)
# the constructor's own default objects, so an omitted field is the very same object
_MIN_SIZE = cast(Decimal, _FIELDS.min_size.default)
_MIN_NOTIONAL = cast(Decimal, _FIELDS.min_notional.default)
_MULTIPLIER = cast(Decimal, _FIELDS.contract_multiplier.default)
_INTERVAL = cast(timedelta, _FIELDS.funding_interval.default)
_SETTLE = cast(str, _FIELDS.settle_asset.default)


def _slot_setters() -> SlotSetters | None:
    return slot_setters(
        Market,
        tuple((*row, None) for row in _SHAPE),  # and no converter
        lambda f: (f.name, f.validator, f.default, f.converter),
    )


_SETTERS = _slot_setters()


def checked_market(
    *,
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    venue_symbol: str,
    tick_size: Decimal,
    lot_size: Decimal,
    min_size: Decimal = _MIN_SIZE,
    min_notional: Decimal = _MIN_NOTIONAL,
    contract_multiplier: Decimal = _MULTIPLIER,
    funding_interval: timedelta = _INTERVAL,
    settle_asset: str = _SETTLE,
    max_leverage: Decimal | None = None,
    open_interest: Decimal | None = None,
    volume_24h: Decimal | None = None,
) -> Market:
    """Exactly ``Market(...)`` with these fields (the same object or the same refusal):
    every validated field checked once for its common case (the exact types), then the
    slots set directly; anything else is built by ``Market(...)`` itself (issue 20:
    Hyperliquid's answer rebuilds its ~200 markets every scan, with their liquidity).
    tests/core/test_checked_market.py (hypothesis) holds both to the same outcome."""
    if (
        _SETTERS is not None
        and type(venue_symbol) is str
        and venue_symbol != ""
        and not venue_symbol.isspace()
        and type(tick_size) is Decimal
        and tick_size.is_finite()
        and tick_size > 0
        and type(lot_size) is Decimal
        and lot_size.is_finite()
        and lot_size > 0
        and (
            min_size is None
            or (type(min_size) is Decimal and min_size.is_finite() and min_size >= 0)
        )
        and (
            min_notional is None
            or (type(min_notional) is Decimal and min_notional.is_finite() and min_notional >= 0)
        )
        and type(contract_multiplier) is Decimal
        and contract_multiplier.is_finite()
        and contract_multiplier > 0
        and type(funding_interval) is timedelta
        and funding_interval > _NO_TIME
        and (
            max_leverage is None
            or (type(max_leverage) is Decimal and max_leverage.is_finite() and max_leverage > 0)
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
        new = object.__new__(Market)
        (
            set_exchange,
            set_symbol,
            set_venue_symbol,
            set_tick_size,
            set_lot_size,
            set_min_size,
            set_min_notional,
            set_contract_multiplier,
            set_funding_interval,
            set_settle_asset,
            set_max_leverage,
            set_open_interest,
            set_volume_24h,
        ) = _SETTERS
        set_exchange(new, exchange)
        set_symbol(new, symbol)
        set_venue_symbol(new, venue_symbol)
        set_tick_size(new, tick_size)
        set_lot_size(new, lot_size)
        set_min_size(new, min_size)
        set_min_notional(new, min_notional)
        set_contract_multiplier(new, contract_multiplier)
        set_funding_interval(new, funding_interval)
        set_settle_asset(new, settle_asset)
        set_max_leverage(new, max_leverage)
        set_open_interest(new, open_interest)
        set_volume_24h(new, volume_24h)
        return new
    return Market(
        exchange=exchange,
        symbol=symbol,
        venue_symbol=venue_symbol,
        tick_size=tick_size,
        lot_size=lot_size,
        min_size=min_size,
        min_notional=min_notional,
        contract_multiplier=contract_multiplier,
        funding_interval=funding_interval,
        settle_asset=settle_asset,
        max_leverage=max_leverage,
        open_interest=open_interest,
        volume_24h=volume_24h,
    )
