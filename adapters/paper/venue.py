"""An in-process venue implementing :class:`~atomic_fp.venue.VenueClient`.

What it simulates:

- markets with the venue's rules (tick, lot, minimum size and notional, multiplier,
  funding interval); orders off the lot or tick are refused as a real venue would;
- order matching against a book: an explicit book (:meth:`PaperVenue.set_book`), or a
  synthetic one around the mark price (:meth:`PaperVenue.set_mark_price`), or one mirrored
  from another venue's live data (:meth:`PaperVenue.sync_from`). Books are not consumed
  by fills unless ``consume_liquidity`` is set (a static book replenishes);
- IOC / FOK / GTC / post-only, reduce-only (clipped to the position, refused when it would
  increase it), duplicate client order ids refused (which is what makes deterministic
  client ids safe to retry);
- maker/taker fees, positions with average entry price, realised PnL, balances;
- funding settled at each interval boundary with the rate and mark of that time. Sign
  convention: a positive rate means longs pay shorts; the account receives
  ``-rate * size * mark`` (venue size times venue-unit mark = base size times base mark);
- a ledger of fees, funding and realised PnL per symbol, funding history and payments;
- fault knobs (:class:`~adapters.paper.faults.PaperFaults`) and submit timestamps.

Time comes only from the injected ``clock`` (a callable returning an aware UTC datetime);
the wall clock is read only when no clock is given. Randomness comes only from the faults'
injected ``random.Random``. With ``state_path`` the whole dynamic state is written to a JSON
file after every change and read back on construction, so a killed process leaves the venue
as it was (used by crash drills).

Driver API (for tests and the backtester): :meth:`set_book`, :meth:`set_mark_price`,
:meth:`set_funding_rate`, :meth:`advance_to`, :meth:`settle_due`, :meth:`settle_funding`,
:meth:`ledger`, :meth:`ledger_entries`, :meth:`position_size`, :meth:`balance`,
:attr:`faults`, :attr:`submit_log`, :meth:`orders`.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import anyio
import attrs
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters.paper.clock import ManualClock
from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.ledger import LedgerEntry, LedgerKind, SymbolLedger
from adapters.paper.margin import (
    PaperLiquidation,
    PaperMarginRules,
    account_margin,
    liquidation_due,
)
from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    NetworkError,
    NotSent,
    OrderNotFound,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    ASSUMED_FEES,
    DEFAULT_FEES,
    Balance,
    BookLevel,
    FeeQuote,
    FeeSource,
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
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.operations import outcome
from atomic_fp.rounding import ceil_to_step as ceil_to
from atomic_fp.rounding import floor_to_step as floor_to
from atomic_fp.serialization import converter
from atomic_fp.venue import Capability, VenueClient

Clock = Callable[[], datetime]
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DEFAULT_DEPTH = Decimal(1_000_000)


def next_boundary(now: datetime, interval: timedelta) -> datetime:
    """The first funding boundary strictly after ``now`` (boundaries are multiples of the
    interval since the Unix epoch, i.e. 00:00/08:00/16:00 UTC for 8 h)."""
    elapsed = now - _EPOCH
    periods = elapsed // interval
    return _EPOCH + (periods + 1) * interval


@attrs.define
class PaperMarketState:
    market: Market
    mark_price: Decimal
    funding_rate: Decimal = Decimal(0)
    next_funding_time: datetime | None = None
    book: OrderBook | None = None
    """Explicit book; ``None`` = synthetic book around the mark."""
    half_spread: Decimal = Decimal("0.0001")
    """Half the synthetic book's spread, as a fraction of the mark."""
    depth: Decimal = _DEFAULT_DEPTH
    """Size (venue units) of the synthetic book's single level on each side."""


@attrs.define
class PaperPosition:
    size: Decimal = Decimal(0)
    entry_price: Decimal = Decimal(0)


@attrs.frozen
class SubmitRecord:
    """When an order call started (``submitted``) and reached the matching engine
    (``arrived``; ``None`` if it never did), as ``time.perf_counter()`` readings."""

    client_order_id: str
    submitted: float
    arrived: float | None


T = TypeVar("T")

_SEQUENCE = itertools.count()
"""One counter for every paper venue of the process: call events are totally ordered."""


@attrs.frozen
class CallEvent:
    """A venue call starting (``start``), answering (``end``) or never answering
    (``unanswered``: its caller gave up on it, or it raised). ``seq`` orders the events of
    all paper venues of a process, so a test can assert that two calls overlapped by the
    order of their events, without reading any clock (a loaded machine makes clocks
    unreliable witnesses)."""

    seq: int
    venue: str
    call: str
    phase: str


