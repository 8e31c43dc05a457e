"""GRVT account JSON -> atomic-fp models (pure): positions, balances, own funding
payments, orders and acknowledgements. Units and conventions as :mod:`adapters.grvt.parsing`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec,
    dec_field,
    field,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_nanos,
)
from adapters.grvt.parsing import (
    InstrumentLookup,
    Overrides,
    _nonnegative_or_none,
    _result,
    instrument_symbol,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    Balance,
    FundingPayment,
    Order,
    OrderStatus,
    Position,
    Side,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier


def _symbol_of(name: str, instruments: InstrumentLookup, overrides: Overrides | None) -> Symbol:
    known = instruments.get(name)
    if known is not None:
        return known.symbol
    return instrument_symbol(name, None, overrides)[0]


def _multiplier_of(
    name: str, instruments: InstrumentLookup, overrides: Overrides | None
) -> Decimal:
    known = instruments.get(name)
    if known is not None:
        return known.market.contract_multiplier
    return instrument_symbol(name, None, overrides)[1]


def _position(
    venue: ExchangeIdentifier,
    row: Mapping[str, Any],
    path: str,
    instruments: InstrumentLookup,
    overrides: Overrides | None,
    observed_at: datetime,
) -> Position:
    name = str_field(row, "instrument", path)
    event = row.get("event_time")
    paid = opt_dec(row, "cumulative_realized_funding_payment", path)
    return Position(
        exchange=venue,
        symbol=_symbol_of(name, instruments, overrides),
        size=dec_field(row, "size", path),
        observed_at=ts_nanos(event, f"{path}.event_time") if event else observed_at,
        contract_multiplier=_multiplier_of(name, instruments, overrides),
        entry_price=_nonnegative_or_none(opt_dec(row, "entry_price", path)),
        mark_price=_nonnegative_or_none(opt_dec(row, "mark_price", path)),
        liquidation_price=_nonnegative_or_none(opt_dec(row, "est_liquidation_price", path)),
        unrealized_pnl=opt_dec(row, "unrealized_pnl", path),
        # GRVT: positive cumulative_realized_funding_payment = paid; atomic-fp (as
        # FundingPayment): positive = received.
        cumulative_funding=-paid if paid is not None else None,
        leverage=opt_dec(row, "leverage", path),
    )


def _positions(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    overrides: Overrides | None,
    observed_at: datetime,
) -> tuple[Position, ...]:
    rows = arr(_result(payload), "$.result")
    positions = (
        _position(
            venue,
            obj(item, f"$.result[{i}]"),
            f"$.result[{i}]",
            instruments,
            overrides,
            observed_at,
        )
        for i, item in enumerate(rows)
    )
    return tuple(position for position in positions if not position.is_flat)


def parse_positions(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    observed_at: datetime,
    overrides: Overrides | None = None,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``full/v1/positions`` -> open positions, ``size`` signed (negative = short).

    A row for a non-perpetual instrument is malformed (we ask for ``kind: PERPETUAL``),
    never dropped: a hidden position is worse than a failed call.
    """
    return parse_guard(
        venue.name, lambda: _positions(venue, payload, instruments, overrides, observed_at)
    )


def _balances(
    venue: ExchangeIdentifier, payload: object, observed_at: datetime
) -> tuple[Balance, ...]:
    row = obj(_result(payload), "$.result")
    event = row.get("event_time")
    return (
        Balance(
            exchange=venue,
            asset=str_field(row, "settle_currency", "$.result"),
            total=dec_field(row, "total_equity", "$.result"),
            available=dec_field(row, "available_balance", "$.result"),
            observed_at=ts_nanos(event, "$.result.event_time") if event else observed_at,
        ),
    )


