"""Pure parsers: OKX v5 JSON -> atomic-fp models (``Result``, never an exception).

Every OKX v5 REST answer is an envelope ``{"code": "0", "msg": "", "data": [...]}``; a
non-zero ``code`` is an error (checked by :mod:`adapters.okx.http` before these run).
Numbers are strings, times are ms since the epoch (OKX v5 docs; the recorded fixtures
under ``shared/research-data/nautilus_trader/crates/adapters/okx/test_data``).

Units. OKX sizes swaps in **contracts** (one ``BTC-USDT-SWAP`` contract is ``ctVal`` =
0.01 BTC, times ``ctMult``, 1 for every linear swap) but prices them per **base unit**
(``px``, ``markPx``, book prices: USDT per BTC). atomic-fp's models price per venue size
unit (``Market``: "Prices are per venue size unit"), so a contract cannot be the model's
unit without rescaling every price. The models therefore carry OKX sizes in base units
(``lot_size = lotSz * ctVal``, book levels, positions, orders, fills: contracts x
``ctVal``), prices as sent, and ``contract_multiplier`` 1 (or a ``1000X``-style name's
own multiplier); :attr:`OkxMarket.contract_value` converts at the wire (an order's ``sz``
is ``size / ctVal`` contracts, refused unless whole lots). A hedge sized in base units
therefore holds the same base amount on OKX as on any other venue.

Funding. ``GET /api/v5/public/funding-rate`` answers per instrument ``fundingRate`` (the
rate of the period in progress), ``fundingTime`` (the settlement that pays it) and
``nextFundingTime`` (the settlement after that): the symbol's own interval is
``nextFundingTime - fundingTime`` (the research fact sheet, section E; nautilus
``OKXFundingRateMsg.next_funding_time``: "used to determine funding interval"). OKX sets
intervals per contract (8 h default, 4 h, 2 h, 1 h; its 2026-04-14 announcement on the
automatic settlement-frequency mechanism points to this endpoint for the current one).
``maxFundingRate``/``minFundingRate`` are the per-settlement cap and floor. Settled history
(``funding-rate-history``) carries ``realizedRate``, the rate actually paid, beside
``fundingRate``; we keep the paid one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    integer,
    obj,
    opt_dec,
    parse_guard,
    str_field,
    ts_millis,
)
from adapters.kit.readers import book_side, objects, settled_rates
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    BookLevel,
    FundingKind,
    FundingRate,
    Market,
    OrderBook,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.symbols import canonical_symbol

DEFAULT_INTERVAL = timedelta(hours=8)
SETTLE_ASSET = "USDT"
_MAX_INTERVAL = timedelta(hours=24)


@attrs.frozen
class OkxMarket:
    """A :class:`Market` with the OKX fields trading needs (``maxMktSz`` caps market orders,
    ``maxLmtSz`` limit orders; both in contracts)."""

    market: Market
    contract_value: Decimal = Decimal(1)
    """Base units per OKX contract (``ctVal * ctMult``)."""
    max_market_size: Decimal | None = None
    max_limit_size: Decimal | None = None
    """Largest market / limit order in base units (``maxMktSz`` / ``maxLmtSz`` x ctVal)."""

    def to_contracts(self, size: Decimal) -> Decimal:
        """Contracts on the wire for a size in (model) base units."""
        return size / self.contract_value

    def from_contracts(self, contracts: Decimal) -> Decimal:
        """Model size (base units) of a wire size in contracts."""
        return contracts * self.contract_value

    @property
    def inst_id(self) -> str:
        return self.market.venue_symbol


def rows(payload: object, path: str = "$") -> Sequence[Any]:
    """The ``data`` list of an OKX envelope."""
    return arr(field(obj(payload, path), "data", path), f"{path}.data")


def data_objects(payload: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each object of ``data`` with its JSON path."""
    return objects(rows(payload), "$.data")


def error_extractor(body: Any) -> tuple[str | None, str | None]:
    """``(code, msg)`` of an OKX error body; a failed order row's ``sCode``/``sMsg`` wins
    (``{"code": "1", "data": [{"sCode": "51008", "sMsg": "Insufficient balance"}]}``)."""
    if not isinstance(body, Mapping):
        return None, None
    code, msg = body.get("code"), body.get("msg")
    data = body.get("data")
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        s_code = data[0].get("sCode")
        if isinstance(s_code, str) and s_code not in ("", "0"):
            return s_code, str(data[0].get("sMsg") or msg or "")[:300]
    return (str(code) if code is not None else None), (str(msg)[:300] if msg else None)


def envelope_error(body: Any) -> tuple[str, str] | None:
    """``(code, message)`` when a 2xx body is an OKX error (``code`` not ``"0"``)."""
    if not isinstance(body, Mapping) or "code" not in body:
        return None
    if str(body.get("code")) == "0":
        return None
    code, message = error_extractor(body)
    return (code or str(body.get("code"))), (message or "error")


