"""FundingArbitrageDecision: open or close a cross-venue funding hedge for one symbol.

Inputs are per-venue ``Result`` values as fetched. What the decision does, in order:

1. **Triage.** A venue is left out of *opening* (and named in ``NoTrade.excluded`` with the
   reason) when its rate failed or is missing, its rate is older than
   ``config.max_data_age``, its position query failed or is missing (unknown is never
   flat), or -- when ``markets``/``books`` are given -- its market rules or book failed, are
   missing or (book) are stale.
2. **Close** (:mod:`atomic_fp.decisions.hedge_close`). An existing hedge is a long on one
   venue and a short on another. Its carry is
   the exposure-weighted ``short APR - long APR`` at the current rates, *gross* (exit costs
   are not subtracted: they are paid whether we leave now or later, and we leave as soon as
   carrying stops paying). When carry < ``close_threshold`` or carry < 0 (flipped), the
   result is a CLOSE signal: one reduce-only leg per known non-flat position, sized to the
   whole position. Closing every known leg never adds exposure, even when another venue's
   position is unknown. A hedge whose rates are missing or stale is not judged (said in the
   reason) -- it is neither closed nor treated as healthy evidence.
3. **Open.** Every ordered pair (long L, short S) of usable venues is evaluated::

       spread = apr(S) - apr(L)
       cost   = amortised(2 * (taker(L) + taker(S)))  [+ amortised(entry gap) with books]
       net    = spread - cost

   A pair is tradable when ``net >= build_threshold`` and a size survives: ``trade_size``
   clamped so neither venue's absolute base position exceeds ``max_position`` (counting
   what it holds), rounded *down* to a base size that is a whole number of lots on both
   venues (LCM of their base lots, see :mod:`atomic_fp.sizing`), and at least both venues'
   ``min_size`` and ``min_notional``. The tradable pair with the best net APR wins; ties go
   to the alphabetically first (long venue, short venue).

Prices: a leg's reference price is the book VWAP at its size when books are given, else the
rate's mark price, else the position's (per *venue* size unit, like every venue price).
``min_notional`` > 0 with no known price means no trade.

Conventions chosen where the caller gives less:

- ``markets=None``: sizes are **not rounded** and minimums are not checked -- the caller
  vouches that ``trade_size`` suits both venues. Each leg's contract multiplier is then the
  one of the venue's existing position, or 1.
- ``now=None``: staleness is judged against the freshest rate given (a rate older than
  ``max_data_age`` relative to it is left out), and the signal is stamped with that time.
  Absolute staleness cannot be judged without a clock: the orchestrator always passes now.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from returns.result import Failure, Result, Success

from atomic_fp import costs
from atomic_fp.decisions._common import (
    duration,
    latest_observation,
    pct,
    read,
    single_symbol,
    successful_rates,
    untimely,
    venue_order,
)
from atomic_fp.decisions.funding_pairs import (
    _evaluate,
    _Plan,
    _Rejected,
    _Venue,
    open_capacity,
)
from atomic_fp.decisions.hedge_close import consider_close
from atomic_fp.decisions.liquidity import liquidity_problem
from atomic_fp.decisions.types import BookInputs, MarketInputs, NoTrade, PositionInputs, RateInputs
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    OrderBook,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

_FeeTable = dict[tuple[str, str], Decimal]
_last_fees: tuple[ArbitrageConfig, _FeeTable] | None = None
"""The round-trip fee APR per ordered venue pair of the last config decided with (a
config is immutable; held here, so its identity cannot be reused by another object)."""


def _fee_table(config: ArbitrageConfig) -> _FeeTable:
    """Memo of :func:`costs.fee_apr` per ordered pair for ``config`` (the same object: a
    backtest or a live runner decides every cycle with one config, and the fees were
    computed anew for every pair of every decision). The memo is one (config, table)
    tuple, read and replaced whole, so a thread deciding with another config meanwhile
    can only cost a recomputation, never lend its table."""
    global _last_fees
    last = _last_fees
    if last is not None and last[0] is config:
        return last[1]
    table: _FeeTable = {}
    _last_fees = (config, table)
    return table


def _wrong_symbol(venue: ExchangeIdentifier, symbol: Symbol, what: str, found: Symbol) -> str:
    return f"{venue}: {what} is for {found}, not {symbol}"


def _absent(venue: ExchangeIdentifier, what: str, error: VenueError | None) -> str:
    return f"{venue}: {what} " + (f"failed ({error})" if error else "missing")


def _usable(
    venue: ExchangeIdentifier,
    *,
    symbol: Symbol,
    rates: RateInputs,
    positions: PositionInputs,
    markets: MarketInputs | None,
    books: BookInputs | None,
    config: ArbitrageConfig,
    as_of: datetime,
) -> _Venue | str:
    """The venue's inputs if it may take part in an opening trade, else why not."""
    rate, rate_error = read(rates[venue]) if venue in rates else (None, None)
    if rate is None:
        return _absent(venue, "funding rate", rate_error)
    if rate.symbol != symbol:
        return _wrong_symbol(venue, symbol, "rate", rate.symbol)
    if problem := untimely(rate.observed_at, as_of, config.max_data_age):
        return f"{venue}: rate {problem}"
    if rate.interval_doubt is not None:
        return f"{venue}: interval uncertain ({rate.interval_doubt})"
    if venue not in positions:
        return f"{venue}: position missing (unknown is not flat)"
    position, position_error = read(positions[venue])
    if position_error is not None:
        return f"{venue}: position failed ({position_error})"
    if position is not None and position.symbol != symbol:
        return _wrong_symbol(venue, symbol, "position", position.symbol)
    market: Market | None = None
    if markets is not None:
        market, market_error = read(markets[venue]) if venue in markets else (None, None)
        if market is None:
            return _absent(venue, "market rules", market_error)
        if market.symbol != symbol:
            return _wrong_symbol(venue, symbol, "market", market.symbol)
    if problem := liquidity_problem(rate, config, market):
        return f"{venue}: {problem}"
    book: OrderBook | None = None
    if books is not None:
        book, book_error = read(books[venue]) if venue in books else (None, None)
        if book is None:
            return _absent(venue, "order book", book_error)
        if book.symbol != symbol:
            return _wrong_symbol(venue, symbol, "book", book.symbol)
        if problem := untimely(book.timestamp, as_of, config.max_data_age):
            return f"{venue}: order book {problem}"
    return _Venue(venue, rate, rate.apr, position, market, book)


