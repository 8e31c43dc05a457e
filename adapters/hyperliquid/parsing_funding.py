"""Pure parsers: Hyperliquid funding that is not the live context: ``predictedFundings``
and ``fundingHistory`` (moved out of :mod:`adapters.hyperliquid.parsing`, whose module
docstring gives the units and facts; ``parsers.py`` re-exports both)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    int_field,
    obj,
    parse_guard,
    str_field,
    string,
    ts_millis,
)
from adapters.hyperliquid.parsing import (
    EIGHT_HOURS,
    HOUR,
    HOURLY_FUNDING_SINCE,
    Overrides,
    _symbol,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


def _predicted(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides,
    source: str = "HlPerp",
) -> tuple[FundingRate, ...]:
    rates: list[FundingRate] = []
    for index, raw_row in enumerate(arr(payload)):
        path = f"$[{index}]"
        row = arr(raw_row, path)
        if len(row) != 2:
            raise ParseError(f"{path}: expected [coin, venues]")
        coin = string(row[0], f"{path}[0]")
        for position, raw_venue in enumerate(arr(row[1], f"{path}[1]")):
            venue_path = f"{path}[1][{position}]"
            pair = arr(raw_venue, venue_path)
            if len(pair) != 2:
                raise ParseError(f"{venue_path}: expected [venue, prediction]")
            venue_name = string(pair[0], f"{venue_path}[0]")
            if venue_name != source or pair[1] is None:
                continue
            mapped = _symbol(coin, overrides)
            if mapped is None:
                continue
            data = obj(pair[1], f"{venue_path}[1]")
            hours = (
                int_field(data, "fundingIntervalHours", venue_path)
                if ("fundingIntervalHours" in data)
                else 1
            )
            if not 0 < hours <= 24:
                raise ParseError(f"{venue_path}.fundingIntervalHours: out of range: {hours}")
            rates.append(
                FundingRate(
                    exchange=exchange,
                    symbol=mapped[0],
                    rate=dec_field(data, "fundingRate", venue_path),
                    interval=timedelta(hours=hours),
                    kind=FundingKind.PREDICTED,
                    observed_at=observed_at,
                    next_funding_time=ts_millis(
                        field(data, "nextFundingTime", venue_path),
                        f"{venue_path}.nextFundingTime",
                    ),
                    venue_symbol=coin,
                )
            )
    return tuple(rates)


def parse_predicted_fundings(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides | None = None,
    *,
    source: str = "HlPerp",
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``predictedFundings`` -> PREDICTED rates of one source's entries: Hyperliquid's own
    (``HlPerp``, the default), or the other venues it predicts (``BinPerp``, ``BybitPerp``;
    docs.chainstack.com hyperliquid-info-predicted-fundings), as rates of ``exchange``."""
    return parse_guard(
        str(exchange),
        lambda: _predicted(exchange, payload, observed_at, overrides or {}, source),
    )


def history_interval(funding_time: datetime) -> timedelta:
    """8 h for rows settled before Hyperliquid went hourly (2023-06-08), else 1 h."""
    return EIGHT_HOURS if funding_time < HOURLY_FUNDING_SINCE else HOUR


def _history(exchange: ExchangeIdentifier, symbol: Symbol, payload: Any) -> tuple[FundingRate, ...]:
    rates: list[FundingRate] = []
    for index, raw in enumerate(arr(payload)):
        path = f"$[{index}]"
        row = obj(raw, path)
        funding_time = ts_millis(field(row, "time", path), f"{path}.time")
        rates.append(
            FundingRate(
                exchange=exchange,
                symbol=symbol,
                rate=dec_field(row, "fundingRate", path),
                interval=history_interval(funding_time),
                kind=FundingKind.SETTLED,
                observed_at=funding_time,
                funding_time=funding_time,
                venue_symbol=str_field(row, "coin", path),
            )
        )
    return tuple(rates)


def parse_funding_history(
    exchange: ExchangeIdentifier, symbol: Symbol, payload: Any
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``fundingHistory`` -> SETTLED rates (oldest first, as the venue sends them)."""
    return parse_guard(str(exchange), lambda: _history(exchange, symbol, payload))
