"""The ranking built whole: with order books (an entry gap per pair), or when floats
cannot shadow the values (see :mod:`atomic_fp.decisions.ranking`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal

from atomic_fp import costs
from atomic_fp.decisions.ranking_exact import (
    _SETTERS,
    _apr,
    _BySymbol,
    _exact_order,
    _fee_apr_bound,
)
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    OrderBook,
    Side,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier


def _gap_apr(
    long_book: OrderBook,
    short_book: OrderBook,
    config: ArbitrageConfig,
    multipliers: Mapping[tuple[str, Symbol], Decimal],
) -> Decimal | None:
    """Entry gap APR at ``trade_size``, or None when it cannot be filled within the cap."""
    prices = []
    for book, side in ((long_book, Side.BUY), (short_book, Side.SELL)):
        multiplier = multipliers.get((book.exchange.name, book.symbol), Decimal(1))
        size = config.trade_size / multiplier
        vwap = book.average_fill_price(side, size)
        touch = book.best_ask if side is Side.BUY else book.best_bid
        if vwap is None or touch is None or abs(vwap - touch) / touch > config.slippage_cap:
            return None
        prices.append(vwap / multiplier)
    return costs.entry_gap_apr(prices[0], prices[1], config.holding_horizon)


def _rank_eagerly(
    by_symbol: _BySymbol,
    config: ArbitrageConfig,
    books: Mapping[ExchangeIdentifier, OrderBook] | None,
    markets: Iterable[Market] | None,
    min_net_apr: Decimal | None,
) -> tuple[Opportunity, ...]:
    """The ranking built whole: with books (a gap per pair), or when floats cannot
    shadow the values. Same float-shadow sort and exact re-sort of close runs."""
    multipliers = {(m.exchange.name, m.symbol): m.contract_multiplier for m in markets or ()}
    books_by = {(name.name, book.symbol): book for name, book in (books or {}).items()}
    hours: dict[timedelta, Decimal] = {}
    fee_rows: dict[str, dict[str, tuple[Decimal, float]]] = {}
    opportunities: list[Opportunity] = []
    shadow: list[float] = []
    largest = 0.0
    add, add_shadow = opportunities.append, shadow.append
    new = object.__new__
    setters = _SETTERS
    if setters is not None:
        s0, s1, s2, s3, s4, s5 = setters
    # Pairs whose float shadow is clearly below min_net_apr are skipped before any Decimal
    # work; the rest are checked exactly. The margin is set once the magnitudes are known.
    floor_f: float | None = None
    fee_bound = _fee_apr_bound(config, min_net_apr)
    for symbol, venues in by_symbol:  # already in symbol order
        if len(venues) < 2:
            continue
        quoted = []
        for name in sorted(venues):
            rate = venues[name]
            apr = _apr(rate, hours)  # == rate.apr, computed once
            apr_f = float(apr)
            largest = max(largest, abs(apr_f))
            quoted.append((name, rate, apr, apr_f))
        if min_net_apr is not None and not books_by:
            floor_f = float(min_net_apr) - max(largest, fee_bound) * 2.0**-40
        for long_name, long_rate, long_apr, long_f in quoted:
            row = fee_rows.get(long_name)
            if row is None:
                row = fee_rows[long_name] = {}
            for short_name, short_rate, short_apr, short_f in quoted:
                if long_name is short_name:
                    continue
                fee = row.get(short_name)
                if fee is None:
                    exact = costs.fee_apr(config, long_name, short_name)
                    fee = row[short_name] = (exact, float(exact))
                    largest = max(largest, fee[1])
                cost, cost_f = fee
                if books_by:
                    long_book = books_by.get((long_name, symbol))
                    short_book = books_by.get((short_name, symbol))
                    if long_book is not None and short_book is not None:
                        gap = _gap_apr(long_book, short_book, config, multipliers)
                        if gap is None:
                            continue
                        cost += gap
                        cost_f = float(cost)
                        largest = max(largest, cost_f)
                net_f = short_f - long_f - cost_f
                if floor_f is not None and net_f < floor_f:
                    continue
                spread = short_apr - long_apr
                net = spread - cost
                if min_net_apr is not None and net < min_net_apr:
                    continue
                if setters is not None:
                    opportunity = new(Opportunity)
                    s0(opportunity, symbol)
                    s1(opportunity, long_rate)
                    s2(opportunity, short_rate)
                    s3(opportunity, spread)
                    s4(opportunity, cost)
                    s5(opportunity, net)
                else:
                    opportunity = Opportunity(symbol, long_rate, short_rate, spread, cost, net)
                add(opportunity)
                add_shadow(net_f)
    return tuple(_exact_order(opportunities, shadow, largest))
