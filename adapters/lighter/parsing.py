"""Lighter JSON -> atomic-fp models, part one: markets, order books, error bodies, and
the shared constants. Pure functions: no I/O, no clock reads.

Every public parser returns a ``Result`` through :func:`adapters._parse.parse_guard`, so a
payload of the wrong shape becomes :class:`~atomic_fp.errors.MalformedResponse`, never an
exception. Field meanings come from the Lighter OpenAPI file (``lighter-python``
``openapi.json``), ccxt's recorded Lighter responses and the nautilus_trader fixtures.
Funding (and its units) is :mod:`adapters.lighter.parsing_funding`; the account, nonces,
``sendTx`` and orders :mod:`adapters.lighter.parsing_account`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta, timezone
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
    int_field,
    obj,
    opt_dec,
    parse_guard,
    str_field,
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

VENUE = "lighter"
HOUR = timedelta(hours=1)
FUNDING_RATES_INTERVAL = timedelta(hours=8)
"""The unit of ``/funding-rates`` ``rate`` (a fraction per 8 h); settlement is hourly, so the
parser divides by :data:`FUNDING_RATES_PER_SETTLEMENT`."""
SETTLEMENT_INTERVAL = HOUR
FUNDING_RATES_PER_SETTLEMENT = Decimal(FUNDING_RATES_INTERVAL // SETTLEMENT_INTERVAL)
_PERCENT = Decimal(100)
_MARGIN_FRACTION_SCALE = Decimal(10_000)
SPOT_MARKET_ID_START = 2048
"""Spot order books have ids >= 2048 (L-SDK openapi); perps are below."""

Overrides = Mapping[str, tuple[Symbol, Decimal]]


@attrs.frozen


class LighterMarket:
    """A perp market as Lighter lists it, plus what signing needs (the decimals)."""

    market: Market
    market_id: int
    venue_base: str
    size_decimals: int
    price_decimals: int
    maintenance_margin_fraction: Decimal | None = None
    initial_margin_fraction: Decimal | None = None
    taker_fee: Decimal | None = None
    """``orderBookDetails`` ``taker_fee`` as a fraction (the wire is a percent, see
    :func:`parse_markets`); ``None`` when the row has none."""
    maker_fee: Decimal | None = None


@attrs.frozen
class MarketStats:
    """One ``market_stats`` value: prices and live funding (hourly fractions, signed)."""

    market_id: int
    mark_price: Decimal | None
    index_price: Decimal | None
    current_funding_hourly: Decimal | None
    last_funding_hourly: Decimal | None
    funding_timestamp: datetime | None
    observed_at: datetime
    funding_cap_hourly: Decimal | None = None
    """``funding_clamp_big`` (percent per hour, ``"4.0000"`` = 4 %/h) as a fraction: the
    bound of the hourly rate either way (Lighter docs, trading/funding: the rate is clamped to
    [-4 %, 4 %] per hour). ``funding_clamp_small`` (0.05 %) only bounds the interest term."""


def next_hour(moment: datetime) -> datetime:
    """The next full UTC hour strictly after ``moment`` (Lighter's next settlement)."""
    floored = moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    return floored + HOUR


def _code_ok(body: Mapping[str, Any], path: str) -> None:
    code = body.get("code")
    if code is not None and code != 200:
        raise ParseError(f"{path}.code: {code!r} is not 200: {body.get('message')!r}"[:200])


def _scale(decimals: int, path: str) -> Decimal:
    if not 0 <= decimals <= 18:
        raise ParseError(f"{path}: decimals out of range: {decimals}")
    return Decimal(1).scaleb(-decimals)


def _parse_markets(
    payload: object, exchange: ExchangeIdentifier, overrides: Overrides
) -> tuple[LighterMarket, ...]:
    body = obj(payload)
    _code_ok(body, "$")
    rows = arr(field(body, "order_book_details"), "$.order_book_details")
    markets: list[LighterMarket] = []
    seen: set[int] = set()
    for i, raw in enumerate(rows):
        path = f"$.order_book_details[{i}]"
        row = obj(raw, path)
        market_id = int_field(row, "market_id", path)
        market_type = row.get("market_type", "perp")
        if market_type != "perp" or market_id >= SPOT_MARKET_ID_START:
            continue
        if row.get("status", "active") != "active":
            continue
        if market_id < 0 or market_id in seen:
            raise ParseError(f"{path}.market_id: invalid or duplicate {market_id}")
        seen.add(market_id)
        venue_base = str_field(row, "symbol", path)
        try:
            symbol, multiplier = canonical_symbol(
                venue_base, _override(overrides, venue_base, market_id)
            )
        except ValueError:
            continue  # a name that is no asset code cannot be compared across venues
        size_decimals = int_field(row, "size_decimals", path)
        price_decimals = int_field(row, "price_decimals", path)
        taker_fee = opt_dec(row, "taker_fee", path)
        maker_fee = opt_dec(row, "maker_fee", path)
        imf = opt_dec(row, "default_initial_margin_fraction", path)
        mmf = opt_dec(row, "maintenance_margin_fraction", path)
        max_leverage = _MARGIN_FRACTION_SCALE / imf if imf is not None and imf > 0 else None
        # ``open_interest`` is in base units (ETH 39559.33 in ccxt's real row); volume in USDC
        last_price = opt_dec(row, "last_trade_price", path)
        open_interest = quote_value(opt_dec(row, "open_interest", path), last_price)
        volume = non_negative(opt_dec(row, "daily_quote_token_volume", path))
        market = Market(
            exchange=exchange,
            symbol=symbol,
            venue_symbol=str(market_id),
            tick_size=_scale(price_decimals, f"{path}.price_decimals"),
            lot_size=_scale(size_decimals, f"{path}.size_decimals"),
            min_size=dec_field(row, "min_base_amount", path),
            min_notional=dec_field(row, "min_quote_amount", path),
            contract_multiplier=multiplier,
            funding_interval=SETTLEMENT_INTERVAL,
            settle_asset="USDC",
            max_leverage=max_leverage,
            open_interest=open_interest,
            volume_24h=volume,
        )
        markets.append(
            LighterMarket(
                market=market,
                market_id=market_id,
                venue_base=venue_base,
                size_decimals=size_decimals,
                price_decimals=price_decimals,
                maintenance_margin_fraction=(
                    mmf / _MARGIN_FRACTION_SCALE if mmf is not None else None
                ),
                initial_margin_fraction=(imf / _MARGIN_FRACTION_SCALE if imf is not None else None),
                taker_fee=taker_fee / _PERCENT if taker_fee is not None else None,
                maker_fee=maker_fee / _PERCENT if maker_fee is not None else None,
            )
        )
    return tuple(markets)


def _override(overrides: Overrides, venue_base: str, market_id: int) -> Overrides:
    """Overrides may name the venue base (``ETH``) or the market id (``"0"``)."""
    key = str(market_id)
    if key in overrides:
        return {venue_base: overrides[key]}
    return overrides


def parse_markets(
    payload: object, exchange: ExchangeIdentifier, overrides: Overrides | None = None
) -> Result[tuple[LighterMarket, ...], MalformedResponse]:
    """``GET /api/v1/orderBookDetails`` -> active perp markets.

    ``market_id`` (an integer) is the venue symbol; tick = ``10**-price_decimals``, lot =
    ``10**-size_decimals`` (the scales signing uses: ``base_amount = size * 10**size_decimals``);
    ``min_base_amount`` / ``min_quote_amount`` are the minimum size / notional (USDC).
    Margin fractions are per 1e4 (``500`` = 5 % = 20x max leverage). ``taker_fee`` /
    ``maker_fee`` are read as **percent** strings like every four-decimal Lighter figure
    (``/fundings``, ``market_stats``): standard accounts pay 0 % (``"0.0000"`` in every
    recorded row), premium accounts 0.028 % taker (apidocs.lighter.xyz account-types), which
    as a fraction would be an absurd 2.8 %. Spot books
    (``spot_order_book_details``, ids >= 2048, ``market_type`` spot), inactive markets and
    markets whose name is no asset code (unless ``overrides`` maps it) are dropped; one odd
    listing must not take every Lighter market down with it.
    """
    return parse_guard(VENUE, lambda: _parse_markets(payload, exchange, overrides or {}))


def _by_id(markets: Collection[LighterMarket]) -> dict[int, LighterMarket]:
    return {m.market_id: m for m in markets}


def _aggregate(rows: Sequence[Any], side: str, descending: bool) -> tuple[BookLevel, ...]:
    totals: dict[Decimal, Decimal] = {}
    for i, raw in enumerate(rows):
        path = f"$.{side}[{i}]"
        row = obj(raw, path)
        price = dec_field(row, "price", path)
        size = dec_field(row, "remaining_base_amount", path)
        if price <= 0 or size < 0:
            raise ParseError(f"{path}: non-positive price or negative size")
        if size == 0:
            continue
        totals[price] = totals.get(price, Decimal(0)) + size
    ordered = sorted(totals.items(), key=lambda item: item[0], reverse=descending)
    return tuple(BookLevel(price=p, size=s) for p, s in ordered)


def _parse_order_book(
    payload: object,
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    observed_at: datetime,
    depth: int,
) -> OrderBook:
    body = obj(payload)
    _code_ok(body, "$")
    bids = _aggregate(arr(body.get("bids") or [], "$.bids"), "bids", descending=True)
    asks = _aggregate(arr(body.get("asks") or [], "$.asks"), "asks", descending=False)
    if bids and asks and bids[0].price >= asks[0].price:
        raise ParseError(f"$: crossed book (bid {bids[0].price} >= ask {asks[0].price})")
    return OrderBook(
        exchange=exchange,
        symbol=symbol,
        bids=bids[:depth],
        asks=asks[:depth],
        timestamp=observed_at,
    )


def parse_order_book(
    payload: object,
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    observed_at: datetime,
    depth: int = 20,
) -> Result[OrderBook, MalformedResponse]:
    """``GET /api/v1/orderBookOrders`` -> price levels.

    The endpoint lists individual resting orders (asks ascending, bids descending); orders at
    one price are summed by ``remaining_base_amount`` into a level, then cut to ``depth``
    levels. A crossed book is refused as malformed.
    """
    return parse_guard(
        VENUE, lambda: _parse_order_book(payload, exchange, symbol, observed_at, depth)
    )


def error_fields(body: Any) -> tuple[str | None, str | None]:
    """``{"code": 21706, "message": "..."}`` -> (code, message), for JsonHttp."""
    if isinstance(body, Mapping):
        code = body.get("code")
        message = body.get("message")
        return (
            str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None,
            message[:200] if isinstance(message, str) else None,
        )
    return None, None


__all__ = [
    "FUNDING_RATES_INTERVAL",
    "FUNDING_RATES_PER_SETTLEMENT",
    "HOUR",
    "SPOT_MARKET_ID_START",
    "VENUE",
    "LighterMarket",
    "MarketStats",
    "error_fields",
    "next_hour",
    "parse_markets",
    "parse_order_book",
]
