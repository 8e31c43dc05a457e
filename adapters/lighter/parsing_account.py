"""Lighter account JSON -> atomic-fp models (pure): the account (positions, balances),
``nextNonce``, ``sendTx`` answers and orders. Conventions as :mod:`adapters.lighter.parsing`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    int_field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.lighter.parsing import (
    _PERCENT,
    VENUE,
    LighterMarket,
    _by_id,
    _code_ok,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    Balance,
    Order,
    OrderStatus,
    Position,
    Side,
)
from atomic_fp.models.identifiers import ExchangeIdentifier


@attrs.frozen
class SendTxAnswer:
    tx_hash: str
    message: str | None


def _select_account(payload: object, account_index: int) -> Mapping[str, Any]:
    body = obj(payload)
    _code_ok(body, "$")
    accounts = arr(field(body, "accounts"), "$.accounts")
    for i, raw in enumerate(accounts):
        row = obj(raw, f"$.accounts[{i}]")
        index = row.get("index", row.get("account_index"))
        if index is not None and integer(index, f"$.accounts[{i}].index") == account_index:
            return row
    raise ParseError(f"$.accounts: account {account_index} not in the answer")


def _nonzero(value: Decimal | None) -> Decimal | None:
    return None if value is None or value == 0 else value


def _parse_positions(
    payload: object,
    exchange: ExchangeIdentifier,
    account_index: int,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> tuple[Position, ...]:
    account = _select_account(payload, account_index)
    rows = account.get("positions") or []
    known = _by_id(markets)
    positions: list[Position] = []
    for i, raw in enumerate(arr(rows, "$.positions")):
        path = f"$.positions[{i}]"
        row = obj(raw, path)
        size = dec_field(row, "position", path)
        if size < 0:
            raise ParseError(f"{path}.position: expected unsigned, got {size}")
        if size == 0:
            continue  # Lighter keeps rows for markets the account has closed
        sign = int_field(row, "sign", path)
        if sign not in (1, -1):
            raise ParseError(f"{path}.sign: expected 1 or -1, got {sign}")
        market_id = int_field(row, "market_id", path)
        market = known.get(market_id)
        if market is None:
            raise ParseError(f"{path}.market_id: {market_id} is not a listed perp")
        value = opt_dec(row, "position_value", path)
        mark = abs(value) / size if value is not None else None
        imf = opt_dec(row, "initial_margin_fraction", path)
        positions.append(
            Position(
                exchange=exchange,
                symbol=market.market.symbol,
                size=size * sign,
                observed_at=observed_at,
                contract_multiplier=market.market.contract_multiplier,
                entry_price=_nonzero(opt_dec(row, "avg_entry_price", path)),
                mark_price=_nonzero(mark),
                liquidation_price=_nonzero(opt_dec(row, "liquidation_price", path)),
                unrealized_pnl=opt_dec(row, "unrealized_pnl", path),
                cumulative_funding=_funding_paid(row, path),
                leverage=_PERCENT / imf if imf is not None and imf > 0 else None,
            )
        )
    return tuple(positions)


def _funding_paid(row: Mapping[str, Any], path: str) -> Decimal | None:
    """``total_funding_paid_out`` is what the position paid; ours is received (+)."""
    paid = opt_dec(row, "total_funding_paid_out", path)
    return -paid if paid is not None else None


def parse_positions(
    payload: object,
    exchange: ExchangeIdentifier,
    account_index: int,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``GET /api/v1/account?by=index&value=N`` -> the account's open positions.

    The answer may list several accounts (a main account and its sub/pool accounts): the
    one whose ``index`` is ``account_index`` is read; its absence is malformed, never
    "flat". ``position`` is unsigned and ``sign`` is 1 (long) / -1 (short). Rows with
    ``position "0"`` are closed markets and are skipped. ``mark_price`` is
    ``position_value / position``; ``initial_margin_fraction`` is a percent (``"5.00"`` =
    20x); ``liquidation_price "0"`` means none.
    """
    return parse_guard(
        VENUE,
        lambda: _parse_positions(payload, exchange, account_index, markets, observed_at),
    )


def _parse_balances(
    payload: object, exchange: ExchangeIdentifier, account_index: int, observed_at: datetime
) -> tuple[Balance, ...]:
    account = _select_account(payload, account_index)
    balances = [
        Balance(
            exchange=exchange,
            asset="USDC",
            total=dec_field(account, "total_asset_value", "$.account"),
            available=dec_field(account, "available_balance", "$.account"),
            observed_at=observed_at,
        )
    ]
    for i, raw in enumerate(arr(account.get("assets") or [], "$.assets")):
        path = f"$.assets[{i}]"
        row = obj(raw, path)
        balance = dec_field(row, "balance", path)
        locked = opt_dec(row, "locked_balance", path) or Decimal(0)
        balances.append(
            Balance(
                exchange=exchange,
                asset=f"{str_field(row, 'symbol', path)}:spot",
                total=balance,
                available=balance - locked,
                observed_at=observed_at,
            )
        )
    return tuple(balances)


