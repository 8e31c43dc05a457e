"""One pushed state of one order, as an account stream reports it (see
:mod:`atomic_fp.orchestration.order_updates`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order import Order, OrderRequest, OrderStatus


@attrs.frozen
class OrderUpdate:
    """One pushed state of one order: cumulative ``filled_size`` in venue units."""

    exchange: ExchangeIdentifier
    client_order_id: str
    status: OrderStatus
    filled_size: Decimal
    at: datetime
    average_price: Decimal | None = None
    venue_order_id: str | None = None
    size: Decimal | None = None

    def as_order(self, request: OrderRequest) -> Order:
        """The :class:`Order` this update describes, for the request that was sent."""
        return Order(
            exchange=request.exchange,
            symbol=request.symbol,
            client_order_id=request.client_order_id,
            side=request.side,
            size=self.size if self.size is not None else request.size,
            status=self.status,
            filled_size=self.filled_size,
            average_price=self.average_price,
            venue_order_id=self.venue_order_id,
            reduce_only=request.reduce_only,
            updated_at=self.at,
        )
