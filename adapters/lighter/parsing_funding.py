"""Lighter funding JSON -> atomic-fp models (pure): current rates, settled history and the
websocket ``market_stats`` frames.

Every public parser returns a ``Result`` through :func:`adapters._parse.parse_guard`, so a
payload of the wrong shape becomes :class:`~atomic_fp.errors.MalformedResponse`, never an
exception. Field meanings come from the Lighter OpenAPI file (``lighter-python``
``openapi.json``), ccxt's recorded Lighter responses and the nautilus_trader fixtures.

Funding units (the fact sheet marked two of them UNCONFIRMED; settled here)
---------------------------------------------------------------------------
Lighter settles funding **every hour, on the hour**; positive = longs pay shorts
(https://docs.lighter.xyz/trading/funding). Three places publish a rate, in three units:

``GET /api/v1/fundings`` ``rate``
    **Percent per hour, unsigned**; the sign comes from ``direction`` (``long`` = longs paid,
    positive; ``short`` = shorts paid, negative). Hourly fraction = ``±rate / 100``.
``GET /api/v1/funding-rates`` ``rate``
    **Fraction per 8 hours** (a JSON float). Hourly fraction = ``rate / 8``.
websocket ``market_stats`` ``current_funding_rate`` / ``funding_rate``
    **Percent per hour, signed** (strings). Hourly fraction = ``rate / 100``.

Evidence (tests/adapters/lighter/test_units.py checks the recorded part of it):

1. The 24 h dump of ``/fundings?resolution=1h`` for 129 markets (dhaussmann/defi_api,
   2026-02-03/04, 3,096 rows): 2,116 rows (68 %) are exactly ``0.0012``. Lighter's rate is
   premium + a fixed interest component; with no premium the rate sits at the interest
   baseline of 0.01 % per 8 h = 0.00125 %/h, written with four decimals as ``0.0012``. Read
   as a *percent* per hour that is 1.2e-5/h = 10.5 % APR (the usual perp baseline; Binance's
   is 10.95 %); read as a *fraction* it would be 1,051 % APR for two thirds of all markets,
   which is absurd. The ``market_stats`` frame in nautilus's fixture carries
   ``base_interest_rate "0.0100"`` next to the funding fields: the same 0.01 %/8 h.
2. ccxt's recorded ``/funding-rates`` row for ETH (market 0, Nov 2025) is ``9.6e-05``, and
   ccxt's recorded ``market_stats`` for ETH from the same month has
   ``current_funding_rate "0.0012"``. 0.0012 % per hour x 8 h / 100 = 9.6e-05 **exactly**:
   ``/funding-rates`` is the hourly rate as a fraction scaled to 8 hours. Both give
   1.2e-5 per hour. nautilus's ``http_fundings.json`` has the same ``0.0012`` row (long).
3. The ``/fundings`` ``value`` field divided by the fractional rate gives a price:
   nautilus rows 0.02707872 / (0.0012 / 100) = 2256.6 and 0.00452778 / (0.0002 / 100) =
   2263.9, a consistent ETH price of 2026 (so ``value`` is funding paid per unit of base,
   and ``rate`` is a percent); read as a fraction the "price" would be 22.6.
4. Lighter's own SDK documents no unit: ``lighter-python`` ``docs/FundingApi.md`` says only
   "Get funding rates across venues. For real-time funding rates, use the market_stats
   WebSocket channel", and ``docs/PerpsMarketStats.md`` types the funding fields as plain
   strings. ccxt passes ``/funding-rates`` through unscaled with ``interval: null``
   (``parsedResponse`` of its recorded fixture), so ccxt is no evidence either way.
5. Third-party code agrees: docs.rs ``df-lighter-core`` ``src/markets/funding.rs``
   ("``fundings`` writes ``rate`` in percent of the notional for the hour (0.0012 is
   0.000012)"; "``funding-rates`` writes each venue's current rate as a fraction over eight
   hours"); dhaussmann/defi_api annualises ``/fundings`` as ``rate x 8760`` percent.

Tolerance for cross-endpoint agreement: ``market_stats`` and ``/fundings`` print four
decimals of a percent, so one hourly fraction is known to +-0.5e-6 (half of 0.0001 %).
``/funding-rates`` carries the float behind it, so it must agree within that quantum.

Every ``FundingRate`` this module returns is the payment **per settlement** with the settlement
interval (1 h): the ``/funding-rates`` fraction-per-8 h is divided by 8 here (the unit a wire
field is quoted in is the parser's business), so a caller that settles "rate every interval"
(a paper venue mirroring Lighter, the backtest) pays 24 times a day, and ``scan`` prints
``1h``. ``next_funding_time`` is the next full UTC hour.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
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
    int_field,
    obj,
    opt_dec,
    parse_guard,
    plain_decimal,
    str_field,
    string,
    ts_millis,
    ts_seconds,
)
from adapters.lighter.parsing import (
    _PERCENT,
    FUNDING_RATES_PER_SETTLEMENT,
    HOUR,
    SETTLEMENT_INTERVAL,
    VENUE,
    LighterMarket,
    MarketStats,
    _by_id,
    _code_ok,
    next_hour,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    FundingKind,
    FundingRate,
)
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier


def _current_rate(
    exchange: ExchangeIdentifier,
    market: LighterMarket,
    market_id: int,
    rate: Decimal,
    observed_at: datetime,
    next_funding: datetime,
) -> FundingRate:
    """One Lighter market's current rate (``rate`` per settlement, as the row gives it):
    what the common row's inline read and the checked read both build."""
    return checked_funding_rate(
        exchange=exchange,
        symbol=market.market.symbol,
        rate=rate / FUNDING_RATES_PER_SETTLEMENT,
        interval=SETTLEMENT_INTERVAL,
        kind=FundingKind.CURRENT,
        observed_at=observed_at,
        next_funding_time=next_funding,
        venue_symbol=str(market_id),
        open_interest=market.market.open_interest,
        volume_24h=market.market.volume_24h,
    )