def parse_balances(
    payload: object, exchange: ExchangeIdentifier, account_index: int, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``GET /api/v1/account`` -> balances.

    The perp margin account is ``USDC``: ``total`` = ``total_asset_value`` (collateral plus
    unrealised PnL: 9100.24 + 6197.83 = 15298.07 in ccxt's fixture), ``available`` =
    ``available_balance``. ``collateral`` alone (deposits, without PnL) is not equity and is
    not reported. Spot ``assets`` are reported as ``<SYMBOL>:spot`` with
    ``available = balance - locked_balance``.
    """
    return parse_guard(
        VENUE, lambda: _parse_balances(payload, exchange, account_index, observed_at)
    )


def _parse_next_nonce(payload: object) -> int:
    body = obj(payload)
    _code_ok(body, "$")
    nonce = int_field(body, "nonce", "$")
    if nonce < 0:
        raise ParseError(f"$.nonce: negative {nonce}")
    return nonce


def parse_next_nonce(payload: object) -> Result[int, MalformedResponse]:
    """``GET /api/v1/nextNonce`` -> the next nonce the API key must use."""
    return parse_guard(VENUE, lambda: _parse_next_nonce(payload))


def _parse_send_tx(payload: object) -> SendTxAnswer:
    body = obj(payload)
    _code_ok(body, "$")
    message = body.get("message")
    return SendTxAnswer(
        tx_hash=str_field(body, "tx_hash", "$"),
        message=message if isinstance(message, str) else None,
    )


def parse_send_tx(payload: object) -> Result[SendTxAnswer, MalformedResponse]:
    """``POST /api/v1/sendTx`` -> ``{code: 200, tx_hash, ...}`` (accepted by the API only)."""
    return parse_guard(VENUE, lambda: _parse_send_tx(payload))


_STATUS = {
    "in-progress": OrderStatus.PENDING,
    "pending": OrderStatus.PENDING,
    "open": OrderStatus.OPEN,
    "filled": OrderStatus.FILLED,
    "canceled-expired": OrderStatus.EXPIRED,
}


def _order_status(raw: str, filled: Decimal) -> OrderStatus:
    status = _STATUS.get(raw)
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    if status is not None:
        return status
    if raw.startswith("canceled"):
        return OrderStatus.CANCELED
    raise ParseError(f"status: unknown order status {raw!r}"[:200])


def _parse_orders(
    payload: object,
    exchange: ExchangeIdentifier,
    market: LighterMarket,
    client_order_index: int,
    client_order_id: str,
) -> Order | None:
    body = obj(payload)
    _code_ok(body, "$")
    for i, raw in enumerate(arr(body.get("orders") or [], "$.orders")):
        path = f"$.orders[{i}]"
        row = obj(raw, path)
        if int_field(row, "client_order_index", path) != client_order_index:
            continue
        initial = dec_field(row, "initial_base_amount", path)
        filled = opt_dec(row, "filled_base_amount", path) or Decimal(0)
        quote = opt_dec(row, "filled_quote_amount", path)
        status_text = str_field(row, "status", path)
        status = _order_status(status_text, filled)
        is_ask = field(row, "is_ask", path)
        if not isinstance(is_ask, bool):
            raise ParseError(f"{path}.is_ask: expected a boolean")
        updated = row.get("updated_at")
        return Order(
            exchange=exchange,
            symbol=market.market.symbol,
            client_order_id=client_order_id,
            side=Side.SELL if is_ask else Side.BUY,
            size=initial,
            status=status,
            filled_size=filled,
            average_price=quote / filled if quote is not None and filled > 0 else None,
            venue_order_id=str(int_field(row, "order_index", path)),
            reduce_only=row.get("reduce_only") is True,
            updated_at=ts_millis(updated, f"{path}.updated_at") if updated else None,
            reject_reason=status_text if status is OrderStatus.CANCELED else None,
        )
    return None


def parse_orders(
    payload: object,
    exchange: ExchangeIdentifier,
    market: LighterMarket,
    client_order_index: int,
    client_order_id: str,
) -> Result[Order | None, MalformedResponse]:
    """``accountActiveOrders`` / ``accountInactiveOrders`` -> the order with our client index.

    ``None`` when the list does not hold it. ``is_ask`` true = sell; ``status`` ``open``,
    ``filled``, ``in-progress``/``pending``, ``canceled-*`` (``canceled-expired`` ->
    EXPIRED; the other cancel reasons are kept as ``reject_reason``). Average price =
    ``filled_quote_amount / filled_base_amount``.
    """
    return parse_guard(
        VENUE,
        lambda: _parse_orders(payload, exchange, market, client_order_index, client_order_id),
    )


__all__ = [
    "SendTxAnswer",
    "_select_account",
    "parse_balances",
    "parse_next_nonce",
    "parse_orders",
    "parse_positions",
]
