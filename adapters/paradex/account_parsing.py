"""Pure parsers of Paradex's private answers: orders, positions, balances, funding payments.

Shapes: paradex-py 0.8.2 ``api/generated/responses.py`` (``OrderResp``, ``PositionResp``,
``BalanceResp``, ``FundingPayment``) and the ccxt fixture recorded on testnet
(``shared/research-data/ccxt-static/paradex``: ``/balance``, ``/positions``,
``/orders-history``). Numbers are strings, times ms since the epoch (sometimes as strings:
the fixture's ``"last_updated_at": "1721828383887"``).

Order status (``OrderResp.status``: ``NEW``, ``UNTRIGGERED``, ``OPEN``, ``CLOSED``; a
closed order says why in ``cancel_reason``): ``NEW``/``UNTRIGGERED`` -> ``PENDING``;
``OPEN`` -> ``OPEN`` or ``PARTIALLY_FILLED``; ``CLOSED`` with nothing remaining ->
``FILLED``, with a partial fill -> ``CANCELED``, with no fill -> ``CANCELED`` when the
reason is ``USER_CANCELED`` and ``REJECTED`` (the reason kept) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Result

from adapters._parse import (
    ParseError,
    dec,
    dec_field,
    field,
    obj,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.paradex.parsing import ParadexMarket
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
from atomic_fp.models.margin import AccountMargin, build_account_margin

USER_CANCELED = "USER_CANCELED"


def _results(payload: object) -> list[Any]:
    body = obj(payload)
    rows = field(body, "results")
    if not isinstance(rows, list):
        raise ParseError("$.results: not a list")
    return rows


def _millis(value: object, path: str) -> datetime:
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    return ts_millis(value, path)


def _status(row: Mapping[str, Any], size: Decimal, remaining: Decimal) -> OrderStatus:
    status = str_field(row, "status")
    filled = size - remaining
    if status in ("NEW", "UNTRIGGERED"):
        return OrderStatus.PENDING
    if status == "OPEN":
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
    if status == "CLOSED":
        if remaining == 0:
            return OrderStatus.FILLED
        if filled > 0 or row.get("cancel_reason") == USER_CANCELED:
            return OrderStatus.CANCELED
        return OrderStatus.REJECTED
    raise ParseError(f"$.status: unknown order status {status!r}")


def parse_order(
    exchange: ExchangeIdentifier, payload: object, markets: Mapping[str, ParadexMarket]
) -> Result[Order, MalformedResponse]:
    """One ``OrderResp`` (``POST /orders``, ``GET /orders/by_client_id/{id}``)."""

    def parse() -> Order:
        row = obj(payload)
        name = str_field(row, "market")
        known = markets.get(name)
        if known is None:
            raise ParseError(f"$.market: {name!r} is not a known perpetual")
        size = dec_field(row, "size")
        remaining = dec_field(row, "remaining_size")
        if not Decimal(0) <= remaining <= size:
            raise ParseError(f"$.remaining_size: {remaining} outside 0..{size}")
        side = str_field(row, "side")
        if side not in ("BUY", "SELL"):
            raise ParseError(f"$.side: {side!r}")
        avg = row.get("avg_fill_price")
        status = _status(row, size, remaining)
        reason = row.get("cancel_reason") or None
        updated = row.get("last_updated_at")
        return Order(
            exchange=exchange,
            symbol=known.market.symbol,
            client_order_id=str_field(row, "client_id"),
            side=Side.BUY if side == "BUY" else Side.SELL,
            size=size,
            status=status,
            filled_size=size - remaining,
            average_price=None if avg in (None, "") else dec(avg, "$.avg_fill_price"),
            venue_order_id=str_field(row, "id"),
            reduce_only="REDUCE_ONLY" in (row.get("flags") or ()),
            updated_at=None if updated in (None, "", 0) else _millis(updated, "$.last_updated_at"),
            reject_reason=str(reason) if status is OrderStatus.REJECTED and reason else None,
        )

    return parse_guard(str(exchange), parse)


def parse_positions(
    exchange: ExchangeIdentifier,
    payload: object,
    markets: Mapping[str, ParadexMarket],
    observed_at: datetime,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``GET /positions``: open positions of known perpetuals (``side`` ``LONG``/``SHORT``,
    ``size`` unsigned in the fixture; closed rows and size 0 are left out)."""

    def parse() -> tuple[Position, ...]:
        positions: list[Position] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            known = markets.get(str_field(row, "market", path))
            if known is None or row.get("status") == "CLOSED":
                continue
            size = abs(dec_field(row, "size", path))
            if size == 0:
                continue
            side = str_field(row, "side", path)
            if side not in ("LONG", "SHORT"):
                raise ParseError(f"{path}.side: {side!r}")
            liq = row.get("liquidation_price")
            entry = row.get("average_entry_price")
            pnl = row.get("unrealized_pnl")
            funding = row.get("unrealized_funding_pnl")
            positions.append(
                Position(
                    exchange=exchange,
                    symbol=known.market.symbol,
                    size=size if side == "LONG" else -size,
                    observed_at=observed_at,
                    contract_multiplier=known.market.contract_multiplier,
                    entry_price=None if entry in (None, "") else dec(entry, f"{path}.entry"),
                    liquidation_price=(
                        None if liq in (None, "") else dec(liq, f"{path}.liquidation_price")
                    ),
                    unrealized_pnl=None if pnl in (None, "") else dec(pnl, f"{path}.pnl"),
                    cumulative_funding=(
                        None if funding in (None, "") else dec(funding, f"{path}.funding")
                    ),
                )
            )
        return tuple(positions)

    return parse_guard(str(exchange), parse)