def _triage(
    *,
    symbol: Symbol,
    rates: RateInputs,
    positions: PositionInputs,
    markets: MarketInputs | None,
    books: BookInputs | None,
    config: ArbitrageConfig,
    as_of: datetime,
) -> tuple[list[_Venue], list[str]]:
    """Usable venues (sorted by name) and ``"venue: why"`` for each one left out."""
    usable: list[_Venue] = []
    excluded: list[str] = []
    for venue in sorted(set(rates) | set(positions), key=venue_order):
        outcome = _usable(
            venue,
            symbol=symbol,
            rates=rates,
            positions=positions,
            markets=markets,
            books=books,
            config=config,
            as_of=as_of,
        )
        if isinstance(outcome, str):
            excluded.append(outcome)
        else:
            usable.append(outcome)
    return usable, excluded


def _pair_text(long: _Venue, short: _Venue, spread: Decimal) -> str:
    return (
        f"long {long.id} at {pct(long.apr)} APR, short {short.id} at {pct(short.apr)} APR: "
        f"spread {pct(spread)}"
    )


def _open_signal(
    plan: _Plan, symbol: Symbol, config: ArbitrageConfig, at: datetime
) -> TradingSignal:
    long, short = plan.long.venue, plan.short.venue
    base = symbol.base
    reason = (
        f"{_pair_text(long, short, plan.spread)}, net {pct(plan.net)} after fees "
        f"{pct(plan.fees)} and entry gap {pct(plan.gap)} amortised over "
        f"{duration(config.holding_horizon)} (build threshold {pct(config.build_threshold)}); "
        f"buy {plan.base_size} {base} on {long.id}, sell {plan.base_size} {base} on {short.id}"
    )
    legs = tuple(
        TradeLeg(
            exchange=leg.venue.id,
            symbol=symbol,
            side=leg.side,
            size=leg.size,
            contract_multiplier=leg.venue.multiplier,
            reference_price=leg.price,
        )
        for leg in (plan.long, plan.short)
    )
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=symbol,
        legs=legs,
        reason=reason,
        created_at=at,
        expected_net_apr=plan.net,
    )


