"""Pure mapping from ccxt's unified structures to our models (no ccxt import).

ccxt's funding fields mean different things per exchange, and using them naively
annualises wrong. The pitfalls this module guards against (ccxt issues, read through the
``search`` tool's issues corpus; #20894 and #27745 are cited by our issue 18 and were not
found there, their neighbours below were):

- ccxt #11298 / PR #14441: ``fundingRate``, ``nextFundingRate`` and ``previousFundingRate``
  were mixed up between exchanges; the unified meaning is now "``fundingRate`` = the
  current period". We read ``fundingRate`` only and mark it ``CURRENT``.
- ccxt #20894, #27745, #27115 (Bitget's tickers endpoint, which its ``fetchFundingRates``
  uses, carries no interval though its symbols pay every 8, 4 or 1 h), PR #23844 (the
  ``interval`` field) and PR #23905 (``fetchFundingIntervals``): ``interval`` is often
  ``None`` and differs per symbol. A rate whose interval is unknown is never assumed to
  be 8 h: it carries ``interval_doubt`` and is left out downstream.
- ccxt #28129 (KuCoin's ``fundingTimestamp`` one interval behind) and #14392 (kucoin,
  bybit, woo, ascendex each meant a different round by it): ``fundingTimestamp`` is not
  trusted, neither as the next settlement nor to infer an interval. The interval comes
  from ccxt's ``interval``, ``fetchFundingIntervals`` or the regular cadence of settled
  history (:func:`history_cadence`, settlement instants: unambiguous).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from atomic_fp.models import FundingKind, FundingRate, Market, Order, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.symbols import canonical_symbol
from atomic_fp.venue import Capability

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}

UNKNOWN_INTERVAL_PLACEHOLDER = timedelta(seconds=1)
"""The ``interval`` a rate carries when no interval is known. Such a rate always carries
``interval_doubt`` too, so scans and decisions leave it out with the reason; the
placeholder is absurdly short on purpose, so that a consumer that ignored the doubt
could not mistake it for a plausible (8 h) period."""

CAPABILITIES_FROM_HAS: Mapping[Capability, str] = {
    Capability.MARKETS: "fetchMarkets",
    Capability.FUNDING_RATES: "fetchFundingRates",
    Capability.ORDER_BOOK: "fetchOrderBook",
    Capability.FUNDING_HISTORY: "fetchFundingRateHistory",
    Capability.POSITIONS: "fetchPositions",
    Capability.BALANCES: "fetchBalance",
    Capability.PLACE_ORDER: "createOrder",
    Capability.CANCEL_ORDER: "cancelOrder",
    Capability.ORDER_STATUS: "fetchOrder",
    Capability.FUNDING_PAYMENTS: "fetchFundingHistory",
}
"""Our capability -> the ccxt ``has`` key that provides it (``True`` or ``"emulated"``)."""


def capabilities(has: Mapping[str, Any]) -> frozenset[Capability]:
    """Capabilities ccxt's ``has`` map grants (``True`` or ``"emulated"``; not ``False``
    or ``None``)."""
    return frozenset(cap for cap, key in CAPABILITIES_FROM_HAS.items() if has.get(key))


def decimal_or_none(value: object) -> Decimal | None:
    """A finite Decimal from a ccxt number (float, int or str), else ``None``."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse_interval(value: object) -> timedelta | None:
    """ccxt's ``interval`` string (``"8h"``, ``"1h"``, ``"30m"``) as a timedelta; ``None``
    when absent or unreadable (never a default)."""
    if not isinstance(value, str):
        return None
    match = _INTERVAL.match(value)
    if match is None:
        return None
    interval = timedelta(
        seconds=float(Decimal(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()])
    )
    return interval if interval > timedelta(0) else None


