"""Pure parsers of Binance account data: positions, balances, orders, income (funding
payments). Conventions: :mod:`adapters.binance.parsing`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    int_field,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_millis,
)
from adapters.binance.parsing import (
    SymbolMap,
    _price_or_none,
    _required_canonical,
    _rows,
)
from atomic_fp.errors import MalformedResponse, NotSupported, VenueError
from atomic_fp.models import (
    Balance,
    FundingPayment,
    Order,
    OrderStatus,
    Position,
    Side,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

# ---------------------------------------------------------------------------- account


def parse_positions(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolMap, observed_at: datetime
) -> Result[tuple[Position, ...], VenueError]:
    """``GET /fapi/v3/positionRisk`` (v2 rows parse too) -> open positions.

    One-way mode: one ``positionSide == "BOTH"`` row per symbol with signed
    ``positionAmt`` (> 0 long, < 0 short). Flat rows are omitted (v2 lists every symbol).
    A non-flat ``LONG``/``SHORT`` row means the account is in hedge mode, which atomic-fp
    does not trade: that is a :class:`NotSupported` failure, never a guess at a net.
    ``observed_at`` is when we asked (``updateTime`` is the last change, 0 when never).
    """
    venue = str(exchange)
    hedge: list[str] = []

    def parse() -> tuple[Position, ...]:
        positions: list[Position] = []
        for i, raw in enumerate(_rows(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            size = dec_field(row, "positionAmt", path)
            if size == 0:
                continue
            venue_symbol = str_field(row, "symbol", path)
            side = row.get("positionSide", "BOTH")
            if side != "BOTH":
                hedge.append(venue_symbol)
                continue
            symbol, multiplier = _required_canonical(symbols, venue_symbol, f"{path}.symbol")
            positions.append(
                Position(
                    exchange=exchange,
                    symbol=symbol,
                    size=size,
                    observed_at=observed_at,
                    contract_multiplier=multiplier,
                    entry_price=_price_or_none(opt_dec(row, "entryPrice", path)),
                    mark_price=_price_or_none(opt_dec(row, "markPrice", path)),
                    liquidation_price=_price_or_none(opt_dec(row, "liquidationPrice", path)),
                    unrealized_pnl=opt_dec(row, "unRealizedProfit", path),
                    leverage=_price_or_none(opt_dec(row, "leverage", path)),
                )
            )
        return tuple(positions)

    parsed: Result[tuple[Position, ...], VenueError] = parse_guard(venue, parse)
    if isinstance(parsed, Success) and hedge:
        return Failure(
            NotSupported(
                venue,
                "account is in hedge mode (positionSide LONG/SHORT rows for "
                f"{', '.join(sorted(set(hedge))[:5])}); atomic-fp trades one-way mode only",
            )
        )
    return parsed


def parse_balances(
    exchange: ExchangeIdentifier, payload: object, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``GET /fapi/v2/balance`` (or v3, same shape) -> balances.

    ``total`` = ``balance`` (wallet) + ``crossUnPnl``, i.e. the asset's margin balance;
    ``available`` = ``availableBalance``. Rows that are zero in all three are omitted.
    """

    def parse() -> tuple[Balance, ...]:
        balances: list[Balance] = []
        for i, raw in enumerate(_rows(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            wallet = dec_field(row, "balance", path)
            unrealized = opt_dec(row, "crossUnPnl", path) or Decimal(0)
            available = dec_field(row, "availableBalance", path)
            if wallet == 0 and unrealized == 0 and available == 0:
                continue
            balances.append(
                Balance(
                    exchange=exchange,
                    asset=str_field(row, "asset", path),
                    total=wallet + unrealized,
                    available=available,
                    observed_at=observed_at,
                )
            )
        return tuple(balances)

    return parse_guard(str(exchange), parse)


_ORDER_STATUS: Mapping[str, OrderStatus] = {
    "NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
}
"""Binance order statuses. An IOC order that took part of its size ends ``EXPIRED`` with
``executedQty > 0``: read ``filled_size``. ``EXPIRED_IN_MATCH`` = self-trade prevention."""

_SIDES: Mapping[str, Side] = {"BUY": Side.BUY, "SELL": Side.SELL}


def _order(
    exchange: ExchangeIdentifier, row: Mapping[str, Any], path: str, symbols: SymbolMap
) -> Order:
    venue_symbol = str_field(row, "symbol", path)
    symbol, _ = _required_canonical(symbols, venue_symbol, f"{path}.symbol")
    status_text = str_field(row, "status", path)
    if status_text not in _ORDER_STATUS:
        raise ParseError(f"{path}.status: unknown order status {status_text[:40]!r}")
    side_text = str_field(row, "side", path)
    if side_text not in _SIDES:
        raise ParseError(f"{path}.side: unknown side {side_text[:40]!r}")
    filled = dec_field(row, "executedQty", path)
    average = _price_or_none(opt_dec(row, "avgPrice", path))
    order_id = field(row, "orderId", path)
    if isinstance(order_id, bool) or not isinstance(order_id, int | str):
        raise ParseError(f"{path}.orderId: expected an id")
    reduce_only = row.get("reduceOnly", False)
    updated_raw = row.get("updateTime", row.get("time"))
    return Order(
        exchange=exchange,
        symbol=symbol,
        client_order_id=str_field(row, "clientOrderId", path),
        side=_SIDES[side_text],
        size=dec_field(row, "origQty", path),
        status=_ORDER_STATUS[status_text],
        filled_size=filled,
        average_price=average if filled > 0 else None,
        venue_order_id=str(order_id),
        reduce_only=reduce_only is True or reduce_only == "true",
        updated_at=None if updated_raw in (None, 0) else ts_millis(updated_raw, f"{path}.time"),
    )


def parse_order(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolMap
) -> Result[Order, MalformedResponse]:
    """An order object (``POST``/``GET``/``DELETE /fapi/v1/order``) -> :class:`Order`."""
    return parse_guard(str(exchange), lambda: _order(exchange, obj(payload), "$", symbols))


def parse_orders(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolMap
) -> Result[tuple[Order, ...], MalformedResponse]:
    """``GET /fapi/v1/openOrders`` -> orders."""

    def parse() -> tuple[Order, ...]:
        return tuple(
            _order(exchange, obj(raw, f"$[{i}]"), f"$[{i}]", symbols)
            for i, raw in enumerate(arr(payload))
        )

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- income


@attrs.frozen
class IncomeRow:
    """A funding payment with the id and time pagination needs."""

    payment: FundingPayment
    tran_id: str
    time_ms: int


def parse_income(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolMap
) -> Result[tuple[IncomeRow, ...], MalformedResponse]:
    """``GET /fapi/v1/income?incomeType=FUNDING_FEE`` -> funding payments.

    ``income`` > 0 = received (atomic-fp's sign). Rows of other income types are skipped
    (the request filters them already). ``tranId`` is unique per income type.
    """

    def parse() -> tuple[IncomeRow, ...]:
        rows: list[IncomeRow] = []
        for i, raw in enumerate(arr(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            if string(field(row, "incomeType", path), f"{path}.incomeType") != "FUNDING_FEE":
                continue
            venue_symbol = str_field(row, "symbol", path)
            symbol, _ = _required_canonical(symbols, venue_symbol, f"{path}.symbol")
            millis = int_field(row, "time", path)
            tran_id = field(row, "tranId", path)
            if isinstance(tran_id, bool) or not isinstance(tran_id, int | str):
                raise ParseError(f"{path}.tranId: expected an id")
            rows.append(
                IncomeRow(
                    payment=FundingPayment(
                        exchange=exchange,
                        symbol=symbol,
                        amount=dec_field(row, "income", path),
                        asset=str_field(row, "asset", path),
                        time=ts_millis(millis, f"{path}.time"),
                    ),
                    tran_id=str(tran_id),
                    time_ms=millis,
                )
            )
        return tuple(rows)

    return parse_guard(str(exchange), parse)
