"""Pure parsers: Binance USDⓈ-M futures JSON -> atomic-fp models.

Every public parser takes the decoded JSON (and whatever context it needs, as arguments:
no I/O, no clock) and returns a ``Result``; any shape or value problem becomes a
:class:`~atomic_fp.errors.MalformedResponse` via :func:`adapters._parse.parse_guard`.

Units and conventions (facts from the Binance USDⓈ-M REST docs unless stated):

- Rates are fractions per funding interval (``lastFundingRate``, ``fundingRate``);
  positive = longs pay shorts, which is atomic-fp's convention too.
- The interval is 8 h unless ``GET /fapi/v1/fundingInfo`` lists the symbol with another
  ``fundingIntervalHours`` (that endpoint lists *only* adjusted symbols).
- Sizes are in the venue's contract unit; ``1000PEPEUSDT`` trades 1000 PEPE per unit, so
  its canonical symbol is ``PEPE`` with contract multiplier 1000
  (:func:`atomic_fp.symbols.canonical_symbol`; ``settings.symbol_overrides`` win).
- Canonical symbols are quote *families* (``BTC/USD``): ``BTCUSDT`` and ``BTCUSDC`` are
  the same canonical symbol. Markets and current funding keep **one** listing per
  canonical symbol, the first quote in ``SymbolMap.quotes`` (default USDT, then USDC),
  so the funding scan, the market list and the orders all refer to the same contract.
- Symbols that are not a USD-quoted perpetual (delivery contracts ``BTCUSDT_250328``,
  ``ETHBTC``) or whose base is not an ASCII asset code (Binance has listed non-ASCII
  names) are skipped in market data unless an override maps them. Account data
  (positions, income, orders) on such a symbol is a failure, not a silent omission: a
  position we cannot name must not disappear from the exposure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_millis,
)
from atomic_fp.errors import MalformedResponse, NotSupported, VenueError
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

T = TypeVar("T")

QUOTE_PRIORITY: tuple[str, ...] = ("USDT", "USDC")
DEFAULT_INTERVAL_HOURS = 8
VALID_INTERVAL_HOURS = frozenset({1, 2, 4, 8})
"""Funding intervals Binance USDⓈ-M has used (8 h default; 4 h, 2 h and 1 h adjusted)."""

MAX_ABS_RATE = Decimal("0.5")
"""A per-interval rate beyond ±50 % is not a Binance rate (caps are a few percent, see
``adjustedFundingRateCap``): refusing it keeps a corrupt number from becoming an
'opportunity'."""

_HOUR_MS = 3_600_000
_GAP_TOLERANCE_MS = 5 * 60_000
"""Settlement times carry a few ms of jitter (``…16:00:00.003``); gaps are whole hours
within this tolerance."""


# ---------------------------------------------------------------------------- symbols


@attrs.frozen
class SymbolMap:
    """Venue symbol <-> canonical symbol, with the user's overrides and quote priority."""

    overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)
    quotes: tuple[str, ...] = QUOTE_PRIORITY

    def split(self, venue_symbol: str) -> tuple[str, str] | None:
        """``1000PEPEUSDT`` -> (``1000PEPE``, ``USDT``); None for anything else."""
        if "_" in venue_symbol:
            return None
        for quote in self.quotes:
            if venue_symbol.endswith(quote) and len(venue_symbol) > len(quote):
                return venue_symbol[: -len(quote)], quote
        return None

    def canonical_base(self, base: str) -> tuple[Symbol, Decimal] | None:
        try:
            return canonical_symbol(base, self.overrides)
        except ValueError:
            return None

    def canonical(self, venue_symbol: str) -> tuple[Symbol, Decimal] | None:
        """Canonical symbol and contract multiplier of a venue symbol, or None."""
        if venue_symbol in self.overrides:
            return self.overrides[venue_symbol]
        parts = self.split(venue_symbol)
        return None if parts is None else self.canonical_base(parts[0])

    def rank(self, quote: str) -> int:
        return self.quotes.index(quote) if quote in self.quotes else len(self.quotes)


