"""The paper venue's speed-ups answer and book exactly what its old code did.

Each speed-up of ``adapters/paper`` (issue 20, the backtest's venue) keeps the code it
replaced here, verbatim, as the oracle: :class:`OldPaperVenue` and
:class:`OldBacktestVenue` are the current classes with those methods put back. Random
sequences of listings, mark moves (of held and flat symbols), rate and interval changes,
orders (reduce-only included), funding settlements, deposits and withdrawals, leverage
and margin-rule changes, under margins tight enough to liquidate, drive an old and a new
venue side by side; after every event the whole state (wallets, positions, ledgers,
orders, payments, funding history, liquidations) and every read are compared by value
and by ``repr`` (an equal Decimal of another exponent prints differently in a report).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from operator import attrgetter
from typing import Any, cast

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.backtest_account import retimed_margin
from adapters.paper.backtest_positions import _same_objects
from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.ledger import LedgerEntry, LedgerKind, SymbolLedger
from adapters.paper.margin import PaperMarginRules, liquidation_floor
from adapters.paper.records import PaperMarketState, PaperPosition
from adapters.paper.restamp import restamped, retimed, utc_instant
from adapters.paper.venue import PaperVenue
from atomic_fp.backtest.replay_state import call_now
from atomic_fp.clock import ManualClock
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    BookLevel,
    ExchangeIdentifier,
    FundingKind,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    Symbol,
    TimeInForce,
    VenueFees,
)
from atomic_fp.models.margin import AccountMargin, estimate_liquidation_price
from atomic_fp.rounding import ceil_to_step, floor_to_step

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOLS = (Symbol("AAA"), Symbol("BBB"), Symbol("CCC"), Symbol("DDD"))
SETTLES = ("USD", "USD", "USD", "USDC")
VENUE = ExchangeIdentifier("paper")


# --------------------------------------------------------------------------- the old code


class _OldCode:
    """The methods as they were before the speed-ups (mixed in first, so they win)."""

    def set_mark_price(self: Any, symbol: Symbol, price: Decimal) -> None:
        """Move the mark (and the synthetic book, when no explicit book is set)."""
        self._markets[symbol].mark_price = price
        self._match_resting(symbol)
        self._liquidate_if_due(self._markets[symbol].market.settle_asset)
        self._save()

    def position_size(self: Any, symbol: Symbol) -> Decimal:
        return Decimal(self._positions.get(symbol, PaperPosition()).size)

    def _book_entry(self: Any, entry: LedgerEntry) -> None:
        self._ledger_entries.append(entry)
        self._ledger[entry.symbol] = old_ledger_book(
            self._ledger.get(entry.symbol, SymbolLedger()), entry
        )
        self._balances[entry.asset] = self._balances.get(entry.asset, Decimal(0)) + entry.amount

    def _book(self: Any, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return cast(OrderBook, state.book)
        tick = state.market.tick_size
        offset = state.mark_price * state.half_spread
        bid = floor_to_step(state.mark_price - offset, tick)
        ask = ceil_to_step(state.mark_price + offset, tick)
        if ask <= bid:
            ask = bid + tick
        bids = (BookLevel(bid, state.depth),) if bid > 0 else ()
        return OrderBook(
            exchange=self._exchange,
            symbol=symbol,
            bids=bids,
            asks=(BookLevel(ask, state.depth),),
            timestamp=self.now(),
        )

    def _settle(self: Any, symbol: Symbol, at: datetime, rate: Decimal) -> FundingPayment | None:
        state = self._markets[symbol]
        self._funding_history.setdefault(symbol, []).append(
            FundingRate(
                exchange=self._exchange,
                symbol=symbol,
                rate=rate,
                interval=state.market.funding_interval,
                kind=FundingKind.SETTLED,
                observed_at=at,
                funding_time=at,
                mark_price=state.mark_price,
                venue_symbol=state.market.venue_symbol,
            )
        )
        size = self.position_size(symbol)
        if size == 0:
            return None
        amount = -rate * size * state.mark_price
        asset = state.market.settle_asset
        self._book_entry(LedgerEntry(at, symbol, LedgerKind.FUNDING, amount, asset, at.isoformat()))
        payment = FundingPayment(
            exchange=self._exchange,
            symbol=symbol,
            amount=amount,
            asset=asset,
            time=at,
            rate=rate,
            position_size=size,
        )
        self._payments.append(payment)
        self._liquidate_if_due(asset)
        return payment

    def _record(
        self: Any,
        request: OrderRequest,
        status: OrderStatus,
        filled: Decimal,
        average: Decimal | None,
        fee: Decimal,
    ) -> Order:
        """At f47b108 (before the order was built by ``_new_order``)."""
        self._counter += 1
        order = Order(
            exchange=self._exchange,
            symbol=request.symbol,
            client_order_id=request.client_order_id,
            side=request.side,
            size=request.size,
            status=status,
            filled_size=filled,
            average_price=average,
            venue_order_id=f"{self._exchange}-{self._counter}",
            reduce_only=request.reduce_only,
            fee=fee,
            updated_at=self.now(),
        )
        self._remember(order)
        return order

    def _funding_rate(self: Any, symbol: Symbol, now: datetime) -> FundingRate:
        state = self._markets[symbol]
        return FundingRate(
            exchange=self._exchange,
            symbol=symbol,
            rate=state.funding_rate,
            interval=state.market.funding_interval,
            kind=FundingKind.CURRENT,
            observed_at=now,
            next_funding_time=self._next_funding(state, now),
            mark_price=state.mark_price,
            index_price=state.mark_price,
            venue_symbol=state.market.venue_symbol,
        )

    def _may_be_due(self: Any, asset: str) -> bool:
        rules = self.margin_rules
        if not rules.liquidate:
            return False
        unrealized = Decimal(0)
        maintenance = Decimal(0)
        held = False
        for symbol, pos in self._positions.items():
            if pos.size == 0:
                continue
            state = self._markets[symbol]
            if state.market.settle_asset != asset:
                continue
            held = True
            mark = state.mark_price
            if mark and pos.entry_price:
                unrealized += (mark - pos.entry_price) * pos.size
            maintenance += abs(pos.size) * mark * rules.maintenance_rate
        if not held or maintenance <= 0:
            return False
        return bool(self._balances.get(asset, Decimal(0)) + unrealized <= maintenance)

    def _tick(self: Any) -> None:
        if self.auto_funding:
            self.settle_due()
        self._execute_late()


def old_ledger_book(ledger: SymbolLedger, entry: LedgerEntry) -> SymbolLedger:
    """``SymbolLedger.book`` before it built its answer with the constructor."""
    if entry.kind is LedgerKind.FEE:
        return attrs.evolve(ledger, fees=ledger.fees - entry.amount, trades=ledger.trades + 1)
    if entry.kind is LedgerKind.LIQUIDATION_FEE:
        return attrs.evolve(
            ledger,
            liquidation_fees=ledger.liquidation_fees - entry.amount,
            liquidations=ledger.liquidations + 1,
        )
    if entry.kind is LedgerKind.FUNDING:
        return attrs.evolve(ledger, funding=ledger.funding + entry.amount)
    return attrs.evolve(ledger, realized_pnl=ledger.realized_pnl + entry.amount)


class _OldBacktestCode:
    """The backtest venue's account reads before they were keyed by the holdings version
    (``adapters/paper/backtest.py`` at 05f40af)."""

    def _margin_key(self: Any, asset: str) -> list[object]:
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

    def margin(self: Any, asset: str | None = None) -> AccountMargin:
        if asset is None:
            return PaperVenue.margin(self, asset)
        memo = self._margin_memo
        key = self._margin_key(asset)
        cached = memo.get(asset)
        now = self.now()
        if cached is not None and _same_objects(cached[0], key) and utc_instant(now):
            margin: AccountMargin = cached[1]
            if margin.observed_at == now:
                return margin
            margin = retimed_margin(margin, now)
            memo[asset] = (key, margin)
            return margin
        computed = PaperVenue.margin(self, asset)
        memo[asset] = (key, computed)
        return computed

    def _raw_positions(self: Any, asset: str | None = None) -> list[Position]:
        now = self.now()
        if not utc_instant(now):
            return PaperVenue._raw_positions(self, asset)
        positions = []
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if pos.size == 0 or (asset is not None and state.market.settle_asset != asset):
                continue
            positions.append(self._raw_position(symbol, pos, state, now))
        return positions

    def _raw_position(
        self: Any, symbol: Symbol, pos: PaperPosition, state: PaperMarketState, now: datetime
    ) -> Position:
        market = state.market
        leverage = market.max_leverage or self.leverage
        key = (pos.size, pos.entry_price, state.mark_price, market, leverage)
        memo = self._raw_memo
        cached = memo.get(symbol)
        if cached is not None and _same_objects(cached[0], key):
            position = cast(Position, cached[1])
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

    def _rates_now(
        self: Any, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        now = self.now()
        if not utc_instant(now):
            return PaperVenue._rates_now(self, symbols)
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

    def _book(self: Any, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return cast(OrderBook, state.book)
        memo = self._levels_memo
        key = (state.mark_price, state.half_spread, state.market.tick_size, state.depth)
        cached = memo.get(symbol)
        if cached is None or not _same_objects(cached[0], key):
            book = PaperVenue._book(self, symbol)
            memo[symbol] = (key, book)
            return book
        book = cast(OrderBook, cached[1])
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

    def liquidation_floor(self: Any, asset: str) -> Decimal | None:
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

    def place_now(self: Any, request: OrderRequest) -> Result[Order, VenueError]:
        """At f47b108: the faults compared with a default built per order."""
        self._require_faultless("place_now")
        if self.faults != PaperFaults(rng=self.faults.rng) or request.expires_at is not None:
            raise RuntimeError("place_now: order faults and deadlines need place_order")
        self._tick()
        result = self._accept(request, OrderFault.NONE)
        self._save()
        return cast(Result[Order, VenueError], result)

    def position_now(self: Any, symbol: Symbol) -> Result[Position | None, VenueError]:
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
        return Success(restamped(mine, liquidation_price=estimate))


_MARKET = attrgetter("market")


class OldPaperVenue(_OldCode, PaperVenue):
    pass


class OldBacktestVenue(_OldBacktestCode, _OldCode, BacktestPaperVenue):
    pass


# --------------------------------------------------------------------------- the drive

_price = st.sampled_from(
    ["100", "100.0", "99.5", "101.25", "97", "95", "80", "70", "130", "1E+2"]
).map(Decimal)
_rate = st.sampled_from(["0.0001", "0.00010", "-0.0002", "0", "0E-8", "0.03"]).map(Decimal)
_symbol = st.integers(0, len(SYMBOLS) - 1)
_event = st.one_of(
    st.tuples(st.just("clock"), st.integers(1, 9000)),
    st.tuples(st.just("mark"), _symbol, _price),
    st.tuples(st.just("mark"), _symbol, _price),
    st.tuples(st.just("rate"), _symbol, _rate, st.sampled_from([None, 1, 4, 8])),
    st.tuples(
        st.just("order"),
        _symbol,
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(1, 9),
        st.booleans(),
    ),
    st.tuples(st.just("settle"), _symbol),
    st.tuples(st.just("deposit"), st.sampled_from(["-50", "25.5", "0.10", "-120"]).map(Decimal)),
    st.tuples(st.just("leverage"), st.sampled_from(["5", "5.0", "20"]).map(Decimal)),
    st.tuples(st.just("rules"), st.sampled_from(["0.3", "0.005", "0.30"]), st.booleans()),
    st.tuples(st.just("list"), _symbol, st.sampled_from(["USD", "USDC"]), _price),
    st.tuples(st.just("late"), _symbol, st.sampled_from([Side.BUY, Side.SELL]), st.integers(1, 9)),
    st.tuples(st.just("rates"), st.sampled_from([None, (0,), (1, 3), (2, 0, 9)])),
)


def make_venue(cls: type[PaperVenue], clock: ManualClock, tight: bool) -> PaperVenue:
    rules = PaperMarginRules(maintenance_rate=Decimal("0.3")) if tight else PaperMarginRules()
    venue = cls(
        "paper", (), fees=VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005")),
        balances={"USD": Decimal(300) if tight else Decimal(100000), "USDC": Decimal(200)},
        clock=clock, auto_funding=False, ledger_retention=0, margin_rules=rules,
    )  # fmt: skip
    for symbol, settle in zip(SYMBOLS, SETTLES, strict=True):
        venue.list_market(
            Market(
                exchange=VENUE, symbol=symbol, venue_symbol=f"{symbol.base}USDT",
                tick_size=Decimal("0.01"), lot_size=Decimal("0.001"),
                funding_interval=timedelta(hours=8), settle_asset=settle,
            ),
            mark_price=Decimal(100), funding_rate=Decimal("0.0001"),
            half_spread=Decimal("0.0005"), depth=Decimal(10) ** 6,
        )  # fmt: skip
    return venue


def apply(venue: PaperVenue, event: tuple[Any, ...], clock: ManualClock, index: int) -> object:
    """One event on ``venue``; returns what the call answered (compared too)."""
    kind = event[0]
    if kind == "mark":
        venue.set_mark_price(SYMBOLS[event[1]], event[2])
    elif kind == "rate":
        hours = event[3]
        venue.set_funding_rate(
            SYMBOLS[event[1]], event[2], None if hours is None else timedelta(hours=hours)
        )
    elif kind == "settle":
        return venue.settle_funding(SYMBOLS[event[1]], clock())
    elif kind == "deposit":
        venue.deposit(event[1])
    elif kind == "leverage":
        venue.leverage = event[1]
    elif kind == "rules":
        venue.margin_rules = PaperMarginRules(
            maintenance_rate=Decimal(event[1]), liquidate=event[2]
        )
    elif kind == "list":  # listed again: another settle asset, another mark
        state = venue.market_state(SYMBOLS[event[1]])
        venue.list_market(
            attrs.evolve(state.market, settle_asset=event[2]),
            mark_price=event[3],
            funding_rate=state.funding_rate,
            half_spread=state.half_spread,
            depth=state.depth,
        )
    elif kind == "late":  # answered "status unknown", executed by a later call's tick
        venue.faults.late_execution_next = 1
        venue.faults.late_execution_delay = (60.0, 60.0)
        request = OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[event[1]], side=event[2], size=Decimal(event[3]),
            client_order_id=f"late{index}", order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC,
        )  # fmt: skip
        answer = call_now(venue.place_order(request))
        venue.faults.late_execution_delay = (0.0, 3.0)
        return answer
    elif kind == "rates":
        wanted = None if event[1] is None else [SYMBOLS[i] for i in event[1] if i < len(SYMBOLS)]
        if isinstance(venue, BacktestPaperVenue):
            return venue.funding_rates_now(wanted)
        return call_now(venue.fetch_funding_rates(wanted))
    elif kind == "order":
        request = OrderRequest(
            exchange=VENUE, symbol=SYMBOLS[event[1]], side=event[2], size=Decimal(event[3]),
            client_order_id=f"o{index}", order_type=OrderType.MARKET,
            time_in_force=TimeInForce.IOC, reduce_only=event[4],
        )  # fmt: skip
        if isinstance(venue, BacktestPaperVenue):
            return venue.place_now(request)
        return call_now(venue.place_order(request))
    return None


def state_of(venue: PaperVenue) -> tuple[object, ...]:
    """Everything the venue holds and answers, as comparable values (each backtest read
    twice: the second answer is the memo's)."""
    direct: list[object] = []
    if isinstance(venue, BacktestPaperVenue):
        for _ in range(2):
            direct.append([venue.position_now(s).unwrap() for s in SYMBOLS])
            direct.append([venue.liquidation_floor(a) for a in ("USD", "USDC", "EUR")])
            direct.append(venue.positions_now().unwrap())
            direct.append(venue.funding_rates_now().unwrap())
    return (
        direct,
        venue._balances,
        [(s, p.size, p.entry_price) for s, p in venue._positions.items()],
        [(s, m.mark_price, m.funding_rate, m.market, m.next_funding_time) for s, m in
         venue._markets.items()],
        venue.liquidations,
        venue._ledger,
        venue.ledger(),
        venue.orders(),
        venue._payments,
        venue._funding_history,
        venue._counter,
        venue._positions_now().unwrap(),
        venue.margin("USD"),
        venue.margin("USDC"),
        venue._balances_now().unwrap(),
        [venue.book(s) for s in SYMBOLS],
        venue._rates_now(None).unwrap(),
    )  # fmt: skip


def same(old: object, new: object) -> None:
    assert old == new
    assert repr(old) == repr(new)


def drive(pair: tuple[type[PaperVenue], type[PaperVenue]], events: list[Any], tight: bool) -> None:
    clock = ManualClock(START)
    old, new = (make_venue(cls, clock, tight) for cls in pair)
    for index, event in enumerate(events):
        if event[0] == "clock":
            clock.set(clock() + timedelta(seconds=int(event[1])))
        same(apply(old, event, clock, index), apply(new, event, clock, index))
        same(state_of(old), state_of(new))


_EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_EXAMPLES
@given(events=st.lists(_event, min_size=1, max_size=50), tight=st.booleans())
def test_the_backtest_venue_equals_its_old_code(events: list[Any], tight: bool) -> None:
    drive((OldBacktestVenue, BacktestPaperVenue), events, tight)


@_EXAMPLES
@given(events=st.lists(_event, min_size=1, max_size=50), tight=st.booleans())
def test_the_paper_venue_equals_its_old_code(events: list[Any], tight: bool) -> None:
    """The live paper venue (``execute --paper``: the async calls) as well."""
    drive((OldPaperVenue, PaperVenue), events, tight)


# --------------------------------------------------------------------------- pinned cases


def _buy(venue: PaperVenue, symbol: Symbol, size: str, cid: str) -> None:
    request = OrderRequest(
        exchange=VENUE, symbol=symbol, side=Side.BUY, size=Decimal(size), client_order_id=cid,
        order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC,
    )  # fmt: skip
    assert call_now(venue.place_order(request)).unwrap().filled_size == Decimal(size)


@pytest.mark.parametrize("cls", [OldPaperVenue, PaperVenue, OldBacktestVenue, BacktestPaperVenue])
def test_a_flat_symbols_mark_liquidates_an_account_a_fill_left_due(cls: type[PaperVenue]) -> None:
    """A fill is not followed by a liquidation check, so an account it leaves at or below
    maintenance is liquidated by the next check: the next mark move of ANY symbol in the
    asset, a flat one included. The memo must not answer "not due" from before the fill."""
    clock = ManualClock(START)
    venue = make_venue(cls, clock, tight=True)  # wallet 300, maintenance 30 %
    venue.set_mark_price(SYMBOLS[1], Decimal(101))  # the memo now holds "not due" (flat)
    _buy(venue, SYMBOLS[0], "9", "big")  # 900 notional: maintenance 270 of equity ~299.5
    assert venue.liquidations == []
    venue.set_mark_price(SYMBOLS[1], Decimal(102))  # equity 299.5 > 270: not yet
    assert venue.liquidations == []
    venue.deposit(Decimal(-40))  # equity ~259.5 <= 270: due, nothing checked yet
    assert venue.liquidations == []
    venue.set_mark_price(SYMBOLS[1], Decimal(103))  # a flat symbol's mark
    assert [liq.position.symbol for liq in venue.liquidations] == [SYMBOLS[0]]


@pytest.mark.parametrize("cls", [OldPaperVenue, PaperVenue, BacktestPaperVenue])
def test_a_held_legs_mark_move_is_checked_again(cls: type[PaperVenue]) -> None:
    """A held leg's mark is in the account's sums: its move is checked afresh, though the
    wallet and the positions are the objects the last "not due" was computed from."""
    clock = ManualClock(START)
    venue = make_venue(cls, clock, tight=True)
    _buy(venue, SYMBOLS[0], "9", "big")  # maintenance 270 of equity ~299.5
    venue.set_mark_price(SYMBOLS[1], Decimal(101))  # checked: not due
    venue.set_mark_price(SYMBOLS[0], Decimal(97))  # equity 272.5 > 261.9: not due
    assert venue.liquidations == []
    venue.set_mark_price(SYMBOLS[0], Decimal(95))  # equity 254.5 <= 256.5: due
    assert [liq.position.symbol for liq in venue.liquidations] == [SYMBOLS[0]]


def test_a_flat_symbols_mark_move_sums_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the memo saves, counted: mark moves of flat symbols with nothing else changed
    ask the sums once, a held leg's move asks them again."""
    clock = ManualClock(START)
    venue = make_venue(BacktestPaperVenue, clock, tight=False)
    _buy(venue, SYMBOLS[0], "1", "one")
    calls: list[str] = []
    original = BacktestPaperVenue._account_sums

    def counting(
        self: BacktestPaperVenue, asset: str, rules: PaperMarginRules
    ) -> tuple[bool, Decimal, Decimal]:
        calls.append(asset)
        return original(self, asset, rules)

    monkeypatch.setattr(BacktestPaperVenue, "_account_sums", counting)
    for price in ("101", "102", "103", "104"):
        venue.set_mark_price(SYMBOLS[1], Decimal(price))
        venue.set_mark_price(SYMBOLS[2], Decimal(price))
    assert calls == ["USD"]
    venue.set_mark_price(SYMBOLS[0], Decimal(99))  # the held leg: its mark is in the sums
    venue.set_mark_price(SYMBOLS[1], Decimal(100))
    assert calls == ["USD", "USD"]
    venue.settle_funding(SYMBOLS[0], clock())  # the wallet alone moves: no new sums
    venue.deposit(Decimal(-1))
    venue.set_mark_price(SYMBOLS[1], Decimal(101))
    assert calls == ["USD", "USD"]
    assert venue.balance() != Decimal(100000)


_amount = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=8, min_value=-(10**9), max_value=10**9
    ),
    st.sampled_from(["0", "-0", "0E-8", "1E+3", "0.10"]).map(Decimal),
)


