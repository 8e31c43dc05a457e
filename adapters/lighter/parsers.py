"""Lighter JSON -> atomic-fp models. Pure functions: no I/O, no clock reads.

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
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    string,
    ts_millis,
    ts_seconds,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    Balance,
    BookLevel,
    FundingKind,
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


@attrs.frozen
class SendTxAnswer:
    tx_hash: str
    message: str | None


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
    for i, raw in enumerate(rows):
        path = f"$.funding_rates[{i}]"
        row = obj(raw, path)
        if row.get("exchange") != "lighter":
            continue  # Lighter's reference rows for binance/bybit/hyperliquid
        market_id = int_field(row, "market_id", path)
        market = known.get(market_id)
        if market is None:
            continue  # not an active perp we list
        rates.append(
            FundingRate(
                exchange=exchange,
                symbol=market.market.symbol,
                rate=dec_field(row, "rate", path) / FUNDING_RATES_PER_SETTLEMENT,
                interval=SETTLEMENT_INTERVAL,
                kind=FundingKind.CURRENT,
                observed_at=observed_at,
                next_funding_time=next_hour(observed_at),
                venue_symbol=str(market_id),
                open_interest=market.market.open_interest,
                volume_24h=market.market.volume_24h,
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


def _select_account(payload: object, account_index: int) -> Mapping[str, Any]:
    body = obj(payload)
    _code_ok(body, "$")
    accounts = arr(field(body, "accounts"), "$.accounts")
    for i, raw in enumerate(accounts):
        row = obj(raw, f"$.accounts[{i}]")
        index = row.get("index", row.get("account_index"))
        if index is not None and integer(index, f"$.accounts[{i}].index") == account_index:
            return row
    raise ParseError(f"$.accounts: account {account_index} not in the answer")


def _nonzero(value: Decimal | None) -> Decimal | None:
    return None if value is None or value == 0 else value


def _parse_positions(
    payload: object,
    exchange: ExchangeIdentifier,
    account_index: int,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> tuple[Position, ...]:
    account = _select_account(payload, account_index)
    rows = account.get("positions") or []
    known = _by_id(markets)
    positions: list[Position] = []
    for i, raw in enumerate(arr(rows, "$.positions")):
        path = f"$.positions[{i}]"
        row = obj(raw, path)
        size = dec_field(row, "position", path)
        if size < 0:
            raise ParseError(f"{path}.position: expected unsigned, got {size}")
        if size == 0:
            continue  # Lighter keeps rows for markets the account has closed
        sign = int_field(row, "sign", path)
        if sign not in (1, -1):
            raise ParseError(f"{path}.sign: expected 1 or -1, got {sign}")
        market_id = int_field(row, "market_id", path)
        market = known.get(market_id)
        if market is None:
            raise ParseError(f"{path}.market_id: {market_id} is not a listed perp")
        value = opt_dec(row, "position_value", path)
        mark = abs(value) / size if value is not None else None
        imf = opt_dec(row, "initial_margin_fraction", path)
        positions.append(
            Position(
                exchange=exchange,
                symbol=market.market.symbol,
                size=size * sign,
                observed_at=observed_at,
                contract_multiplier=market.market.contract_multiplier,
                entry_price=_nonzero(opt_dec(row, "avg_entry_price", path)),
                mark_price=_nonzero(mark),
                liquidation_price=_nonzero(opt_dec(row, "liquidation_price", path)),
                unrealized_pnl=opt_dec(row, "unrealized_pnl", path),
                cumulative_funding=_funding_paid(row, path),
                leverage=_PERCENT / imf if imf is not None and imf > 0 else None,
            )
        )
    return tuple(positions)


def _funding_paid(row: Mapping[str, Any], path: str) -> Decimal | None:
    """``total_funding_paid_out`` is what the position paid; ours is received (+)."""
    paid = opt_dec(row, "total_funding_paid_out", path)
    return -paid if paid is not None else None


def parse_positions(
    payload: object,
    exchange: ExchangeIdentifier,
    account_index: int,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> Result[tuple[Position, ...], MalformedResponse]:
    """``GET /api/v1/account?by=index&value=N`` -> the account's open positions.

    The answer may list several accounts (a main account and its sub/pool accounts): the
    one whose ``index`` is ``account_index`` is read; its absence is malformed, never
    "flat". ``position`` is unsigned and ``sign`` is 1 (long) / -1 (short). Rows with
    ``position "0"`` are closed markets and are skipped. ``mark_price`` is
    ``position_value / position``; ``initial_margin_fraction`` is a percent (``"5.00"`` =
    20x); ``liquidation_price "0"`` means none.
    """
    return parse_guard(
        VENUE,
        lambda: _parse_positions(payload, exchange, account_index, markets, observed_at),
    )


def _parse_balances(
    payload: object, exchange: ExchangeIdentifier, account_index: int, observed_at: datetime
) -> tuple[Balance, ...]:
    account = _select_account(payload, account_index)
    balances = [
        Balance(
            exchange=exchange,
            asset="USDC",
            total=dec_field(account, "total_asset_value", "$.account"),
            available=dec_field(account, "available_balance", "$.account"),
            observed_at=observed_at,
        )
    ]
    for i, raw in enumerate(arr(account.get("assets") or [], "$.assets")):
        path = f"$.assets[{i}]"
        row = obj(raw, path)
        balance = dec_field(row, "balance", path)
        locked = opt_dec(row, "locked_balance", path) or Decimal(0)
        balances.append(
            Balance(
                exchange=exchange,
                asset=f"{str_field(row, 'symbol', path)}:spot",
                total=balance,
                available=balance - locked,
                observed_at=observed_at,
            )
        )
    return tuple(balances)


def parse_balances(
    payload: object, exchange: ExchangeIdentifier, account_index: int, observed_at: datetime
) -> Result[tuple[Balance, ...], MalformedResponse]:
    """``GET /api/v1/account`` -> balances.

    The perp margin account is ``USDC``: ``total`` = ``total_asset_value`` (collateral plus
    unrealised PnL: 9100.24 + 6197.83 = 15298.07 in ccxt's fixture), ``available`` =
    ``available_balance``. ``collateral`` alone (deposits, without PnL) is not equity and is
    not reported. Spot ``assets`` are reported as ``<SYMBOL>:spot`` with
    ``available = balance - locked_balance``.
    """
    return parse_guard(
        VENUE, lambda: _parse_balances(payload, exchange, account_index, observed_at)
    )


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


def _parse_next_nonce(payload: object) -> int:
    body = obj(payload)
    _code_ok(body, "$")
    nonce = int_field(body, "nonce", "$")
    if nonce < 0:
        raise ParseError(f"$.nonce: negative {nonce}")
    return nonce


def parse_next_nonce(payload: object) -> Result[int, MalformedResponse]:
    """``GET /api/v1/nextNonce`` -> the next nonce the API key must use."""
    return parse_guard(VENUE, lambda: _parse_next_nonce(payload))


def _parse_send_tx(payload: object) -> SendTxAnswer:
    body = obj(payload)
    _code_ok(body, "$")
    message = body.get("message")
    return SendTxAnswer(
        tx_hash=str_field(body, "tx_hash", "$"),
        message=message if isinstance(message, str) else None,
    )


def parse_send_tx(payload: object) -> Result[SendTxAnswer, MalformedResponse]:
    """``POST /api/v1/sendTx`` -> ``{code: 200, tx_hash, ...}`` (accepted by the API only)."""
    return parse_guard(VENUE, lambda: _parse_send_tx(payload))


_STATUS = {
    "in-progress": OrderStatus.PENDING,
    "pending": OrderStatus.PENDING,
    "open": OrderStatus.OPEN,
    "filled": OrderStatus.FILLED,
    "canceled-expired": OrderStatus.EXPIRED,
}


def _order_status(raw: str, filled: Decimal) -> OrderStatus:
    status = _STATUS.get(raw)
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    if status is not None:
        return status
    if raw.startswith("canceled"):
        return OrderStatus.CANCELED
    raise ParseError(f"status: unknown order status {raw!r}"[:200])


def _parse_orders(
    payload: object,
    exchange: ExchangeIdentifier,
    market: LighterMarket,
    client_order_index: int,
    client_order_id: str,
) -> Order | None:
    body = obj(payload)
    _code_ok(body, "$")
    for i, raw in enumerate(arr(body.get("orders") or [], "$.orders")):
        path = f"$.orders[{i}]"
        row = obj(raw, path)
        if int_field(row, "client_order_index", path) != client_order_index:
            continue
        initial = dec_field(row, "initial_base_amount", path)
        filled = opt_dec(row, "filled_base_amount", path) or Decimal(0)
        quote = opt_dec(row, "filled_quote_amount", path)
        status_text = str_field(row, "status", path)
        status = _order_status(status_text, filled)
        is_ask = field(row, "is_ask", path)
        if not isinstance(is_ask, bool):
            raise ParseError(f"{path}.is_ask: expected a boolean")
        updated = row.get("updated_at")
        return Order(
            exchange=exchange,
            symbol=market.market.symbol,
            client_order_id=client_order_id,
            side=Side.SELL if is_ask else Side.BUY,
            size=initial,
            status=status,
            filled_size=filled,
            average_price=quote / filled if quote is not None and filled > 0 else None,
            venue_order_id=str(int_field(row, "order_index", path)),
            reduce_only=row.get("reduce_only") is True,
            updated_at=ts_millis(updated, f"{path}.updated_at") if updated else None,
            reject_reason=status_text if status is OrderStatus.CANCELED else None,
        )
    return None


def parse_orders(
    payload: object,
    exchange: ExchangeIdentifier,
    market: LighterMarket,
    client_order_index: int,
    client_order_id: str,
) -> Result[Order | None, MalformedResponse]:
    """``accountActiveOrders`` / ``accountInactiveOrders`` -> the order with our client index.

    ``None`` when the list does not hold it. ``is_ask`` true = sell; ``status`` ``open``,
    ``filled``, ``in-progress``/``pending``, ``canceled-*`` (``canceled-expired`` ->
    EXPIRED; the other cancel reasons are kept as ``reject_reason``). Average price =
    ``filled_quote_amount / filled_base_amount``.
    """
    return parse_guard(
        VENUE,
        lambda: _parse_orders(payload, exchange, market, client_order_index, client_order_id),
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
    "LighterMarket",
    "MarketStats",
    "SendTxAnswer",
    "WsFrame",
    "error_fields",
    "next_hour",
    "parse_balances",
    "parse_funding_rates",
    "parse_fundings",
    "parse_markets",
    "parse_next_nonce",
    "parse_order_book",
    "parse_orders",
    "parse_positions",
    "parse_send_tx",
    "parse_ws_frame",
]
