"""Pure GRVT JSON -> atomic-fp models (``full/v1`` verbose keys), part one: instruments,
order books, error bodies and the shared helpers. Funding is
:mod:`adapters.grvt.parsing_funding`; the account and orders
:mod:`adapters.grvt.parsing_account`.

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
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    int_field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    ts_nanos,
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


# --- instrument lookups (used by the account parsers) -------------------------------

InstrumentLookup = Mapping[str, GrvtInstrument]


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


__all__ = [
    "PERP_SUFFIX",
    "GrvtInstrument",
    "InstrumentList",
    "InstrumentLookup",
    "Overrides",
    "error_extractor",
    "error_of",
    "funding_rate_fraction",
    "instrument_symbol",
    "parse_book",
    "parse_instruments",
]
