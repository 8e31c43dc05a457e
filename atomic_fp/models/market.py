"""A tradable perpetual on one venue, with the venue's trading rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    non_empty_str,
    optional_non_negative,
    optional_positive,
    positive,
    positive_timedelta,
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