# ---------------------------------------------------------------------------- markets


def _canonical(
    inst_id: str, base: str, overrides: Mapping[str, tuple[Symbol, Decimal]]
) -> tuple[Symbol, Decimal] | None:
    if inst_id in overrides:
        return overrides[inst_id]
    try:
        return canonical_symbol(base, overrides)
    except ValueError:
        return None


def parse_instruments(
    exchange: ExchangeIdentifier,
    payload: object,
    overrides: Mapping[str, tuple[Symbol, Decimal]],
    intervals: Mapping[str, timedelta],
) -> Result[tuple[OkxMarket, ...], MalformedResponse]:
    """``GET /api/v5/public/instruments?instType=SWAP`` -> the live linear USDT swaps.

    Inverse (coin-margined) swaps, other settlement assets and instruments not ``live``
    are left out. ``intervals`` (by ``instId``) are the funding intervals last read from
    ``funding-rate``; an instrument without one gets OKX's 8 h default. OKX publishes no
    minimum notional for swaps (``minSz`` is the minimum), so ``min_notional`` stays 0."""

    def parse() -> tuple[OkxMarket, ...]:
        found: list[OkxMarket] = []
        for path, row in data_objects(payload):
            if row.get("instType") != "SWAP" or row.get("ctType") != "linear":
                continue
            if row.get("settleCcy") != SETTLE_ASSET or row.get("state") != "live":
                continue
            inst_id = str_field(row, "instId", path)
            mapped = _canonical(inst_id, str_field(row, "ctValCcy", path), overrides)
            if mapped is None:
                continue
            symbol, name_multiplier = mapped
            ct_val = dec_field(row, "ctVal", path) * (opt_dec(row, "ctMult", path) or Decimal(1))
            if ct_val <= 0:
                raise ParseError(f"{path}.ctVal: must be > 0")
            lot = dec_field(row, "lotSz", path) * ct_val
            min_size = opt_dec(row, "minSz", path)
            max_market = opt_dec(row, "maxMktSz", path)
            max_limit = opt_dec(row, "maxLmtSz", path)
            market = Market(
                exchange=exchange,
                symbol=symbol,
                venue_symbol=inst_id,
                tick_size=dec_field(row, "tickSz", path),
                lot_size=lot,
                min_size=lot if min_size is None else min_size * ct_val,
                contract_multiplier=name_multiplier,
                funding_interval=intervals.get(inst_id, DEFAULT_INTERVAL),
                settle_asset=SETTLE_ASSET,
                max_leverage=opt_dec(row, "lever", path),
            )
            found.append(
                OkxMarket(
                    market,
                    contract_value=ct_val,
                    max_market_size=None if max_market is None else max_market * ct_val,
                    max_limit_size=None if max_limit is None else max_limit * ct_val,
                )
            )
        return tuple(found)

    return parse_guard(str(exchange), parse)


# ---------------------------------------------------------------------------- funding


def funding_interval(funding_ms: int, next_ms: int, path: str) -> timedelta:
    """``nextFundingTime - fundingTime``, which must be a positive whole number of minutes
    of at most a day (anything else is not an interval OKX uses)."""
    gap = timedelta(milliseconds=next_ms - funding_ms)
    if gap <= timedelta(0) or gap > _MAX_INTERVAL or gap % timedelta(minutes=1):
        raise ParseError(f"{path}: nextFundingTime - fundingTime = {gap} is not an interval")
    return gap


