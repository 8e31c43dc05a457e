"""The paper venue as the backtest's simulated venue (injected into
:func:`atomic_fp.backtest.engine.run_backtest` by the shell).

:class:`BacktestPaperVenue` is the same :class:`PaperVenue` (same books, fills, fees,
funding, margin and liquidations) plus three synchronous calls, the
:class:`atomic_fp.backtest.venue.DirectVenue` protocol: the engine calls the venue
in-process tens of thousands of times per simulated year, and going through the
``FutureResult`` of each async call (coroutine, call log, fault checks, result wrapping)
cost about a fifth of a run. They answer what the async calls answer on a venue with no
faults and no latency, which is how a backtest venue is built; with a fault set they
refuse (a drill must use the async calls, which model the fault).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter, is_
from typing import Any

from returns.result import Result, Success

from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.margin import liquidation_floor
from adapters.paper.restamp import restamped, retimed, utc_instant
from adapters.paper.venue import PaperMarketState, PaperPosition, PaperVenue, next_boundary
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
    VenueFees,
)
from atomic_fp.models.margin import AccountMargin, estimate_liquidation_price


class BacktestPaperVenue(PaperVenue):
    """A paper venue with synchronous reads and order placement for in-process drivers.

    Memos, each keyed by everything its answer is computed from except the clock, the
    objects compared by identity (all immutable; an equal Decimal of another exponent
    prints differently, so it counts as a change), so a stale answer is impossible, not
    merely unlikely. When only the clock moved, the answer is copied with the new time
    (:mod:`adapters.paper.restamp`: the same object the constructor would build, without
    re-running every validator). ``tests/backtest/test_paper_venue_memos.py`` compares
    every read with the plain paper venue's (by value and ``repr``) over random events;
    ``tests/backtest/test_fast_path_equivalence.py`` every booking of a run.

    - :meth:`margin`: a decision reads each venue's positions and then its margin at the
      same instant, and building the account's models (a ``Position`` and a liquidation
      estimate per held leg) each time was a large share of a backtest's run;
    - the positions (with liquidation prices), rebuilt only when a margin is a new object;
      and each held leg's position without them (what a margin is built from), rebuilt
      only when its size, entry, mark, market or leverage is a new object;
    - each market's current rate, by its rate, mark and market objects, and the next
      funding boundary per interval and instant;
    - the synthetic book's levels per symbol, by mark, spread, tick and depth (rounding
      both sides to the tick for every read was); the book is re-stamped with the
      current time, which the decisions judge staleness by.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._margin_memo: dict[str, tuple[list[object], AccountMargin]] = {}
        self._levels_memo: dict[Symbol, tuple[tuple[Hashable, ...], OrderBook]] = {}
        self._rates_memo: dict[Symbol, tuple[Decimal, Decimal, Market, FundingRate]] = {}
        self._boundaries: dict[timedelta, tuple[datetime, datetime]] = {}
        self._positions_memo: tuple[tuple[AccountMargin, ...], tuple[Position, ...]] | None = None
        self._raw_memo: dict[Symbol, tuple[tuple[object, ...], Position]] = {}

    def _margin_key(self, asset: str) -> list[object]:
        """Everything :meth:`PaperVenue.margin` reads for ``asset`` except the clock: the
        wallet, leverage and margin rules, the markets listed (with their settle assets),
        and per open position its size, entry, market and mark. Compared by identity
        (:func:`_same_objects`): all are immutable, and an equal Decimal of another
        exponent (``100`` after ``100.0``) would print differently, so it is a change."""
        key: list[object] = [self._balances.get(asset), self.leverage, self.margin_rules]
        markets = self._markets
        key.extend(markets)
        key.extend(map(_MARKET, markets.values()))
        for symbol, pos in self._positions.items():
            if pos.size == 0:
                continue
            state = markets[symbol]
            key.extend((symbol, pos.size, pos.entry_price, state.mark_price))
        return key

    def margin(self, asset: str | None = None) -> AccountMargin:
        """:meth:`PaperVenue.margin`; with the account unchanged since the last call, the
        same answer observed now (the clock is the only input left out of the key: the
        models are copied with the new time, :mod:`adapters.paper.restamp`)."""
        if asset is None:
            return super().margin(asset)
        memo = self._margin_memo
        key = self._margin_key(asset)
        cached = memo.get(asset)
        now = self.now()
        if cached is not None and _same_objects(cached[0], key) and utc_instant(now):
            margin = cached[1]
            if margin.observed_at == now:
                return margin
            margin = retimed_margin(margin, now)
            memo[asset] = (key, margin)
            return margin
        computed = super().margin(asset)
        memo[asset] = (key, computed)
        return computed

    def _raw_positions(self, asset: str | None = None) -> list[Position]:
        """:meth:`PaperVenue._raw_positions`, each position built once per size, entry,
        mark, market and leverage (compared by identity) and copied with the new time:
        the account's margin is rebuilt whenever its wallet or any mark moved (every
        funding settlement), and building every held leg's ``Position`` again with all
        its validators was most of that."""
        now = self.now()
        if not utc_instant(now):
            return super()._raw_positions(asset)
        positions = []
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if pos.size == 0 or (asset is not None and state.market.settle_asset != asset):
                continue
            positions.append(self._raw_position(symbol, pos, state, now))
        return positions

    def _raw_position(
        self, symbol: Symbol, pos: PaperPosition, state: PaperMarketState, now: datetime
    ) -> Position:
        """One held leg's position without liquidation price, built once per size,
        entry, mark, market and leverage (compared by identity) and copied with the new
        time ``now`` (an aware UTC datetime)."""
        market = state.market
        leverage = market.max_leverage or self.leverage
        key = (pos.size, pos.entry_price, state.mark_price, market, leverage)
        memo = self._raw_memo
        cached = memo.get(symbol)
        if cached is not None and _same_objects(cached[0], key):
            position = cached[1]
            if position.observed_at != now:
                position = retimed(position, observed_at=now)
                memo[symbol] = (key, position)
            return position
        position = Position(
            exchange=self._exchange,
            symbol=symbol,
            size=pos.size,
            observed_at=now,
            contract_multiplier=market.contract_multiplier,
            entry_price=pos.entry_price,
            mark_price=state.mark_price,
            unrealized_pnl=(state.mark_price - pos.entry_price) * pos.size,
            leverage=leverage,
        )
        memo[symbol] = (key, position)
        return position

    def _positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        """:meth:`PaperVenue._positions_now`, rebuilt only when a margin it reads is a new
        object (:meth:`margin` returns the same object while nothing changed)."""
        margins = tuple(
            self.margin(asset)
            for asset in sorted({self._markets[s].market.settle_asset for s in self._positions})
        )
        cached = self._positions_memo
        if (
            cached is not None
            and len(cached[0]) == len(margins)
            and all(a is b for a, b in zip(cached[0], margins, strict=True))
        ):
            return Success(cached[1])
        positions = tuple(
            restamped(leg.position, liquidation_price=leg.liquidation_price)
            for margin in margins
            for leg in margin.legs
        )
        self._positions_memo = (margins, positions)
        return Success(positions)

    def _next_funding(self, state: PaperMarketState, now: datetime) -> datetime:
        """:meth:`PaperVenue._next_funding`, the boundary computed once per interval and
        instant (every market of one interval reports the same one)."""
        if state.next_funding_time is not None:
            return state.next_funding_time
        interval = state.market.funding_interval
        cached = self._boundaries.get(interval)
        if cached is not None and cached[0] == now:
            return cached[1]
        boundary = next_boundary(now, interval)
        self._boundaries[interval] = (now, boundary)
        return boundary

    def _rates_now(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """:meth:`PaperVenue._rates_now`, each market's rate built once per rate, interval,
        mark and venue symbol (compared by identity: an equal Decimal of another exponent
        is built anew) and copied with the new observation and next funding times."""
        now = self.now()
        if not utc_instant(now):
            return super()._rates_now(symbols)
        markets = self._markets
        wanted = markets if symbols is None else [s for s in symbols if s in markets]
        memo = self._rates_memo
        rates = []
        for symbol in wanted:
            state = markets[symbol]
            market = state.market
            next_time = self._next_funding(state, now)
            cached = memo.get(symbol)
            if (
                cached is not None
                and cached[0] is state.funding_rate
                and cached[1] is state.mark_price
                and cached[2] is market
                and utc_instant(next_time)
            ):
                rate = cached[3]
                if rate.observed_at != now or rate.next_funding_time != next_time:
                    rate = retimed(rate, observed_at=now, next_funding_time=next_time)
                    memo[symbol] = (cached[0], cached[1], cached[2], rate)
            else:
                rate = self._funding_rate(symbol, now)
                memo[symbol] = (state.funding_rate, state.mark_price, market, rate)
            rates.append(rate)
        return Success(tuple(rates))

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return state.book
        memo = self._levels_memo
        key = (state.mark_price, state.half_spread, state.market.tick_size, state.depth)
        cached = memo.get(symbol)
        if cached is None or not _same_objects(cached[0], key):
            book = super()._book(symbol)
            memo[symbol] = (key, book)
            return book
        book = cached[1]
        now = self.now()
        if book.timestamp == now:
            return book
        if utc_instant(now):
            book = retimed(book, timestamp=now)
        else:
            book = OrderBook(
                exchange=book.exchange, symbol=symbol, bids=book.bids, asks=book.asks, timestamp=now
            )
        memo[symbol] = (key, book)
        return book

    def liquidation_floor(self, asset: str) -> Decimal | None:
        """A lower bound on the liquidation distance of every position of ``asset`` that
        :meth:`positions_now` reports now (:func:`adapters.paper.margin.liquidation_floor`
        of the same wallet, sizes, entries and marks :meth:`margin` reads); ``None``: no
        bound. The backtest's held symbols are certified safe with it without building
        the account (:mod:`atomic_fp.backtest.run_quiet`)."""
        markets = self._markets
        return liquidation_floor(
            wallet=self._balances.get(asset, Decimal(0)),
            legs=[
                (pos.size, pos.entry_price, markets[symbol].mark_price)
                for symbol, pos in self._positions.items()
                if pos.size != 0 and markets[symbol].market.settle_asset == asset
            ],
            rules=self.margin_rules,
        )

    def _require_faultless(self, call: str) -> None:
        faults = self.faults
        if faults.down or faults.latency or faults.response_latency or faults.order_latency:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")
        if faults.read_failure_probability:
            raise RuntimeError(f"{call}: the direct calls model no faults or latency")

    def funding_rates_now(
        self, symbols: Collection[Symbol] | None = None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """What ``fetch_funding_rates(symbols)`` answers."""
        self._require_faultless("funding_rates_now")
        self._tick()
        return self._rates_now(symbols)

    def positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        """What ``fetch_positions()`` answers (with liquidation prices)."""
        self._require_faultless("positions_now")
        self._tick()
        return self._positions_now()

    def position_now(self, symbol: Symbol) -> Result[Position | None, VenueError]:
        """What ``fetch_positions()`` answers for ``symbol`` (``None``: flat), without
        building the other legs' liquidation estimates: the account's equity and
        maintenance margin are the sums :func:`adapters.paper.margin.account_margin`
        makes, over the same positions in the same order, and this leg's liquidation
        price is the same :func:`estimate_liquidation_price` of them
        (:func:`atomic_fp.models.margin.build_account_margin`'s estimated branch; a
        paper position never carries a venue price). A decision reads one symbol's
        positions, and the whole account was rebuilt for it whenever its wallet or any
        mark had moved. ``tests/backtest/test_paper_venue_memos.py`` compares it with
        the plain venue's positions by value and ``repr``."""
        self._require_faultless("position_now")
        self._tick()
        pos = self._positions.get(symbol)
        if pos is None or pos.size == 0:
            return Success(None)
        now = self.now()
        if not utc_instant(now):
            held = {p.symbol: p for p in self._positions_now().unwrap()}
            return Success(held.get(symbol))
        markets = self._markets
        asset = markets[symbol].market.settle_asset
        rate = self.margin_rules.maintenance_rate
        # account_margin's two sums, each in the same order: unrealized PnL over the
        # legs with a mark and an entry, maintenance over every leg
        unrealized = Decimal(0)
        maintenance = Decimal(0)
        own_maintenance = Decimal(0)
        for other, held_pos in self._positions.items():
            size = held_pos.size
            if size == 0:
                continue
            other_state = markets[other]
            if other_state.market.settle_asset != asset:
                continue
            mark = other_state.mark_price
            if mark and held_pos.entry_price:
                unrealized += (mark - held_pos.entry_price) * size
            leg_maintenance = abs(size) * (mark or 0) * rate
            maintenance += leg_maintenance
            if other == symbol:
                own_maintenance = leg_maintenance
        equity = self._balances.get(asset, Decimal(0)) + unrealized
        mine = self._raw_position(symbol, pos, markets[symbol], now)
        estimate = (
            estimate_liquidation_price(
                size=mine.size,
                mark=mine.mark_price,
                equity=equity,
                maintenance_margin=maintenance,
                leg_maintenance_margin=own_maintenance,
            )
            if mine.mark_price
            else None
        )
        # the estimate is None or > 0, which the field's validator (optional_non_negative)
        # accepts, as it accepts the margin path's copy of the same value
        return Success(restamped(mine, liquidation_price=estimate))

    def place_now(self, request: OrderRequest) -> Result[Order, VenueError]:
        """What ``place_order(request)`` answers, for an order without ``expires_at``."""
        self._require_faultless("place_now")
        if self.faults != PaperFaults(rng=self.faults.rng) or request.expires_at is not None:
            raise RuntimeError("place_now: order faults and deadlines need place_order")
        self._tick()
        result = self._accept(request, OrderFault.NONE)
        self._save()
        return result


_MARKET = attrgetter("market")


def _same_objects(first: Sequence[object], second: Sequence[object]) -> bool:
    """The same objects in the same order (identity, not equality: see ``_margin_key``).
    The memo holds the first sequence, so none of its objects' ids can be reused."""
    return len(first) == len(second) and all(map(is_, first, second))


def retimed_margin(margin: AccountMargin, now: datetime) -> AccountMargin:
    """``margin`` (and each leg's position) observed at ``now``, which must be an aware
    UTC datetime: what :func:`adapters.paper.margin.account_margin` builds from the same
    account at ``now`` (nothing in it but the observation times depends on the clock)."""
    legs = tuple(
        restamped(leg, position=retimed(leg.position, observed_at=now)) for leg in margin.legs
    )
    return restamped(retimed(margin, observed_at=now), legs=legs)


def backtest_venue(
    name: str, *, fees: VenueFees, balance: Decimal, clock: Callable[[], datetime]
) -> BacktestPaperVenue:
    """A :class:`~atomic_fp.backtest.venue.SimulatedVenueFactory`: a paper venue with no
    markets yet, no automatic funding (the engine settles at each venue's real settlement
    times) and no ledger history kept (the engine records its own)."""
    return BacktestPaperVenue(
        name,
        (),
        fees=fees,
        balances={"USD": balance},
        clock=clock,
        auto_funding=False,
        ledger_retention=0,
    )


__all__ = ["BacktestPaperVenue", "backtest_venue", "retimed_margin"]
