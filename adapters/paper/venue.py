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

The venue is built from one class per job (each extending the one before; each method is
defined once): :mod:`~adapters.paper.state` (state, construction, persistence),
:mod:`~adapters.paper.accounts` (positions, balances, ledger, fills' bookings),
:mod:`~adapters.paper.margin_account` (margin and liquidations),
:mod:`~adapters.paper.funding` (settlement, rates), :mod:`~adapters.paper.matching` (book,
matching, orders), :mod:`~adapters.paper.calls` (call plumbing and fault knobs), and this
module: the driver API and the :class:`~atomic_fp.venue.VenueClient` calls.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters.paper.calls import PaperVenueCalls
from adapters.paper.funding import next_boundary
from adapters.paper.records import (
    CallEvent,
    Clock,
    PaperMarketState,
    PaperMarketView,
    PaperPosition,
    SubmitRecord,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    ASSUMED_FEES,
    DEFAULT_FEES,
    Balance,
    BookLevel,
    FeeQuote,
    FeeSource,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.operations import outcome
from atomic_fp.rounding import ceil_to_step as ceil_to
from atomic_fp.rounding import floor_to_step as floor_to
from atomic_fp.venue import Capability, VenueClient


class PaperVenue(PaperVenueCalls):
    """A full in-process venue. See the module docstring."""

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._exchange

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability)

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

    def market_state(self, symbol: Symbol) -> PaperMarketView:
        """``symbol``'s state, read-only (writing to it raises ``AttributeError``): change
        it through :meth:`set_mark_price`, :meth:`set_funding_rate`, :meth:`set_book` (the
        venue's liquidation check keeps what it read,
        :meth:`~adapters.paper.state.PaperVenueState._holdings_changed`)."""
        return self._market_views[symbol]

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
        state = self._markets[symbol]
        state.mark_price = price
        held = self._positions.get(symbol)
        if held is not None and held.size != 0:
            self._holdings_changed()
        self._match_resting(symbol)
        self._liquidate_if_due(state.market.settle_asset)
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


__all__ = [
    "CallEvent",
    "Clock",
    "PaperMarketState",
    "PaperMarketView",
    "PaperPosition",
    "PaperVenue",
    "SubmitRecord",
    "ceil_to",
    "floor_to",
    "next_boundary",
]
