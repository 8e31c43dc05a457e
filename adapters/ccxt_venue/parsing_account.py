"""Pure mapping of ccxt's unified account structures to our models (no ccxt import).

ccxt's unified shapes (ccxt Manual, "Positions", "Balance Structure", "Order Book
Structure", "Funding History Structure"; the same keys ``ccxt/base/exchange.py`` fills in
``safe_position``, ``safe_balance``, ``parse_order_book`` and each exchange's
``parse_funding_history``):

- position: ``contracts`` (unsigned, in contracts), ``side`` ``"long"``/``"short"``,
  ``contractSize``, ``entryPrice``, ``markPrice``, ``liquidationPrice``,
  ``unrealizedPnl``, ``leverage``. ccxt's ``timestamp`` is not the read time (Bitget's
  ``cTime``, the position's creation): a position is observed when it was fetched. Our
  :class:`Position` keeps the size in contracts with the market's ``contract_multiplier``
  (``contractSize`` x any symbol override), so ``base_size`` is contracts x contractSize:
  a ccxt leg and a native leg of one hedge hold the same base amount.
- balance: ``{"total": {asset: x}, "free": {asset: y}, ...}``. A ``None`` total is an
  unknown, not a zero: the asset is left out, and a structure with no ``total`` map at all
  is refused.
- order book: ``bids``/``asks`` as ``[price, amount]`` in contracts (our book sizes are in
  venue units, like :class:`Market`'s lot), ``timestamp`` (ms, may be ``None``).
- funding history: ``symbol``, ``code`` (asset), ``timestamp``, ``amount`` (signed as the
  venue's ledger: positive received).

Every parser raises :class:`ValueError` naming what is wrong; the client turns that into
:class:`~atomic_fp.errors.MalformedResponse` (never a zero position).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapters.ccxt_venue.parsing import decimal_or_none
from atomic_fp.models import Balance, BookLevel, FundingPayment, Market, OrderBook, Position
from atomic_fp.models.identifiers import ExchangeIdentifier


def _stamp(value: object) -> datetime | None:
    """ccxt's epoch milliseconds as UTC; ``None`` when absent or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _when(value: object, default: datetime) -> datetime:
    return _stamp(value) or default


def _non_negative(value: object) -> Decimal | None:
    number = decimal_or_none(value)
    return number if number is not None and number >= 0 else None


def parse_position(
    exchange: ExchangeIdentifier, market: Market, raw: Mapping[str, Any], now: datetime
) -> Position | None:
    """One ccxt position on ``market``; ``None`` when flat. A missing or unreadable
    ``contracts`` or ``side`` on an open position raises (it is not a zero)."""
    contracts = decimal_or_none(raw.get("contracts"))
    if contracts is None:
        raise ValueError(f"position {market.venue_symbol}: no readable 'contracts'")
    if contracts == 0:
        return None
    side = raw.get("side")
    if side not in ("long", "short"):
        raise ValueError(f"position {market.venue_symbol}: side {side!r} is not long/short")
    size = abs(contracts) if side == "long" else -abs(contracts)
    return Position(
        exchange=exchange,
        symbol=market.symbol,
        size=size,
        observed_at=now,
        contract_multiplier=market.contract_multiplier,
        entry_price=_non_negative(raw.get("entryPrice")),
        mark_price=_non_negative(raw.get("markPrice")),
        liquidation_price=_non_negative(raw.get("liquidationPrice")),
        unrealized_pnl=decimal_or_none(raw.get("unrealizedPnl")),
        leverage=_non_negative(raw.get("leverage")),
    )


def parse_positions(
    exchange: ExchangeIdentifier,
    markets: Mapping[str, Market],
    raw: Sequence[Mapping[str, Any]],
    now: datetime,
) -> tuple[Position, ...]:
    """ccxt positions on the markets we trade (keyed by ccxt symbol); two rows of one
    symbol (hedge mode, both sides open) are summed into one net position."""
    net: dict[str, Position] = {}
    for row in raw:
        market = markets.get(str(row.get("symbol")))
        if market is None:
            continue
        position = parse_position(exchange, market, row, now)
        if position is None:
            continue
        held = net.get(market.venue_symbol)
        if held is not None:
            position = Position(
                exchange=exchange,
                symbol=market.symbol,
                size=held.size + position.size,
                observed_at=max(held.observed_at, position.observed_at),
                contract_multiplier=market.contract_multiplier,
            )
        net[market.venue_symbol] = position
    return tuple(p for p in net.values() if not p.is_flat)


def parse_balances(
    exchange: ExchangeIdentifier, raw: Mapping[str, Any], now: datetime
) -> tuple[Balance, ...]:
    """ccxt's balance structure: one :class:`Balance` per asset with a known total
    (``free`` missing: the total is taken as available, as OKX's native parser does)."""
    totals = raw.get("total")
    if not isinstance(totals, Mapping):
        raise ValueError("balance: no 'total' map in ccxt's balance structure")
    listed = raw.get("free")
    free: Mapping[str, Any] = listed if isinstance(listed, Mapping) else {}
    observed = _when(raw.get("timestamp"), now)
    found: list[Balance] = []
    for asset, value in sorted(totals.items()):
        total = decimal_or_none(value)
        if total is None or not isinstance(asset, str) or not asset:
            continue
        available = decimal_or_none(free.get(asset))
        found.append(
            Balance(
                exchange=exchange,
                asset=asset,
                total=total,
                available=total if available is None else available,
                observed_at=observed,
            )
        )
    return tuple(found)


def _levels(raw: object, name: str, depth: int) -> tuple[BookLevel, ...]:
    if not isinstance(raw, Sequence):
        raise ValueError(f"order book: '{name}' is not a list")
    levels: list[BookLevel] = []
    for i, level in enumerate(raw):
        if not isinstance(level, Sequence) or len(level) < 2:
            raise ValueError(f"order book: {name}[{i}] is not [price, amount]")
        price, amount = decimal_or_none(level[0]), decimal_or_none(level[1])
        if price is None or amount is None or price <= 0:
            raise ValueError(f"order book: {name}[{i}] has no readable price/amount")
        if amount > 0:
            levels.append(BookLevel(price, amount))
    return tuple(levels[:depth])


def parse_order_book(
    exchange: ExchangeIdentifier, market: Market, raw: Mapping[str, Any], depth: int, now: datetime
) -> OrderBook:
    """ccxt's order book (amounts in contracts = our venue units)."""
    return OrderBook(
        exchange=exchange,
        symbol=market.symbol,
        bids=_levels(raw.get("bids"), "bids", depth),
        asks=_levels(raw.get("asks"), "asks", depth),
        timestamp=_when(raw.get("timestamp"), now),
    )


def parse_funding_payment(
    exchange: ExchangeIdentifier, market: Market, raw: Mapping[str, Any]
) -> FundingPayment:
    """One entry of ccxt's ``fetchFundingHistory`` (the account's own payments)."""
    amount = decimal_or_none(raw.get("amount"))
    when = _stamp(raw.get("timestamp"))
    if amount is None or when is None:
        raise ValueError(f"funding payment {market.venue_symbol}: no readable amount/timestamp")
    asset = raw.get("code")
    return FundingPayment(
        exchange=exchange,
        symbol=market.symbol,
        amount=amount,
        asset=asset if isinstance(asset, str) and asset else market.settle_asset,
        time=when,
    )


__all__ = [
    "parse_balances",
    "parse_funding_payment",
    "parse_order_book",
    "parse_position",
    "parse_positions",
]