@given(
    entries=st.lists(st.tuples(st.sampled_from(list(LedgerKind)), _amount), max_size=30),
)
def test_ledger_booking_equals_attrs_evolve(entries: list[tuple[LedgerKind, Decimal]]) -> None:
    new = old = SymbolLedger()
    for kind, amount in entries:
        entry = LedgerEntry(START, SYMBOLS[0], kind, amount, "USD")
        new, old = new.book(entry), old_ledger_book(old, entry)
        same(old, new)


def _refusals(cls: type[PaperVenue], mark: Decimal, rate: Decimal) -> tuple[object, ...]:
    """What reading and settling a rate answer (or raise) with this mark and rate, and
    what the venue booked and kept."""
    clock = ManualClock(START)
    venue = make_venue(cls, clock, tight=False)
    venue._markets[SYMBOLS[0]].mark_price = mark  # a driver's bad input, unchecked
    venue.set_funding_rate(SYMBOLS[0], rate)
    seen = []
    for read in (True, False):
        try:
            if read:
                seen.append(repr(venue._rates_now([SYMBOLS[0]])))
            else:
                seen.append(repr(venue.settle_funding(SYMBOLS[0], clock())))
        except (ValueError, TypeError, ArithmeticError) as error:
            seen.append(f"{type(error).__name__}: {error}")
    return seen, venue._balances, venue._funding_history, venue._payments


