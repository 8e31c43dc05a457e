"""Pure parsers of Binance funding: ``fundingInfo`` (intervals, caps), ``premiumIndex``
(current funding) and ``fundingRate`` (settled history).

Conventions: :mod:`adapters.binance.parsing`."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal, TypeVar

import attrs
from returns.result import Result

from adapters._parse import (
    _MAX_DIGITS,
    MEMO_TEXTS,
    ParseError,
    arr,
    dec_field,
    field,
    instant_or_none,
    int_field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    plain_decimal,
    str_field,
    text_decimal,
    ts_millis,
)
from adapters.binance.parsing import (
    _GAP_TOLERANCE_MS,
    _HOUR_MS,
    DEFAULT_INTERVAL_HOURS,
    MAX_ABS_RATE,
    VALID_INTERVAL_HOURS,
    SymbolMap,
    _bounded_rate,
    _prefer_quotes,
    _price_or_none,
    _rows,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    FundingKind,
    FundingRate,
    Symbol,
)
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier

T = TypeVar("T")

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


# ---------------------------------------------------------------------------- current funding

_INTERVALS = {hours: timedelta(hours=hours) for hours in range(1, 25)}
_MIN_RATE = -MAX_ABS_RATE
"""Negated once (exact), not once per row."""


def _hours(hours: int) -> timedelta:
    """``timedelta(hours=hours)``, one instance per interval (not one per row)."""
    known = _INTERVALS.get(hours)
    return timedelta(hours=hours) if known is None else known


def _plain_price(value: object) -> Decimal | Literal[False] | None:
    """``_price_or_none(opt_dec(row, key))`` of a value that reads without a question
    (absent, ``""``, or a plain number: then ``None`` for zero, as Binance writes an absent
    price), else ``False``: the checked path must read (or refuse) it."""
    if value is None or value == "":
        return None
    number = plain_decimal(value)
    if number is None:
        return False
    return None if number == 0 else number


_text_price = functools.lru_cache(maxsize=MEMO_TEXTS)(_plain_price)
""":func:`_plain_price` of a ``str`` of at most ``_MAX_DIGITS`` characters, remembered as
:data:`adapters._parse.text_decimal` is (a pure function of the text; issue 20: two
prices a row, ~500 rows a scan). The row loop calls it only for such a ``str``."""


def _current_rate(
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    venue_symbol: str,
    rate: Decimal,
    interval: timedelta,
    observed_at: datetime,
    next_funding_time: datetime,
    mark: Decimal | None,
    index: Decimal | None,
) -> FundingRate:
    """One premiumIndex row's current rate: what the common row's inline read and the
    checked read (:func:`_premium_row`) both build."""
    return checked_funding_rate(
        exchange=exchange,
        symbol=symbol,
        rate=rate,
        interval=interval,
        kind=FundingKind.CURRENT,
        observed_at=observed_at,
        next_funding_time=next_funding_time,
        mark_price=mark,
        index_price=index,
        venue_symbol=venue_symbol,
    )


def _premium_row(
    exchange: ExchangeIdentifier,
    symbols: SymbolMap,
    known: Mapping[str, int],
    i: int,
    raw: object,
) -> tuple[Symbol, int, FundingRate] | None:
    """One ``premiumIndex`` row read with every check and its path (None: skipped)."""
    path = f"$[{i}]"
    row = obj(raw, path)
    venue_symbol = str_field(row, "symbol", path)
    parts, mapped, rank = symbols.lookup(venue_symbol)
    if parts is None and venue_symbol not in symbols.overrides:
        return None
    next_ms = int_field(row, "nextFundingTime", path)
    if next_ms == 0:
        return None
    if mapped is None:
        return None
    symbol, _ = mapped
    hours = known.get(venue_symbol, DEFAULT_INTERVAL_HOURS)
    rate = dec_field(row, "lastFundingRate", path)
    if abs(rate) > MAX_ABS_RATE:
        _bounded_rate(rate, f"{path}.lastFundingRate")  # refuses it
    interval = _hours(hours)
    # the instants: an int stamp's memoised instant; anything else (or out of
    # range) is read, or refused, by ts_millis with its path as before
    stamp = field(row, "time", path)
    observed_at = instant_or_none(stamp, 1_000) if type(stamp) is int else None
    if observed_at is None:
        observed_at = ts_millis(stamp, f"{path}.time")
    next_funding_time = instant_or_none(next_ms, 1_000)
    if next_funding_time is None:
        next_funding_time = ts_millis(next_ms, f"{path}.nextFundingTime")
    funding = _current_rate(
        exchange,
        symbol,
        venue_symbol,
        rate,
        interval,
        observed_at,
        next_funding_time,
        _price_or_none(opt_dec(row, "markPrice", path)),
        _price_or_none(opt_dec(row, "indexPrice", path)),
    )
    return symbol, rank, funding


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
    lookup = symbols.lookup
    overrides = symbols.overrides

    def parse() -> tuple[FundingRate, ...]:
        candidates: list[tuple[Symbol, int, FundingRate]] = []
        for i, raw in enumerate(_rows(payload)):
            # The common row read inline (issue 20: ~500 rows per scan): a ``dict`` whose
            # fields have their usual types and plain values. Each test below is one the
            # checked path makes too, on the same value; anything else (a missing key, a
            # string stamp, a padded or refused number, a rate beyond the bound...) goes to
            # ``_premium_row``, the checked path, which reads or refuses the whole row
            # from the start, naming what is wrong. Equal: test_premium_index_fast_path.py.
            if type(raw) is dict:
                venue_symbol = raw.get("symbol")
                next_ms = raw.get("nextFundingTime")
                if type(venue_symbol) is str and type(next_ms) is int:
                    parts, mapped, rank = lookup(venue_symbol)
                    if (parts is None and venue_symbol not in overrides) or next_ms == 0:
                        continue
                    if mapped is None:
                        continue
                    # each number text read once and remembered (text_decimal, _text_price)
                    value = raw.get("lastFundingRate")
                    rate = (
                        text_decimal(value)
                        if type(value) is str and len(value) <= _MAX_DIGITS
                        else plain_decimal(value)
                    )
                    stamp = raw.get("time")
                    observed_at = instant_or_none(stamp, 1_000) if type(stamp) is int else None
                    next_funding_time = instant_or_none(next_ms, 1_000)
                    value = raw.get("markPrice")
                    mark = (
                        _text_price(value)
                        if type(value) is str and len(value) <= _MAX_DIGITS
                        else _plain_price(value)
                    )
                    value = raw.get("indexPrice")
                    index = (
                        _text_price(value)
                        if type(value) is str and len(value) <= _MAX_DIGITS
                        else _plain_price(value)
                    )
                    if (
                        rate is not None
                        and _MIN_RATE <= rate <= MAX_ABS_RATE
                        and observed_at is not None
                        and next_funding_time is not None
                        and mark is not False
                        and index is not False
                    ):
                        symbol = mapped[0]
                        hours = known.get(venue_symbol, DEFAULT_INTERVAL_HOURS)
                        candidates.append(
                            (
                                symbol,
                                rank,
                                _current_rate(
                                    exchange,
                                    symbol,
                                    venue_symbol,
                                    rate,
                                    _hours(hours),
                                    observed_at,
                                    next_funding_time,
                                    mark,
                                    index,
                                ),
                            )
                        )
                        continue
            candidate = _premium_row(exchange, symbols, known, i, raw)
            if candidate is not None:
                candidates.append(candidate)
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