def _utc_ms(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def history_cadence(timestamps_ms: Sequence[int]) -> timedelta | None:
    """The settlement interval shown by a symbol's settled history: every gap between
    consecutive settlements equal (at least two gaps); ``None`` otherwise, since a
    history that changed its interval, or is too short, proves nothing."""
    ordered = sorted(set(timestamps_ms))
    gaps = {b - a for a, b in itertools.pairwise(ordered)}
    if len(ordered) < 3 or len(gaps) != 1:
        return None
    gap = gaps.pop()
    return timedelta(milliseconds=gap) if gap > 0 else None


def base_of(market: Mapping[str, Any]) -> str | None:
    """The base asset of a linear perpetual ccxt market (``swap`` and ``linear``), else
    ``None``: we compare USD(T/C)-margined perpetuals only."""
    if not market.get("swap") or not market.get("linear"):
        return None
    base = market.get("base")
    return base if isinstance(base, str) and base else None


def parse_market(
    exchange: ExchangeIdentifier,
    market: Mapping[str, Any],
    overrides: Mapping[str, tuple[Symbol, Decimal]],
    interval: timedelta | None,
) -> Market | None:
    """A ccxt market as ours, or ``None`` when it is not a linear perpetual, lacks a step
    or holds values our model refuses. ccxt's ``precision`` is a *tick size* in its default
    ``TICK_SIZE`` precision mode; ``contractSize`` multiplies contracts into base units.

    ``interval`` is the funding interval when known; without one the market carries
    :data:`UNKNOWN_INTERVAL_PLACEHOLDER`, never :class:`Market`'s 8 h default (ccxt
    markets have no interval field, and 8 h is wrong for many venues' symbols). The only
    readers of ``Market.funding_interval`` are the stream layer (``Listing.of_market``:
    no stream is registered for ``kind = "ccxt"``) and the paper venue (its own markets);
    funding itself comes with its resolved interval or ``interval_doubt``."""
    try:
        return _market(exchange, market, overrides, interval)
    except (ValueError, TypeError, AttributeError):
        return None


def _market(
    exchange: ExchangeIdentifier,
    market: Mapping[str, Any],
    overrides: Mapping[str, tuple[Symbol, Decimal]],
    interval: timedelta | None,
) -> Market | None:
    base = base_of(market)
    precision = market.get("precision") or {}
    tick = decimal_or_none(precision.get("price"))
    lot = decimal_or_none(precision.get("amount"))
    venue_symbol = market.get("symbol")
    if base is None or tick is None or lot is None or not isinstance(venue_symbol, str):
        return None
    if tick <= 0 or lot <= 0:
        return None
    try:
        symbol, multiplier = canonical_symbol(base, overrides)
    except ValueError:
        return None
    contract = decimal_or_none(market.get("contractSize")) or Decimal(1)
    limits = market.get("limits") or {}
    min_amount = decimal_or_none((limits.get("amount") or {}).get("min")) or Decimal(0)
    min_cost = decimal_or_none((limits.get("cost") or {}).get("min")) or Decimal(0)
    settle = market.get("settle")
    return Market(
        exchange=exchange,
        symbol=symbol,
        venue_symbol=venue_symbol,
        tick_size=tick,
        lot_size=lot,
        min_size=max(min_amount, Decimal(0)),
        min_notional=max(min_cost, Decimal(0)),
        contract_multiplier=contract * multiplier,
        settle_asset=settle if isinstance(settle, str) and settle else "USD",
        funding_interval=interval or UNKNOWN_INTERVAL_PLACEHOLDER,
    )


def funding_rate(
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    raw: Mapping[str, Any],
    interval: timedelta | None,
    interval_source: str,
    observed_at: datetime,
) -> FundingRate | str:
    """A ccxt funding-rate structure as a CURRENT rate per ``interval``; a string saying
    why when it cannot be used. ``interval`` is what the client resolved (ccxt's
    ``interval``, ``fetchFundingIntervals`` or the history cadence); ``None`` gives a rate
    carrying ``interval_doubt`` (left out downstream, never assumed 8 h)."""
    rate = decimal_or_none(raw.get("fundingRate"))
    if rate is None:
        return f"no fundingRate in ccxt's structure for {raw.get('symbol')!r}"
    mark = decimal_or_none(raw.get("markPrice"))
    index = decimal_or_none(raw.get("indexPrice"))
    observed = _utc_ms(raw.get("timestamp")) or observed_at
    doubt = None if interval is not None else interval_source
    return FundingRate(
        exchange=exchange,
        symbol=symbol,
        rate=rate,
        interval=interval or UNKNOWN_INTERVAL_PLACEHOLDER,
        kind=FundingKind.CURRENT,
        observed_at=observed,
        mark_price=mark if mark is not None and mark > 0 else None,
        index_price=index if index is not None and index > 0 else None,
        venue_symbol=str(raw.get("symbol")) if raw.get("symbol") else None,
        interval_doubt=doubt,
    )


def settled_rate(
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    raw: Mapping[str, Any],
    interval: timedelta,
) -> FundingRate | None:
    """One entry of ``fetchFundingRateHistory`` as a SETTLED rate (``None`` if unreadable)."""
    rate = decimal_or_none(raw.get("fundingRate"))
    when = _utc_ms(raw.get("timestamp"))
    if rate is None or when is None:
        return None
    return FundingRate(
        exchange=exchange,
        symbol=symbol,
        rate=rate,
        interval=interval,
        kind=FundingKind.SETTLED,
        observed_at=when,
        funding_time=when,
        venue_symbol=str(raw.get("symbol")) if raw.get("symbol") else None,
    )


_STATUS = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}


def order_status(raw: Mapping[str, Any]) -> OrderStatus:
    """ccxt's order ``status`` with its fill: ``open`` with a fill is partly filled; an
    unknown or missing status is ``PENDING`` (live until the venue says otherwise)."""
    status = _STATUS.get(str(raw.get("status")), OrderStatus.PENDING)
    filled = decimal_or_none(raw.get("filled")) or Decimal(0)
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    if status is OrderStatus.CANCELED and filled > 0:
        return OrderStatus.CANCELED
    return status


def parse_order(
    exchange: ExchangeIdentifier,
    symbol: Symbol,
    raw: Mapping[str, Any],
    client_order_id: str,
    side: Side,
    multiplier: Decimal,
) -> Order:
    """A ccxt order structure as ours; amounts in contracts are turned into base units
    with the market's ``multiplier``. ``client_order_id`` is ours (some exchanges do not
    echo ``clientOrderId``)."""
    amount = decimal_or_none(raw.get("amount")) or Decimal(0)
    filled = decimal_or_none(raw.get("filled")) or Decimal(0)
    average = decimal_or_none(raw.get("average"))
    fee = decimal_or_none((raw.get("fee") or {}).get("cost"))
    venue_id = raw.get("id")
    return Order(
        exchange=exchange,
        symbol=symbol,
        client_order_id=client_order_id,
        side=side,
        size=amount * multiplier,
        status=order_status(raw),
        filled_size=filled * multiplier,
        average_price=average if average is not None and average >= 0 else None,
        venue_order_id=str(venue_id) if venue_id else None,
        fee=fee,
        updated_at=_utc_ms(raw.get("lastUpdateTimestamp") or raw.get("timestamp")),
    )


__all__ = [
    "CAPABILITIES_FROM_HAS",
    "UNKNOWN_INTERVAL_PLACEHOLDER",
    "base_of",
    "capabilities",
    "decimal_or_none",
    "funding_rate",
    "history_cadence",
    "order_status",
    "parse_interval",
    "parse_market",
    "parse_order",
    "settled_rate",
]
