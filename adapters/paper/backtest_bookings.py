"""The backtest paper venue's bookings: each fill's :class:`~atomic_fp.models.Order` and
each settlement's :class:`~atomic_fp.models.FundingPayment` built from the models' slots,
and a settlement's ledger reference written once per instant.

A backtest places about 7,300 orders and settles about 7,500 payments a simulated year;
building each model through its constructor ran every converter and validator on values
whose common case is checked here in one expression, as ``checked_funding_rate`` does for
rates (:mod:`atomic_fp.models.funding`). Where a value is anything else (another type, a
NaN, a negative size, an overfilled order, a time not in UTC's own ``tzinfo``), the
constructor builds it and refuses what it refused. The builders exist only while the
models have the fields and validators these checks were written for
(:func:`~adapters.paper.restamp.slot_builder`). Split from :mod:`adapters.paper.backtest`,
which builds on :class:`BacktestBookings`.
``tests/adapters/test_paper_bookings_built.py`` holds both to the same outcome.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from adapters.paper.backtest_marks import BacktestMarkMoves
from adapters.paper.restamp import slot_builder, utc_instant
from atomic_fp.models import FundingPayment, Order, OrderRequest, OrderStatus, Symbol
from atomic_fp.models._validators import (
    finite_decimal,
    non_empty_str,
    non_negative,
    optional_finite_decimal,
    optional_non_negative,
    optional_to_utc,
    optional_utc_datetime,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.order import _CLIENT_ID_MAX, _client_order_id

_ORDER = slot_builder(
    Order,
    (
        ("exchange", None, None),
        ("symbol", None, None),
        ("client_order_id", _client_order_id, None),
        ("side", None, None),
        ("size", non_negative, None),
        ("status", None, None),
        ("filled_size", (non_negative, Order._not_overfilled), None),
        ("average_price", optional_non_negative, None),
        ("venue_order_id", None, None),
        ("reduce_only", None, None),
        ("fee", optional_finite_decimal, None),
        ("updated_at", optional_utc_datetime, optional_to_utc),
        ("reject_reason", None, None),
    ),
)
_PAYMENT = slot_builder(
    FundingPayment,
    (
        ("exchange", None, None),
        ("symbol", None, None),
        ("amount", finite_decimal, None),
        ("asset", non_empty_str, None),
        ("time", utc_datetime, to_utc),
        ("rate", optional_finite_decimal, None),
        ("position_size", optional_finite_decimal, None),
    ),
)


class BacktestBookings(BacktestMarkMoves):
    """Orders and funding payments built from their slots (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reference: tuple[datetime | None, str] = (None, "")

    def _new_order(
        self,
        request: OrderRequest,
        status: OrderStatus,
        filled: Decimal,
        average: Decimal | None,
        fee: Decimal,
        venue_order_id: str,
        now: datetime,
    ) -> Order:
        """:meth:`PaperMatching._new_order`: the client id as ``_client_order_id``
        accepts it (a non-blank ASCII str within the limit), the sizes exact finite
        ``Decimal`` >= 0 and not overfilled, the average >= 0 or ``None``, the fee
        finite, the time UTC's own."""
        cid = request.client_order_id
        size = request.size
        if (
            _ORDER is not None
            and type(cid) is str
            and cid
            and not cid.isspace()
            and len(cid) <= _CLIENT_ID_MAX
            and cid.isascii()
            and type(size) is Decimal
            and size.is_finite()
            and size >= 0
            and type(filled) is Decimal
            and filled.is_finite()
            and filled >= 0
            and not (size > 0 and filled > size)
            and (
                average is None
                or (type(average) is Decimal and average.is_finite() and average >= 0)
            )
            and type(fee) is Decimal
            and fee.is_finite()
            and utc_instant(now)
        ):
            return _ORDER(
                self._exchange, request.symbol, cid, request.side, size, status, filled,
                average, venue_order_id, request.reduce_only, fee, now, None,
            )  # fmt: skip
        return super()._new_order(request, status, filled, average, fee, venue_order_id, now)

    def _settlement_reference(self, at: datetime) -> str:
        """``at.isoformat()``, written once per ``at`` object (every held leg settled at
        one instant is given the same one; held here, so its id is not reused)."""
        last = self._reference
        if last[0] is at:
            return last[1]
        text = at.isoformat()
        self._reference = (at, text)
        return text

    def _funding_payment(
        self,
        symbol: Symbol,
        amount: Decimal,
        asset: str,
        at: datetime,
        rate: Decimal,
        size: Decimal,
    ) -> FundingPayment:
        """:meth:`PaperFunding._funding_payment`: the amount, rate and size exact
        finite ``Decimal``, the asset a non-blank str, the time UTC's own."""
        if (
            _PAYMENT is not None
            and type(amount) is Decimal
            and amount.is_finite()
            and type(asset) is str
            and asset
            and not asset.isspace()
            and utc_instant(at)
            and type(rate) is Decimal
            and rate.is_finite()
            and type(size) is Decimal
            and size.is_finite()
        ):
            return _PAYMENT(self._exchange, symbol, amount, asset, at, rate, size)
        return super()._funding_payment(symbol, amount, asset, at, rate, size)


__all__ = ["BacktestBookings"]
