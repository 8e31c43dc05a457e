"""Every ordered venue pair of a lazy ranking, by flat index, with its exact values
computed on demand (see :mod:`atomic_fp.decisions.ranking`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Context, Decimal, localcontext
from itertools import accumulate, chain, repeat

from atomic_fp.decisions.ranking_exact import _SETTERS, _opportunity
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import (
    HOURS_PER_YEAR,
    FundingRate,
    Symbol,
    interval_hours,
)


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