@pytest.mark.parametrize(
    "mark, rate",
    [
        (Decimal(100), Decimal("NaN")),
        (Decimal(100), Decimal("Infinity")),
        (Decimal(0), Decimal("0.0001")),
        (Decimal(-5), Decimal("0.0001")),
        (Decimal("sNaN"), Decimal("0.0001")),
    ],
)
@pytest.mark.parametrize(
    "pair", [(OldPaperVenue, PaperVenue), (OldBacktestVenue, BacktestPaperVenue)]
)
def test_a_bad_rate_or_mark_is_refused_as_before(
    pair: tuple[type[PaperVenue], type[PaperVenue]], mark: Decimal, rate: Decimal
) -> None:
    """The rates built by ``checked_funding_rate`` refuse what ``FundingRate(...)`` refused,
    with the same error, when read and when settled (nothing is booked on it)."""
    old, new = (_refusals(cls, mark, rate) for cls in pair)
    first = old[0]
    assert isinstance(first, list)
    assert first[0].startswith(("ValueError", "InvalidOperation"))
    same(old, new)


@pytest.mark.parametrize("cls", [OldPaperVenue, PaperVenue, OldBacktestVenue, BacktestPaperVenue])
def test_a_stricter_maintenance_rule_is_checked_again(cls: type[PaperVenue]) -> None:
    """The sums key on the rules object: raising the maintenance rate while a position is
    open makes the next check (a flat symbol's mark) liquidate (review: five events in this
    order, which the random sequences above did not produce)."""
    clock = ManualClock(START)
    venue = make_venue(cls, clock, tight=False)  # wallet 100,000, maintenance 0.5 %
    venue.deposit(Decimal(-99700))  # wallet 300
    _buy(venue, SYMBOLS[0], "9", "big")  # 900 notional: maintenance 4.5
    venue.set_mark_price(SYMBOLS[1], Decimal(101))  # checked: not due
    venue.margin_rules = PaperMarginRules(maintenance_rate=Decimal("0.5"))  # 450 > ~300
    venue.set_mark_price(SYMBOLS[1], Decimal(102))
    assert [liq.position.symbol for liq in venue.liquidations] == [SYMBOLS[0]]


