"""Ranking every ordered venue pair of every symbol (what ``scan`` shows).

The numbers are the ones :class:`FundingArbitrageDecision` uses (same formulas in
:mod:`atomic_fp.costs`), exact Decimals. Speed matters (``scan`` ranks hundreds of symbols on
ten venues: 45,000 ordered pairs for 10 venues x 500 symbols), so the full ranking is a
lazy, immutable sequence (:class:`RankedOpportunities`):

- each rate's APR and each venue's share of the fees are computed once, as floats; every
  pair's net APR is a float *shadow* of the exact one, and the pairs are sorted by it
  (Python's fast float sort). The error of each shadow is bounded (see
  :func:`_tolerance`), so two pairs the floats could misorder (or tie wrongly) are
  neighbours in a *run* of shadows no further apart than the tolerance;
- a run is re-sorted exactly (Decimal net APR, then the tie order) the first time one of
  its positions is read; an :class:`Opportunity` (exact Decimal spread, cost, net) is
  built only when read, then cached. The order read is therefore exactly the order of
  the Decimal net APRs, whatever is read first: the runs are a fixed function of the
  float order, and resolving one never moves a pair outside it.

Ties (equal net APR) keep the order (symbol, long venue, short venue).

The ranking is informational: it judges neither staleness nor positions nor lot sizes (the
decision does, per symbol). ``min_net_apr`` returns only pairs at or above it (pairs whose
shadow is clearly on one side are decided by it, the rest exactly).

Duplicates: when one venue quotes one symbol twice, the latest observation wins (then the
higher APR, then any fixed order: the choice never depends on input order).

Books: ``books`` holds at most one book per venue; it applies to the rates of the book's
symbol. For a pair whose two venues both have a book of the symbol, the entry price gap at
``config.trade_size`` (base units; venue units via ``markets``' contract multipliers when
given, else 1) is added to the cost; a pair whose books cannot fill that size (or only
beyond ``slippage_cap``) is left out of the ranking, since it cannot be opened. With books
the ranking is built eagerly (a tuple): the gap is per pair, so there is nothing to share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Context, Decimal, getcontext, localcontext
from itertools import accumulate, chain, compress, count, pairwise, repeat
from operator import add, attrgetter, le, mul, sub
from operator import index as as_index
from typing import overload

import attrs

from atomic_fp import costs
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    HOURS_PER_YEAR,
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    Side,
    Symbol,
    interval_hours,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

_Setter = Callable[[Opportunity, object], None]


def _slot_setters() -> tuple[_Setter, ...] | None:
    """Setters of Opportunity's slots, to build instances without ``__init__``: the class
    has no validators, converters or post-init, so setting its six slots equals calling
    ``Opportunity(...)`` at a fraction of the cost. ``None`` (use the constructor) if the
    class ever changes shape; a test checks both give equal objects."""
    names = ("symbol", "long_rate", "short_rate", "spread_apr", "cost_apr", "net_apr")
    fields = attrs.fields(Opportunity)
    if (
        tuple(f.name for f in fields) != names
        or any(f.validator or f.converter or f.on_setattr for f in fields)
        or not set(names) <= set(getattr(Opportunity, "__slots__", ()))
        or hasattr(Opportunity, "__attrs_post_init__")
    ):
        return None
    return tuple(Opportunity.__dict__[name].__set__ for name in names)


_SETTERS = _slot_setters()


def _preference(rate: FundingRate) -> tuple[datetime, Decimal, str]:
    """Which of two quotes of one venue and symbol to keep: the latest, then the higher
    APR, then (any total order, so input order never matters) the representation."""
    return (rate.observed_at, rate.apr, repr(rate))


_BySymbol = Sequence[tuple[Symbol, Mapping[str, FundingRate]]]


def _latest_by_symbol(rates: Iterable[FundingRate]) -> list[tuple[Symbol, dict[str, FundingRate]]]:
    """Rates grouped by symbol (in symbol order), one per venue (see :func:`_preference`).

    Grouping and sorting use ``(base, quote, contract type)`` strings: the same order as
    :class:`Symbol`'s, without its Python-level hash and comparisons (a third of the
    ranking's time otherwise); each contract type's value is read once (enum members
    are singletons: ``id`` identifies them)."""
    grouped: dict[tuple[str, str, str], tuple[Symbol, dict[str, FundingRate]]] = {}
    contract_values: dict[int, str] = {}
    # Symbol object -> its group, by identity (rates of one symbol often share one Symbol
    # object); the Symbol is held in the value, so its id cannot be reused meanwhile.
    by_object: dict[int, tuple[Symbol, dict[str, FundingRate]]] = {}
    for rate in rates:
        symbol = rate.symbol
        known = by_object.get(id(symbol))
        if known is not None and known[0] is symbol:
            venues = known[1]
        else:
            contract = symbol.contract_type
            value = contract_values.get(id(contract))
            if value is None:
                value = contract_values[id(contract)] = contract.value
            key = (symbol.base, symbol.quote, value)
            entry = grouped.get(key)
            if entry is None:
                entry = grouped[key] = (symbol, {})
            venues = entry[1]
            by_object[id(symbol)] = (symbol, venues)
        name = rate.exchange.name
        previous = venues.get(name)
        if previous is None or _preference(rate) > _preference(previous):
            venues[name] = rate
    return [grouped[key] for key in sorted(grouped)]


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


def rank_opportunities(
    rates: Iterable[FundingRate],
    config: ArbitrageConfig,
    books: Mapping[ExchangeIdentifier, OrderBook] | None = None,
    *,
    markets: Iterable[Market] | None = None,
    min_net_apr: Decimal | None = None,
    per_symbol: int | None = None,
) -> Sequence[Opportunity]:
    """All ordered venue pairs of every symbol quoted on >= 2 venues, best net APR first;
    ties broken deterministically (by symbol, then long venue, then short venue).

    The result is an immutable sequence; without books it is a lazy
    :class:`RankedOpportunities` (each :class:`Opportunity` is built when read), else a
    tuple. It compares equal to a tuple of the same opportunities.

    ``markets`` (optional) only supplies contract multipliers for the book gap.
    ``min_net_apr`` (optional) keeps only pairs whose net APR is >= it (exactly).
    ``per_symbol`` (optional) keeps only each symbol's best ``per_symbol`` pairs (still
    ordered best first overall), as a tuple: ``per_symbol=1`` equals
    ``best_per_symbol(rank_opportunities(...))`` but only ranks each symbol's pairs."""
    by_symbol = _latest_by_symbol(rates)
    if per_symbol is not None:
        if per_symbol < 1:
            return ()
        if not books:
            fast = _top_per_symbol(by_symbol, config, per_symbol, min_net_apr)
            if fast is not None:
                return fast
        ranked = rank_opportunities(
            rates=[r for _, venues in by_symbol for r in venues.values()],
            config=config,
            books=books,
            markets=markets,
            min_net_apr=min_net_apr,
        )
        return _first_per_symbol(ranked, per_symbol)
    if not books:
        lazy = _rank_lazily(by_symbol, config, min_net_apr)
        if lazy is not None:
            return lazy
    return _rank_eagerly(by_symbol, config, books, markets, min_net_apr)


