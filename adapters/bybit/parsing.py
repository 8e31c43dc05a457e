"""Pure parsers: Bybit v5 market-data JSON (``category=linear``) -> atomic-fp models.

Every parser takes the decoded response *envelope* ``{"retCode": 0, "retMsg": "OK",
"result": {...}, "time": ms}`` (and any context as arguments: no I/O, no clock) and returns
a ``Result``; a shape or value problem is a :class:`~atomic_fp.errors.MalformedResponse`.
Bybit answers most errors with HTTP 200 and ``retCode != 0``: :func:`ret_error` reads them.

Facts (Bybit v5 docs, research notes D, unless stated):

- Markets: ``GET /v5/market/instruments-info?category=linear`` (cursor pages). Kept:
  ``contractType == "LinearPerpetual"``, ``status == "Trading"``, ``settleCoin == "USDT"``
  (USDC perpetuals and dated futures share the category and are skipped). Lot =
  ``lotSizeFilter.qtyStep``, minimum ``minOrderQty``, ``minNotionalValue``; tick =
  ``priceFilter.tickSize``. Sizes are in base coins; ``1000PEPEUSDT`` trades 1000 PEPE per
  unit (multiplier from the prefix, as for Binance).
- ``fundingInterval`` is in **minutes** (480 = 8 h): real instrument rows carry 480, 240,
  60 (Bybit v5 "Get Instruments Info": "Funding interval (minute)"; patisson-bybit-sdk
  ``InverseLinearInstrumentsInfo.funding_interval``; every real capture found by the
  ``search`` tool reads 480 for BTCUSDT). A value that is not a whole number of hours is
  refused, never guessed: nautilus' docs-shaped fixture writes ``8``, an old hours-shaped
  value that read as minutes would make every rate 60x too large per hour.
- Caps: ``upperFundingRate`` / ``lowerFundingRate`` per instrument (patisson-bybit-sdk
  fields of the same response; absent in older responses, then no cap).
- Funding now: ``GET /v5/market/tickers?category=linear``: ``fundingRate`` (fraction per
  interval, positive = longs pay), ``nextFundingTime`` (ms), ``markPrice``,
  ``indexPrice``, ``openInterestValue`` (USD), ``turnover24h`` (USD); the envelope's
  ``time`` is when Bybit answered. Rows with no next funding (``""``/``"0"``: pre-listing)
  are skipped.
- History: :mod:`adapters.bybit.parsing_funding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from returns.result import Failure, Result, Success

from adapters._parse import (
    ParseError,
    arr,
    dec,
    dec_field,
    field,
    int_field,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.kit.readers import book_side, objects
from atomic_fp.errors import MalformedResponse, VenueError
from atomic_fp.models import FundingKind, FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.symbols import canonical_symbol

T = TypeVar("T")
E = TypeVar("E", bound=VenueError)

SETTLE_COIN = "USDT"
MAX_ABS_RATE = Decimal("0.5")
"""A per-interval rate beyond ±50 % is not a Bybit rate (caps are a few tenths of a
percent to a few percent): refusing it keeps a corrupt number from becoming an opportunity."""
MAX_INTERVAL = timedelta(hours=24)


# ---------------------------------------------------------------------------- envelope


def error_extractor(body: Any) -> tuple[str | None, str | None]:
    """``{"retCode": 10001, "retMsg": "..."}`` -> (``"10001"``, ``"..."``) (HTTP errors)."""
    if not isinstance(body, Mapping):
        return None, None
    code = body.get("retCode")
    message = body.get("retMsg")
    code_text = str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None
    return code_text, (message[:300] if isinstance(message, str) else None)


def ret_error(body: Any) -> tuple[str, str] | None:
    """A non-zero ``retCode`` delivered with HTTP 200 (how Bybit says "refused"), if any."""
    if not isinstance(body, Mapping) or "retCode" not in body:
        return None
    code = body.get("retCode")
    if code == 0 or code == "0":
        return None
    message = body.get("retMsg")
    return str(code)[:20], (message[:300] if isinstance(message, str) else "")


def result_of(payload: object) -> Mapping[str, Any]:
    """The ``result`` object of an envelope (raises ``ParseError`` for anything else)."""
    body = obj(payload)
    code = field(body, "retCode")
    if code != 0 and code != "0":
        raise ParseError(f"$.retCode: {str(code)[:20]} is not success")
    return obj(field(body, "result"), "$.result")


def result_rows(payload: object) -> Sequence[Any]:
    """``result.list`` of an envelope."""
    return arr(field(result_of(payload), "list", "$.result"), "$.result.list")


def result_objects(payload: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each object of ``result.list`` with its JSON path."""
    return objects(result_rows(payload), "$.result.list")


