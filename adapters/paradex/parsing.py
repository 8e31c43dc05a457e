"""Pure parsers: Paradex REST JSON -> atomic-fp models (``Result``, never an exception).

Shapes (Paradex API reference at docs.paradex.trade/api/prod; the ccxt test fixture
``ts/src/test/static/response/paradex.json``, recorded on testnet, copied in
``shared/research-data/ccxt-static/paradex``): lists come as ``{"results": [...]}``
(paged ones add ``next``/``prev`` cursors); numbers are strings, times ms since the
epoch; errors are ``{"error": "<IDENTIFIER>", "message": "..."}`` with a 4xx status.

Funding: continuous, not settled at intervals
---------------------------------------------
Paradex recomputes a market's funding rate continuously (every few seconds) and accrues it
into a per-market *funding index*; a position's funding is the index change since its last
update (``cached_funding_index`` in ``GET /positions``), realised whenever the position
changes (docs.paradex.trade/risk/funding-mechanism; research fact sheet section C).
``funding_rate`` in ``GET /markets/summary`` is the rate quoted **per funding period**
(``funding_period_hours`` in ``GET /markets``; 8 h where a market does not say, the
documented default), i.e. holding one unit for a whole period at a constant rate ``r``
pays ``r x mark``. We therefore publish it as a :class:`FundingRate` of kind ``CURRENT``
with ``interval = funding_period_hours`` and no ``next_funding_time`` (there is no
settlement instant).

APR compared with an interval venue: our APR is ``rate x (8760 h / interval)``, the same
formula for both, and at a constant rate it is the same carry (the continuous accrual is
linear in time, not compounded). What differs: (1) the quoted rate is instantaneous, not a
rate locked for the period in progress, so it moves second by second and a snapshot of it
is a noisier estimate of the next 8 h than Binance's ``lastFundingRate``; (2) funding is
earned pro rata for exactly the time held, with no settlement instant to be on the book
at (no "enter just before the snapshot" effect, and closing early loses nothing already
accrued). ``max_funding_rate`` (per period) is the cap, its negative the floor.

History (``GET /funding/data``) is a series of *samples* of that continuous rate, each
stamped ``created_at``, not settlements: we return them as ``SETTLED`` rates whose
``funding_time`` is the sample time and whose interval is the market's funding period,
so an average over evenly spaced samples is the time-averaged rate per period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec,
    dec_field,
    field,
    obj,
    parse_guard,
    str_field,
    ts_millis,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import BookLevel, FundingKind, FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.symbols import canonical_symbol

DEFAULT_FUNDING_PERIOD = timedelta(hours=8)
"""The documented default period (docs.paradex.trade/risk/funding-mechanism: "8h funding
period"); used only when a ``/markets`` row has no ``funding_period_hours``."""
_MAX_PERIOD_HOURS = Decimal(24 * 7)


@attrs.frozen
class ParadexMarket:
    """A :class:`Market` with the Paradex facts funding needs."""

    market: Market
    max_funding_rate: Decimal | None = None
    """The cap on ``funding_rate`` per funding period (``max_funding_rate``)."""
    maintenance_rate: Decimal | None = None
    """Maintenance margin per unit of notional, ``imf_base x mmf_factor`` of the market's
    ``delta1_cross_margin_params`` (paradex-py ``margin/cross_margin.py``
    ``xm_perp_margin``: ``MMR = |size| x price x imf_base x mmf_factor``; its
    ``imf_factor``/``imf_shift`` are deprecated, always 0)."""


@attrs.frozen
class FundingSample:
    """One ``/funding/data`` row: the continuous rate at ``created_at_ms``."""

    created_at_ms: int
    rate: Decimal


@attrs.frozen
class FundingPage:
    rows: tuple[FundingSample, ...]
    next_cursor: str | None


def error_extractor(body: Any) -> tuple[str | None, str | None]:
    """``(error, message)`` of a Paradex error body (``{"error": "NOT_FOUND", "message":
    "..."}``, the API reference's error schema)."""
    if not isinstance(body, Mapping):
        return None, None
    code, message = body.get("error"), body.get("message")
    return (str(code) if code else None), (str(message)[:300] if message else None)


def _results(payload: object) -> Sequence[Any]:
    return arr(field(obj(payload), "results"), "$.results")


def _optional_positive(row: Mapping[str, Any], key: str, path: str) -> Decimal | None:
    """A price field that may be absent or ``""`` (the fixture's ``liquidation_price``)."""
    raw = row.get(key)
    if raw is None or raw == "":
        return None
    value = dec(raw, f"{path}.{key}")
    return value if value > 0 else None


def _period(row: Mapping[str, Any], path: str) -> timedelta:
    raw = row.get("funding_period_hours")
    if raw is None:
        return DEFAULT_FUNDING_PERIOD
    hours = dec(raw, f"{path}.funding_period_hours")
    if not Decimal(0) < hours <= _MAX_PERIOD_HOURS:
        raise ParseError(f"{path}.funding_period_hours: {hours} is not a usable period")
    return timedelta(hours=float(hours))


def _maintenance_rate(row: Mapping[str, Any], path: str) -> Decimal | None:
    params = row.get("delta1_cross_margin_params")
    if not isinstance(params, Mapping):
        return None
    where = f"{path}.delta1_cross_margin_params"
    rate = dec_field(params, "imf_base", where) * dec_field(params, "mmf_factor", where)
    if not Decimal(0) < rate < 1:
        raise ParseError(f"{where}: maintenance rate {rate} is not in (0, 1)")
    return rate


def parse_markets(
    exchange: ExchangeIdentifier,
    payload: object,
    overrides: Mapping[str, tuple[Symbol, Decimal]],
) -> Result[tuple[ParadexMarket, ...], MalformedResponse]:
    """``GET /markets`` -> the perpetual markets (``asset_kind == "PERP"``; options and
    anything else left out). ``overrides`` maps a Paradex symbol (``kBONK-USD-PERP``) or
    base to ``(Symbol, multiplier)``."""

    def parse() -> tuple[ParadexMarket, ...]:
        markets: list[ParadexMarket] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            if row.get("asset_kind") != "PERP":
                continue
            name = str_field(row, "symbol", path)
            base = str_field(row, "base_currency", path)
            key = name if name in overrides else base
            try:
                symbol, multiplier = canonical_symbol(key, overrides)
            except ValueError:
                continue  # not an asset code we can name; not tradable here
            lot = dec_field(row, "order_size_increment", path)
            cap = row.get("max_funding_rate")
            markets.append(
                ParadexMarket(
                    market=Market(
                        exchange=exchange,
                        symbol=symbol,
                        venue_symbol=name,
                        tick_size=dec_field(row, "price_tick_size", path),
                        lot_size=lot,
                        min_size=lot,
                        min_notional=dec_field(row, "min_notional", path),
                        contract_multiplier=multiplier,
                        funding_interval=_period(row, path),
                        settle_asset=str_field(row, "settlement_currency", path),
                    ),
                    max_funding_rate=(
                        None if cap in (None, "") else dec(cap, f"{path}.max_funding_rate")
                    ),
                    maintenance_rate=_maintenance_rate(row, path),
                )
            )
        return tuple(markets)

    return parse_guard(str(exchange), parse)


def parse_summaries(
    exchange: ExchangeIdentifier,
    payload: object,
    markets: Mapping[str, ParadexMarket],
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``GET /markets/summary?market=ALL`` -> current rates (see the module docstring) of
    the markets in ``markets`` (by Paradex symbol); other rows are skipped."""

    def parse() -> tuple[FundingRate, ...]:
        rates: list[FundingRate] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            known = markets.get(str_field(row, "symbol", path))
            if known is None:
                continue
            market = known.market
            mark = _optional_positive(row, "mark_price", path)
            oi_base = row.get("open_interest")
            oi = (
                dec(oi_base, f"{path}.open_interest") * mark
                if mark is not None and oi_base not in (None, "")
                else None
            )
            volume = row.get("volume_24h")
            cap = known.max_funding_rate
            rates.append(
                FundingRate(
                    exchange=exchange,
                    symbol=market.symbol,
                    rate=dec_field(row, "funding_rate", path),
                    interval=market.funding_interval,
                    kind=FundingKind.CURRENT,
                    observed_at=ts_millis(field(row, "created_at", path), f"{path}.created_at"),
                    mark_price=mark,
                    index_price=_optional_positive(row, "underlying_price", path),
                    venue_symbol=market.venue_symbol,
                    cap=cap,
                    floor=-cap if cap is not None else None,
                    open_interest=oi,
                    volume_24h=(
                        None if volume in (None, "") else dec(volume, f"{path}.volume_24h")
                    ),
                )
            )
        return tuple(rates)

    return parse_guard(str(exchange), parse)


def parse_funding_page(
    venue: str, payload: object, market: str
) -> Result[FundingPage, MalformedResponse]:
    """One ``GET /funding/data`` page: its samples and the ``next`` cursor (``None`` or
    ``""`` when there are no more records, per the API reference)."""

    def parse() -> FundingPage:
        body = obj(payload)
        rows: list[FundingSample] = []
        for i, raw in enumerate(_results(payload)):
            path = f"$.results[{i}]"
            row = obj(raw, path)
            if str_field(row, "market", path) != market:
                raise ParseError(f"{path}.market: not {market}")
            stamp = ts_millis(field(row, "created_at", path), f"{path}.created_at")
            rows.append(
                FundingSample(
                    created_at_ms=int(stamp.timestamp() * 1000),
                    rate=dec_field(row, "funding_rate", path),
                )
            )
        cursor = body.get("next")
        if cursor is not None and not isinstance(cursor, str):
            raise ParseError("$.next: not a string")
        return FundingPage(tuple(rows), cursor or None)

    return parse_guard(venue, parse)


def build_funding_history(
    exchange: ExchangeIdentifier,
    samples: Sequence[FundingSample],
    market: Market,
    start: datetime,
    end: datetime,
) -> tuple[FundingRate, ...]:
    """Samples with ``start <= created_at < end``, oldest first, one per instant."""
    unique = {s.created_at_ms: s for s in samples}
    rates = (
        FundingRate(
            exchange=exchange,
            symbol=market.symbol,
            rate=sample.rate,
            interval=market.funding_interval,
            kind=FundingKind.SETTLED,
            observed_at=datetime.fromtimestamp(ms / 1000, tz=timezone.utc),
            funding_time=datetime.fromtimestamp(ms / 1000, tz=timezone.utc),
            venue_symbol=market.venue_symbol,
        )
        for ms, sample in sorted(unique.items())
    )
    return tuple(r for r in rates if r.funding_time is not None and start <= r.funding_time < end)


def _levels(raw: object, path: str, depth: int) -> list[BookLevel]:
    levels: list[BookLevel] = []
    for i, entry in enumerate(arr(raw, path)):
        level = arr(entry, f"{path}[{i}]")
        if len(level) < 2:
            raise ParseError(f"{path}[{i}]: expected [price, size]")
        size = dec(level[1], f"{path}[{i}][1]")
        if size > 0:
            levels.append(BookLevel(dec(level[0], f"{path}[{i}][0]"), size))
    return levels[:depth]


def parse_book(
    exchange: ExchangeIdentifier, payload: object, symbol: Symbol, depth: int
) -> Result[OrderBook, MalformedResponse]:
    """``GET /orderbook/{market}`` -> :class:`OrderBook` (sizes in base units)."""

    def parse() -> OrderBook:
        book = obj(payload)
        return OrderBook(
            exchange=exchange,
            symbol=symbol,
            bids=_levels(field(book, "bids"), "$.bids", depth),
            asks=_levels(field(book, "asks"), "$.asks", depth),
            timestamp=ts_millis(field(book, "last_updated_at"), "$.last_updated_at"),
        )

    return parse_guard(str(exchange), parse)


__all__ = [
    "DEFAULT_FUNDING_PERIOD",
    "FundingPage",
    "FundingSample",
    "ParadexMarket",
    "build_funding_history",
    "error_extractor",
    "parse_book",
    "parse_funding_page",
    "parse_markets",
    "parse_summaries",
]
