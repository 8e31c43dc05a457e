"""Pure parsers of OKX v5 account answers: positions, balances, margin totals, orders,
funding bills (``Result``, never an exception). Sizes are in contracts; see
:mod:`adapters.okx.parsing` for units and the envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    dec_field,
    field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.kit.readers import objects
from adapters.okx.parsing import SETTLE_ASSET, OkxMarket, data_objects, rows
from atomic_fp.errors import MalformedResponse
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

# ---------------------------------------------------------------------------- account


def parse_positions(
    exchange: ExchangeIdentifier,
    payload: object,
    markets: Mapping[str, OkxMarket],
    observed_at: datetime,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``GET /api/v5/account/positions?instType=SWAP`` -> open positions of ``markets``.

    ``pos`` is signed in net mode (``posSide = "net"``); in long/short mode it is positive
    and ``posSide`` gives the direction. Zero rows and unknown instruments are left out;
    two rows of one symbol (long/short mode, both sides open) are summed."""

    def parse() -> tuple[Position, ...]:
        found: dict[Symbol, Position] = {}
        for path, row in data_objects(payload):
            okx = markets.get(str_field(row, "instId", path))
            if okx is None:
                continue
            market = okx.market
            size = okx.from_contracts(dec_field(row, "pos", path))
            side = row.get("posSide", "net")
            if side == "short":
                size = -abs(size)
            elif side == "long":
                size = abs(size)
            elif side != "net":
                raise ParseError(f"{path}.posSide: unknown {side!r}"[:200])
            if size == 0:
                continue
            stamp = row.get("uTime")
            position = Position(
                exchange=exchange,
                symbol=market.symbol,
                size=size,
                observed_at=ts_millis(stamp, f"{path}.uTime") if stamp else observed_at,
                contract_multiplier=market.contract_multiplier,
                entry_price=opt_dec(row, "avgPx", path),
                mark_price=opt_dec(row, "markPx", path),
                liquidation_price=opt_dec(row, "liqPx", path),
                unrealized_pnl=opt_dec(row, "upl", path),
                leverage=opt_dec(row, "lever", path),
            )
            if market.symbol in found:
                prior = found[market.symbol]
                position = attrs.evolve(prior, size=prior.size + position.size)
            found[market.symbol] = position
        return tuple(found.values())

    return parse_guard(str(exchange), parse)