def envelope_time(payload: object) -> datetime:
    return ts_millis(field(obj(payload), "time"), "$.time")


def next_cursor(payload: object) -> str:
    """``result.nextPageCursor`` ("" or missing/null on the last page)."""
    value = result_of(payload).get("nextPageCursor")
    return value if isinstance(value, str) else ""


def parse_next_cursor(venue: str, payload: object) -> Result[str, MalformedResponse]:
    return parse_guard(venue, lambda: next_cursor(payload))


def with_cursor(
    venue: str, payload: object, page: Result[Sequence[T], E]
) -> Result[tuple[Sequence[T], str], E | MalformedResponse]:
    """A parsed page with its ``nextPageCursor`` (for :func:`adapters.kit.pages.
    walk_cursor`); the page's own failure first."""
    if isinstance(page, Failure):
        return Failure(page.failure())
    following = parse_next_cursor(venue, payload)
    if isinstance(following, Failure):
        return Failure(following.failure())
    return Success((page.unwrap(), following.unwrap()))


def parse_server_time(venue: str, payload: object) -> Result[int, MalformedResponse]:
    """``GET /v5/market/time`` -> server time in ms (``result.timeNano`` / 1e6, else the
    envelope's ``time``)."""

    def parse() -> int:
        result = result_of(payload)
        nano = result.get("timeNano")
        if nano is not None:
            millis = int(dec(nano, "$.result.timeNano")) // 1_000_000
        else:
            millis = int_field(obj(payload), "time")
        ts_millis(millis, "$.time")
        return millis

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- markets


@attrs.frozen
class BybitMarket:
    """A :class:`Market` plus what orders and funding need that the model does not hold."""

    market: Market
    max_order_qty: Decimal | None
    max_market_qty: Decimal | None
    cap: Decimal | None
    floor: Decimal | None

    @property
    def venue_symbol(self) -> str:
        return self.market.venue_symbol


def interval_from_minutes(value: object, path: str) -> timedelta:
    minutes = dec(value, path)
    if minutes <= 0 or minutes % 60 != 0 or timedelta(minutes=int(minutes)) > MAX_INTERVAL:
        raise ParseError(
            f"{path}: fundingInterval {minutes} is not a whole number of hours in minutes "
            "(Bybit v5 sends minutes, e.g. 480 for 8 h)"
        )
    return timedelta(minutes=int(minutes))


def bounded_rate(value: Decimal, path: str) -> Decimal:
    """``value`` if within ±``MAX_ABS_RATE`` (else ``ParseError``)."""
    if abs(value) > MAX_ABS_RATE:
        raise ParseError(f"{path}: funding rate {value} is outside ±{MAX_ABS_RATE}")
    return value


def _instrument(
    exchange: ExchangeIdentifier,
    row: Mapping[str, Any],
    path: str,
    overrides: Mapping[str, tuple[Symbol, Decimal]],
) -> BybitMarket | None:
    if row.get("contractType") != "LinearPerpetual" or row.get("status") != "Trading":
        return None
    if row.get("settleCoin", row.get("quoteCoin")) != SETTLE_COIN:
        return None
    venue_symbol = str_field(row, "symbol", path)
    base = str_field(row, "baseCoin", path)
    try:
        symbol, multiplier = (
            overrides[venue_symbol]
            if venue_symbol in overrides
            else canonical_symbol(base, overrides)
        )
    except ValueError:
        return None  # not an asset code: never traded, never an opportunity
    prices = obj(field(row, "priceFilter", path), f"{path}.priceFilter")
    lots = obj(field(row, "lotSizeFilter", path), f"{path}.lotSizeFilter")
    leverage = row.get("leverageFilter")
    max_leverage = (
        opt_dec(obj(leverage, f"{path}.leverageFilter"), "maxLeverage", f"{path}.leverageFilter")
        if leverage is not None
        else None
    )
    upper = opt_dec(row, "upperFundingRate", path)
    lower = opt_dec(row, "lowerFundingRate", path)
    market = Market(
        exchange=exchange,
        symbol=symbol,
        venue_symbol=venue_symbol,
        tick_size=dec_field(prices, "tickSize", f"{path}.priceFilter"),
        lot_size=dec_field(lots, "qtyStep", f"{path}.lotSizeFilter"),
        min_size=opt_dec(lots, "minOrderQty", f"{path}.lotSizeFilter") or Decimal(0),
        min_notional=opt_dec(lots, "minNotionalValue", f"{path}.lotSizeFilter") or Decimal(0),
        contract_multiplier=multiplier,
        funding_interval=interval_from_minutes(
            field(row, "fundingInterval", path), f"{path}.fundingInterval"
        ),
        settle_asset=SETTLE_COIN,
        max_leverage=max_leverage if max_leverage and max_leverage > 0 else None,
    )
    return BybitMarket(
        market=market,
        max_order_qty=opt_dec(lots, "maxOrderQty", f"{path}.lotSizeFilter"),
        max_market_qty=opt_dec(lots, "maxMktOrderQty", f"{path}.lotSizeFilter"),
        cap=None if upper is None else bounded_rate(upper, f"{path}.upperFundingRate"),
        floor=None if lower is None else bounded_rate(lower, f"{path}.lowerFundingRate"),
    )