class FundingArbitrageDecision:
    """Finds the best ordered venue pair for one symbol among *all* venues given."""

    @staticmethod
    def analyze_opportunity(
        *,
        rates: RateInputs,
        positions: PositionInputs,
        config: ArbitrageConfig,
        markets: MarketInputs | None = None,
        books: BookInputs | None = None,
        now: datetime | None = None,
    ) -> Result[TradingSignal, NoTrade]:
        """CLOSE an existing hedge whose carry stopped paying, else OPEN the best pair, else
        ``Failure(NoTrade)`` with the reasons (see the module docstring for the rules)."""
        known_rates = successful_rates(rates)
        symbol = single_symbol(rate.symbol for rate in known_rates)
        if isinstance(symbol, str):
            failed = tuple(
                f"{venue}: funding rate failed ({error})"
                for venue in sorted(rates, key=venue_order)
                if (error := read(rates[venue])[1]) is not None
            )
            return Failure(NoTrade(f"no decision: {symbol}", failed))
        as_of = now if now is not None else latest_observation(known_rates)
        assert as_of is not None  # known_rates is not empty: it named a symbol
        close = consider_close(
            symbol=symbol, rates=rates, positions=positions, config=config, as_of=as_of
        )
        if isinstance(close, TradingSignal):
            return Success(close)
        usable, excluded = _triage(
            symbol=symbol,
            rates=rates,
            positions=positions,
            markets=markets,
            books=books,
            config=config,
            as_of=as_of,
        )
        notes = [close] if close else []
        if len(usable) < 2:
            return Failure(
                NoTrade(
                    "; ".join(
                        [
                            *notes,
                            f"{symbol}: need two venues with fresh rates and known positions, "
                            f"have {len(usable)}",
                        ]
                    ),
                    tuple(excluded),
                )
            )
        fee_cache = _fee_table(config)
        plans: list[_Plan] = []
        rejections: list[_Rejected] = []
        for long in usable:
            for short in usable:
                if long is short:
                    continue
                key = (long.id.name, short.id.name)
                if key not in fee_cache:
                    fee_cache[key] = costs.fee_apr(config, *key)
                outcome = _evaluate(long, short, config, fee_cache[key])
                if isinstance(outcome, _Plan):
                    plans.append(outcome)
                else:
                    rejections.append(outcome)
        if plans:
            best = min(plans, key=lambda p: (-p.net, p.long.venue.id, p.short.venue.id))
            return Success(_open_signal(best, symbol, config, as_of))
        top = min(rejections, key=lambda r: (-(r.spread - r.fees), r.long.id, r.short.id))
        return Failure(
            NoTrade(
                "; ".join(
                    [
                        *notes,
                        f"{symbol}: no tradable pair among {len(usable)} venues; best "
                        f"{_pair_text(top.long, top.short, top.spread)}, net before entry gap "
                        f"{pct(top.spread - top.fees)}: {top.why}",
                    ]
                ),
                tuple(excluded),
            )
        )


__all__ = ["FundingArbitrageDecision", "open_capacity"]