def parse_balances(
    exchange: ExchangeIdentifier, payload: object, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``GET /api/v5/account/balance`` -> one :class:`Balance` per currency in ``details``
    (``eq`` total equity, ``availBal`` available; ``availEq`` when ``availBal`` is empty)."""

    def parse() -> tuple[Balance, ...]:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        account = obj(data[0], "$.data[0]")
        found: list[Balance] = []
        for path, row in objects(field(account, "details", "$.data[0]"), "$.data[0].details"):
            total = dec_field(row, "eq", path)
            available = opt_dec(row, "availBal", path)
            if available is None:
                available = opt_dec(row, "availEq", path)
            found.append(
                Balance(
                    exchange=exchange,
                    asset=str_field(row, "ccy", path),
                    total=total,
                    available=total if available is None else available,
                    observed_at=observed_at,
                )
            )
        return tuple(found)

    return parse_guard(str(exchange), parse)


def parse_margin_totals(
    venue: str, payload: object
) -> Result[tuple[Decimal, Decimal | None], MalformedResponse]:
    """``account/balance`` -> (USDT equity ``eq``, its maintenance margin ``mmr`` or None)."""

    def parse() -> tuple[Decimal, Decimal | None]:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        account = obj(data[0], "$.data[0]")
        for path, row in objects(field(account, "details", "$.data[0]"), "$.data[0].details"):
            if row.get("ccy") == SETTLE_ASSET:
                return dec_field(row, "eq", path), opt_dec(row, "mmr", path)
        return Decimal(0), None

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- orders

_STATES = {
    "live": OrderStatus.OPEN,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "mmp_canceled": OrderStatus.CANCELED,
}


def parse_order(
    exchange: ExchangeIdentifier, payload: object, markets: Mapping[str, OkxMarket]
) -> Result[Order, MalformedResponse]:
    """``GET /api/v5/trade/order`` -> :class:`Order` (sizes: contracts x ``ctVal``).

    OKX ``fee`` is negative when charged and positive for a rebate; ``Order.fee`` is the
    cost paid, so the sign is flipped."""

    def parse() -> Order:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        row = obj(data[0], "$.data[0]")
        path = "$.data[0]"
        inst_id = str_field(row, "instId", path)
        okx = markets.get(inst_id)
        if okx is None:
            raise ParseError(f"{path}.instId: {inst_id[:40]!r} is not a market we trade")
        state = str_field(row, "state", path)
        if state not in _STATES:
            raise ParseError(f"{path}.state: unknown {state[:40]!r}")
        fee = opt_dec(row, "fee", path)
        average = opt_dec(row, "avgPx", path)
        stamp = row.get("uTime")
        return Order(
            exchange=exchange,
            symbol=okx.market.symbol,
            client_order_id=str_field(row, "clOrdId", path),
            side=Side.parse(str_field(row, "side", path), "side"),
            size=okx.from_contracts(dec_field(row, "sz", path)),
            status=_STATES[state],
            filled_size=okx.from_contracts(opt_dec(row, "accFillSz", path) or Decimal(0)),
            average_price=average if average else None,
            venue_order_id=str_field(row, "ordId", path),
            reduce_only=row.get("reduceOnly") in (True, "true"),
            fee=None if fee is None else -fee,
            updated_at=ts_millis(stamp, f"{path}.uTime") if stamp else None,
        )

    return parse_guard(str(exchange), parse)


def parse_order_ack(venue: str, payload: object) -> Result[str, MalformedResponse]:
    """The ``ordId`` of an accepted ``trade/order`` or ``cancel-order`` row."""

    def parse() -> str:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        row = obj(data[0], "$.data[0]")
        if str(row.get("sCode", "0")) != "0":
            raise ParseError(f"$.data[0].sCode: {str(row.get('sCode'))[:20]}")
        return str_field(row, "ordId", "$.data[0]")

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- payments


@attrs.frozen
class BillRow:
    bill_id: str
    time_ms: int
    payment: FundingPayment


def parse_funding_bills(
    exchange: ExchangeIdentifier, payload: object, markets: Mapping[str, OkxMarket]
) -> Result[tuple[BillRow, ...], MalformedResponse]:
    """``GET /api/v5/account/bills-archive?instType=SWAP&type=8`` (type 8 = funding fee)
    -> payments; ``balChg`` is the signed change of the account (received > 0)."""

    def parse() -> tuple[BillRow, ...]:
        found: list[BillRow] = []
        for path, row in data_objects(payload):
            bill_id = str_field(row, "billId", path)
            stamp = integer(field(row, "ts", path), f"{path}.ts")
            okx = markets.get(str(row.get("instId", "")))
            if okx is None or str(row.get("type", "8")) != "8":
                continue
            contracts = opt_dec(row, "sz", path)
            found.append(
                BillRow(
                    bill_id,
                    stamp,
                    FundingPayment(
                        exchange=exchange,
                        symbol=okx.market.symbol,
                        amount=dec_field(row, "balChg", path),
                        asset=str_field(row, "ccy", path),
                        time=ts_millis(stamp, f"{path}.ts"),
                        position_size=None if contracts is None else okx.from_contracts(contracts),
                    ),
                )
            )
        return tuple(found)

    return parse_guard(str(exchange), parse)


def parse_trade_fee(venue: str, payload: object) -> Result[FeeQuote, MalformedResponse]:
    """``GET /api/v5/account/trade-fee`` -> the account's rates (source ``account``).

    OKX quotes fee rates signed from the account's side: negative is a charge, positive a
    rebate (the recorded spot answer has ``maker`` "-0.0008", ``taker`` "-0.001": the
    0.08 % / 0.10 % spot Lv1 tier of okx.com/fees). USDT-margined contracts have their
    own ``makerU``/``takerU``; the plain fields are read only when those are empty."""

    def parse() -> FeeQuote:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        row = obj(data[0], "$.data[0]")
        maker = opt_dec(row, "makerU", "$.data[0]")
        taker = opt_dec(row, "takerU", "$.data[0]")
        if maker is None or taker is None:
            maker = dec_field(row, "maker", "$.data[0]")
            taker = dec_field(row, "taker", "$.data[0]")
        level = str(row.get("level", ""))[:20]
        return FeeQuote(
            VenueFees(maker=-maker, taker=-taker),
            FeeSource.ACCOUNT,
            f"GET /api/v5/account/trade-fee (level {level})",
        )

    return parse_guard(venue, parse)