def parse_instruments(
    exchange: ExchangeIdentifier,
    payload: object,
    overrides: Mapping[str, tuple[Symbol, Decimal]] | None = None,
) -> Result[tuple[BybitMarket, ...], MalformedResponse]:
    """One page of ``/v5/market/instruments-info?category=linear`` -> tradable USDT
    perpetuals (one per canonical symbol: the first listed wins)."""
    known = overrides or {}

    def parse() -> tuple[BybitMarket, ...]:
        markets: dict[Symbol, BybitMarket] = {}
        for path, row in result_objects(payload):
            market = _instrument(exchange, row, path, known)
            if market is not None and market.market.symbol not in markets:
                markets[market.market.symbol] = market
        return tuple(markets.values())

    return parse_guard(str(exchange), parse)


def merge_pages(pages: Iterable[tuple[BybitMarket, ...]]) -> tuple[BybitMarket, ...]:
    """Markets of all pages, one per canonical symbol (first page first)."""
    merged: dict[Symbol, BybitMarket] = {}
    for page in pages:
        for market in page:
            merged.setdefault(market.market.symbol, market)
    return tuple(merged.values())


# ---------------------------------------------------------------------------- funding now


def _price(value: Decimal | None) -> Decimal | None:
    return None if value is None or value <= 0 else value


def parse_tickers(
    exchange: ExchangeIdentifier, payload: object, markets: Sequence[BybitMarket]
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``/v5/market/tickers?category=linear`` + the instruments -> CURRENT funding rates,
    each with its own symbol's interval and cap; tickers of symbols that are not a trading
    USDT perpetual are skipped."""
    by_venue = {m.venue_symbol: m for m in markets}

    def parse() -> tuple[FundingRate, ...]:
        observed = envelope_time(payload)
        rates: list[FundingRate] = []
        for path, row in result_objects(payload):
            market = by_venue.get(str_field(row, "symbol", path))
            if market is None:
                continue
            next_raw = row.get("nextFundingTime")
            if next_raw in (None, "", "0", 0):
                continue
            rate_raw = row.get("fundingRate")
            if rate_raw in (None, ""):
                continue
            rates.append(
                FundingRate(
                    exchange=exchange,
                    symbol=market.market.symbol,
                    rate=bounded_rate(dec(rate_raw, f"{path}.fundingRate"), f"{path}.fundingRate"),
                    interval=market.market.funding_interval,
                    kind=FundingKind.CURRENT,
                    observed_at=observed,
                    next_funding_time=ts_millis(next_raw, f"{path}.nextFundingTime"),
                    mark_price=_price(opt_dec(row, "markPrice", path)),
                    index_price=_price(opt_dec(row, "indexPrice", path)),
                    venue_symbol=market.venue_symbol,
                    cap=market.cap,
                    floor=market.floor,
                    open_interest=opt_dec(row, "openInterestValue", path),
                    volume_24h=opt_dec(row, "turnover24h", path),
                )
            )
        return tuple(rates)

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- order book


def parse_orderbook(
    exchange: ExchangeIdentifier, payload: object, symbol: Symbol, depth: int = 500
) -> Result[OrderBook, MalformedResponse]:
    """``/v5/market/orderbook`` -> book (``b`` bids, ``a`` asks, best first; ``ts`` ms)."""

    def parse() -> OrderBook:
        result = result_of(payload)
        return OrderBook(
            exchange=exchange,
            symbol=symbol,
            bids=book_side(field(result, "b", "$.result"), "$.result.b", depth),
            asks=book_side(field(result, "a", "$.result"), "$.result.a", depth),
            timestamp=ts_millis(field(result, "ts", "$.result"), "$.result.ts"),
        )

    return parse_guard(str(exchange), parse)


__all__ = [
    "BybitMarket",
    "envelope_time",
    "error_extractor",
    "interval_from_minutes",
    "merge_pages",
    "next_cursor",
    "parse_instruments",
    "parse_next_cursor",
    "parse_orderbook",
    "parse_server_time",
    "parse_tickers",
    "result_objects",
    "result_of",
    "result_rows",
    "ret_error",
    "with_cursor",
]