def parse_balances(
    venue: ExchangeIdentifier, payload: object, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``full/v1/account_summary`` -> one Balance in the settle currency: ``total`` =
    ``total_equity`` (collateral + unrealised PnL), ``available`` = ``available_balance``.
    ``spot_balances`` are the collateral behind the same equity, not added again."""
    return parse_guard(venue.name, lambda: _balances(venue, payload, observed_at))


def _funding_payments(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    overrides: Overrides | None,
) -> tuple[tuple[FundingPayment, ...], str | None]:
    body = obj(payload)
    rows = arr(field(body, "result"), "$.result")
    payments: list[FundingPayment] = []
    for index, item in enumerate(rows):
        path = f"$.result[{index}]"
        row = obj(item, path)
        payments.append(
            FundingPayment(
                exchange=venue,
                symbol=_symbol_of(str_field(row, "instrument", path), instruments, overrides),
                # GRVT: negative amount = paid (real ccxt example), as in atomic-fp.
                amount=dec_field(row, "amount", path),
                asset=str_field(row, "currency", path),
                time=ts_nanos(field(row, "event_time", path), f"{path}.event_time"),
            )
        )
    cursor = body.get("next")
    return tuple(payments), (string(cursor, "$.next") if cursor not in (None, "") else None)


def parse_funding_payments(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    overrides: Overrides | None = None,
) -> Result[tuple[tuple[FundingPayment, ...], str | None], MalformedResponse]:
    """``full/v1/funding_payment_history`` page -> payments (+ next cursor)."""
    return parse_guard(
        venue.name, lambda: _funding_payments(venue, payload, instruments, overrides)
    )


# --- orders --------------------------------------------------------------------------

_STATUS: Mapping[str, OrderStatus] = {
    "PENDING": OrderStatus.PENDING,
    "OPEN": OrderStatus.OPEN,
    "FILLED": OrderStatus.FILLED,
    "REJECTED": OrderStatus.REJECTED,
    "CANCELLED": OrderStatus.CANCELED,
}


def _first(values: object, path: str) -> Decimal:
    items = arr(values, path)
    if not items:
        raise ParseError(f"{path}: empty")
    return dec(items[0], f"{path}[0]")


def _order(
    venue: ExchangeIdentifier,
    row: Mapping[str, Any],
    path: str,
    instruments: InstrumentLookup,
    overrides: Overrides | None,
    client_order_id: str | None,
) -> Order:
    legs = arr(field(row, "legs", path), f"{path}.legs")
    if len(legs) != 1:
        raise ParseError(f"{path}.legs: expected one leg, got {len(legs)}")
    leg = obj(legs[0], f"{path}.legs[0]")
    name = str_field(leg, "instrument", f"{path}.legs[0]")
    buying = field(leg, "is_buying_asset", f"{path}.legs[0]")
    if not isinstance(buying, bool):
        raise ParseError(f"{path}.legs[0].is_buying_asset: expected a boolean")
    state = obj(field(row, "state", path), f"{path}.state")
    raw_status = str_field(state, "status", f"{path}.state")
    if raw_status not in _STATUS:
        raise ParseError(f"{path}.state.status: unknown status {raw_status[:40]!r}")
    size = dec_field(leg, "size", f"{path}.legs[0]")
    filled = _first(field(state, "traded_size", f"{path}.state"), f"{path}.state.traded_size")
    status = _STATUS[raw_status]
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    average = (
        _first(state["avg_fill_price"], f"{path}.state.avg_fill_price")
        if filled > 0 and "avg_fill_price" in state
        else None
    )
    metadata = obj(field(row, "metadata", path), f"{path}.metadata")
    venue_client_id = str_field(metadata, "client_order_id", f"{path}.metadata")
    order_id = row.get("order_id")
    update = state.get("update_time")
    reason = state.get("reject_reason")
    reduce_only = row.get("reduce_only", False)
    return Order(
        exchange=venue,
        symbol=_symbol_of(name, instruments, overrides),
        client_order_id=client_order_id or venue_client_id,
        side=Side.BUY if buying else Side.SELL,
        size=size,
        status=status,
        filled_size=filled,
        average_price=average,
        venue_order_id=(
            string(order_id, f"{path}.order_id")
            if order_id not in (None, "", "0x00", "0x0", "0")
            else None
        ),
        reduce_only=reduce_only if isinstance(reduce_only, bool) else False,
        updated_at=ts_nanos(update, f"{path}.state.update_time") if update else None,
        reject_reason=(
            string(reason, f"{path}.state.reject_reason")[:200]
            if status in (OrderStatus.REJECTED, OrderStatus.CANCELED)
            and reason not in (None, "", "UNSPECIFIED")
            else None
        ),
    )


def parse_order(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    client_order_id: str | None = None,
    overrides: Overrides | None = None,
) -> Result[Order, MalformedResponse]:
    """``create_order`` / ``order`` response -> Order.

    GRVT client order ids are uint64 numbers; ``client_order_id`` puts back the caller's
    own id (the venue's numeric one is derived from it, see ``client.venue_client_id``).
    An ``OPEN`` order with a traded size is PARTIALLY_FILLED.
    """
    return parse_guard(
        venue.name,
        lambda: _order(
            venue,
            obj(_result(payload), "$.result"),
            "$.result",
            instruments,
            overrides,
            client_order_id,
        ),
    )


def parse_orders(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    overrides: Overrides | None = None,
) -> Result[tuple[Order, ...], MalformedResponse]:
    """``open_orders`` -> Orders carrying GRVT's numeric client ids."""

    def parse() -> tuple[Order, ...]:
        rows = arr(_result(payload), "$.result")
        return tuple(
            _order(
                venue, obj(item, f"$.result[{i}]"), f"$.result[{i}]", instruments, overrides, None
            )
            for i, item in enumerate(rows)
        )

    return parse_guard(venue.name, parse)


def parse_ack(venue: ExchangeIdentifier, payload: object) -> Result[bool, MalformedResponse]:
    """``{"result": {"ack": true}}`` (real) or ``"true"`` (docs) -> bool."""

    def parse() -> bool:
        ack = field(obj(_result(payload), "$.result"), "ack", "$.result")
        if isinstance(ack, bool):
            return ack
        if isinstance(ack, str) and ack in ("true", "false"):
            return ack == "true"
        raise ParseError(f"$.result.ack: expected a boolean, got {ack!r}"[:100])

    return parse_guard(venue.name, parse)


__all__ = [
    "parse_ack",
    "parse_balances",
    "parse_funding_payments",
    "parse_order",
    "parse_orders",
    "parse_positions",
]
