"""Pure parsers: Binance USDⓈ-M futures JSON -> atomic-fp models (symbols, errors, server
time, markets, order book; funding in :mod:`adapters.binance.parsing_funding`, account
data in :mod:`adapters.binance.parsing_account`, all re-exported by ``parsers.py``).

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
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from returns.result import Result

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
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    BookLevel,
    Market,
    OrderBook,
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

SymbolLookup = tuple[tuple[str, str] | None, tuple[Symbol, Decimal] | None, int]
_MAX_LOOKUPS = 8192
"""Names remembered per map (Binance lists ~700 symbols; a hostile list cannot grow it)."""



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

    _looked_up: dict[str, SymbolLookup] = attrs.field(
        factory=dict, init=False, eq=False, repr=False, hash=False
    )

    def lookup(self, venue_symbol: str) -> SymbolLookup:
        """``(split(s), canonical(s), rank of the quote)`` of a venue symbol, remembered: a
        pure function of this frozen map, asked again for the same ~1000 names in every
        scan (issue 20; equal to the three calls, tests/adapters/binance/
        test_parse_fast_paths.py)."""
        known = self._looked_up.get(venue_symbol)
        if known is None:
            parts = self.split(venue_symbol)
            rank = self.rank(parts[1]) if parts is not None else 0
            known = (parts, self.canonical(venue_symbol), rank)
            if len(self._looked_up) < _MAX_LOOKUPS:
                self._looked_up[venue_symbol] = known
        return known


def _prefer_quotes(items: Iterable[tuple[Symbol, int, T]]) -> list[T]:
    """One item per canonical symbol: the lowest quote rank, first seen on ties (in the
    order each symbol was first seen). One dict lookup per item where the symbol is new
    (a ``Symbol`` hash is a Python call; ~500 per scan, issue 20); equal to the earlier
    three-lookup loop, kept as the oracle in tests/adapters/binance/test_prefer_quotes.py."""
    best: dict[Symbol, tuple[int, T]] = {}
    for symbol, rank, item in items:
        entry = (rank, item)
        known = best.setdefault(symbol, entry)
        if known is not entry and rank < known[0]:
            best[symbol] = entry
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
