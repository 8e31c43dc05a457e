"""GRVT funding JSON -> atomic-fp models (pure): the ticker's current rate and the settled
funding history pages. Units and conventions as :mod:`adapters.grvt.parsing`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._liquidity import non_negative, quote_value
from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    instant_or_none,
    integer,
    obj,
    opt_dec,
    parse_guard,
    plain_or_absent,
    str_field,
    string,
    ts_nanos,
)
from adapters.grvt.parsing import (
    GrvtInstrument,
    _interval,
    _nonnegative_or_none,
    _result,
    funding_rate_fraction,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    FundingKind,
    FundingRate,
)
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier

# --- funding -------------------------------------------------------------------------


def _ticker_rate(row: Mapping[str, Any], path: str) -> Decimal:
    # ``funding_rate_8h_curr`` is the deprecated alias of ``funding_rate`` (same rate over
    # ``funding_interval_hours``, schema ticker.md); never a default.
    for key in ("funding_rate", "funding_rate_8h_curr"):
        value = opt_dec(row, key, path)
        if value is not None:
            return value
    raise ParseError(f"{path}.funding_rate: missing")


def _current_rate(
    venue: ExchangeIdentifier,
    instrument: GrvtInstrument,
    rate: Decimal,
    observed_at: datetime,
    next_funding: datetime | None,
    mark: Decimal | None,
    index: Decimal | None,
    open_interest: Decimal | None,
    volume: Decimal | None,
) -> FundingRate:
    """One ticker's current rate (``rate`` already a fraction per interval, with the
    instrument's interval, cap and floor): what the common ticker's inline read and the
    checked read (:func:`_checked_ticker`) both build."""
    return checked_funding_rate(
        exchange=venue,
        symbol=instrument.symbol,
        rate=rate,
        interval=instrument.funding_interval,
        kind=FundingKind.CURRENT,
        observed_at=observed_at,
        next_funding_time=next_funding,
        mark_price=mark,
        index_price=index,
        venue_symbol=instrument.name,
        open_interest=open_interest,
        volume_24h=volume,
        cap=instrument.funding_cap,
        floor=instrument.funding_floor,
    )


def _checked_ticker(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object, observed_at: datetime
) -> FundingRate:
    """One ticker read with every check and its path."""
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
    return _current_rate(
        venue,
        instrument,
        funding_rate_fraction(_ticker_rate(row, "$.result")),
        ts_nanos(event, "$.result.event_time") if event else observed_at,
        ts_nanos(next_time, "$.result.next_funding_time") if next_time else None,
        mark,
        _nonnegative_or_none(opt_dec(row, "index_price", "$.result")),
        quote_value(opt_dec(row, "open_interest", "$.result"), mark),
        volume,
    )


def _ticker(
    venue: ExchangeIdentifier, instrument: GrvtInstrument, payload: object, observed_at: datetime
) -> FundingRate:
    """The common ticker read inline (issue 20: ~80 per scan, one per instrument): an
    object whose numbers are plain (or absent where optional) and whose stamps are ASCII
    digit strings in range. Anything else is read by :func:`_checked_ticker` from the
    start, which reads it or refuses it naming what is wrong; both end in
    :func:`_current_rate`. Equal: tests/adapters/grvt/test_ticker_fast_path.py."""
    row = payload.get("result") if type(payload) is dict else None
    if type(row) is dict and row.get("instrument") == instrument.name:
        mark_price = plain_or_absent(row.get("mark_price"))
        buys = plain_or_absent(row.get("buy_volume_24h_q"))
        sells = plain_or_absent(row.get("sell_volume_24h_q"))
        rate = plain_or_absent(row.get("funding_rate"))
        if rate is None:
            rate = plain_or_absent(row.get("funding_rate_8h_curr"))
        index = plain_or_absent(row.get("index_price"))
        base_interest = plain_or_absent(row.get("open_interest"))
        event = row.get("event_time")
        seen: datetime | None = observed_at if not event else _nanos_or_none(event)
        next_time = row.get("next_funding_time")
        next_funding = None if not next_time else _nanos_or_none(next_time)
        if (
            type(row["instrument"]) is str
            and mark_price is not False
            and buys is not False
            and sells is not False
            and rate is not None
            and rate is not False
            and index is not False
            and base_interest is not False
            and seen is not None
            and (next_funding is not None or not next_time)
        ):
            mark = _nonnegative_or_none(mark_price)
            return _current_rate(
                venue,
                instrument,
                funding_rate_fraction(rate),
                seen,
                next_funding,
                mark,
                _nonnegative_or_none(index),
                quote_value(base_interest, mark),
                non_negative(buys + sells) if buys is not None and sells is not None else None,
            )
    return _checked_ticker(venue, instrument, payload, observed_at)


def _nanos_or_none(value: object) -> datetime | None:
    """``ts_nanos(value)`` of an ASCII digit string (or an exact int) in range, else
    ``None`` (then ``ts_nanos`` reads or refuses it, naming the path)."""
    if type(value) is str:
        if not (value.isascii() and value.isdigit() and len(value) < 40):
            return None
        return instant_or_none(int(value), 1_000_000_000)
    if type(value) is int:
        return instant_or_none(value, 1_000_000_000)
    return None


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


__all__ = [
    "FundingPage",
    "parse_funding_page",
    "parse_ticker",
]
