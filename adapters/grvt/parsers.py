"""Pure GRVT JSON -> atomic-fp models (``full/v1`` verbose keys).

Every public ``parse_*`` function runs inside :func:`~adapters._parse.parse_guard`, so any
shape or value problem becomes a ``MalformedResponse`` and nothing escapes.

Units (GRVT sends every number as a decimal string or JSON number, every timestamp as
unix **nanoseconds**, usually as a string):

- sizes are in base-asset units (``min_size`` is also the size step: error 2065 "Order
  size too granular"), prices in quote units, ``min_notional`` in the quote currency;
- ``funding_rate`` is **percent per funding interval** (see :func:`funding_rate_fraction`);
- ``funding_interval_hours`` is per instrument (1/4/8); old history rows carry ``0``,
  which means "use the instrument's interval".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._liquidity import non_negative, quote_value
from adapters._parse import (
    ParseError,
    arr,
    dec,
    dec_field,
    field,
    int_field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_nanos,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    Balance,
    BookLevel,
    FundingKind,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderStatus,
    Position,
    Side,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.symbols import canonical_symbol

PERP_SUFFIX = "_Perp"

_PERCENT = Decimal(100)

# GRVT's currency list names KPEPE "the 1000PEPE token" (api-spec Currency enum): one
# GRVT size unit is 1000 PEPE. The generic rule (``kPEPE``/``1000PEPE``) does not see an
# upper-case ``K`` prefix, and must not (KAS, KAVA, KSM are real assets).
_MULTIPLIED_BASES: Mapping[str, tuple[str, Decimal]] = {"KPEPE": ("PEPE", Decimal(1000))}

Overrides = Mapping[str, tuple[Symbol, Decimal]]


@attrs.frozen
class GrvtInstrument:
    """A GRVT perpetual with what signing needs beside the generic :class:`Market`."""

    name: str
    instrument_hash: str
    base: str
    quote: str
    base_decimals: int
    market: Market
    funding_cap: Decimal | None = None
    """``adjusted_funding_rate_cap`` as a fraction per interval (the wire is a percent, like
    ``funding_rate``: BTC ``"0.3"`` = 0.3 % per 8 h)."""
    funding_floor: Decimal | None = None

    @property
    def symbol(self) -> Symbol:
        return self.market.symbol

    @property
    def funding_interval(self) -> timedelta:
        return self.market.funding_interval


def funding_rate_fraction(raw: Decimal) -> Decimal:
    """GRVT ``funding_rate`` (percent per interval) -> fraction per interval.

    The unit is settled as **percent** (``0.0037`` = 0.0037 % = 3.7e-5), not centibeeps:

    - the api-spec schema ``ApiFundingRate.funding_rate`` says "expressed in percentage
      points"; only the ticker schema says "centibeeps", and the ticker's deprecated
      ``funding_rate_8h_curr`` is documented as the same rate (api-spec
      ``artifacts/apidocs/schemas/{api_funding_rate,ticker}.md``);
    - recorded real data (ccxt fixture ``grvt.json``): BTC_USDT_Perp history rows
      ``-0.008`` at 2026-02-10T16:00Z and ``-0.002`` at 08:00Z. As percent these are
      -8.0e-5 and -2.0e-5 per 8 h; Binance BTCUSDT settled -8.816e-5 and -4.829e-5 and
      Bybit -5.877e-5 and -4.32e-5 at the same instants (research-data
      ``funding_rate_data/derived_csv``). As centibeeps they would be -8e-9: four orders of
      magnitude below every other venue. The ticker ``0.0037`` for the interval ending
      2025-12-03T16:00Z is 3.7e-5 as percent (Bybit settled 3.174e-5 then);
    - instrument caps: ``adjusted_funding_rate_cap`` ``"0.3"`` (BTC) / ``"0.75"`` (AAVE)
      are plausible as 0.3 % / 0.75 % per 8 h, absurd as 3e-7;
    - independent adapters reading ``market-data.grvt.io`` divide ``funding_rate`` by 100
      ("0.01 = 0.01 %"), found with the code search over public repositories.

    Sign: GRVT's docs do not say; the same data supports "positive = longs pay" (the
    atomic-fp convention): both history rows are negative when Binance and Bybit (whose
    positive rates are paid by longs) were negative, and the positive ticker matched
    Bybit's positive rate.
    """
    return raw / _PERCENT


def instrument_symbol(
    name: str, base: str | None = None, overrides: Overrides | None = None
) -> tuple[Symbol, Decimal]:
    """Canonical symbol and contract multiplier of a GRVT perpetual.

    ``overrides`` is keyed by instrument name (``BTC_USDT_Perp``) or base (``BTC``).
    """
    if overrides and name in overrides:
        return overrides[name]
    if not name.endswith(PERP_SUFFIX):
        raise ParseError(f"{name!r} is not a perpetual instrument name")
    raw_base = base if base is not None else name.split("_", 1)[0]
    if overrides and raw_base in overrides:
        return overrides[raw_base]
    if raw_base in _MULTIPLIED_BASES:
        canonical, multiplier = _MULTIPLIED_BASES[raw_base]
        return Symbol(base=canonical), multiplier
    return canonical_symbol(raw_base)


def _interval(hours: int, path: str) -> timedelta:
    if hours <= 0 or hours > 24 * 7:
        raise ParseError(f"{path}: funding interval out of range: {hours} h")
    return timedelta(hours=hours)


def _result(payload: object) -> Any:
    return field(obj(payload), "result")


def _nonnegative_or_none(value: Decimal | None) -> Decimal | None:
    """Prices that are ``0`` mean "not available" on GRVT (e.g. ``exit_price``)."""
    return value if value is not None and value > 0 else None


# --- instruments ---------------------------------------------------------------------


@attrs.frozen
class InstrumentList:
    """Parsed perpetuals, plus the names of perpetuals left out and why."""

    instruments: tuple[GrvtInstrument, ...]
    skipped: tuple[str, ...] = ()


def _instrument(
    venue: ExchangeIdentifier, item: object, path: str, overrides: Overrides | None
) -> GrvtInstrument:
    row = obj(item, path)
    name = str_field(row, "instrument", path)
    base = str_field(row, "base", path) if "base" in row else None
    quote = str_field(row, "quote", path) if "quote" in row else name.split("_")[1]
    symbol, multiplier = instrument_symbol(name, base, overrides)
    instrument_hash = str_field(row, "instrument_hash", path)
    int(instrument_hash, 16)  # the signing asset id must be hex
    base_decimals = int_field(row, "base_decimals", path)
    if not 0 <= base_decimals <= 18:
        raise ParseError(f"{path}.base_decimals out of range: {base_decimals}")
    min_size = dec_field(row, "min_size", path)
    hours = integer(field(row, "funding_interval_hours", path), f"{path}.funding_interval_hours")
    market = Market(
        exchange=venue,
        symbol=symbol,
        venue_symbol=name,
        tick_size=dec_field(row, "tick_size", path),
        lot_size=min_size,
        min_size=min_size,
        min_notional=opt_dec(row, "min_notional", path) or Decimal(0),
        contract_multiplier=multiplier,
        funding_interval=_interval(hours, f"{path}.funding_interval_hours"),
        settle_asset=quote,
    )
    cap = opt_dec(row, "adjusted_funding_rate_cap", path)
    floor = opt_dec(row, "adjusted_funding_rate_floor", path)
    if cap is not None and floor is not None and floor > cap:
        raise ParseError(f"{path}: adjusted_funding_rate_floor {floor} above its cap {cap}")
    return GrvtInstrument(
        name=name,
        instrument_hash=instrument_hash,
        base=base or name.split("_", 1)[0],
        quote=quote,
        base_decimals=base_decimals,
        market=market,
        funding_cap=funding_rate_fraction(cap) if cap is not None else None,
        funding_floor=funding_rate_fraction(floor) if floor is not None else None,
    )


def _instruments(
    venue: ExchangeIdentifier, payload: object, overrides: Overrides | None
) -> InstrumentList:
    rows = arr(_result(payload), "$.result")
    found: list[GrvtInstrument] = []
    skipped: list[str] = []
    for index, item in enumerate(rows):
        path = f"$.result[{index}]"
        row = obj(item, path)
        kind = row.get("kind")
        if kind != "PERPETUAL" and not (
            kind is None and str(row.get("instrument")).endswith(PERP_SUFFIX)
        ):
            continue
        if row.get("funding_interval_hours") in (None, "", 0, "0"):
            # A perp whose funding interval is unknown cannot be compared: leave it out
            # (named in ``skipped``) rather than assume 8 h.
            skipped.append(str(row.get("instrument"))[:60])
            continue
        found.append(_instrument(venue, row, path, overrides))
    return InstrumentList(tuple(found), tuple(skipped))


def parse_instruments(
    venue: ExchangeIdentifier, payload: object, overrides: Overrides | None = None
) -> Result[InstrumentList, MalformedResponse]:
    """``full/v1/all_instruments`` / ``instruments`` -> PERPETUAL instruments only."""
    return parse_guard(venue.name, lambda: _instruments(venue, payload, overrides))


# --- funding -------------------------------------------------------------------------


def _ticker_rate(row: Mapping[str, Any], path: str) -> Decimal:
    # ``funding_rate_8h_curr`` is the deprecated alias of ``funding_rate`` (same rate over
    # ``funding_interval_hours``, schema ticker.md); never a default.
    for key in ("funding_rate", "funding_rate_8h_curr"):
        value = opt_dec(row, key, path)
        if value is not None:
            return value
    raise ParseError(f"{path}.funding_rate: missing")


def _ticker(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object, observed_at: datetime
) -> FundingRate:
    row = obj(_result(payload), "$.result")
    name = str_field(row, "instrument", "$.result")
    if name != instrument.name:
        raise ParseError(f"$.result.instrument: asked for {instrument.name}, got {name}")
    event = row.get("event_time")
    next_time = row.get("next_funding_time")
    mark = _nonnegative_or_none(opt_dec(row, "mark_price", "$.result"))
    # ``open_interest`` in base units; 24 h volume = taker-buy + taker-sell quote volume
    buys = opt_dec(row, "buy_volume_24h_q", "$.result")
    sells = opt_dec(row, "sell_volume_24h_q", "$.result")
    volume = non_negative(buys + sells) if buys is not None and sells is not None else None
    return FundingRate(
        exchange=venue,
        symbol=instrument.symbol,
        rate=funding_rate_fraction(_ticker_rate(row, "$.result")),
        interval=instrument.funding_interval,
        kind=FundingKind.CURRENT,
        observed_at=ts_nanos(event, "$.result.event_time") if event else observed_at,
        next_funding_time=(
            ts_nanos(next_time, "$.result.next_funding_time") if next_time else None
        ),
        mark_price=mark,
        index_price=_nonnegative_or_none(opt_dec(row, "index_price", "$.result")),
        venue_symbol=instrument.name,
        open_interest=quote_value(opt_dec(row, "open_interest", "$.result"), mark),
        volume_24h=volume,
        cap=instrument.funding_cap,
        floor=instrument.funding_floor,
    )


def parse_ticker(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object, observed_at: datetime
) -> Result[FundingRate, MalformedResponse]:
    """``full/v1/ticker`` -> the CURRENT (indicative) rate of the active interval.

    ``observed_at`` is the ticker's ``event_time`` when present, else the given time.
    """
    return parse_guard(venue.name, lambda: _ticker(venue, instrument, payload, observed_at))


@attrs.frozen
class FundingPage:
    rates: tuple[FundingRate, ...]
    next_cursor: str | None


def _funding_page(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object
) -> FundingPage:
    body = obj(payload)
    rows = arr(field(body, "result"), "$.result")
    rates: list[FundingRate] = []
    for index, item in enumerate(rows):
        path = f"$.result[{index}]"
        row = obj(item, path)
        name = str_field(row, "instrument", path)
        if name != instrument.name:
            raise ParseError(f"{path}.instrument: asked for {instrument.name}, got {name}")
        raw_hours = row.get("funding_interval_hours")
        hours = 0 if raw_hours in (None, "") else integer(raw_hours, f"{path}.hours")
        interval = (
            _interval(hours, f"{path}.funding_interval_hours")
            if hours != 0
            else instrument.funding_interval
        )
        when = ts_nanos(field(row, "funding_time", path), f"{path}.funding_time")
        rates.append(
            FundingRate(
                exchange=venue,
                symbol=instrument.symbol,
                rate=funding_rate_fraction(dec_field(row, "funding_rate", path)),
                interval=interval,
                kind=FundingKind.SETTLED,
                observed_at=when,
                funding_time=when,
                mark_price=_nonnegative_or_none(opt_dec(row, "mark_price", path)),
                venue_symbol=instrument.name,
            )
        )
    cursor = body.get("next")
    next_cursor = string(cursor, "$.next") if cursor not in (None, "") else None
    return FundingPage(tuple(rates), next_cursor)


def parse_funding_page(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object
) -> Result[FundingPage, MalformedResponse]:
    """One page of ``full/v1/funding`` (newest first, as GRVT sends it) + ``next`` cursor."""
    return parse_guard(venue.name, lambda: _funding_page(venue, instrument, payload))


# --- order book ----------------------------------------------------------------------


def _levels(rows: object, path: str) -> tuple[BookLevel, ...]:
    levels: list[BookLevel] = []
    for index, item in enumerate(arr(rows, path)):
        row = obj(item, f"{path}[{index}]")
        size = dec_field(row, "size", f"{path}[{index}]")
        if size == 0:
            continue  # a removed level; a negative size is refused by BookLevel
        levels.append(BookLevel(price=dec_field(row, "price", f"{path}[{index}]"), size=size))
    return tuple(levels)


def _book(venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object) -> OrderBook:
    row = obj(_result(payload), "$.result")
    name = str_field(row, "instrument", "$.result")
    if name != instrument.name:
        raise ParseError(f"$.result.instrument: asked for {instrument.name}, got {name}")
    return OrderBook(
        exchange=venue,
        symbol=instrument.symbol,
        bids=_levels(field(row, "bids", "$.result"), "$.result.bids"),
        asks=_levels(field(row, "asks", "$.result"), "$.result.asks"),
        timestamp=ts_nanos(field(row, "event_time", "$.result"), "$.result.event_time"),
    )


def parse_book(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object
) -> Result[OrderBook, MalformedResponse]:
    """``full/v1/book`` -> OrderBook (sizes in base units; ``num_orders`` ignored)."""
    return parse_guard(venue.name, lambda: _book(venue, instrument, payload))


# --- account -------------------------------------------------------------------------

InstrumentLookup = Mapping[str, GrvtInstrument]


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


# --- errors --------------------------------------------------------------------------


def error_of(payload: object) -> tuple[str, str] | None:
    """``(code, message)`` when ``payload`` is a GRVT error body
    (``{"request_id":1,"code":1000,"message":"...","status":401}``), else ``None``."""
    if not isinstance(payload, Mapping) or "result" in payload:
        return None
    code = payload.get("code")
    if isinstance(code, bool) or not isinstance(code, int | str):
        return None
    message = payload.get("message")
    text = message if isinstance(message, str) else ""
    return str(code)[:20], text[:300]


def error_extractor(payload: Any) -> tuple[str | None, str | None]:
    """For :class:`~adapters._http.JsonHttp`: the venue's own code and message."""
    found = error_of(payload)
    return (found[0], found[1]) if found else (None, None)
