"""Orders: what we ask a venue to do, and what it says it did."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models._validators import (
    non_empty_str,
    non_negative,
    optional_finite_decimal,
    optional_non_negative,
    optional_positive,
    optional_to_utc,
    optional_utc_datetime,
    positive,
)
from atomic_fp.models.book import Side
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


class OrderType(enum.Enum):
    MARKET = "market"
    LIMIT = "limit"


class TimeInForce(enum.Enum):
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "post_only"


class OrderStatus(enum.Enum):
    """Venue-reported order state. ``PENDING``/``OPEN``/``PARTIALLY_FILLED`` are live;
    the rest are terminal."""

    PENDING = "pending"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)

_CLIENT_ID_MAX = 36


def _client_order_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    non_empty_str(_, attribute, value)
    if len(value) > _CLIENT_ID_MAX or not value.isascii():
        raise ValueError(f"{attribute.name} must be ASCII and at most {_CLIENT_ID_MAX} chars")


@attrs.frozen
class OrderRequest:
    """One order to send. ``size`` is in venue units and already valid for the venue's
    lot step; ``limit_price`` doubles as the slippage cap of an IOC 'market' order."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    side: Side
    size: Decimal = attrs.field(validator=positive)
    client_order_id: str = attrs.field(validator=_client_order_id)
    order_type: OrderType = OrderType.LIMIT
    limit_price: Decimal | None = attrs.field(default=None, validator=optional_positive)
    time_in_force: TimeInForce = TimeInForce.IOC
    reduce_only: bool = False
    expires_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_utc_datetime
    )
    """The order's validity deadline, enforced by the venue itself (Binance ``timestamp`` +
    ``recvWindow``, Hyperliquid ``expiresAfter``, GRVT the signature's ``expiration``; the
    paper venue refuses an order arriving later). An order the venue has not seen by then
    never will be, which is what lets an ambiguous answer be settled as "never sent" (see
    :func:`atomic_fp.orchestration.execution.resolve_order`). ``None``: no deadline
    (the adapter's own default applies; such an order is never presumed unsent)."""

    @limit_price.validator
    def _limit_needs_price(self, _: attrs.Attribute[Decimal | None], value: Decimal | None) -> None:
        if self.order_type is OrderType.LIMIT and value is None:
            raise ValueError("a limit order needs a limit_price")


@attrs.frozen
class Order:
    """The venue's view of an order. ``filled_size`` and ``size`` are in venue units."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    client_order_id: str = attrs.field(validator=_client_order_id)
    side: Side
    size: Decimal = attrs.field(validator=non_negative)
    status: OrderStatus
    filled_size: Decimal = attrs.field(default=Decimal(0), validator=non_negative)
    average_price: Decimal | None = attrs.field(default=None, validator=optional_non_negative)
    venue_order_id: str | None = None
    reduce_only: bool = False
    fee: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)
    updated_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_utc_datetime
    )
    reject_reason: str | None = None

    @filled_size.validator
    def _not_overfilled(self, _: attrs.Attribute[Decimal], value: Decimal) -> None:
        if self.size > 0 and value > self.size:
            raise ValueError(f"filled_size {value} exceeds order size {self.size}")

    @property
    def remaining(self) -> Decimal:
        return max(self.size - self.filled_size, Decimal(0))
