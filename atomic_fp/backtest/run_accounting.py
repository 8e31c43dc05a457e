"""A backtest run's screening (which symbols can provably not trade) and bookkeeping:
values, time in market, per-symbol and equity points, drawdown, liquidations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from atomic_fp import costs
from atomic_fp.backtest.records import EquityPoint, Fill
from atomic_fp.backtest.replay_state import (
    ZERO,
    SymbolState,
)
from atomic_fp.backtest.run_setup import RunBase
from atomic_fp.models import (
    Side,
)

GAP_MARGIN = Decimal("1E-12")
"""APR by which a pair's net after the bound of its entry gap must stay below
``build_threshold`` for the screen to refuse it (:meth:`AccountingRun._gap_refuses`): far
above the rounding of 28-digit arithmetic, far below any threshold a config sets."""


class AccountingRun(RunBase):
    # ------------------------------------------------------------------ screening

    def _screen_inputs(
        self, sym: SymbolState
    ) -> tuple[tuple[Any, ...], list[tuple[str, Decimal]], bool]:
        """In one pass over the symbol's series: its :meth:`_fingerprint` (everything
        the decisions read except the time), its :meth:`_aprs` and whether it is flat.
        The screening asks this for every changed symbol at every step, so the three
        are read together rather than by three walks over the series."""
        parts: list[Any] = []
        aprs: list[tuple[str, Decimal]] = []
        flat = True
        for state in sym.series:
            if state.usable:
                row = state.known
                parts.append((state.signals[row], state.data.intervals[row], state.price))
                apr = state.aprs[row]
                assert apr is not None  # usable: the row has an estimate
                aprs.append((state.venue_name, apr))
            else:
                parts.append(None)
            position = state.position
            if position != 0:
                flat = False
            parts.append((position, state.venue.balance(), self.account_epoch[state.venue_name]))
        return tuple(parts), aprs, flat

    @staticmethod
    def _aprs(sym: SymbolState) -> list[tuple[str, Decimal]]:
        """``(venue, APR)`` of every venue whose rate is known now, in venue order."""
        return [(s.venue_name, s.apr()) for s in sym.series if s.usable]

    def _spread(
        self, sym: SymbolState, aprs: list[tuple[str, Decimal]] | None = None
    ) -> tuple[Decimal, str, str] | None:
        """The widest gross funding spread (APR) among venues whose rate is known now:
        ``(spread, long venue, short venue)``; ``None`` with fewer than two."""
        best: tuple[Decimal, str] | None = None
        worst: tuple[Decimal, str] | None = None
        for venue_name, apr in self._aprs(sym) if aprs is None else aprs:
            if best is None or apr > best[0]:
                best = (apr, venue_name)
            if worst is None or apr < worst[0]:
                worst = (apr, venue_name)
        if best is None or worst is None or best[1] == worst[1]:
            return None
        return best[0] - worst[0], worst[1], best[1]

    def _may_open(self, sym: SymbolState, aprs: list[tuple[str, Decimal]] | None = None) -> bool:
        """Whether any ordered pair of venues with known rates clears ``build_threshold``
        after fees and, with books, after a lower bound of its entry gap (an upper bound
        of the decision's net APR either way)."""
        usable = self._aprs(sym) if aprs is None else aprs
        threshold = self.config.build_threshold
        touches: dict[str, tuple[Decimal | None, Decimal | None]] = {}
        for long_venue, long_apr in usable:
            for short_venue, short_apr in usable:
                if long_venue == short_venue or short_apr - long_apr < threshold:
                    continue
                pair = (long_venue, short_venue)
                fee = self.fee_apr.get(pair)
                if fee is None:
                    fee = self.fee_apr[pair] = costs.fee_apr(self.config, *pair)
                net = short_apr - long_apr - fee
                if net < threshold:
                    continue
                if not self.settings.use_books or not self._gap_refuses(
                    sym, long_venue, short_venue, net, touches
                ):
                    return True
        return False

    def _gap_refuses(
        self,
        sym: SymbolState,
        long_venue: str,
        short_venue: str,
        net: Decimal,
        touches: dict[str, tuple[Decimal | None, Decimal | None]],
    ) -> bool:
        """Whether the pair whose net before the entry gap is ``net`` provably nets below
        ``build_threshold`` after it, so that the decision refuses it (968 of the 4,642
        decisions of a benchmark year were refused so, "net ... after entry gap ...
        below build threshold").

        The decision (``atomic_fp.decisions.funding_pairs._evaluate``) prices a flat
        pair's legs at the VWAP of its size in each venue's book, a buy no lower than the
        best ask and a sell no higher than the best bid, and its gap is
        :func:`atomic_fp.costs.entry_gap_apr` of those prices per base unit, which grows
        with the buy price and falls with the sell price. So the gap at the best ask of
        the long venue and the best bid of the short one is a lower bound, equal to the
        decision's own gap when its size fills at the touch (the synthetic books' depth),
        and computed with the same operations in the same order (``net - gap``, as
        ``_Plan.net``). :data:`GAP_MARGIN` keeps the answer exact where rounding could
        make a deeper fill's computed gap a few units of the 28th digit smaller than the
        bound's: a pair within it of the threshold is left to the decision. The books are
        the ones the decision would read at this instant (the venue's ``book``; nothing
        changes in between). Any other refusal of the decision (capacity, lots,
        minimums, a thin or stale book) only adds to this one. A pair without a best ask
        or bid is left to the decision."""
        long_ask = self._touches(sym, long_venue, touches)[1]
        short_bid = self._touches(sym, short_venue, touches)[0]
        if long_ask is None or short_bid is None or long_ask <= 0 or short_bid <= 0:
            return False
        by_name = {state.venue_name: state for state in sym.series}
        gap = costs.entry_gap_apr(
            long_ask / by_name[long_venue].data.contract_multiplier,
            short_bid / by_name[short_venue].data.contract_multiplier,
            self.config.holding_horizon,
        )
        return net - gap < self.config.build_threshold - GAP_MARGIN

    @staticmethod
    def _touches(
        sym: SymbolState, venue: str, touches: dict[str, tuple[Decimal | None, Decimal | None]]
    ) -> tuple[Decimal | None, Decimal | None]:
        """``(best bid, best ask)`` of ``sym``'s book on ``venue`` (read once per call of
        :meth:`_may_open`)."""
        known = touches.get(venue)
        if known is None:
            state = next(state for state in sym.series if state.venue_name == venue)
            book = state.venue.book(state.data.symbol)
            known = touches[venue] = (book.best_bid, book.best_ask)
        return known

    # ------------------------------------------------------------------ accounting

    def _revalue(self, sym: SymbolState) -> None:
        """The symbol's held legs valued at their prices (held: the position's Decimal
        truth value, cheaper than ``!= 0`` and equal for every reachable position;
        ``tests/backtest/test_cycle_and_revalue_are_eec4b55.py``)."""
        total = ZERO
        for state in sym.series:
            if state.position:  # held (Decimal truth, not a compare with int 0)
                price = state.price
                assert price is not None  # a filled position had a price
                total += state.position * price
        self.total_value += total - sym.value
        sym.value = total
        sym.books_moved = True

    def _track_market_time(self, sym: SymbolState, now: datetime) -> None:
        holding = not sym.flat
        if holding and sym.in_market_since is None:
            sym.in_market_since = now
        elif not holding and sym.in_market_since is not None:
            sym.time_in_market += now - sym.in_market_since
            sym.in_market_since = None

    def _symbol_point(
        self,
        sym: SymbolState,
        now: datetime,
        widest: tuple[Decimal, str, str] | None,
        flat: bool = False,
    ) -> None:
        """Record the symbol's spread and holding when either changed (``flat``: the
        caller knows it holds nothing)."""
        spread = widest[0] if widest is not None else None
        held = ZERO if flat else sum((s.position for s in sym.series if s.position > 0), ZERO)
        key = (spread, held)
        if sym.last_point == key:
            return
        sym.last_point = key
        # its values in SymbolPoint's field order (time, symbol, spread_apr, long_venue,
        # short_venue, position_base, price, funding, net_pnl; records.SymbolPoints
        # builds the point when read): ~150,000 points a benchmark year
        # (tests/backtest/test_symbol_point_fields.py pins the order)
        if widest is None:
            self.symbol_points.append(
                (now, sym.base, None, None, None, held, sym.reference, sym.funding, sym.net)
            )
        else:
            self.symbol_points.append(
                (now, sym.base, spread, widest[1], widest[2], held, sym.reference,
                 sym.funding, sym.net)
            )  # fmt: skip

    def _equity_point(self, now: datetime) -> None:
        gross = ZERO
        for state in self.holding.values():
            price = state.own_mark  # SeriesState.price inline (once per held series a step)
            if price is None:
                price = state.sym.reference
            assert price is not None
            gross += abs(state.position) * price
        if gross > self.peak_gross:
            self.peak_gross = gross
        self.equity.append(
            EquityPoint(
                time=now,
                funding=self.total_funding,
                fees=self.total_fees,
                slippage=self.total_slippage,
                price_pnl=self.total_cash + self.total_value + self.total_slippage,
                gross_notional=gross,
            )
        )

    def _track_drawdown(self, sym: SymbolState) -> None:
        sym.books_moved = False
        net = sym.tracked_net = sym.net
        if net > sym.peak_net:
            sym.peak_net = net
        elif sym.peak_net - net > sym.drawdown:
            sym.drawdown = sym.peak_net - net

    def _absorb_liquidations(self, now: datetime) -> set[SymbolState]:
        """Book what the paper venues liquidated since the last look (a mark move or a
        settlement can liquidate): the position closes at the liquidation price, the fee
        is a cost, and it is recorded as a ``liquidation`` fill."""
        touched: set[SymbolState] = set()
        for name, venue in self.venues.items():
            seen = self.liquidations_seen[name]
            if len(venue.liquidations) == seen:
                continue
            by_key = {(s.venue_name, s.data.symbol): s for s in self.series}
            for event in venue.liquidations[seen:]:
                state = by_key[(name, event.position.symbol)]
                sym = state.sym
                multiplier = state.data.contract_multiplier
                base = event.position.size * multiplier
                price = event.price / multiplier
                state.position -= base
                if state.position == 0:
                    self.holding.pop(state.index, None)
                sym.cash += base * price
                self.total_cash += base * price
                sym.fees += event.fee
                self.total_fees += event.fee
                sym.books_moved = True
                fill = Fill(
                    time=now,
                    signal_id="liquidation",
                    kind="liquidation",
                    symbol=sym.base,
                    venue=name,
                    side=Side.SELL if base > 0 else Side.BUY,
                    size=abs(event.position.size),
                    base_size=abs(base),
                    price=price,
                    mark=price,
                    fee=event.fee,
                    slippage=ZERO,
                    client_order_id="liquidation",
                    reason=(
                        f"{name} liquidated: equity {event.equity:.2f} <= maintenance "
                        f"margin {event.maintenance_margin:.2f}"
                    ),
                )
                self.fills.append(fill)
                self.liquidations.append(fill)
                self.positions_now.pop(name, None)
                self._account_changed(name)
                sym.seen = None
                sym.quiet = None
                self._track_market_time(sym, now)
                touched.add(sym)
            self.liquidations_seen[name] = len(venue.liquidations)
        return touched