def parse_balances(
    exchange: ExchangeIdentifier,
    payload: object,
    observed_at: datetime,
    account: object = None,
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``GET /balance``: ``{"results": [{"token", "size", "last_updated_at"}]}``. Paradex
    reports no free amount per token (margin is account-wide): with the ``GET /account``
    summary, the settlement asset's ``available`` is its ``free_collateral`` (what new
    orders can use); without it, and for other tokens, ``available`` is the size."""

    def parse() -> tuple[Balance, ...]:
        free: tuple[str, Decimal] | None = None
        if account is not None:
            summary = obj(account, "$account")
            free = (
                str_field(summary, "settlement_asset", "$account"),
                dec_field(summary, "free_collateral", "$account"),
            )
        balances: list[Balance] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            size = dec_field(row, "size", path)
            asset = str_field(row, "token", path)
            balances.append(
                Balance(
                    exchange=exchange,
                    asset=asset,
                    total=size,
                    available=free[1] if free is not None and free[0] == asset else size,
                    observed_at=observed_at,
                )
            )
        return tuple(balances)

    return parse_guard(str(exchange), parse)


def parse_funding_payments(
    exchange: ExchangeIdentifier,
    payload: object,
    markets: Mapping[str, ParadexMarket],
    settle_asset: str,
) -> Result[tuple[tuple[FundingPayment, ...], str | None], MalformedResponse]:
    """One ``GET /funding/payments`` page: payments (``payment`` in the settlement asset,
    signed as the venue signs it: negative paid) and the ``next`` cursor."""

    def parse() -> tuple[tuple[FundingPayment, ...], str | None]:
        body = obj(payload)
        payments: list[FundingPayment] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            known = markets.get(str_field(row, "market", path))
            if known is None:
                continue
            payments.append(
                FundingPayment(
                    exchange=exchange,
                    symbol=known.market.symbol,
                    amount=dec_field(row, "payment", path),
                    asset=known.market.settle_asset or settle_asset,
                    time=_millis(field(row, "created_at", path), f"{path}.created_at"),
                )
            )
        cursor = body.get("next")
        if cursor is not None and not isinstance(cursor, str):
            raise ParseError("$.next: not a string")
        return tuple(payments), cursor or None

    return parse_guard(str(exchange), parse)


def parse_account_margin(
    exchange: ExchangeIdentifier,
    payload: object,
    positions: tuple[Position, ...],
    markets: Mapping[str, ParadexMarket],
    observed_at: datetime,
) -> Result[AccountMargin, MalformedResponse]:
    """``GET /account`` (paradex-py ``AccountSummaryResponse``: ``account_value``,
    ``maintenance_margin_requirement``, ``settlement_asset``...) with the positions ->
    :class:`AccountMargin`; a new position's maintenance rate per market is
    ``imf_base x mmf_factor`` (:class:`~adapters.paradex.parsing.ParadexMarket`)."""

    def parse() -> AccountMargin:
        row = obj(payload)
        rates = {
            m.market.symbol: m.maintenance_rate
            for m in markets.values()
            if m.maintenance_rate is not None
        }
        return build_account_margin(
            exchange=exchange,
            asset=str_field(row, "settlement_asset"),
            equity=dec_field(row, "account_value"),
            maintenance_margin=dec_field(row, "maintenance_margin_requirement"),
            observed_at=observed_at,
            positions=positions,
            maintenance_rates=rates,
        )

    return parse_guard(str(exchange), parse)


def symbol_index(markets: tuple[ParadexMarket, ...]) -> dict[str, ParadexMarket]:
    return {m.market.venue_symbol: m for m in markets}


def by_symbol(markets: tuple[ParadexMarket, ...]) -> dict[Symbol, ParadexMarket]:
    return {m.market.symbol: m for m in markets}


__all__ = [
    "USER_CANCELED",
    "by_symbol",
    "parse_account_margin",
    "parse_balances",
    "parse_funding_payments",
    "parse_order",
    "parse_positions",
    "symbol_index",
]
