"""Pure parsers of Hyperliquid account data (``clearinghouseState``, ``userFunding``,
``orderStatus``) and ``/exchange`` answers. Units and facts:
:mod:`adapters.hyperliquid.parsing`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_millis,
)
from adapters.hyperliquid.parsing import SETTLE_ASSET, Overrides, _bool, _symbol
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


def _state_time(body: Mapping[str, Any], fallback: datetime) -> datetime:
    value = body.get("time")
    return fallback if value is None else ts_millis(value, "$.time")


def _positions(
    exchange: ExchangeIdentifier, payload: Any, observed_at: datetime, overrides: Overrides
) -> tuple[Position, ...]:
    body = obj(payload)
    stamp = _state_time(body, observed_at)
    positions: list[Position] = []
    for index, raw in enumerate(arr(field(body, "assetPositions"), "$.assetPositions")):
        entry_path = f"$.assetPositions[{index}]"
        path = f"{entry_path}.position"
        position = obj(field(obj(raw, entry_path), "position", entry_path), path)
        coin = str_field(position, "coin", path)
        size = dec_field(position, "szi", path)
        if size == 0:
            continue
        mapped = _symbol(coin, overrides)
        if mapped is None:
            raise ParseError(f"{path}.coin: not an asset code: {coin[:40]!r}")
        symbol, multiplier = mapped
        value = opt_dec(position, "positionValue", path)
        leverage_value = None
        if isinstance(position.get("leverage"), Mapping):
            leverage_value = opt_dec(position["leverage"], "value", f"{path}.leverage")
        funding = None
        if isinstance(position.get("cumFunding"), Mapping):
            paid = opt_dec(position["cumFunding"], "sinceOpen", f"{path}.cumFunding")
            funding = None if paid is None else -paid
        positions.append(
            Position(
                exchange=exchange,
                symbol=symbol,
                size=size,
                observed_at=stamp,
                contract_multiplier=multiplier,
                entry_price=opt_dec(position, "entryPx", path),
                mark_price=None if value is None else abs(value) / abs(size),
                liquidation_price=opt_dec(position, "liquidationPx", path),
                unrealized_pnl=opt_dec(position, "unrealizedPnl", path),
                cumulative_funding=funding,
                leverage=leverage_value,
            )
        )
    return tuple(positions)


def parse_positions(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides | None = None,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``clearinghouseState`` -> open positions (signed ``szi``). ``observed_at`` is used
    only when the body has no ``time``."""
    return parse_guard(
        str(exchange), lambda: _positions(exchange, payload, observed_at, overrides or {})
    )


def _balances(
    exchange: ExchangeIdentifier, payload: Any, observed_at: datetime
) -> tuple[Balance, ...]:
    body = obj(payload)
    summary = obj(body.get("marginSummary", body.get("crossMarginSummary")), "$.marginSummary")
    return (
        Balance(
            exchange=exchange,
            asset=SETTLE_ASSET,
            total=dec_field(summary, "accountValue", "$.marginSummary"),
            available=dec_field(body, "withdrawable"),
            observed_at=_state_time(body, observed_at),
        ),
    )


