"""Pure parsers: Bybit v5 account JSON (unified trading account, ``category=linear``) ->
positions, balances, orders, funding payments, fees and margin.

Facts (Bybit v5 docs; nautilus_trader's v5 fixtures, read in tests):

- ``GET /v5/position/list``: ``size`` is unsigned, ``side`` ``Buy``/``Sell`` (``""`` when
  flat); ``positionIdx`` 0 is one-way mode, 1/2 are hedge-mode legs, which atomic-fp does
  not trade (:class:`NotSupported`, never a guess at a net). ``liqPrice`` is ``""`` when
  there is none; ``positionMM`` is the position's maintenance margin.
- ``GET /v5/account/wallet-balance?accountType=UNIFIED``: per coin ``equity`` (wallet +
  unrealised PnL), ``availableToWithdraw`` (``""`` on UTA 2.0 accounts, then
  ``equity - totalPositionIM - totalOrderIM``); account totals ``totalMarginBalance`` and
  ``totalMaintenanceMargin`` in USD (Bybit: ``accountMMRate`` = their ratio; liquidation at
  100 %).
- Orders (``/v5/order/realtime``, ``/v5/order/history``): ``orderStatus`` ``New``,
  ``PartiallyFilled``, ``Filled``, ``Cancelled``, ``PartiallyFilledCanceled`` (an IOC that
  took part of its size), ``Rejected``, ``Deactivated``, ``Untriggered``/``Triggered``;
  ``cumExecQty`` filled, ``avgPrice`` (``""``/``null``/``"0"`` when nothing filled).
- Funding payments: ``GET /v5/account/transaction-log?type=SETTLEMENT`` rows; the amount
  is ``change``, the signed change of the cash balance (positive = received, atomic-fp's
  sign); patisson-bybit-sdk ``TransactionLog.funding`` documents the same sign for
  ``funding``.
- Fees: ``GET /v5/account/fee-rate?category=linear&symbol=`` ``takerFeeRate`` /
  ``makerFeeRate`` (fractions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from adapters._parse import (
    ParseError,
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
from adapters.bybit.parsing import (
    SETTLE_COIN,
    BybitMarket,
    result_objects,
    result_of,
    result_rows,
)
from adapters.kit.readers import objects
from atomic_fp.errors import MalformedResponse, NotSupported, VenueError
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FeeSource,
    FundingPayment,
    Order,
    OrderStatus,
    Position,
    Side,
    Symbol,
    VenueFees,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin
from atomic_fp.symbols import canonical_symbol


@attrs.frozen
class SymbolLookup:
    """Venue symbol -> canonical symbol and multiplier: the loaded markets first, then the
    user's overrides, then ``<BASE>USDT``. Account rows on a symbol none of these name are
    a failure: a position we cannot name must not vanish from the exposure."""

    markets: Mapping[str, BybitMarket] = attrs.field(factory=dict)
    overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)

    def canonical(self, venue_symbol: str, path: str) -> tuple[Symbol, Decimal]:
        market = self.markets.get(venue_symbol)
        if market is not None:
            return market.market.symbol, market.market.contract_multiplier
        if venue_symbol in self.overrides:
            return self.overrides[venue_symbol]
        if venue_symbol.endswith(SETTLE_COIN) and len(venue_symbol) > len(SETTLE_COIN):
            try:
                return canonical_symbol(venue_symbol[: -len(SETTLE_COIN)], self.overrides)
            except ValueError:
                pass
        raise ParseError(
            f"{path}: venue symbol {venue_symbol[:40]!r} has no canonical symbol; "
            "add a symbol_override for it"
        )


def _positive(value: Decimal | None) -> Decimal | None:
    return None if value is None or value <= 0 else value


_SIDES: Mapping[str, Side] = {"Buy": Side.BUY, "Sell": Side.SELL}


# ---------------------------------------------------------------------------- positions


@attrs.frozen
class PositionRow:
    position: Position
    maintenance: Decimal | None


def parse_position_rows(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolLookup, observed_at: datetime
) -> Result[tuple[PositionRow, ...], VenueError]:
    """One page of ``/v5/position/list`` -> open positions (flat rows omitted)."""
    venue = str(exchange)
    hedge: list[str] = []

    def parse() -> tuple[PositionRow, ...]:
        out: list[PositionRow] = []
        for path, row in result_objects(payload):
            size = dec_field(row, "size", path)
            if size == 0:
                continue
            if size < 0:
                raise ParseError(f"{path}.size: Bybit sizes are unsigned, got {size}")
            venue_symbol = str_field(row, "symbol", path)
            if int_field(row, "positionIdx", path) != 0:
                hedge.append(venue_symbol)
                continue
            side = str_field(row, "side", path)
            if side not in _SIDES:
                raise ParseError(f"{path}.side: {side[:20]!r} on a non-flat position")
            symbol, multiplier = symbols.canonical(venue_symbol, f"{path}.symbol")
            position = Position(
                exchange=exchange,
                symbol=symbol,
                size=size if _SIDES[side] is Side.BUY else -size,
                observed_at=observed_at,
                contract_multiplier=multiplier,
                entry_price=_positive(opt_dec(row, "avgPrice", path)),
                mark_price=_positive(opt_dec(row, "markPrice", path)),
                liquidation_price=_positive(opt_dec(row, "liqPrice", path)),
                unrealized_pnl=opt_dec(row, "unrealisedPnl", path),
                leverage=_positive(opt_dec(row, "leverage", path)),
            )
            out.append(PositionRow(position, _positive(opt_dec(row, "positionMM", path))))
        return tuple(out)

    parsed: Result[tuple[PositionRow, ...], VenueError] = parse_guard(venue, parse)
    if isinstance(parsed, Success) and hedge:
        return Failure(
            NotSupported(
                venue,
                "account is in hedge mode (positionIdx 1/2 rows for "
                f"{', '.join(sorted(set(hedge))[:5])}); atomic-fp trades one-way mode only",
            )
        )
    return parsed


# ---------------------------------------------------------------------------- balances


def _unified(payload: object) -> Mapping[str, Any]:
    rows = result_rows(payload)
    if not rows:
        raise ParseError("$.result.list: empty (no unified account)")
    return obj(rows[0], "$.result.list[0]")


def parse_wallet_balance(
    exchange: ExchangeIdentifier, payload: object, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``/v5/account/wallet-balance?accountType=UNIFIED`` -> one balance per coin held."""

    def parse() -> tuple[Balance, ...]:
        account = _unified(payload)
        out: list[Balance] = []
        for path, row in objects(
            field(account, "coin", "$.result.list[0]"), "$.result.list[0].coin"
        ):
            equity = dec_field(row, "equity", path)
            wallet = opt_dec(row, "walletBalance", path) or Decimal(0)
            borrowed = opt_dec(row, "borrowAmount", path) or Decimal(0)
            if equity == 0 and wallet == 0 and borrowed == 0:
                continue
            available = opt_dec(row, "availableToWithdraw", path)
            if available is None:
                held = (opt_dec(row, "totalPositionIM", path) or Decimal(0)) + (
                    opt_dec(row, "totalOrderIM", path) or Decimal(0)
                )
                available = max(equity - held, Decimal(0))
            out.append(
                Balance(
                    exchange=exchange,
                    asset=str_field(row, "coin", path),
                    total=equity,
                    available=available,
                    observed_at=observed_at,
                )
            )
        return tuple(out)

    return parse_guard(str(exchange), parse)