def _parse_funding_rates(
    payload: object,
    exchange: ExchangeIdentifier,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> tuple[FundingRate, ...]:
    body = obj(payload)
    _code_ok(body, "$")
    rows = arr(field(body, "funding_rates"), "$.funding_rates")
    known = _by_id(markets)
    rates: list[FundingRate] = []
    next_funding = next_hour(observed_at)
    for i, raw in enumerate(rows):
        # The common row read inline (issue 20: ~480 rows per scan, 3 in 4 of them the
        # other venues' reference rows): a ``dict`` with an int ``market_id`` and a plain
        # ``rate``; anything else is read (or refused, naming the path) as before.
        # Equal: tests/adapters/lighter/test_funding_rates_fast_path.py.
        if type(raw) is dict:
            if raw.get("exchange") != "lighter":
                continue  # Lighter's reference rows for binance/bybit/hyperliquid
            market_id = raw.get("market_id")
            plain = plain_decimal(raw.get("rate"))
            if type(market_id) is int and plain is not None:
                market = known.get(market_id)
                if market is None:
                    continue  # not an active perp we list
                rates.append(
                    _current_rate(exchange, market, market_id, plain, observed_at, next_funding)
                )
                continue
        path = f"$.funding_rates[{i}]"
        row = obj(raw, path)
        if row.get("exchange") != "lighter":
            continue  # Lighter's reference rows for binance/bybit/hyperliquid
        market_id = int_field(row, "market_id", path)
        market = known.get(market_id)
        if market is None:
            continue  # not an active perp we list
        rates.append(
            _current_rate(
                exchange, market, market_id, dec_field(row, "rate", path), observed_at, next_funding
            )
        )
    return tuple(rates)


def parse_funding_rates(
    payload: object,
    exchange: ExchangeIdentifier,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``GET /api/v1/funding-rates`` -> CURRENT rates of Lighter's own markets.

        The endpoint also lists Lighter's reference rows for binance/bybit/hyperliquid: only
        ``exchange == "lighter"`` rows are kept. ``rate`` is a fraction per 8 hours (see the
        module docstring for the evidence): it is divided by 8 and reported per hourly settlement
    (``interval = 1 h``), the interval Lighter pays on; the response has no
        time, so ``observed_at`` is the caller's receipt time and ``next_funding_time`` the next
        full hour. Rows for markets not in ``markets`` (inactive, spot) are dropped.
    """
    return parse_guard(VENUE, lambda: _parse_funding_rates(payload, exchange, markets, observed_at))


def _signed_hourly(rate: Decimal, direction: str, path: str) -> Decimal:
    if rate < 0:
        raise ParseError(f"{path}.rate: expected an unsigned magnitude, got {rate}")
    if direction == "long":
        return rate / _PERCENT
    if direction == "short":
        return -rate / _PERCENT
    raise ParseError(f"{path}.direction: expected 'long' or 'short', got {direction!r}"[:200])


def _parse_fundings(
    payload: object, exchange: ExchangeIdentifier, market: LighterMarket
) -> tuple[FundingRate, ...]:
    body = obj(payload)
    _code_ok(body, "$")
    resolution = body.get("resolution", "1h")
    if resolution != "1h":
        raise ParseError(f"$.resolution: expected '1h', got {resolution!r}"[:200])
    rows = body.get("fundings")
    if rows is None:
        return ()
    rates: list[FundingRate] = []
    for i, raw in enumerate(arr(rows, "$.fundings")):
        path = f"$.fundings[{i}]"
        row = obj(raw, path)
        when = ts_seconds(field(row, "timestamp", path), f"{path}.timestamp")
        hourly = _signed_hourly(
            dec_field(row, "rate", path), string(field(row, "direction", path), path), path
        )
        rates.append(
            FundingRate(
                exchange=exchange,
                symbol=market.market.symbol,
                rate=hourly,
                interval=HOUR,
                kind=FundingKind.SETTLED,
                observed_at=when,
                funding_time=when,
                venue_symbol=str(market.market_id),
            )
        )
    rates.sort(key=lambda r: r.observed_at)
    return tuple(rates)


def parse_fundings(
    payload: object, exchange: ExchangeIdentifier, market: LighterMarket
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``GET /api/v1/fundings?resolution=1h`` -> SETTLED hourly rates, oldest first.

    ``rate`` is an unsigned percent per hour and ``direction`` names the side that paid
    (``long`` -> positive). ``timestamp`` is unix seconds, the settlement hour.
    ``value`` (funding paid per unit of base, in USDC) is not needed. A ``null`` list is
    an empty window.
    """
    return parse_guard(VENUE, lambda: _parse_fundings(payload, exchange, market))


def _hourly_percent(row: Mapping[str, Any], key: str, path: str) -> Decimal | None:
    value = opt_dec(row, key, path)
    return value / _PERCENT if value is not None else None


def _stats_one(row: Mapping[str, Any], path: str, observed_at: datetime) -> MarketStats:
    stamp = row.get("funding_timestamp")
    return MarketStats(
        market_id=int_field(row, "market_id", path),
        mark_price=_positive(opt_dec(row, "mark_price", path), f"{path}.mark_price"),
        index_price=_positive(opt_dec(row, "index_price", path), f"{path}.index_price"),
        current_funding_hourly=_hourly_percent(row, "current_funding_rate", path),
        last_funding_hourly=_hourly_percent(row, "funding_rate", path),
        funding_cap_hourly=_cap(_hourly_percent(row, "funding_clamp_big", path)),
        funding_timestamp=(
            ts_millis(stamp, f"{path}.funding_timestamp") if stamp not in (None, 0) else None
        ),
        observed_at=observed_at,
    )


def _cap(value: Decimal | None) -> Decimal | None:
    """A clamp is a magnitude: a zero or negative one is no usable bound."""
    return value if value is not None and value > 0 else None


def _positive(value: Decimal | None, path: str) -> Decimal | None:
    if value is not None and value <= 0:
        raise ParseError(f"{path}: expected a positive price, got {value}")
    return value


def _parse_ws_frame(frame: object, received_at: datetime) -> WsFrame:
    body = obj(frame)
    if "type" not in body and "error" in body:
        return WsFrame(kind="error", stats=(), error=str(body["error"])[:200])
    kind = str_field(body, "type", "$")
    if kind in ("connected", "pong", "ping"):
        return WsFrame(kind=kind, stats=())
    if kind == "error" or "error" in body:
        error = body.get("error") or body.get("message") or kind
        return WsFrame(kind="error", stats=(), error=str(error)[:200])
    if not kind.endswith("/market_stats"):
        return WsFrame(kind=kind, stats=())
    stamp = body.get("timestamp")
    observed_at = ts_millis(stamp, "$.timestamp") if stamp is not None else received_at
    stats_raw = obj(field(body, "market_stats", "$"), "$.market_stats")
    stats: tuple[MarketStats, ...]
    if "market_id" in stats_raw:
        stats = (_stats_one(stats_raw, "$.market_stats", observed_at),)
    else:
        stats = tuple(
            _stats_one(obj(value, f"$.market_stats.{key}"), f"$.market_stats.{key}", observed_at)
            for key, value in stats_raw.items()
        )
    return WsFrame(kind="market_stats", stats=stats)


@attrs.frozen
class WsFrame:
    """What one websocket frame said: ``kind`` (``connected``, ``ping``, ``pong``,
    ``market_stats``, ``error`` or the venue's own type) and any market stats in it."""

    kind: str
    stats: tuple[MarketStats, ...]
    error: str | None = None


def parse_ws_frame(frame: object, received_at: datetime) -> Result[WsFrame, MalformedResponse]:
    """A decoded websocket frame -> :class:`WsFrame`.

    ``{"type":"subscribed/market_stats"|"update/market_stats","channel":"market_stats:1",
    "market_stats":{...},"timestamp":ms}``; the ``all`` channel nests the stats by market id.
    Funding fields are signed percent per hour (``"0.0012"`` = 1.2e-5/h) and are returned as
    hourly fractions. ``funding_timestamp`` is kept but not trusted as the next settlement:
    the documented examples show it both before and after the frame time; Lighter settles on
    every full hour. The frame's own ``timestamp`` (ms) is the observation time.
    """
    return parse_guard(VENUE, lambda: _parse_ws_frame(frame, received_at))


__all__ = [
    "WsFrame",
    "parse_funding_rates",
    "parse_fundings",
    "parse_ws_frame",
]