@pytest.mark.parametrize("cls", [OldPaperVenue, PaperVenue, BacktestPaperVenue])
def test_a_held_symbol_listed_again_at_another_mark_is_checked_again(
    cls: type[PaperVenue],
) -> None:
    """Listing a held symbol again replaces its mark: the next check reads the new one
    (review: the random sequences never list a market twice)."""
    clock = ManualClock(START)
    venue = make_venue(cls, clock, tight=True)  # wallet 300, maintenance 30 %
    _buy(venue, SYMBOLS[0], "9", "big")  # maintenance 270 of equity ~299.5
    venue.set_mark_price(SYMBOLS[1], Decimal(101))  # checked: not due
    held = venue.market_state(SYMBOLS[0])
    venue.list_market(
        held.market,
        mark_price=Decimal(95),
        funding_rate=Decimal(0),
        half_spread=held.half_spread,
        depth=held.depth,
    )  # equity 254.5 <= 256.5: due
    venue.set_mark_price(SYMBOLS[1], Decimal(102))
    assert [liq.position.symbol for liq in venue.liquidations] == [SYMBOLS[0]]


def test_flat_mark_moves_ask_the_liquidation_check_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the backtest venue's "not due" saves, counted: mark moves of flat symbols ask
    the check once while nothing it reads changed; a held leg's mark, a wallet change (a
    settlement, a deposit) or new rules each make the next move ask again."""
    clock = ManualClock(START)
    venue = make_venue(BacktestPaperVenue, clock, tight=False)
    _buy(venue, SYMBOLS[0], "1", "one")
    asked: list[str] = []
    original = PaperVenue._may_be_due

    def counting(self: PaperVenue, asset: str) -> bool:
        asked.append(asset)
        return original(self, asset)

    monkeypatch.setattr(PaperVenue, "_may_be_due", counting)
    for price in ("101", "102", "103", "104"):
        venue.set_mark_price(SYMBOLS[1], Decimal(price))
        venue.set_mark_price(SYMBOLS[2], Decimal(price))
    assert asked == ["USD"]
    venue.set_mark_price(SYMBOLS[0], Decimal(99))  # the held leg: asked again
    venue.set_mark_price(SYMBOLS[1], Decimal(100))
    assert asked == ["USD", "USD"]
    venue.settle_funding(SYMBOLS[0], clock())  # the wallet moved: the settlement asks
    venue.set_mark_price(SYMBOLS[1], Decimal(101))
    assert asked == ["USD"] * 3
    venue.deposit(Decimal(-1))
    venue.set_mark_price(SYMBOLS[1], Decimal(102))
    venue.set_mark_price(SYMBOLS[2], Decimal(102))
    assert asked == ["USD"] * 4
    venue.margin_rules = PaperMarginRules(maintenance_rate=Decimal("0.005"))  # equal, new
    venue.set_mark_price(SYMBOLS[1], Decimal(103))
    assert asked == ["USD"] * 5
    venue.set_mark_price(SYMBOLS[3], Decimal(103))  # another settle asset: its own answer
    venue.set_mark_price(SYMBOLS[3], Decimal(104))
    assert asked == ["USD"] * 5 + ["USDC"]