def parse_account_margin(
    exchange: ExchangeIdentifier,
    wallet: object,
    positions: Iterable[PositionRow],
    observed_at: datetime,
) -> Result[AccountMargin, MalformedResponse]:
    """Wallet totals (USD) + positions -> :class:`AccountMargin` (each leg's ``positionMM``)."""

    def parse() -> AccountMargin:
        account = _unified(wallet)
        path = "$.result.list[0]"
        rows = list(positions)
        legs: dict[Symbol, Decimal] = {}
        for row in rows:
            if row.maintenance is not None:
                symbol = row.position.symbol
                legs[symbol] = legs.get(symbol, Decimal(0)) + row.maintenance
        return build_account_margin(
            exchange=exchange,
            asset="USD",
            equity=dec_field(account, "totalMarginBalance", path),
            maintenance_margin=opt_dec(account, "totalMaintenanceMargin", path),
            observed_at=observed_at,
            positions=[row.position for row in rows],
            leg_maintenance=legs,
        )

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- orders


_STATUS: Mapping[str, OrderStatus] = {
    "Created": OrderStatus.PENDING,
    "New": OrderStatus.OPEN,
    "Untriggered": OrderStatus.OPEN,
    "Triggered": OrderStatus.OPEN,
    "PartiallyFilled": OrderStatus.PARTIALLY_FILLED,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELED,
    "PartiallyFilledCanceled": OrderStatus.CANCELED,
    "Deactivated": OrderStatus.CANCELED,
    "Rejected": OrderStatus.REJECTED,
}