def parse_balances(
    exchange: ExchangeIdentifier, payload: Any, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``clearinghouseState`` -> the perp account's USDC: total = ``accountValue`` (equity
    including unrealised PnL), available = ``withdrawable``."""
    return parse_guard(str(exchange), lambda: _balances(exchange, payload, observed_at))


def _user_funding(
    exchange: ExchangeIdentifier, payload: Any, overrides: Overrides
) -> tuple[FundingPayment, ...]:
    payments: list[FundingPayment] = []
    for index, raw in enumerate(arr(payload)):
        path = f"$[{index}]"
        row = obj(raw, path)
        delta = obj(field(row, "delta", path), f"{path}.delta")
        if delta.get("type", "funding") != "funding":
            continue
        coin = str_field(delta, "coin", f"{path}.delta")
        mapped = _symbol(coin, overrides)
        if mapped is None:
            raise ParseError(f"{path}.delta.coin: not an asset code: {coin[:40]!r}")
        payments.append(
            FundingPayment(
                exchange=exchange,
                symbol=mapped[0],
                amount=dec_field(delta, "usdc", f"{path}.delta"),
                asset=SETTLE_ASSET,
                time=ts_millis(field(row, "time", path), f"{path}.time"),
                rate=opt_dec(delta, "fundingRate", f"{path}.delta"),
                position_size=opt_dec(delta, "szi", f"{path}.delta"),
            )
        )
    return tuple(payments)


def parse_user_funding(
    exchange: ExchangeIdentifier, payload: Any, overrides: Overrides | None = None
) -> Result[tuple[FundingPayment, ...], MalformedResponse]:
    """``userFunding`` -> funding payments (positive = received)."""
    return parse_guard(str(exchange), lambda: _user_funding(exchange, payload, overrides or {}))


def order_status_from_venue(status: str) -> OrderStatus:
    """Map an ``orderStatus`` status string. Anything unknown is refused, not guessed."""
    if status in ("open", "triggered"):
        return OrderStatus.OPEN
    if status == "filled":
        return OrderStatus.FILLED
    if status in ("canceled", "scheduledCancel") or status.endswith("Canceled"):
        return OrderStatus.CANCELED
    if status == "rejected" or status.endswith("Rejected"):
        return OrderStatus.REJECTED
    raise ParseError(f"$.order.status: unknown order status {status[:40]!r}")


def _side(value: Any, path: str) -> Side:
    text = string(value, path)
    if text == "B":
        return Side.BUY
    if text == "A":
        return Side.SELL
    raise ParseError(f"{path}: unknown side {text[:10]!r}")


def _order_status(
    exchange: ExchangeIdentifier, symbol: Symbol, client_order_id: str, payload: Any
) -> Order | None:
    body = obj(payload)
    kind = str_field(body, "status")
    if kind == "unknownOid":
        return None
    if kind != "order":
        raise ParseError(f"$.status: unexpected {kind[:40]!r}")
    wrapper = obj(field(body, "order"), "$.order")
    order = obj(field(wrapper, "order", "$.order"), "$.order.order")
    path = "$.order.order"
    status = order_status_from_venue(str_field(wrapper, "status", "$.order"))
    original = dec_field(order, "origSz", path)
    remaining = dec_field(order, "sz", path)
    if remaining < 0 or remaining > original:
        raise ParseError(f"{path}.sz: {remaining} outside 0..origSz {original}")
    filled = original - remaining
    if status is OrderStatus.OPEN and filled > 0:
        status = OrderStatus.PARTIALLY_FILLED
    stamp = wrapper.get("statusTimestamp", order.get("timestamp"))
    return Order(
        exchange=exchange,
        symbol=symbol,
        client_order_id=client_order_id,
        side=_side(field(order, "side", path), f"{path}.side"),
        size=original,
        status=status,
        filled_size=filled,
        venue_order_id=str(integer(field(order, "oid", path), f"{path}.oid")),
        reduce_only=_bool(order.get("reduceOnly"), f"{path}.reduceOnly"),
        updated_at=None if stamp is None else ts_millis(stamp, "$.order.statusTimestamp"),
    )


def parse_order_status(
    exchange: ExchangeIdentifier, symbol: Symbol, client_order_id: str, payload: Any
) -> Result[Order | None, MalformedResponse]:
    """``orderStatus`` -> the order, or ``None`` for ``{"status": "unknownOid"}``.

    ``size`` is ``origSz``; ``filled_size`` is ``origSz - sz`` (``sz`` is what remains).
    The answer carries no average price.
    """
    return parse_guard(
        str(exchange), lambda: _order_status(exchange, symbol, client_order_id, payload)
    )


@attrs.frozen
class ExchangeError:
    """A top-level ``{"status": "err", "response": "..."}`` answer from ``/exchange``."""

    message: str


@attrs.frozen
class PlacedOrder:
    """What ``/exchange`` said about one order we sent."""

    status: OrderStatus
    filled_size: Decimal = Decimal(0)
    average_price: Decimal | None = None
    venue_order_id: str | None = None
    reject_reason: str | None = None


def _exchange_statuses(payload: Any, expected_type: str) -> Sequence[Any] | ExchangeError:
    body = obj(payload)
    status = str_field(body, "status")
    if status == "err":
        response = body.get("response")
        text = response if isinstance(response, str) else "venue returned status err"
        return ExchangeError(text[:300])
    if status != "ok":
        raise ParseError(f"$.status: unexpected {status[:40]!r}")
    response = obj(field(body, "response"), "$.response")
    kind = str_field(response, "type", "$.response")
    if kind != expected_type:
        raise ParseError(f"$.response.type: expected {expected_type!r}, got {kind[:40]!r}")
    data = obj(field(response, "data", "$.response"), "$.response.data")
    statuses = arr(field(data, "statuses", "$.response.data"), "$.response.data.statuses")
    if not statuses:
        raise ParseError("$.response.data.statuses: empty")
    return statuses


def _placed(payload: Any, ordered_size: Decimal, rests: bool) -> PlacedOrder | ExchangeError:
    statuses = _exchange_statuses(payload, "order")
    if isinstance(statuses, ExchangeError):
        return statuses
    first = statuses[0]
    path = "$.response.data.statuses[0]"
    if first == "waitingForTrigger":
        return PlacedOrder(status=OrderStatus.PENDING)
    entry = obj(first, path)
    if "error" in entry:
        return PlacedOrder(
            status=OrderStatus.REJECTED, reject_reason=string(entry["error"], path)[:300]
        )
    if "resting" in entry:
        resting = obj(entry["resting"], f"{path}.resting")
        return PlacedOrder(
            status=OrderStatus.OPEN,
            venue_order_id=str(integer(field(resting, "oid", path), f"{path}.resting.oid")),
        )
    if "filled" in entry:
        filled = obj(entry["filled"], f"{path}.filled")
        total = dec_field(filled, "totalSz", f"{path}.filled")
        if total < 0 or total > ordered_size:
            raise ParseError(f"{path}.filled.totalSz: {total} outside 0..{ordered_size}")
        if total == ordered_size:
            status = OrderStatus.FILLED
        else:
            status = OrderStatus.PARTIALLY_FILLED if rests else OrderStatus.CANCELED
        return PlacedOrder(
            status=status,
            filled_size=total,
            average_price=dec_field(filled, "avgPx", f"{path}.filled"),
            venue_order_id=str(integer(field(filled, "oid", path), f"{path}.filled.oid")),
        )
    raise ParseError(f"{path}: unknown order status keys {sorted(entry)[:5]}")


def parse_order_response(
    venue: str, payload: Any, ordered_size: Decimal, *, rests: bool
) -> Result[PlacedOrder | ExchangeError, MalformedResponse]:
    """``/exchange`` order answer -> what happened to the (single) order.

    ``filled`` with ``totalSz`` below the ordered size means the rest was cancelled for an
    IOC (``rests=False``: CANCELED with a fill) and rests on the book for GTC/ALO
    (PARTIALLY_FILLED). A per-order ``{"error": ...}`` is a REJECTED order carrying the
    venue's text; a top-level ``{"status": "err"}`` is an :class:`ExchangeError`.
    """
    return parse_guard(venue, lambda: _placed(payload, ordered_size, rests))


def _cancelled(payload: Any) -> str | ExchangeError | None:
    statuses = _exchange_statuses(payload, "cancel")
    if isinstance(statuses, ExchangeError):
        return statuses
    first = statuses[0]
    if first == "success":
        return None
    entry = obj(first, "$.response.data.statuses[0]")
    return string(field(entry, "error", "$.response.data.statuses[0]"), "$.error")[:300]


def parse_cancel_response(
    venue: str, payload: Any
) -> Result[str | ExchangeError | None, MalformedResponse]:
    """``/exchange`` cancel answer -> ``None`` on success, the venue's per-order error
    text, or an :class:`ExchangeError` for a top-level ``err``."""
    return parse_guard(venue, lambda: _cancelled(payload))


def info_error_message(body: Any) -> tuple[str | None, str | None]:
    """Error extractor for non-2xx answers: HL sends ``{"code","msg","data"}`` JSON or
    ``{"status":"err","response":"..."}``; anything else gives no message."""
    if isinstance(body, Mapping):
        if isinstance(body.get("msg"), str):
            code = body.get("code")
            return (str(code)[:40] if code is not None else None, body["msg"][:300])
        if isinstance(body.get("response"), str):
            return ("err", body["response"][:300])
    if isinstance(body, str):
        return (None, body[:300])
    return (None, None)