def _prefer_quotes(items: Iterable[tuple[Symbol, int, T]]) -> list[T]:
    """One item per canonical symbol: the lowest quote rank, first seen on ties."""
    best: dict[Symbol, tuple[int, T]] = {}
    for symbol, rank, item in items:
        if symbol not in best or rank < best[symbol][0]:
            best[symbol] = (rank, item)
    return [item for _, item in best.values()]


def _required_canonical(symbols: SymbolMap, venue_symbol: str, path: str) -> tuple[Symbol, Decimal]:
    mapped = symbols.canonical(venue_symbol)
    if mapped is None:
        raise ParseError(
            f"{path}: venue symbol {venue_symbol[:40]!r} has no canonical symbol; "
            "add a symbol_override for it"
        )
    return mapped


def _price_or_none(value: Decimal | None) -> Decimal | None:
    """Binance writes an absent price as ``"0"``/``""``; a zero price is no price."""
    return None if value is None or value == 0 else value


def _bounded_rate(value: Decimal, path: str) -> Decimal:
    if abs(value) > MAX_ABS_RATE:
        raise ParseError(f"{path}: funding rate {value} is outside ±{MAX_ABS_RATE}")
    return value


def _rows(payload: object) -> Sequence[Any]:
    """A list payload; a single object is accepted as a one-row list."""
    if isinstance(payload, Mapping):
        return [payload]
    return arr(payload)


# ---------------------------------------------------------------------------- errors


def error_extractor(body: Any) -> tuple[str | None, str | None]:
    """``{"code": -1121, "msg": "Invalid symbol."}`` -> (``"-1121"``, ``"Invalid symbol."``)."""
    if not isinstance(body, Mapping):
        return None, None
    code = body.get("code")
    message = body.get("msg")
    code_text = str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None
    message_text = message[:300] if isinstance(message, str) else None
    return code_text, message_text


def embedded_error(body: Any) -> tuple[str, str] | None:
    """A ``{"code": <negative>, "msg": ...}`` body delivered with HTTP 200, if it is one."""
    if not isinstance(body, Mapping) or "msg" not in body:
        return None
    code = body.get("code")
    if isinstance(code, bool) or not isinstance(code, int) or code >= 0:
        return None
    message = body.get("msg")
    return str(code), (message[:300] if isinstance(message, str) else "")


# ---------------------------------------------------------------------------- time


def parse_server_time(venue: str, payload: object) -> Result[int, MalformedResponse]:
    """``GET /fapi/v1/time`` -> server time in ms."""

    def parse() -> int:
        millis = int_field(obj(payload), "serverTime")
        ts_millis(millis, "$.serverTime")
        return millis

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- funding info