class _Pairs:
    """Every ordered venue pair of every ranked symbol, by *flat index*: symbol ``s``
    (with ``n`` venues, in name order) owns the ``n * (n - 1)`` indexes from
    ``offsets[s]``, long venue major, short venue minor, a venue never paired with itself
    (so index order is the tie order). Exact values are computed on demand, in the
    Decimal context that was current when the ranking was made."""

    __slots__ = (
        "_aprs",
        "_hours",
        "context",
        "fees",
        "offsets",
        "rate_offsets",
        "rates",
        "shadow",
        "sizes",
        "symbol_of",
        "symbols",
        "venue_of",
    )

    def __init__(
        self,
        *,
        context: Context,
        symbols: list[Symbol],
        sizes: list[int],
        rates: list[FundingRate],
        venue_of: list[int],
        fees: list[list[Decimal]],
        shadow: list[float],
    ) -> None:
        self.context = context
        self.symbols = symbols
        self.sizes = sizes
        self.offsets = list(accumulate((n * (n - 1) for n in sizes), initial=0))
        self.rate_offsets = list(accumulate(sizes, initial=0))
        self.symbol_of = list(
            chain.from_iterable(map(repeat, range(len(sizes)), (n * (n - 1) for n in sizes)))
        )
        self.rates = rates
        self.venue_of = venue_of
        self.fees = fees
        self.shadow = shadow
        self._aprs: list[Decimal | None] = [None] * len(rates)
        self._hours: dict[timedelta, Decimal] = {}

    def legs(self, flat: int) -> tuple[int, int]:
        """(long, short) indexes into ``rates`` of a pair."""
        symbol = self.symbol_of[flat]
        long_i, other = divmod(flat - self.offsets[symbol], self.sizes[symbol] - 1)
        first = self.rate_offsets[symbol]
        return first + long_i, first + other + (other >= long_i)

    def apr(self, rate_index: int) -> Decimal:
        """``rates[rate_index].apr`` (same operations), computed once."""
        apr = self._aprs[rate_index]
        if apr is None:
            rate = self.rates[rate_index]
            hours = self._hours.get(rate.interval)
            if hours is None:
                with localcontext(self.context):
                    hours = self._hours[rate.interval] = interval_hours(rate.interval)
            context = self.context
            apr = context.multiply(context.divide(rate.payable, hours), HOURS_PER_YEAR)
            self._aprs[rate_index] = apr
        return apr

    def values(self, flat: int) -> tuple[int, int, Decimal, Decimal, Decimal]:
        """(long, short, spread, cost, net) of a pair, exact."""
        long_r, short_r = self.legs(flat)
        spread = self.context.subtract(self.apr(short_r), self.apr(long_r))
        cost = self.fees[self.venue_of[long_r]][self.venue_of[short_r]]
        return long_r, short_r, spread, cost, self.context.subtract(spread, cost)

    def net(self, flat: int) -> Decimal:
        return self.values(flat)[4]

    def opportunity(self, flat: int) -> Opportunity:
        long_r, short_r, spread, cost, net = self.values(flat)
        return _opportunity(
            self.symbols[self.symbol_of[flat]],
            self.rates[long_r],
            self.rates[short_r],
            spread,
            cost,
            net,
        )

    def opportunities(self, flats: Iterable[int]) -> list[Opportunity]:
        """``[self.opportunity(flat) for flat in flats]``, inlined (bulk reads)."""
        symbol_of, offsets, sizes, firsts = (
            self.symbol_of,
            self.offsets,
            self.sizes,
            self.rate_offsets,
        )
        symbols, rates, venue_of, fees, aprs = (
            self.symbols,
            self.rates,
            self.venue_of,
            self.fees,
            self._aprs,
        )
        subtract, apr = self.context.subtract, self.apr
        built: list[Opportunity] = []
        append, new, setters = built.append, object.__new__, _SETTERS
        if setters is not None:
            s0, s1, s2, s3, s4, s5 = setters
        for flat in flats:
            symbol = symbol_of[flat]
            long_i, other = divmod(flat - offsets[symbol], sizes[symbol] - 1)
            long_r = firsts[symbol] + long_i
            short_r = firsts[symbol] + other + (other >= long_i)
            long_apr = aprs[long_r]
            if long_apr is None:
                long_apr = apr(long_r)
            short_apr = aprs[short_r]
            if short_apr is None:
                short_apr = apr(short_r)
            spread = subtract(short_apr, long_apr)
            cost = fees[venue_of[long_r]][venue_of[short_r]]
            net = subtract(spread, cost)
            if setters is None:
                opportunity = Opportunity(
                    symbols[symbol], rates[long_r], rates[short_r], spread, cost, net
                )
            else:
                opportunity = new(Opportunity)
                s0(opportunity, symbols[symbol])
                s1(opportunity, rates[long_r])
                s2(opportunity, rates[short_r])
                s3(opportunity, spread)
                s4(opportunity, cost)
                s5(opportunity, net)
            append(opportunity)
        return built