def parse_funding_rates(
    exchange: ExchangeIdentifier,
    payload: object,
    markets: Mapping[str, Market],
    observed_at: datetime,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """``GET /api/v5/public/funding-rate?instId=ANY`` -> current rates of ``markets``
    (by ``instId``); rows of instruments we do not trade are skipped.

    A row whose interval cannot be derived (``nextFundingTime`` empty, or not a sane gap
    after ``fundingTime``) keeps the market's last known interval and says why in
    ``interval_doubt``: it is left out of rankings and decisions with that reason, while
    the other symbols' rates stand (one odd instrument does not blind the venue)."""

    def parse() -> tuple[FundingRate, ...]:
        found: list[FundingRate] = []
        for path, row in data_objects(payload):
            market = markets.get(str_field(row, "instId", path))
            if market is None:
                continue
            funding_ms = integer(field(row, "fundingTime", path), f"{path}.fundingTime")
            interval, doubt = market.funding_interval, None
            try:
                next_ms = integer(field(row, "nextFundingTime", path), f"{path}.nextFundingTime")
                interval = funding_interval(funding_ms, next_ms, path)
            except ParseError as error:
                doubt = f"interval unknown: {error}"[:200]
            stamp = row.get("ts")
            found.append(
                FundingRate(
                    exchange=exchange,
                    symbol=market.symbol,
                    rate=dec_field(row, "fundingRate", path),
                    interval=interval,
                    interval_doubt=doubt,
                    kind=FundingKind.CURRENT,
                    observed_at=ts_millis(stamp, f"{path}.ts") if stamp else observed_at,
                    next_funding_time=ts_millis(funding_ms, f"{path}.fundingTime"),
                    venue_symbol=market.venue_symbol,
                    cap=opt_dec(row, "maxFundingRate", path),
                    floor=opt_dec(row, "minFundingRate", path),
                )
            )
        return tuple(found)

    return parse_guard(str(exchange), parse)


def parse_mark_prices(venue: str, payload: object) -> Result[dict[str, Decimal], MalformedResponse]:
    """``GET /api/v5/public/mark-price?instType=SWAP`` -> ``markPx`` by ``instId`` (a row
    without a positive mark is left out: unknown, not zero)."""

    def parse() -> dict[str, Decimal]:
        marks: dict[str, Decimal] = {}
        for path, row in data_objects(payload):
            mark = opt_dec(row, "markPx", path)
            if mark is not None and mark > 0:
                marks[str_field(row, "instId", path)] = mark
        return marks

    return parse_guard(venue, parse)


@attrs.frozen
class SettledRow:
    funding_time_ms: int
    rate: Decimal


def parse_funding_history_rows(
    venue: str, payload: object, inst_id: str
) -> Result[tuple[SettledRow, ...], MalformedResponse]:
    """``GET /api/v5/public/funding-rate-history`` rows (newest first on the wire) of
    ``inst_id``; ``realizedRate`` (paid) when present, else ``fundingRate``."""

    def parse() -> tuple[SettledRow, ...]:
        found: list[SettledRow] = []
        for path, row in data_objects(payload):
            if str_field(row, "instId", path) != inst_id:
                raise ParseError(f"{path}.instId: not {inst_id}")
            paid = opt_dec(row, "realizedRate", path)
            rate = paid if paid is not None else dec_field(row, "fundingRate", path)
            stamp = integer(field(row, "fundingTime", path), f"{path}.fundingTime")
            ts_millis(stamp, f"{path}.fundingTime")  # range check
            found.append(SettledRow(stamp, rate))
        return tuple(found)

    return parse_guard(venue, parse)


def build_funding_history(
    exchange: ExchangeIdentifier,
    settled: Iterable[SettledRow],
    symbol: Symbol,
    inst_id: str,
    newest_interval: timedelta,
) -> Result[tuple[FundingRate, ...], MalformedResponse]:
    """Settled rates oldest first, each with the gap to the settlement before it as its
    interval (the oldest, with no predecessor, takes the gap after it, or
    ``newest_interval`` when it is the only one). Duplicates (same time) are dropped."""

    def interval(before: int | None, millis: int, after: int | None) -> timedelta:
        if before is not None:
            gap = timedelta(milliseconds=millis - before)
        elif after is not None:
            gap = timedelta(milliseconds=after - millis)
        else:
            gap = newest_interval
        return min(gap, _MAX_INTERVAL)

    def build() -> tuple[FundingRate, ...]:
        rows = ((row.funding_time_ms, row.rate) for row in settled)
        return settled_rates(exchange, symbol, inst_id, rows, interval)

    return parse_guard(str(exchange), build)


# ---------------------------------------------------------------------------- book


def parse_book(
    exchange: ExchangeIdentifier,
    payload: object,
    symbol: Symbol,
    depth: int,
    contract_value: Decimal,
) -> Result[OrderBook, MalformedResponse]:
    """``GET /api/v5/market/books`` -> :class:`OrderBook`; level sizes (contracts on the
    wire) in base units."""

    def parse() -> OrderBook:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        book = obj(data[0], "$.data[0]")

        def side(key: str) -> tuple[BookLevel, ...]:
            where = f"$.data[0].{key}"
            return book_side(field(book, key, "$.data[0]"), where, depth, contract_value)

        return OrderBook(
            exchange=exchange,
            symbol=symbol,
            bids=side("bids"),
            asks=side("asks"),
            timestamp=ts_millis(field(book, "ts", "$.data[0]"), "$.data[0].ts"),
        )

    return parse_guard(str(exchange), parse)


def parse_server_time(venue: str, payload: object) -> Result[int, MalformedResponse]:
    """``GET /api/v5/public/time`` -> server time in ms."""

    def parse() -> int:
        data = rows(payload)
        if not data:
            raise ParseError("$.data: empty")
        return integer(field(obj(data[0], "$.data[0]"), "ts", "$.data[0]"), "$.data[0].ts")

    return parse_guard(venue, parse)