def _order(
    exchange: ExchangeIdentifier, row: Mapping[str, Any], path: str, symbols: SymbolLookup
) -> Order:
    symbol, _ = symbols.canonical(str_field(row, "symbol", path), f"{path}.symbol")
    status = str_field(row, "orderStatus", path)
    if status not in _STATUS:
        raise ParseError(f"{path}.orderStatus: unknown order status {status[:40]!r}")
    side = str_field(row, "side", path)
    if side not in _SIDES:
        raise ParseError(f"{path}.side: unknown side {side[:20]!r}")
    filled = dec_field(row, "cumExecQty", path)
    average = _positive(opt_dec(row, "avgPrice", path))
    reason = row.get("rejectReason")
    updated = row.get("updatedTime")
    return Order(
        exchange=exchange,
        symbol=symbol,
        client_order_id=str_field(row, "orderLinkId", path),
        side=_SIDES[side],
        size=dec_field(row, "qty", path),
        status=_STATUS[status],
        filled_size=filled,
        average_price=average if filled > 0 else None,
        venue_order_id=str_field(row, "orderId", path),
        reduce_only=row.get("reduceOnly") is True,
        fee=opt_dec(row, "cumExecFee", path),
        updated_at=None
        if updated in (None, "", "0", 0)
        else ts_millis(updated, f"{path}.updatedTime"),
        reject_reason=(
            string(reason, f"{path}.rejectReason")[:200]
            if reason not in (None, "", "EC_NoError")
            else None
        ),
    )


def parse_orders(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolLookup
) -> Result[tuple[Order, ...], MalformedResponse]:
    """``/v5/order/realtime`` or ``/v5/order/history`` -> orders."""

    def parse() -> tuple[Order, ...]:
        return tuple(_order(exchange, row, path, symbols) for path, row in result_objects(payload))

    return parse_guard(str(exchange), parse)


def parse_order_ack(venue: str, payload: object) -> Result[tuple[str, str], MalformedResponse]:
    """``/v5/order/create`` or ``/cancel`` -> (``orderId``, ``orderLinkId``): Bybit
    acknowledges with ids only; the order's state is read afterwards."""

    def parse() -> tuple[str, str]:
        result = result_of(payload)
        return str_field(result, "orderId", "$.result"), str_field(
            result, "orderLinkId", "$.result"
        )

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- payments


@attrs.frozen
class PaymentRow:
    payment: FundingPayment
    row_id: str
    time_ms: int


def parse_transaction_log(
    exchange: ExchangeIdentifier, payload: object, symbols: SymbolLookup
) -> Result[tuple[PaymentRow, ...], MalformedResponse]:
    """One page of ``/v5/account/transaction-log?type=SETTLEMENT`` -> funding payments
    (rows of other types are skipped)."""

    def parse() -> tuple[PaymentRow, ...]:
        out: list[PaymentRow] = []
        for path, row in result_objects(payload):
            if row.get("type") != "SETTLEMENT":
                continue
            symbol, _ = symbols.canonical(str_field(row, "symbol", path), f"{path}.symbol")
            millis = int_field(row, "transactionTime", path)
            out.append(
                PaymentRow(
                    payment=FundingPayment(
                        exchange=exchange,
                        symbol=symbol,
                        amount=dec_field(row, "change", path),
                        asset=str_field(row, "currency", path),
                        time=ts_millis(millis, f"{path}.transactionTime"),
                        position_size=opt_dec(row, "size", path),
                    ),
                    row_id=str_field(row, "id", path),
                    time_ms=millis,
                )
            )
        return tuple(out)

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- fees


def parse_fee_rate(
    venue: str, payload: object, path_text: str
) -> Result[FeeQuote, MalformedResponse]:
    """``/v5/account/fee-rate`` (one symbol) -> the account's fees (source ``account``)."""

    def parse() -> FeeQuote:
        rows = result_rows(payload)
        if not rows:
            raise ParseError("$.result.list: empty")
        row = obj(rows[0], "$.result.list[0]")
        fees = VenueFees(
            maker=dec_field(row, "makerFeeRate", "$.result.list[0]"),
            taker=dec_field(row, "takerFeeRate", "$.result.list[0]"),
        )
        symbol = str_field(row, "symbol", "$.result.list[0]")
        return FeeQuote(fees, FeeSource.ACCOUNT, f"GET {path_text} ({symbol})")

    return parse_guard(venue, parse)


__all__ = [
    "PaymentRow",
    "PositionRow",
    "SymbolLookup",
    "parse_account_margin",
    "parse_fee_rate",
    "parse_order_ack",
    "parse_orders",
    "parse_position_rows",
    "parse_transaction_log",
    "parse_wallet_balance",
]