def parse_funding_info(venue: str, payload: object) -> Result[Mapping[str, int], MalformedResponse]:
    """``GET /fapi/v1/fundingInfo`` -> {venue symbol: interval hours}.

    Only adjusted symbols are listed; every other symbol runs the 8 h default. A row
    without ``fundingIntervalHours`` (only its cap/floor adjusted) is left out, i.e.
    it keeps the default.
    """

    def parse() -> Mapping[str, int]:
        intervals: dict[str, int] = {}
        for i, raw in enumerate(arr(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            symbol = str_field(row, "symbol", path)
            hours_raw = row.get("fundingIntervalHours")
            if hours_raw is None:
                continue
            hours = integer(hours_raw, f"{path}.fundingIntervalHours")
            if not 1 <= hours <= 24:
                raise ParseError(f"{path}.fundingIntervalHours: {hours} is not an interval")
            intervals[symbol] = hours
        return intervals

    return parse_guard(venue, parse)


def parse_funding_caps(
    venue: str, payload: object
) -> Result[Mapping[str, tuple[Decimal, Decimal]], MalformedResponse]:
    """``GET /fapi/v1/fundingInfo`` -> {venue symbol: (cap, floor)} per settlement.

    ``adjustedFundingRateCap`` / ``adjustedFundingRateFloor`` are fractions per settlement
    (real rows: ``"0.03000000"`` / ``"-0.03000000"``, asterdex/api-docs#1). Only adjusted
    symbols are listed; a row missing either is left out (no bound is guessed).
    """

    def parse() -> Mapping[str, tuple[Decimal, Decimal]]:
        caps: dict[str, tuple[Decimal, Decimal]] = {}
        for i, raw in enumerate(arr(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            cap = opt_dec(row, "adjustedFundingRateCap", path)
            floor = opt_dec(row, "adjustedFundingRateFloor", path)
            if cap is None or floor is None:
                continue
            if floor > cap:
                raise ParseError(f"{path}: floor {floor} above cap {cap}")
            caps[str_field(row, "symbol", path)] = (cap, floor)
        return caps

    return parse_guard(venue, parse)


# ---------------------------------------------------------------------------- markets


@attrs.frozen
class BinanceMarket:
    """A :class:`Market` plus the Binance filters the model has no room for.

    ``Market.lot_size`` is the *coarser* of ``LOT_SIZE`` and ``MARKET_LOT_SIZE``
    ``stepSize`` (and ``min_size`` the larger ``minQty``) so a size valid for it is valid
    for both limit and market orders; the separate steps and maxima are kept here for
    order validation.
    """

    market: Market
    quote: str
    limit_step: Decimal
    market_step: Decimal
    limit_max_qty: Decimal | None = None
    market_max_qty: Decimal | None = None

    @property
    def venue_symbol(self) -> str:
        return self.market.venue_symbol


def _filters(row: Mapping[str, Any], path: str) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for j, raw in enumerate(arr(field(row, "filters", path), f"{path}.filters")):
        item = obj(raw, f"{path}.filters[{j}]")
        kind = item.get("filterType")
        if isinstance(kind, str):
            found[kind] = item
    return found


def _market(
    exchange: ExchangeIdentifier,
    row: Mapping[str, Any],
    path: str,
    symbol: Symbol,
    multiplier: Decimal,
    quote: str,
    intervals: Mapping[str, int],
) -> BinanceMarket:
    venue_symbol = str_field(row, "symbol", path)
    filters = _filters(row, path)
    if "PRICE_FILTER" not in filters or "LOT_SIZE" not in filters:
        raise ParseError(f"{path}.filters: PRICE_FILTER and LOT_SIZE are required")
    fpath = f"{path}.filters"
    tick = dec_field(filters["PRICE_FILTER"], "tickSize", f"{fpath}.PRICE_FILTER")
    lot = filters["LOT_SIZE"]
    limit_step = dec_field(lot, "stepSize", f"{fpath}.LOT_SIZE")
    limit_min = opt_dec(lot, "minQty", f"{fpath}.LOT_SIZE") or Decimal(0)
    limit_max = opt_dec(lot, "maxQty", f"{fpath}.LOT_SIZE")
    market_lot = filters.get("MARKET_LOT_SIZE", lot)
    market_step = dec_field(market_lot, "stepSize", f"{fpath}.MARKET_LOT_SIZE")
    market_min = opt_dec(market_lot, "minQty", f"{fpath}.MARKET_LOT_SIZE") or Decimal(0)
    market_max = opt_dec(market_lot, "maxQty", f"{fpath}.MARKET_LOT_SIZE")
    notional_filter = filters.get("MIN_NOTIONAL", {})
    min_notional = (
        opt_dec(notional_filter, "notional", f"{fpath}.MIN_NOTIONAL")
        or opt_dec(notional_filter, "minNotional", f"{fpath}.MIN_NOTIONAL")
        or Decimal(0)
    )
    margin_asset = row.get("marginAsset")
    hours = intervals.get(venue_symbol, DEFAULT_INTERVAL_HOURS)
    market = Market(
        exchange=exchange,
        symbol=symbol,
        venue_symbol=venue_symbol,
        tick_size=tick,
        lot_size=max(limit_step, market_step),
        min_size=max(limit_min, market_min),
        min_notional=min_notional,
        contract_multiplier=multiplier,
        funding_interval=timedelta(hours=hours),
        settle_asset=margin_asset if isinstance(margin_asset, str) and margin_asset else quote,
    )
    return BinanceMarket(
        market=market,
        quote=quote,
        limit_step=limit_step,
        market_step=market_step,
        limit_max_qty=limit_max,
        market_max_qty=market_max,
    )


def parse_exchange_info(
    exchange: ExchangeIdentifier,
    payload: object,
    symbols: SymbolMap,
    intervals: Mapping[str, int] | None = None,
) -> Result[tuple[BinanceMarket, ...], MalformedResponse]:
    """``GET /fapi/v1/exchangeInfo`` -> tradable USD-quoted perpetuals.

    Kept: ``contractType == "PERPETUAL"``, ``status == "TRADING"``, ``quoteAsset`` in the
    quote priority list, base mappable to a canonical symbol; one per canonical symbol.
    """
    known = intervals or {}

    def parse() -> tuple[BinanceMarket, ...]:
        candidates: list[tuple[Symbol, int, BinanceMarket]] = []
        for i, raw in enumerate(arr(field(obj(payload), "symbols"), "$.symbols")):
            path = f"$.symbols[{i}]"
            row = obj(raw, path)
            if row.get("contractType") != "PERPETUAL" or row.get("status") != "TRADING":
                continue
            venue_symbol = str_field(row, "symbol", path)
            quote = str_field(row, "quoteAsset", path)
            if quote not in symbols.quotes:
                continue
            str_field(row, "baseAsset", path)
            # The same venue-symbol rule as premiumIndex (which has no baseAsset), so the
            # funding scan and the market list always name a contract alike.
            mapped = symbols.canonical(venue_symbol)
            if mapped is None:
                continue
            symbol, multiplier = mapped
            market = _market(exchange, row, path, symbol, multiplier, quote, known)
            candidates.append((symbol, symbols.rank(quote), market))
        return tuple(_prefer_quotes(candidates))

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- current funding


def parse_premium_index(
    exchange: ExchangeIdentifier,
    payload: object,
    symbols: SymbolMap,
    intervals: Mapping[str, int] | None = None,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``GET /fapi/v1/premiumIndex`` (all symbols) -> CURRENT funding rates.

    ``rate`` = ``lastFundingRate`` (fraction per interval, settling at
    ``nextFundingTime``); ``observed_at`` = the payload's ``time``; interval from
    ``intervals`` (``fundingInfo``), 8 h when absent. Despite its name,
    ``lastFundingRate`` is the live rate of the period in progress, the one Binance's
    funding page shows for the coming settlement, not the last settled one (fact sheet
    marked this UNCONFIRMED; ccxt/ccxt#9118 compares it with the web page), hence
    :attr:`FundingKind.CURRENT`.

    Skipped rows (they must never become opportunities): delivery contracts and non-USD
    quotes, names without a canonical symbol, and rows with ``nextFundingTime == 0``:
    contracts with no next funding (delisted/settled; in the 2024-11-27 snapshot these
    are the four quarterly contracts). Their other fields are not even read.
    """
    known = intervals or {}

    def parse() -> tuple[FundingRate, ...]:
        candidates: list[tuple[Symbol, int, FundingRate]] = []
        for i, raw in enumerate(_rows(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            venue_symbol = str_field(row, "symbol", path)
            parts = symbols.split(venue_symbol)
            if parts is None and venue_symbol not in symbols.overrides:
                continue
            next_ms = int_field(row, "nextFundingTime", path)
            if next_ms == 0:
                continue
            mapped = symbols.canonical(venue_symbol)
            if mapped is None:
                continue
            symbol, _ = mapped
            hours = known.get(venue_symbol, DEFAULT_INTERVAL_HOURS)
            rate = _bounded_rate(dec_field(row, "lastFundingRate", path), f"{path}.lastFundingRate")
            funding = FundingRate(
                exchange=exchange,
                symbol=symbol,
                rate=rate,
                interval=timedelta(hours=hours),
                kind=FundingKind.CURRENT,
                observed_at=ts_millis(field(row, "time", path), f"{path}.time"),
                next_funding_time=ts_millis(next_ms, f"{path}.nextFundingTime"),
                mark_price=_price_or_none(opt_dec(row, "markPrice", path)),
                index_price=_price_or_none(opt_dec(row, "indexPrice", path)),
                venue_symbol=venue_symbol,
            )
            rank = symbols.rank(parts[1]) if parts is not None else 0
            candidates.append((symbol, rank, funding))
        return tuple(_prefer_quotes(candidates))

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- funding history


@attrs.frozen
class SettledRow:
    """One ``GET /fapi/v1/fundingRate`` row, before its interval is known."""

    venue_symbol: str
    rate: Decimal
    funding_time_ms: int
    mark_price: Decimal | None


def parse_funding_rate_rows(
    venue: str, payload: object, venue_symbol: str
) -> Result[tuple[SettledRow, ...], MalformedResponse]:
    """One page of ``GET /fapi/v1/fundingRate`` (oldest first).

    ``markPrice`` is absent or ``""`` on rows older than that field: None then. Every row
    must be for ``venue_symbol`` (the one asked for).
    """

    def parse() -> tuple[SettledRow, ...]:
        rows: list[SettledRow] = []
        for i, raw in enumerate(arr(payload)):
            path = f"$[{i}]"
            row = obj(raw, path)
            symbol = str_field(row, "symbol", path)
            if symbol != venue_symbol:
                raise ParseError(f"{path}.symbol: {symbol[:40]!r}, asked for {venue_symbol!r}")
            millis = int_field(row, "fundingTime", path)
            ts_millis(millis, f"{path}.fundingTime")
            rows.append(
                SettledRow(
                    venue_symbol=symbol,
                    rate=_bounded_rate(dec_field(row, "fundingRate", path), f"{path}.fundingRate"),
                    funding_time_ms=millis,
                    mark_price=_price_or_none(opt_dec(row, "markPrice", path)),
                )
            )
        return tuple(rows)

    return parse_guard(venue, parse)


def _gap_hours(earlier_ms: int, later_ms: int) -> int | None:
    gap = later_ms - earlier_ms
    hours = round(gap / _HOUR_MS)
    if hours in VALID_INTERVAL_HOURS and abs(gap - hours * _HOUR_MS) <= _GAP_TOLERANCE_MS:
        return hours
    return None


def derive_interval_hours(times_ms: Sequence[int], fallback_hours: int) -> tuple[int, ...]:
    """The funding interval of each settlement, from the settlement times alone.

    A rate settled at ``t`` paid for the period since the previous settlement, so its
    interval is the gap to the *previous* row, rounded to whole hours (settlement times
    carry ms jitter). This follows every 8 h -> 4 h switch exactly: the first 4-hourly
    payment comes 4 h after the last 8-hourly one. When that gap is not a Binance
    interval (1/2/4/8 h: the first row of a series, or a hole left by missing rows) the
    gap to the *next* row is used, and failing that ``fallback_hours`` (the symbol's
    current ``fundingInfo`` interval). Callers fetch from ``start - 8h`` so the first
    requested row normally has its predecessor.
    """
    derived: list[int] = []
    for i, stamp in enumerate(times_ms):
        hours = _gap_hours(times_ms[i - 1], stamp) if i > 0 else None
        if hours is None and i + 1 < len(times_ms):
            hours = _gap_hours(stamp, times_ms[i + 1])
        derived.append(hours if hours is not None else fallback_hours)
    return tuple(derived)


def build_funding_history(
    venue: str,
    exchange: ExchangeIdentifier,
    rows: Sequence[SettledRow],
    symbol: Symbol,
    fallback_hours: int = DEFAULT_INTERVAL_HOURS,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """SETTLED rates (``funding_time`` = ``observed_at`` = the settlement instant as
    Binance reports it, ms jitter included) with derived intervals, oldest first."""

    def parse() -> tuple[FundingRate, ...]:
        ordered = sorted({row.funding_time_ms: row for row in rows}.values(), key=_row_time)
        hours = derive_interval_hours([row.funding_time_ms for row in ordered], fallback_hours)
        result: list[FundingRate] = []
        for row, interval in zip(ordered, hours, strict=True):
            when = ts_millis(row.funding_time_ms)
            result.append(
                FundingRate(
                    exchange=exchange,
                    symbol=symbol,
                    rate=row.rate,
                    interval=timedelta(hours=interval),
                    kind=FundingKind.SETTLED,
                    observed_at=when,
                    funding_time=when,
                    mark_price=row.mark_price,
                    venue_symbol=row.venue_symbol,
                )
            )
        return tuple(result)

    return parse_guard(venue, parse)


def _row_time(row: SettledRow) -> int:
    return row.funding_time_ms


def parse_funding_history(
    exchange: ExchangeIdentifier,
    payload: object,
    symbol: Symbol,
    venue_symbol: str,
    fallback_hours: int = DEFAULT_INTERVAL_HOURS,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """One ``fundingRate`` payload straight to SETTLED rates (single page)."""
    venue = str(exchange)
    return parse_funding_rate_rows(venue, payload, venue_symbol).bind(
        lambda rows: build_funding_history(venue, exchange, rows, symbol, fallback_hours)
    )


# ---------------------------------------------------------------------------- order book


def _levels(raw: object, path: str, depth: int) -> tuple[BookLevel, ...]:
    levels: list[BookLevel] = []
    for i, item in enumerate(arr(raw, path)):
        pair = arr(item, f"{path}[{i}]")
        if len(pair) < 2:
            raise ParseError(f"{path}[{i}]: expected [price, quantity]")
        price = dec(pair[0], f"{path}[{i}][0]")
        size = dec(pair[1], f"{path}[{i}][1]")
        if size == 0:
            continue
        levels.append(BookLevel(price=price, size=size))
        if len(levels) >= depth:
            break
    return tuple(levels)


def parse_depth(
    exchange: ExchangeIdentifier, payload: object, symbol: Symbol, depth: int = 1000
) -> Result[OrderBook, MalformedResponse]:
    """``GET /fapi/v1/depth`` -> book (best first; ``T`` transaction time, else ``E``)."""

    def parse() -> OrderBook:
        data = obj(payload)
        stamp_raw = data.get("T", data.get("E"))
        if stamp_raw is None:
            raise ParseError("$: neither T nor E timestamp")
        return OrderBook(
            exchange=exchange,
            symbol=symbol,
            bids=_levels(field(data, "bids"), "$.bids", depth),
            asks=_levels(field(data, "asks"), "$.asks", depth),
            timestamp=ts_millis(stamp_raw, "$.T"),
        )

    return parse_guard(str(exchange), parse)


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


__all__ = [
    "DEFAULT_INTERVAL_HOURS",
    "QUOTE_PRIORITY",
    "BinanceMarket",
    "IncomeRow",
    "SettledRow",
    "SymbolMap",
    "build_funding_history",
    "derive_interval_hours",
    "embedded_error",
    "error_extractor",
    "parse_balances",
    "parse_depth",
    "parse_exchange_info",
    "parse_funding_history",
    "parse_funding_info",
    "parse_income",
    "parse_order",
    "parse_orders",
    "parse_positions",
    "parse_premium_index",
    "parse_server_time",
]