class PaperVenue:
    """A full in-process venue. See the module docstring."""

    def __init__(
        self,
        exchange: ExchangeIdentifier | str,
        markets: Iterable[PaperMarketState | Market] = (),
        *,
        fees: VenueFees = DEFAULT_FEES,
        balances: Mapping[str, Decimal] | None = None,
        clock: Clock | None = None,
        faults: PaperFaults | None = None,
        state_path: Path | str | None = None,
        auto_funding: bool = True,
        consume_liquidity: bool = False,
        leverage: Decimal = Decimal(10),
        order_retention: int | None = None,
        ledger_retention: int | None = None,
        submit_log_size: int = 10_000,
        margin_rules: PaperMarginRules | None = None,
        client_clock: Clock | None = None,
    ) -> None:
        self._exchange = (
            exchange if isinstance(exchange, ExchangeIdentifier) else ExchangeIdentifier(exchange)
        )
        self.fees = fees
        self._clock = clock
        self.faults = faults if faults is not None else PaperFaults()
        self.auto_funding = auto_funding
        self.consume_liquidity = consume_liquidity
        self.leverage = leverage
        self.margin_rules = margin_rules if margin_rules is not None else PaperMarginRules()
        self.liquidations: list[PaperLiquidation] = []
        self._markets: dict[Symbol, PaperMarketState] = {}
        self._positions: dict[Symbol, PaperPosition] = {}
        self._balances: dict[str, Decimal] = dict(balances or {"USD": Decimal(100_000)})
        self._orders: OrderedDict[str, Order] = OrderedDict()
        self._order_retention = order_retention
        self._resting: dict[str, OrderRequest] = {}
        self._late: dict[str, tuple[OrderRequest, datetime, datetime | None]] = {}
        """Orders answered "status unknown": (request, execution time, valid until), all
        in venue time."""
        self.client_clock = client_clock
        """The clock of the process sending orders (default: the venue's own): used only to
        turn an order's ``expires_at`` into a deadline in venue time."""
        self._ledger_entries: deque[LedgerEntry] = deque(maxlen=ledger_retention)
        self._ledger: dict[Symbol, SymbolLedger] = {}
        self._funding_history: dict[Symbol, list[FundingRate]] = {}
        self._payments: list[FundingPayment] = []
        self._counter = 0
        self.submit_log: deque[SubmitRecord] = deque(maxlen=submit_log_size)
        self.calls: dict[str, int] = {}
        self.call_log: deque[CallEvent] = deque(maxlen=submit_log_size)
        self._state_path = Path(state_path) if state_path is not None else None
        for state in markets:
            if isinstance(state, Market):
                raise TypeError("give a PaperMarketState (a Market needs a mark price)")
            self.add_market(state)
        if self._state_path is not None and self._state_path.exists():
            self._load()

    # ------------------------------------------------------------------ driver API

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability)

    def now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now(timezone.utc)

    def add_market(self, state: PaperMarketState) -> None:
        if state.market.exchange != self._exchange:
            state = attrs.evolve(state, market=attrs.evolve(state.market, exchange=self._exchange))
        self._markets[state.market.symbol] = state
        self._ledger.setdefault(state.market.symbol, SymbolLedger())

    def list_market(
        self,
        market: Market,
        *,
        mark_price: Decimal,
        funding_rate: Decimal,
        half_spread: Decimal,
        depth: Decimal,
    ) -> None:
        """:meth:`add_market` in the backtest's terms (``SimulatedVenue``)."""
        self.add_market(
            PaperMarketState(
                market=market,
                mark_price=mark_price,
                funding_rate=funding_rate,
                half_spread=half_spread,
                depth=depth,
            )
        )

    def market_state(self, symbol: Symbol) -> PaperMarketState:
        return self._markets[symbol]

    def set_book(
        self,
        symbol: Symbol,
        bids: Sequence[tuple[Decimal, Decimal]],
        asks: Sequence[tuple[Decimal, Decimal]],
    ) -> None:
        """Replace the book with explicit levels ``(price, size)``, best first."""
        state = self._markets[symbol]
        state.book = OrderBook(
            exchange=self._exchange,
            symbol=symbol,
            bids=tuple(BookLevel(p, s) for p, s in bids),
            asks=tuple(BookLevel(p, s) for p, s in asks),
            timestamp=self.now(),
        )
        self._match_resting(symbol)
        self._save()

    def use_synthetic_book(
        self, symbol: Symbol, half_spread: Decimal | None = None, depth: Decimal | None = None
    ) -> None:
        state = self._markets[symbol]
        state.book = None
        if half_spread is not None:
            state.half_spread = half_spread
        if depth is not None:
            state.depth = depth
        self._save()

    def set_mark_price(self, symbol: Symbol, price: Decimal) -> None:
        """Move the mark (and the synthetic book, when no explicit book is set)."""
        self._markets[symbol].mark_price = price
        self._match_resting(symbol)
        self._liquidate_if_due(self._markets[symbol].market.settle_asset)
        self._save()

    def set_funding_rate(
        self, symbol: Symbol, rate: Decimal, interval: timedelta | None = None
    ) -> None:
        """The rate accruing for the period in progress; ``interval`` changes the
        market's funding interval (venues do change them) and re-aligns the next boundary."""
        state = self._markets[symbol]
        state.funding_rate = rate
        if interval is not None and interval != state.market.funding_interval:
            state.market = attrs.evolve(state.market, funding_interval=interval)
            state.next_funding_time = None
        self._save()

    def settle_due(self, now: datetime | None = None) -> int:
        """Settle every funding boundary up to ``now`` (default: the clock) with each
        symbol's current rate and mark. Returns how many settlements happened."""
        at = now if now is not None else self.now()
        count = 0
        for symbol, state in self._markets.items():
            if state.next_funding_time is None:
                state.next_funding_time = next_boundary(at, state.market.funding_interval)
                continue
            while state.next_funding_time <= at:
                self._settle(symbol, state.next_funding_time, state.funding_rate)
                state.next_funding_time += state.market.funding_interval
                count += 1
        if count:
            self._save()
        return count

    def advance_to(self, now: datetime) -> int:
        """Driver: move the venue's :class:`ManualClock` (when it has one) to ``now`` and
        settle every funding boundary crossed. Returns how many settlements happened."""
        if isinstance(self._clock, ManualClock):
            self._clock.set(now)
        return self.settle_due(now)

    def settle_funding(
        self, symbol: Symbol, at: datetime, rate: Decimal | None = None
    ) -> FundingPayment | None:
        """Settle one funding payment now, explicitly (for drivers that know the venue's
        real settlement times). Returns the payment, or ``None`` when flat."""
        state = self._markets[symbol]
        payment = self._settle(symbol, at, state.funding_rate if rate is None else rate)
        self._save()
        return payment

    def ledger(self, symbol: Symbol | None = None) -> SymbolLedger:
        """Totals for one symbol, or summed over all symbols."""
        if symbol is not None:
            return self._ledger.get(symbol, SymbolLedger())
        total = SymbolLedger()
        for entry in self._ledger.values():
            total = SymbolLedger(
                funding=total.funding + entry.funding,
                fees=total.fees + entry.fees,
                realized_pnl=total.realized_pnl + entry.realized_pnl,
                trades=total.trades + entry.trades,
                liquidation_fees=total.liquidation_fees + entry.liquidation_fees,
                liquidations=total.liquidations + entry.liquidations,
            )
        return total

    def ledger_entries(self) -> tuple[LedgerEntry, ...]:
        return tuple(self._ledger_entries)

    def position_size(self, symbol: Symbol) -> Decimal:
        """Signed position in venue units (0 when flat)."""
        return self._positions.get(symbol, PaperPosition()).size

    def position_base(self, symbol: Symbol) -> Decimal:
        return self.position_size(symbol) * self._markets[symbol].market.contract_multiplier

    def balance(self, asset: str = "USD") -> Decimal:
        balance = self._balances.get(asset)  # no Decimal(0) built per read of a known asset
        return balance if balance is not None else Decimal(0)

    def deposit(self, amount: Decimal, asset: str = "USD") -> None:
        """Collateral transferred in (or out, when negative): what a user does after
        ``atomic-fp collateral`` suggests a move. Not a ledger entry (no symbol's PnL)."""
        self._balances[asset] = self._balances.get(asset, Decimal(0)) + amount
        self._save()

    def orders(self) -> tuple[Order, ...]:
        return tuple(self._orders.values())

    def order(self, client_order_id: str) -> Order | None:
        return self._orders.get(client_order_id)

    def book(self, symbol: Symbol) -> OrderBook:
        return self._book(symbol)

    async def sync_from(
        self, source: VenueClient, symbols: Collection[Symbol] | None = None
    ) -> Result[None, VenueError]:
        """Mirror another venue's live books, marks and funding rates for ``symbols``
        (default: every paper market). The first failure is returned; nothing is guessed."""
        wanted = list(symbols) if symbols is not None else list(self._markets)
        rates = await outcome(source.fetch_funding_rates(wanted))
        if isinstance(rates, Failure):
            return Failure(rates.failure())
        by_symbol = {rate.symbol: rate for rate in rates.unwrap()}
        for symbol in wanted:
            book = await outcome(source.fetch_order_book(symbol))
            if isinstance(book, Failure):
                return Failure(book.failure())
            levels = book.unwrap()
            self.set_book(
                symbol,
                [(lvl.price, lvl.size) for lvl in levels.bids],
                [(lvl.price, lvl.size) for lvl in levels.asks],
            )
            rate = by_symbol.get(symbol)
            if rate is not None:
                self.set_funding_rate(symbol, rate.payable, rate.interval)
                if rate.mark_price is not None:
                    self.set_mark_price(symbol, rate.mark_price)
        return Success(None)

    # ------------------------------------------------------------------ VenueClient

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return guarded(str(self._exchange), self._read("markets", self._markets_now))

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """What this paper venue charges: its configured fees (source ``config``), or the
        assumed default when none were given."""
        if self.fees == DEFAULT_FEES:
            return FutureResult.from_value(ASSUMED_FEES)
        return FutureResult.from_value(FeeQuote(self.fees, FeeSource.CONFIG, "paper venue fees"))

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(
            str(self._exchange), self._read("funding_rates", lambda: self._rates_now(symbols))
        )

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return guarded(
            str(self._exchange), self._read("book", lambda: self._book_now(symbol, depth))
        )

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return guarded(str(self._exchange), self._read("positions", self._positions_now))

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        return guarded(str(self._exchange), self._read("margin", lambda: Success(self.margin())))

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return guarded(str(self._exchange), self._read("balances", self._balances_now))

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return guarded(str(self._exchange), self._answer("place_order", self._place(request)))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(
            str(self._exchange),
            self._write("cancel", lambda: self._cancel_now(symbol, client_order_id)),
        )

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(
            str(self._exchange), self._read("order", lambda: self._order_now(client_order_id))
        )

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(
            str(self._exchange),
            self._read("funding_history", lambda: self._history_now(symbol, start, end)),
        )

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        def payments() -> Result[tuple[FundingPayment, ...], VenueError]:
            return Success(tuple(p for p in self._payments if start <= p.time < end))

        return guarded(str(self._exchange), self._read("funding_payments", payments))

    async def aclose(self) -> None:
        return None

    # ------------------------------------------------------------------ call plumbing

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self._event(name, "start")

    def _event(self, name: str, phase: str) -> None:
        self.call_log.append(CallEvent(next(_SEQUENCE), str(self._exchange), name, phase))

    async def _delay(self, seconds: float) -> None:
        if seconds > 0:
            await anyio.sleep(seconds)

    async def _answer(self, name: str, call: Awaitable[T]) -> T:
        """Await ``call``, logging its ``end``, or ``unanswered`` when it never returned
        (cancelled by a caller's timeout, or raised)."""
        answered = False
        try:
            result = await call
            answered = True
            return result
        finally:
            self._event(name, "end" if answered else "unanswered")

    async def _read(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        self._count(name)
        return await self._answer(name, self._read_now(name, work))

    async def _read_now(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        venue = str(self._exchange)
        if self.faults.down:
            return Failure(NetworkError(venue, f"{name}: venue is down (connection refused)"))
        await self._delay(self.faults.latency)
        if self.faults.read_fails():
            return Failure(NetworkError(venue, f"{name}: injected read failure"))
        self._tick()
        result = work()
        await self._delay(self.faults.response_latency)
        return result

    async def _write(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        self._count(name)
        return await self._answer(name, self._write_now(name, work))

    async def _write_now(
        self, name: str, work: Callable[[], Result[Any, VenueError]]
    ) -> Result[Any, VenueError]:
        if self.faults.down:
            return Failure(NotSent(str(self._exchange), f"{name}: venue is down"))
        await self._delay(self.faults.latency)
        self._tick()
        result = work()
        self._save()
        await self._delay(self.faults.response_latency)
        return result

    def _tick(self) -> None:
        if self.auto_funding:
            self.settle_due()
        self._execute_late()

    def _valid_until(self, request: OrderRequest) -> datetime | None:
        """The order's deadline in venue time, as Binance sees ``timestamp`` +
        ``recvWindow`` from an offset-synced client: the time left until ``expires_at``
        on the client's clock (``client_clock``, default the venue's), counted from now
        on the venue's clock. A venue clock skewed from ours thus neither refuses every
        order nor accepts stale ones."""
        if request.expires_at is None:
            return None
        now = self.now()
        client_now = self.client_clock() if self.client_clock is not None else now
        return now + (request.expires_at - client_now)

    def _execute_late(self) -> None:
        """Execute late orders that are due (in arrival order), inside their validity
        window; one whose execution time falls past its ``expires_at`` expires unseen."""
        now = self.now()
        due = [cid for cid, (_, at, _) in self._late.items() if at <= now]
        for cid in due:
            request, at, valid_until = self._late.pop(cid)
            if valid_until is None or at <= valid_until:
                self._accept(request, OrderFault.NONE)
        if due:
            self._save()

    async def _place(self, request: OrderRequest) -> Result[Order, VenueError]:
        self._count("place_order")
        venue = str(self._exchange)
        submitted = time.perf_counter()
        if self.faults.down:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            return Failure(NotSent(venue, "place_order: venue is down (connection refused)"))
        fault = self.faults.next_order_fault()
        valid_until = self._valid_until(request)
        await self._delay(self.faults.latency + self.faults.order_latency)
        if fault is OrderFault.DROP:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            await self._delay(self.faults.response_latency)
            return Failure(Ambiguous(venue, "place_order: timed out (injected drop)"))
        self._tick()
        if valid_until is not None and self.now() > valid_until:
            # Binance -1021: the request arrived outside its recvWindow; never acted on.
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            return self._reject(
                f"order arrived after its deadline {valid_until.isoformat()} (venue time)",
                "expired",
            )
        if fault is OrderFault.LATE_EXECUTION and request.client_order_id not in self._late:
            self.submit_log.append(SubmitRecord(request.client_order_id, submitted, None))
            at = self.now() + timedelta(seconds=self.faults.late_delay())
            self._late[request.client_order_id] = (request, at, valid_until)
            self._save()
            await self._delay(self.faults.response_latency)
            return Failure(
                Ambiguous(venue, "place_order: HTTP 503, execution status unknown", "-1007")
            )
        self.submit_log.append(
            SubmitRecord(request.client_order_id, submitted, time.perf_counter())
        )
        self._tick()
        result = self._accept(request, fault)
        self._save()
        await self._delay(self.faults.response_latency)
        if fault is OrderFault.TIMEOUT_AFTER_FILL and isinstance(result, Success):
            return Failure(Ambiguous(venue, "place_order: timed out waiting for the answer"))
        return result

    # ------------------------------------------------------------------ reads

    def _markets_now(self) -> Result[tuple[Market, ...], VenueError]:
        return Success(tuple(state.market for state in self._markets.values()))

    def _rates_now(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        now = self.now()
        wanted = self._markets if symbols is None else [s for s in symbols if s in self._markets]
        return Success(tuple(self._funding_rate(symbol, now) for symbol in wanted))

    def _next_funding(self, state: PaperMarketState, now: datetime) -> datetime:
        """When ``state``'s market settles next, as its rates report it."""
        return state.next_funding_time or next_boundary(now, state.market.funding_interval)

    def _funding_rate(self, symbol: Symbol, now: datetime) -> FundingRate:
        """The rate of the period in progress of listed ``symbol``, observed ``now``."""
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

    def _book(self, symbol: Symbol) -> OrderBook:
        state = self._markets[symbol]
        if state.book is not None:
            return state.book
        tick = state.market.tick_size
        offset = state.mark_price * state.half_spread
        bid = floor_to(state.mark_price - offset, tick)
        ask = ceil_to(state.mark_price + offset, tick)
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

    def _book_now(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if symbol not in self._markets:
            return Failure(UnknownSymbol(str(self._exchange), f"{symbol} is not listed"))
        book = self._book(symbol)
        return Success(attrs.evolve(book, bids=book.bids[:depth], asks=book.asks[:depth]))

    def _raw_positions(self, asset: str | None = None) -> list[Position]:
        """Open positions (of one settle asset), without liquidation prices."""
        now = self.now()
        positions = []
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if pos.size == 0 or (asset is not None and state.market.settle_asset != asset):
                continue
            positions.append(
                Position(
                    exchange=self._exchange,
                    symbol=symbol,
                    size=pos.size,
                    observed_at=now,
                    contract_multiplier=state.market.contract_multiplier,
                    entry_price=pos.entry_price,
                    mark_price=state.mark_price,
                    unrealized_pnl=(state.mark_price - pos.entry_price) * pos.size,
                    leverage=state.market.max_leverage or self.leverage,
                )
            )
        return positions

    def margin(self, asset: str | None = None) -> AccountMargin:
        """The cross-margin account of ``asset`` (default: the first market's settle
        asset), by :mod:`adapters.paper.margin`."""
        if asset is None:
            first = next(iter(self._markets.values()), None)
            asset = first.market.settle_asset if first is not None else "USD"
        return account_margin(
            exchange=self._exchange,
            asset=asset,
            wallet=self._balances.get(asset, Decimal(0)),
            positions=self._raw_positions(asset),
            rules=self.margin_rules,
            now=self.now(),
            listed=[
                symbol
                for symbol, state in self._markets.items()
                if state.market.settle_asset == asset
            ],
        )

    def _positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        positions = []
        for asset in sorted({self._markets[s].market.settle_asset for s in self._positions}):
            for leg in self.margin(asset).legs:
                positions.append(
                    attrs.evolve(leg.position, liquidation_price=leg.liquidation_price)
                )
        return Success(tuple(positions))

    def _may_be_due(self, asset: str) -> bool:
        """:func:`liquidation_due` of :meth:`margin`, by the same sums in the same order
        but without building a ``Position`` per leg (every mark move and settlement asks
        this; building the account's models each time was most of a backtest's run)."""
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
        return self._balances.get(asset, Decimal(0)) + unrealized <= maintenance

    def _liquidate_if_due(self, asset: str) -> None:
        """Close every position of ``asset`` at its mark when equity <= maintenance."""
        if not self._may_be_due(asset):
            return
        margin = self.margin(asset)
        if not liquidation_due(margin, self.margin_rules):
            return
        assert margin.maintenance_margin is not None
        now = self.now()
        for leg in margin.legs:
            position = leg.position
            pos = self._positions[position.symbol]
            price = self._markets[position.symbol].mark_price
            realized = (price - pos.entry_price) * pos.size
            fee = abs(pos.size) * price * self.margin_rules.liquidation_fee
            reference = f"liquidation-{now.isoformat()}"
            pos.size, pos.entry_price = Decimal(0), Decimal(0)
            if realized != 0:
                self._book_entry(
                    LedgerEntry(
                        now, position.symbol, LedgerKind.REALIZED_PNL, realized, asset, reference
                    )
                )
            self._book_entry(
                LedgerEntry(
                    now, position.symbol, LedgerKind.LIQUIDATION_FEE, -fee, asset, reference
                )
            )
            self.liquidations.append(
                PaperLiquidation(
                    time=now,
                    exchange=self._exchange,
                    position=position,
                    price=price,
                    realized_pnl=realized,
                    fee=fee,
                    equity=margin.equity,
                    maintenance_margin=margin.maintenance_margin,
                )
            )

    def _margin_used(self, asset: str) -> Decimal:
        used = Decimal(0)
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if state.market.settle_asset == asset:
                used += (
                    abs(pos.size) * state.mark_price / (state.market.max_leverage or self.leverage)
                )
        return used

    def _balances_now(self) -> Result[tuple[Balance, ...], VenueError]:
        now = self.now()
        return Success(
            tuple(
                Balance(
                    exchange=self._exchange,
                    asset=asset,
                    total=total,
                    available=total - self._margin_used(asset),
                    observed_at=now,
                )
                for asset, total in self._balances.items()
            )
        )

    def _order_now(self, client_order_id: str) -> Result[Order, VenueError]:
        order = self._orders.get(client_order_id)
        if order is None:
            return Failure(
                OrderNotFound(str(self._exchange), f"no order with client id {client_order_id}")
            )
        return Success(order)

    def _history_now(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if symbol not in self._markets:
            return Failure(UnknownSymbol(str(self._exchange), f"{symbol} is not listed"))
        history = self._funding_history.get(symbol, [])
        return Success(
            tuple(
                r for r in history if r.funding_time is not None and start <= r.funding_time < end
            )
        )

    # ------------------------------------------------------------------ orders

    def _reject(self, message: str, code: str = "rejected") -> Result[Order, VenueError]:
        return Failure(VenueRejected(str(self._exchange), message, code))

    def _validate(self, request: OrderRequest, state: PaperMarketState) -> str | None:
        market = state.market
        if request.size % market.lot_size != 0:
            return f"size {request.size} is not a multiple of the lot {market.lot_size}"
        if request.size < market.min_size:
            return f"size {request.size} is below the minimum {market.min_size}"
        if request.limit_price is not None and request.limit_price % market.tick_size != 0:
            return f"price {request.limit_price} is not a multiple of the tick {market.tick_size}"
        if not request.reduce_only and market.min_notional > 0:
            notional = request.size * (request.limit_price or state.mark_price)
            if notional < market.min_notional:
                return f"notional {notional} is below the minimum {market.min_notional}"
        return None

    def _accept(self, request: OrderRequest, fault: OrderFault) -> Result[Order, VenueError]:
        venue = str(self._exchange)
        state = self._markets.get(request.symbol)
        if state is None:
            return Failure(UnknownSymbol(venue, f"{request.symbol} is not listed"))
        if request.exchange != self._exchange:
            return Failure(InvalidRequest(venue, f"order addressed to {request.exchange}"))
        cid = request.client_order_id
        if cid in self._orders or cid in self._resting or cid in self._late:
            return self._reject(f"duplicate client order id {request.client_order_id}", "duplicate")
        if fault is OrderFault.REJECT or (request.reduce_only and self.faults.reject_reduce_only):
            return self._reject("injected rejection", "injected")
        problem = self._validate(request, state)
        if problem is not None:
            return self._reject(problem, "invalid")
        cap = request.size
        if request.reduce_only:
            position = self.position_size(request.symbol)
            if position == 0 or (position > 0) == (request.side is Side.BUY):
                return self._reject("reduce-only order would increase the position", "reduce")
            cap = min(cap, abs(position))
        if fault is OrderFault.PARTIAL_FILL:
            cap = min(
                cap, floor_to(request.size * self.faults.partial_fill_ratio, state.market.lot_size)
            )
        book = self._book(request.symbol)
        levels = book.asks if request.side is Side.BUY else book.bids
        crosses = self._crossing(levels, request)
        available = sum((size for _, size in crosses), Decimal(0))
        if request.time_in_force is TimeInForce.POST_ONLY:
            if crosses:
                return self._reject("post-only order would take liquidity", "post_only")
            return Success(self._rest(request, Decimal(0), None, Decimal(0)))
        if request.time_in_force is TimeInForce.FOK and min(available, cap) < request.size:
            return Success(self._record(request, OrderStatus.EXPIRED, Decimal(0), None, Decimal(0)))
        fill, cost = self._take(request.symbol, crosses, cap, request.side)
        average = cost / fill if fill > 0 else None
        fee = cost * self.fees.taker
        if fill > 0:
            self._apply_fill(request, fill, cost, -fee)
        if fill == request.size:
            status = OrderStatus.FILLED
        elif request.time_in_force is TimeInForce.GTC and request.order_type is OrderType.LIMIT:
            return Success(self._rest(request, fill, average, fee))
        else:
            status = OrderStatus.CANCELED if fill > 0 else OrderStatus.EXPIRED
        return Success(self._record(request, status, fill, average, fee))

    def _crossing(
        self, levels: Sequence[BookLevel], request: OrderRequest
    ) -> list[tuple[Decimal, Decimal]]:
        limit = request.limit_price if request.order_type is OrderType.LIMIT else None
        crosses = []
        for level in levels:
            if limit is not None and (
                (request.side is Side.BUY and level.price > limit)
                or (request.side is Side.SELL and level.price < limit)
            ):
                break
            crosses.append((level.price, level.size))
        return crosses

    def _take(
        self, symbol: Symbol, crosses: list[tuple[Decimal, Decimal]], cap: Decimal, side: Side
    ) -> tuple[Decimal, Decimal]:
        remaining = cap
        cost = Decimal(0)
        taken: list[tuple[Decimal, Decimal]] = []
        for price, size in crosses:
            if remaining <= 0:
                break
            take = min(size, remaining)
            cost += take * price
            remaining -= take
            taken.append((price, take))
        fill = cap - remaining
        if self.consume_liquidity and fill > 0:
            self._consume(symbol, side, taken)
        return fill, cost

    def _consume(self, symbol: Symbol, side: Side, taken: list[tuple[Decimal, Decimal]]) -> None:
        state = self._markets[symbol]
        book = self._book(symbol)
        used = dict(taken)
        levels = book.asks if side is Side.BUY else book.bids
        left = tuple(
            BookLevel(level.price, level.size - used.get(level.price, Decimal(0)))
            for level in levels
            if level.size - used.get(level.price, Decimal(0)) > 0
        )
        state.book = (
            attrs.evolve(book, asks=left) if side is Side.BUY else attrs.evolve(book, bids=left)
        )

    def _record(
        self,
        request: OrderRequest,
        status: OrderStatus,
        filled: Decimal,
        average: Decimal | None,
        fee: Decimal,
    ) -> Order:
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

    def _remember(self, order: Order) -> None:
        self._orders[order.client_order_id] = order
        self._orders.move_to_end(order.client_order_id)
        if self._order_retention is not None:
            while len(self._orders) > self._order_retention:
                oldest, _ = self._orders.popitem(last=False)
                self._resting.pop(oldest, None)

    def _rest(
        self, request: OrderRequest, filled: Decimal, average: Decimal | None, fee: Decimal
    ) -> Order:
        status = OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
        order = self._record(request, status, filled, average, fee)
        self._resting[request.client_order_id] = request
        return order

    def _match_resting(self, symbol: Symbol) -> None:
        for cid, request in list(self._resting.items()):
            if request.symbol != symbol:
                continue
            order = self._orders[cid]
            book = self._book(symbol)
            levels = book.asks if request.side is Side.BUY else book.bids
            crosses = self._crossing(levels, request)
            if not crosses:
                continue
            cap = order.remaining
            if request.reduce_only:
                cap = min(cap, abs(self.position_size(symbol)))
            fill, _ = self._take(symbol, crosses, cap, request.side)
            if fill <= 0:
                continue
            # A resting order fills at its own limit price, as maker.
            price = request.limit_price or crosses[0][0]
            cost = fill * price
            fee = cost * self.fees.maker
            self._apply_fill(request, fill, cost, -fee)
            filled = order.filled_size + fill
            prior_cost = (order.average_price or Decimal(0)) * order.filled_size
            status = OrderStatus.FILLED if filled == order.size else OrderStatus.PARTIALLY_FILLED
            self._remember(
                attrs.evolve(
                    order,
                    status=status,
                    filled_size=filled,
                    average_price=(prior_cost + cost) / filled,
                    fee=(order.fee or Decimal(0)) + fee,
                    updated_at=self.now(),
                )
            )
            if status is OrderStatus.FILLED:
                del self._resting[cid]

    def _cancel_now(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        order = self._orders.get(client_order_id)
        if order is None:
            return Failure(
                OrderNotFound(str(self._exchange), f"no order with client id {client_order_id}")
            )
        if order.status.is_terminal:
            return self._reject(f"order {client_order_id} is already {order.status.value}", "final")
        self._resting.pop(client_order_id, None)
        canceled = attrs.evolve(order, status=OrderStatus.CANCELED, updated_at=self.now())
        self._remember(canceled)
        return Success(canceled)

    # ------------------------------------------------------------------ bookings

    def _book_entry(self, entry: LedgerEntry) -> None:
        self._ledger_entries.append(entry)
        self._ledger[entry.symbol] = self._ledger.get(entry.symbol, SymbolLedger()).book(entry)
        self._balances[entry.asset] = self._balances.get(entry.asset, Decimal(0)) + entry.amount

    def _apply_fill(
        self, request: OrderRequest, fill: Decimal, cost: Decimal, fee: Decimal
    ) -> None:
        symbol = request.symbol
        state = self._markets[symbol]
        asset = state.market.settle_asset
        now = self.now()
        price = cost / fill
        pos = self._positions.setdefault(symbol, PaperPosition())
        signed = fill * request.side.sign
        realized = Decimal(0)
        if pos.size == 0 or (pos.size > 0) == (signed > 0):
            total = abs(pos.size) + fill
            pos.entry_price = (abs(pos.size) * pos.entry_price + fill * price) / total
            pos.size += signed
        else:
            closing = min(fill, abs(pos.size))
            direction = 1 if pos.size > 0 else -1
            realized = (price - pos.entry_price) * closing * direction
            pos.size += signed
            if pos.size == 0:
                pos.entry_price = Decimal(0)
            elif (pos.size > 0) != (direction > 0):
                pos.entry_price = price
        self._book_entry(
            LedgerEntry(now, symbol, LedgerKind.FEE, fee, asset, request.client_order_id)
        )
        if realized != 0:
            self._book_entry(
                LedgerEntry(
                    now, symbol, LedgerKind.REALIZED_PNL, realized, asset, request.client_order_id
                )
            )

    def _settle(self, symbol: Symbol, at: datetime, rate: Decimal) -> FundingPayment | None:
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

    # ------------------------------------------------------------------ persistence

    def _snapshot(self) -> dict[str, Any]:
        return {
            "counter": self._counter,
            "balances": {asset: str(v) for asset, v in self._balances.items()},
            "positions": {
                str(s): [str(p.size), str(p.entry_price)] for s, p in self._positions.items()
            },
            "markets": {
                str(s): {
                    "mark": str(m.mark_price),
                    "rate": str(m.funding_rate),
                    "interval": converter.unstructure(m.market.funding_interval),
                    "next": m.next_funding_time.isoformat() if m.next_funding_time else None,
                }
                for s, m in self._markets.items()
            },
            "orders": [converter.unstructure(o) for o in self._orders.values()],
            "resting": [converter.unstructure(r) for r in self._resting.values()],
            "late": [
                [converter.unstructure(r), at.isoformat(), None if v is None else v.isoformat()]
                for r, at, v in self._late.values()
            ],
            "ledger": {str(s): converter.unstructure(v) for s, v in self._ledger.items()},
            "ledger_entries": [converter.unstructure(e) for e in self._ledger_entries],
            "history": [
                converter.unstructure(r) for rates in self._funding_history.values() for r in rates
            ],
            "payments": [converter.unstructure(p) for p in self._payments],
        }

    def _save(self) -> None:
        if self._state_path is None:
            return
        temporary = self._state_path.with_suffix(self._state_path.suffix + ".tmp")
        with temporary.open("w") as handle:
            json.dump(self._snapshot(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self._state_path)

    def _load(self) -> None:
        assert self._state_path is not None
        data = json.loads(self._state_path.read_text())
        by_name = {str(s): s for s in self._markets}
        self._counter = int(data["counter"])
        self._balances = {asset: Decimal(v) for asset, v in data["balances"].items()}
        self._positions = {
            by_name[name]: PaperPosition(Decimal(size), Decimal(entry))
            for name, (size, entry) in data["positions"].items()
            if name in by_name
        }
        for name, saved in data["markets"].items():
            if name not in by_name:
                continue
            state = self._markets[by_name[name]]
            state.mark_price = Decimal(saved["mark"])
            state.funding_rate = Decimal(saved["rate"])
            interval = converter.structure(saved["interval"], timedelta)
            state.market = attrs.evolve(state.market, funding_interval=interval)
            state.next_funding_time = (
                converter.structure(saved["next"], datetime) if saved["next"] else None
            )
        self._orders = OrderedDict(
            (o.client_order_id, o) for o in (converter.structure(x, Order) for x in data["orders"])
        )
        self._resting = {
            r.client_order_id: r
            for r in (converter.structure(x, OrderRequest) for x in data["resting"])
        }
        self._late = {}
        for raw, at, until in data.get("late", []):
            late = converter.structure(raw, OrderRequest)
            valid = datetime.fromisoformat(until) if until else None
            self._late[late.client_order_id] = (late, datetime.fromisoformat(at), valid)
        self._ledger = {
            by_name[name]: converter.structure(v, SymbolLedger)
            for name, v in data["ledger"].items()
            if name in by_name
        }
        self._ledger_entries.extend(
            converter.structure(e, LedgerEntry) for e in data["ledger_entries"]
        )
        self._funding_history = {}
        for raw in data["history"]:
            rate = converter.structure(raw, FundingRate)
            self._funding_history.setdefault(rate.symbol, []).append(rate)
        self._payments = [converter.structure(p, FundingPayment) for p in data["payments"]]


__all__ = [
    "Clock",
    "PaperMarketState",
    "PaperPosition",
    "PaperVenue",
    "SubmitRecord",
    "ceil_to",
    "floor_to",
    "next_boundary",
]