class RankedOpportunities(Sequence[Opportunity]):
    """The full ranking, best net APR first, exact; built lazily (see the module's doc).

    Immutable as a sequence: reading any position, in any order, any number of times,
    gives the same (cached) :class:`Opportunity`. Equal to a tuple (or another ranking)
    holding equal opportunities in the same order. Slices are tuples.
    """

    __slots__ = (
        "_cache",
        "_floor",
        "_length",
        "_order",
        "_pairs",
        "_run_start",
        "_runs",
        "_tolerance",
    )

    def __init__(self, pairs: _Pairs, order: list[int], tolerance: float) -> None:
        self._pairs = pairs
        self._order = order  # flat indexes by descending shadow (ties: index order)
        self._length = len(order)
        self._tolerance = tolerance
        # position -> first position of its run once resolved (-1: not yet); a resolved
        # run of >= 2 positions has its exact order in _runs[first position]
        self._run_start = [-1] * len(order)
        self._runs: dict[int, tuple[int, ...]] = {}
        self._cache: list[Opportunity | None] = [None] * len(order)
        self._floor: Decimal | None = None  # min_net_apr, once cut

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, key: int) -> Opportunity: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[Opportunity, ...]: ...

    def __getitem__(self, key: int | slice) -> Opportunity | tuple[Opportunity, ...]:
        if isinstance(key, slice):
            start, stop, step = key.indices(self._length)
            if step == 1:
                return tuple(self._fill(start, stop))
            return tuple(self._at(i) for i in range(start, stop, step))
        position = as_index(key)
        if position < 0:
            position += self._length
        if not 0 <= position < self._length:
            raise IndexError("ranking index out of range")
        return self._at(position)

    def __iter__(self) -> Iterator[Opportunity]:
        for start in range(0, self._length, _CHUNK):
            yield from self._fill(start, min(start + _CHUNK, self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RankedOpportunities | tuple):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to tuples, but holds lazy caches

    def __repr__(self) -> str:
        return f"<RankedOpportunities: {self._length} opportunities>"

    def first_per_symbol(self, count: int) -> tuple[Opportunity, ...]:
        """Each symbol's first ``count`` opportunities, in ranking order: equals filtering
        the whole sequence, but looks at each symbol's pairs directly and builds only the
        kept ones.

        Per symbol, a pair whose shadow is more than the tolerance below the
        ``count``-th best shadow has ``count`` pairs surely better than it; the others are
        candidates, ranked exactly."""
        if count < 1:
            return ()
        pairs, shadow, tolerance = self._pairs, self._pairs.shadow, self._tolerance
        nets: dict[int, Decimal] = {}

        def net(flat: int) -> Decimal:
            value = nets.get(flat)
            if value is None:
                value = nets[flat] = pairs.net(flat)
            return value

        picks: list[int] = []
        for start, end in pairwise(pairs.offsets):
            block = shadow[start:end]
            keep = min(count, end - start)
            best = max(block) if keep == 1 else sorted(block, reverse=True)[keep - 1]
            candidates = list(compress(range(start, end), map(le, repeat(best - tolerance), block)))
            if len(candidates) > keep:
                candidates.sort(key=net, reverse=True)  # stable: exact, then tie order
            picks += candidates[:keep]
        # stable: picks of equal net already follow flat index (tie) order, and keep it
        picks.sort(key=net, reverse=True)
        if self._floor is not None:
            floor = self._floor
            picks = [flat for flat in picks if net(flat) >= floor]
        return tuple(map(pairs.opportunity, picks))

    def _at(self, position: int) -> Opportunity:
        opportunity = self._cache[position]
        if opportunity is None:
            opportunity = self._cache[position] = self._pairs.opportunity(self._flat(position))
        return opportunity

    def _fill(self, start: int, stop: int) -> list[Opportunity]:
        """The opportunities at positions ``start`` to ``stop`` (cached), in bulk."""
        if start >= stop:
            return []
        cache = self._cache
        missing = [i for i in range(start, stop) if cache[i] is None]
        if missing:
            self._resolve_range(missing[0], missing[-1] + 1)
            run_start, runs, order = self._run_start, self._runs, self._order
            flats = []
            for position in missing:
                members = runs.get(run_start[position])
                flats.append(
                    order[position] if members is None else members[position - run_start[position]]
                )
            for position, opportunity in zip(
                missing, self._pairs.opportunities(flats), strict=True
            ):
                cache[position] = opportunity
        return cache[start:stop]  # type: ignore[return-value]  # all filled above

    def _resolve_range(self, start: int, stop: int) -> None:
        """Resolve every run holding a position from ``start`` to ``stop`` (exclusive):
        :meth:`_resolve` for many positions at once (same runs, same results)."""
        run_start = self._run_start
        if min(run_start[start:stop]) >= 0:
            return
        first = self._run_bounds(start)[0]
        last = self._run_bounds(stop - 1)[1]
        order, shadow = self._order, self._pairs.shadow
        values = list(map(shadow.__getitem__, order[first : last + 1]))
        # positions (absolute) that are within the tolerance of the one before
        close = compress(
            count(first + 1), map(le, map(sub, values, values[1:]), repeat(self._tolerance))
        )
        starts = list(range(first, last + 1))  # each position's run start
        run_first = run_last = -2
        for position in chain(close, (-1,)):  # -1: flush the last run
            if position == run_last + 1:
                run_last = position
                continue
            if run_first >= 0 and run_start[run_first] < 0:
                self._order_run(run_first, run_last)
            if run_first >= 0:
                starts[run_first - first : run_last - first + 1] = [run_first] * (
                    run_last - run_first + 1
                )
            run_first, run_last = position - 1, position
        run_start[first : last + 1] = starts

    def _order_run(self, first: int, last: int) -> None:
        """Store the exact order of the run at positions ``first`` to ``last``."""
        members = sorted(self._order[first : last + 1])  # tie order
        members.sort(key=self._pairs.net, reverse=True)  # stable: exact net, then tie order
        self._runs[first] = tuple(members)

    def _flat(self, position: int) -> int:
        """The flat index of the pair at ``position`` in the exact order."""
        start = self._run_start[position]
        if start < 0:
            start = self._resolve(position)
        members = self._runs.get(start)
        return self._order[position] if members is None else members[position - start]

    def _run_bounds(self, position: int) -> tuple[int, int]:
        """First and last position of the run holding ``position`` (the maximal chain of
        neighbours whose shadows are within the tolerance), on the float order."""
        order, shadow, tolerance = self._order, self._pairs.shadow, self._tolerance
        first = last = position
        while first > 0 and shadow[order[first - 1]] - shadow[order[first]] <= tolerance:
            first -= 1
        end = len(order) - 1  # runs are those of the whole order (min_net_apr cuts it)
        while last < end and shadow[order[last]] - shadow[order[last + 1]] <= tolerance:
            last += 1
        return first, last

    def _resolve(self, position: int) -> int:
        """Order the run holding ``position`` exactly; return its first position.

        Safe to repeat or interleave: the result is a function of the float order only
        (never of what was read before), and each cache entry is written whole."""
        first, last = self._run_bounds(position)
        if first != last:
            self._order_run(first, last)
        self._run_start[first : last + 1] = [first] * (last - first + 1)
        return first

    def _cut(self, floor: Decimal, floor_shadow: float) -> None:
        """Keep only the positions whose exact net APR is >= ``floor`` (a prefix)."""
        order, shadow, tolerance = self._order, self._pairs.shadow, self._tolerance
        # shadows descend: positions before `sure` are surely >= floor, from `out` on
        # surely below; in between, the exact order (runs resolved) decides
        sure = _first_at_most(order, shadow, floor_shadow + tolerance)
        out = _first_at_most(order, shadow, floor_shadow - tolerance, strict=True)
        length = sure
        while length < out and self._pairs.net(self._flat(length)) >= floor:
            length += 1
        self._length = length
        self._floor = floor


def _first_at_most(
    order: Sequence[int], shadow: Sequence[float], bound: float, *, strict: bool = False
) -> int:
    """First position whose shadow is <= ``bound`` (< when ``strict``); shadows descend."""
    low, high = 0, len(order)
    while low < high:
        middle = (low + high) // 2
        value = shadow[order[middle]]
        if value < bound or (not strict and value == bound):
            high = middle
        else:
            low = middle + 1
    return low


_CHUNK = 1024  # positions built at once when iterating

# A shadow's error is a few units in the last place (2**-52 relative) of the largest
# magnitude involved (APRs, fee shares, min_net_apr); 2**-44 of it bounds twice that error
# with a wide margin. Decimal arithmetic rounds too (to the context's precision), and any
# deviation of the fees from "a share per venue" adds to the error: see _tolerance.
_RELATIVE = 2.0**-44
_ABSOLUTE = 2.0**-1000  # covers float underflow of tiny rates
_BEYOND_FLOATS = 1e300  # magnitudes from here on could overflow: rank eagerly instead


def _tolerance(magnitude: float, fee_deviation: float, precision: int) -> float:
    """How close two shadows must be for their exact order to be in doubt."""
    decimal_rounding = 64 * 10.0 ** (1 - min(precision, 400))
    return magnitude * (_RELATIVE + decimal_rounding) + 4 * fee_deviation + _ABSOLUTE


def _rank_lazily(
    by_symbol: _BySymbol,
    config: ArbitrageConfig,
    min_net_apr: Decimal | None,
) -> RankedOpportunities | None:
    """The fee-only ranking as a :class:`RankedOpportunities`; ``None`` when floats
    cannot shadow the values (a magnitude beyond float range)."""
    symbols: list[Symbol] = []
    sizes: list[int] = []
    rates: list[FundingRate] = []
    names: list[str] = []
    for symbol, venues in by_symbol:  # already in symbol order
        if len(venues) < 2:
            continue
        quoted = sorted(venues)
        symbols.append(symbol)
        sizes.append(len(quoted))
        names += quoted
        rates += map(venues.__getitem__, quoted)
    if not symbols:
        return RankedOpportunities(
            _Pairs(
                context=getcontext().copy(),
                symbols=[],
                sizes=[],
                rates=[],
                venue_of=[],
                fees=[],
                shadow=[],
            ),
            [],
            0.0,
        )
    # fees: exact per (long, short) venue; their float shadow is a share per venue
    # (fee(l, s) = share(l) + share(s) by costs' formula; any deviation widens the runs)
    venue_names = sorted(set(names))
    venue_index = {name: i for i, name in enumerate(venue_names)}
    fees = [[costs.fee_apr(config, long, short) for short in venue_names] for long in venue_names]
    float_fees = [[float(fee) for fee in row] for row in fees]
    share = [float_fees[i][i] / 2 for i in range(len(venue_names))]
    deviation = max(
        abs(fee - share[long] - share[short])
        for long, row in enumerate(float_fees)
        for short, fee in enumerate(row)
    )
    # APRs as floats: payable rate (clamped to a published cap/floor) x (8760 / hours)
    intervals = set(map(attrgetter("interval"), rates))
    factors = {i: float(HOURS_PER_YEAR / interval_hours(i)) for i in intervals}
    aprs = list(
        map(
            mul,
            map(float, map(attrgetter("payable"), rates)),
            map(factors.__getitem__, map(attrgetter("interval"), rates)),
        )
    )
    venue_of = list(map(venue_index.__getitem__, names))
    shares = list(map(share.__getitem__, venue_of))
    magnitude = max(map(abs, aprs)) + max(max(map(abs, row)) for row in float_fees)
    floor_shadow = 0.0 if min_net_apr is None else float(min_net_apr)
    magnitude = max(magnitude, abs(floor_shadow))
    if not magnitude < _BEYOND_FLOATS or not deviation < _BEYOND_FLOATS:  # also NaN
        return None
    # net(long l, short s) = (apr_s - share_s) - (apr_l + share_l)
    earned = list(map(sub, aprs, shares))
    paid = list(map(add, aprs, shares))
    full: list[float] = []  # with the diagonal (cheaper to build, then dropped)
    start = 0
    for size in sizes:
        end = start + size
        short_side = earned[start:end]
        full += [e - p for p in paid[start:end] for e in short_side]
        start = end
    masks = {n: [long != short for long in range(n) for short in range(n)] for n in set(sizes)}
    shadow = list(compress(full, chain.from_iterable(map(masks.__getitem__, sizes))))
    pairs = _Pairs(
        context=getcontext().copy(),
        symbols=symbols,
        sizes=sizes,
        rates=rates,
        venue_of=venue_of,
        fees=fees,
        shadow=shadow,
    )
    order = sorted(range(len(shadow)), key=shadow.__getitem__, reverse=True)  # stable
    ranked = RankedOpportunities(pairs, order, _tolerance(magnitude, deviation, pairs.context.prec))
    if min_net_apr is not None:
        ranked._cut(min_net_apr, floor_shadow)
    return ranked


def _opportunity(
    symbol: Symbol,
    long_rate: FundingRate,
    short_rate: FundingRate,
    spread: Decimal,
    cost: Decimal,
    net: Decimal,
) -> Opportunity:
    if _SETTERS is None:
        return Opportunity(symbol, long_rate, short_rate, spread, cost, net)
    s0, s1, s2, s3, s4, s5 = _SETTERS
    opportunity: Opportunity = object.__new__(Opportunity)
    s0(opportunity, symbol)
    s1(opportunity, long_rate)
    s2(opportunity, short_rate)
    s3(opportunity, spread)
    s4(opportunity, cost)
    s5(opportunity, net)
    return opportunity


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


def _fee_apr_bound(config: ArbitrageConfig, min_net_apr: Decimal | None) -> float:
    """An upper bound of any pair's fee APR (and of ``|min_net_apr|``): with the APRs it
    bounds the magnitudes whose few-ulp errors the float shadow can carry."""
    takers = [fees.taker for fees in config.fees.values()] + [config.default_fees.taker]
    bound = float(costs.amortised_apr(4 * max(takers), config.holding_horizon))
    return max(bound, abs(float(min_net_apr or 0)))


def _exact_order(
    opportunities: list[Opportunity], shadow: list[float], largest: float
) -> list[Opportunity]:
    """Best net APR first, exact; equal nets keep their (tie) order in ``opportunities``."""
    if largest != largest or largest == float("inf"):  # NaN/inf: floats are useless here
        # sorted() is stable also with reverse=True: ties keep their order
        return sorted(opportunities, key=lambda o: o.net_apr, reverse=True)
    order = sorted(range(len(opportunities)), key=shadow.__getitem__, reverse=True)
    values = [shadow[i] for i in order]
    # Each shadow is within a few ulps of its exact value; 2**-46 of the largest magnitude
    # bounds twice that error with room to spare. Neighbours closer than this may be
    # misordered (or tied): each chain of them is re-sorted exactly.
    tolerance = largest * 2.0**-46
    close = [k for k, (a, b) in enumerate(pairwise(values), 1) if a - b <= tolerance]
    net = [o.net_apr for o in opportunities] if close else []
    k = 0
    while k < len(close):
        start = close[k] - 1
        end = close[k]
        while k + 1 < len(close) and close[k + 1] == end + 1:
            k += 1
            end += 1
        run = sorted(order[start : end + 1])  # back to tie order, then a stable exact sort
        order[start : end + 1] = sorted(run, key=net.__getitem__, reverse=True)
        k += 1
    return [opportunities[i] for i in order]


def _first_per_symbol(opportunities: Iterable[Opportunity], count: int) -> tuple[Opportunity, ...]:
    if isinstance(opportunities, RankedOpportunities):
        return opportunities.first_per_symbol(count)
    seen: dict[Symbol, int] = {}
    kept: list[Opportunity] = []
    for opportunity in opportunities:
        taken = seen.get(opportunity.symbol, 0)
        if taken < count:
            seen[opportunity.symbol] = taken + 1
            kept.append(opportunity)
    return tuple(kept)


def best_per_symbol(opportunities: Iterable[Opportunity]) -> tuple[Opportunity, ...]:
    """The first (best) opportunity of each symbol, keeping the input order."""
    return _first_per_symbol(opportunities, 1)


def _top_per_symbol(
    by_symbol: _BySymbol,
    config: ArbitrageConfig,
    count: int,
    min_net_apr: Decimal | None,
) -> tuple[Opportunity, ...] | None:
    """Each symbol's best ``count`` pairs (fees only), building only those; ``None`` when
    the floats cannot be trusted (an APR beyond float range).

    Per symbol the pairs' float shadows are ranked; every pair within the float tolerance
    of the ``count``-th best shadow is a candidate (a pair further below has ``count``
    pairs surely better than it), candidates are ranked exactly, the first ``count`` kept.
    """
    if count == 1:
        return _best_per_symbol(by_symbol, config, min_net_apr)
    hours: dict[timedelta, Decimal] = {}
    matrices: dict[tuple[str, ...], tuple[list[list[Decimal]], list[list[float]]]] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    minus_infinity = float("-inf")
    for symbol, venues in by_symbol:  # already in symbol order
        size = len(venues)
        if size < 2:
            continue
        names = tuple(sorted(venues))
        quoted = [venues[name] for name in names]
        aprs = [_apr(rate, hours) for rate in quoted]
        floats = [float(apr) for apr in aprs]
        magnitude = max(max(map(abs, floats)), fee_bound)
        if magnitude == float("inf"):
            return None
        largest = max(largest, magnitude)
        matrix = matrices.get(names)
        if matrix is None:
            matrix = matrices[names] = _fee_matrix(names, config)
        exact_fees, float_fees = matrix
        pair_shadow: list[float] = []
        for i, long_f in enumerate(floats):
            pair_shadow.extend(
                [short_f - long_f - fee for short_f, fee in zip(floats, float_fees[i], strict=True)]
            )
            pair_shadow[i * size + i] = minus_infinity  # a venue is no pair with itself
        if count == 1:
            cutoff = max(pair_shadow) - magnitude * 2.0**-46
            indexes = [i for i, value in enumerate(pair_shadow) if value >= cutoff]
        else:
            order = sorted(range(size * size), key=pair_shadow.__getitem__, reverse=True)
            pairs = size * (size - 1)
            cutoff = pair_shadow[order[min(count, pairs) - 1]] - magnitude * 2.0**-46
            indexes = [i for i in order[:pairs] if pair_shadow[i] >= cutoff]
        candidates = []
        for index in indexes:
            long_i, short_i = divmod(index, size)
            spread = aprs[short_i] - aprs[long_i]
            net = spread - exact_fees[long_i][short_i]
            candidates.append((net, index, spread))
        candidates.sort(key=lambda c: c[1])  # tie order: (long venue, short venue)
        candidates.sort(key=lambda c: c[0], reverse=True)  # stable: exact, then tie order
        for net, index, spread in candidates[:count]:
            if min_net_apr is not None and net < min_net_apr:
                break
            long_i, short_i = divmod(index, size)
            cost = exact_fees[long_i][short_i]
            chosen.append(Opportunity(symbol, quoted[long_i], quoted[short_i], spread, cost, net))
            shadow.append(pair_shadow[index])
    return tuple(_exact_order(chosen, shadow, largest))


def _best_per_symbol(
    by_symbol: _BySymbol, config: ArbitrageConfig, min_net_apr: Decimal | None
) -> tuple[Opportunity, ...] | None:
    """:func:`_top_per_symbol` with ``count == 1`` in O(venues) per symbol, not O(venues^2).

    The fee APR of a pair is a sum of one share per venue (``2 * (taker_long +
    taker_short)`` amortised: :mod:`atomic_fp.costs`), so a pair's float shadow is
    ``(apr_short - share_short) - (apr_long + share_long)``: the best pair is the largest
    of the first minus the smallest of the second (the second largest / smallest when
    both are one venue). As in :func:`_top_per_symbol`, every pair whose shadow is within
    the float tolerance of the best is a candidate, and candidates are ranked exactly
    (Decimal net APR with the exact fee of the pair, then the tie order), so the result
    is exactly :func:`_top_per_symbol`'s (a hypothesis property checks it against the
    full ranking).

    One pass per symbol: each rate's float APR is computed once per distinct (interval,
    payable rate) of the call (``float(Decimal)`` parses a string, the dearest step;
    venues quote many equal rates, e.g. the 0.01 %/8 h interest baseline), with its
    venue's two float shadows (as short leg: APR - share, as long leg: APR + share);
    max/min are taken by C ``max``/``min`` on those lists; Decimal only for the few
    candidates within the float tolerance of the best."""
    hours: dict[timedelta, Decimal] = {}
    float_aprs: dict[timedelta, tuple[float, dict[Decimal, float]]] = {}
    shares: dict[str, float] = {}
    exact_fees: dict[tuple[str, str], Decimal] = {}
    fee_bound = _fee_apr_bound(config, min_net_apr)
    chosen: list[Opportunity] = []
    shadow: list[float] = []
    largest = fee_bound
    infinity = float("inf")
    for symbol, venues in by_symbol:  # already in symbol order
        size = len(venues)
        if size < 2:
            continue
        named = sorted(venues.items())  # by venue name (names are unique)
        gains: list[float] = []  # as the short leg: APR - fee share
        costs_: list[float] = []  # as the long leg: APR + fee share
        magnitude = fee_bound
        for name, rate in named:
            interval = rate.interval
            per_interval = float_aprs.get(interval)
            if per_interval is None:
                per_interval = float_aprs[interval] = (
                    8760.0 / float(interval_hours(interval)),
                    {},
                )
            payable = rate.rate
            if rate.cap is not None or rate.floor is not None:
                payable = rate.payable
            apr = per_interval[1].get(payable)
            if apr is None:
                # exact APR within a few ulps
                apr = per_interval[1][payable] = float(payable) * per_interval[0]
            share = shares.get(name)
            if share is None:
                share = shares[name] = _fee_share(config, name)
            gains.append(apr - share)
            costs_.append(apr + share)
            if apr > magnitude:
                magnitude = apr
            elif -apr > magnitude:
                magnitude = -apr
        if magnitude == infinity:
            return None
        if magnitude > largest:
            largest = magnitude
        top_gain = max(gains)
        low_cost = min(costs_)
        best_short = gains.index(top_gain)
        best_long = costs_.index(low_cost)
        if best_short != best_long:
            top = top_gain - low_cost
        else:
            other_gain = max(g for i, g in enumerate(gains) if i != best_short)
            other_cost = min(c for i, c in enumerate(costs_) if i != best_long)
            top = max(top_gain - other_cost, other_gain - low_cost)
        cutoff = top - magnitude * 2.0**-45
        longs = [i for i, c in enumerate(costs_) if top_gain - c >= cutoff]
        shorts = [i for i, g in enumerate(gains) if g - low_cost >= cutoff]
        candidates = []
        for long_i in longs:
            for short_i in shorts:
                if long_i == short_i or gains[short_i] - costs_[long_i] < cutoff:
                    continue
                pair = (named[long_i][0], named[short_i][0])
                fee = exact_fees.get(pair)
                if fee is None:
                    fee = exact_fees[pair] = costs.fee_apr(config, *pair)
                spread = _apr(named[short_i][1], hours) - _apr(named[long_i][1], hours)
                candidates.append((spread - fee, long_i * size + short_i, spread, fee))
        if len(candidates) > 1:
            candidates.sort(key=lambda c: c[1])  # tie order: (long venue, short venue)
            candidates.sort(key=lambda c: c[0], reverse=True)  # stable: exact, then tie order
        net, index, spread, fee = candidates[0]
        if min_net_apr is not None and net < min_net_apr:
            continue
        long_i, short_i = divmod(index, size)
        chosen.append(Opportunity(symbol, named[long_i][1], named[short_i][1], spread, fee, net))
        shadow.append(gains[short_i] - costs_[long_i])
    return tuple(_exact_order(chosen, shadow, largest))


def _fee_share(config: ArbitrageConfig, venue: str) -> float:
    """One venue's share of any pair's fee APR, as a float: ``fee_apr(long, short)`` is
    ``amortised(2 * taker_long) + amortised(2 * taker_short)`` up to Decimal rounding."""
    return float(costs.amortised_apr(2 * config.fees_for(venue).taker, config.holding_horizon))


def _apr(rate: FundingRate, hours: dict[timedelta, Decimal]) -> Decimal:
    """``rate.apr`` with the interval's hours cached (same operations, same Decimal)."""
    interval_h = hours.get(rate.interval)
    if interval_h is None:
        interval_h = hours[rate.interval] = interval_hours(rate.interval)
    return rate.payable / interval_h * HOURS_PER_YEAR


def _fee_matrix(
    names: tuple[str, ...], config: ArbitrageConfig
) -> tuple[list[list[Decimal]], list[list[float]]]:
    """Fee APR of every (long, short) venue pair, exact and as floats (diagonal: unused)."""
    exact = [[costs.fee_apr(config, long, short) for short in names] for long in names]
    return exact, [[float(fee) for fee in row] for row in exact]
