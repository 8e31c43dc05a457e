"""What a backtest run's decisions read (each venue's rate, position, market and book,
through the same calls a live venue answers), the decisions themselves, and the
execution of their legs on the paper venues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from returns.result import Failure, Result, Success

from atomic_fp.backtest.lazy_inputs import FetchedOnRead
from atomic_fp.backtest.records import Decision, Fill
from atomic_fp.backtest.replay_state import (
    ZERO,
    SeriesState,
    SymbolState,
    call_now,
)
from atomic_fp.backtest.results import (
    ExecutionProblem,
    HistoryGap,
)
from atomic_fp.backtest.run_quiet import QuietRun
from atomic_fp.decisions._common import SUCCESS_NONE
from atomic_fp.decisions.cycle import CycleDecision, decide_cycle
from atomic_fp.decisions.estimators import EstimateUnavailable
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    FundingRate,
    Market,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    TimeInForce,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin


class DecidingRun(QuietRun):
    # ------------------------------------------------------------------ inputs

    def _rate(self, state: SeriesState, now: datetime) -> Result[FundingRate, VenueError]:
        data = state.data
        if state.known < 0 or not state.available:
            when = "before its history starts" if state.known < 0 else "(gap in the history)"
            return Failure(
                HistoryGap(data.venue, f"no funding rate for {data.symbol.base} at {now} {when}")
            )
        if not state.listed:
            return Failure(
                HistoryGap(data.venue, f"no price known yet for {data.symbol.base} at {now}")
            )
        if data.signal(state.known) is None:
            return Failure(
                EstimateUnavailable(
                    data.venue,
                    f"{data.basis} of {data.symbol.base} at {now}: too little settled history",
                )
            )
        self._send_rate(state)
        fetched: Result[tuple[FundingRate, ...], VenueError] = (
            state.direct.funding_rates_now([data.symbol])
            if state.direct is not None
            else call_now(state.venue.fetch_funding_rates([data.symbol]))
        )
        if not isinstance(fetched, Success):
            return Failure(fetched.failure())
        rates = fetched.unwrap()
        if not rates:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} not listed"))
        return Success(rates[0])

    def _position(self, state: SeriesState) -> Result[Position | None, VenueError]:
        """The venue's answer: a direct venue's for the one symbol, else all positions
        fetched once per venue and instant (and again after any change on that venue: a
        fill, a settlement, a mark move)."""
        if state.position == 0:
            return SUCCESS_NONE
        if state.direct is not None:
            return state.direct.position_now(state.data.symbol)
        snapshot = self.positions_now.get(state.venue_name)
        if snapshot is None:
            fetched: Result[tuple[Position, ...], VenueError] = call_now(
                state.venue.fetch_positions()
            )
            if not isinstance(fetched, Success):
                return Failure(fetched.failure())
            snapshot = {p.symbol: p for p in fetched.unwrap()}
            self.positions_now[state.venue_name] = snapshot
        return Success(snapshot.get(state.data.symbol))

    def _market(self, state: SeriesState) -> Result[Market, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        return Success(state.venue.market_state(data.symbol).market)

    def _margin(self, state: SeriesState) -> Result[AccountMargin, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        settle = state.venue.market_state(data.symbol).market.settle_asset
        return Success(state.venue.margin(settle))

    def _book(self, state: SeriesState) -> Result[OrderBook, VenueError]:
        data = state.data
        if not state.listed:
            return Failure(HistoryGap(data.venue, f"{data.symbol.base} has no price yet"))
        return Success(state.venue.book(data.symbol))

    # ------------------------------------------------------------------ decide and execute

    def _fingerprint(self, sym: SymbolState) -> tuple[Any, ...]:
        """Everything the decisions read for this symbol, except the time."""
        parts: list[Any] = []
        for state in sym.series:
            if state.usable:
                row = state.known
                parts.append((state.signals[row], state.data.intervals[row], state.price))
            else:
                parts.append(None)
            # the position, and the collateral behind its liquidation estimate and the
            # opening check on margin (read even when flat), and the cross-margin account
            # they live in (another symbol's mark, fill or funding on the venue)
            parts.append(
                (
                    state.position,
                    state.venue.balance(),
                    self.account_epoch[state.venue_name],
                )
            )
        return tuple(parts)

    def _outcome(
        self, sym: SymbolState, now: datetime
    ) -> tuple[CycleDecision, dict[ExchangeIdentifier, Result[Position | None, VenueError]]]:
        """The decision cycle of ``sym`` at ``now`` on what the venues answer, and the
        positions it read (nothing is recorded or executed)."""
        rates: dict[ExchangeIdentifier, Result[FundingRate, VenueError]] = {}
        positions: dict[ExchangeIdentifier, Result[Position | None, VenueError]] = {}
        markets: dict[ExchangeIdentifier, Result[Market, VenueError]] = {}
        states: dict[ExchangeIdentifier, SeriesState] = {}
        read = self.positions_read
        self.positions_read = None
        # the positions the certificate just read for this symbol (an uncertified cycle),
        # the venues' answers at this instant, else read them now
        already = read[2] if read is not None and read[0] is sym and read[1] == now else None
        for state in sym.series:
            venue = state.venue_id
            rates[venue] = self._rate(state, now)
            positions[venue] = already[venue] if already is not None else self._position(state)
            markets[venue] = self._market(state)
            states[venue] = state
        # read only by the opening gate, i.e. when the cycle found an OPEN signal
        margins = FetchedOnRead(states, self._margin)
        # read only for venues that may take part in an opening (not when closing)
        books = FetchedOnRead(states if self.settings.use_books else {}, self._book)
        outcome = decide_cycle(
            rates=rates,
            positions=positions,
            markets=markets,
            margins=margins,
            books=books if self.settings.use_books else None,
            config=self.config,
            now=now,
        )
        return outcome, positions

    def _decide(self, sym: SymbolState, now: datetime) -> TradingSignal | None:
        self.decision_runs += 1
        outcome, positions = self._outcome(sym, now)
        signal = outcome.to_execute
        if signal is None:
            self._remember_quiet(sym, positions)
            return None
        sym.quiet = None
        if outcome.action == "safety":
            self.safety_actions += 1
        self.decisions.append(
            Decision(now, sym.base, signal.kind.value, signal.signal_id, signal.reason)
        )
        return signal

    def _execute(self, sym: SymbolState, signal: TradingSignal, now: datetime) -> bool:
        """Send every leg; ``True`` when anything filled."""
        by_venue = {state.venue_name: state for state in sym.series}
        filled = False
        signal_id = signal.signal_id  # a sha256 of the signal: computed once, not per leg
        for index, leg in enumerate(signal.legs):
            state = by_venue.get(leg.exchange.name)
            if state is None:
                self.problems.append(
                    ExecutionProblem(
                        now, signal_id, leg.exchange.name, leg.bound_symbol.base,
                        "no such venue in the backtest",
                    )
                )  # fmt: skip
                continue
            venue = state.venue
            client_id = signal.client_order_id(index)
            request = OrderRequest(
                exchange=leg.exchange,
                symbol=leg.bound_symbol,
                side=leg.side,
                size=leg.size,
                client_order_id=client_id,
                order_type=OrderType.MARKET,
                time_in_force=TimeInForce.IOC,
                reduce_only=leg.reduce_only,
            )
            mark = venue.market_state(leg.bound_symbol).mark_price
            placed = (
                state.direct.place_now(request)
                if state.direct is not None
                else call_now(venue.place_order(request))
            )
            self.positions_now.pop(state.venue_name, None)
            if not isinstance(placed, Success):
                self.problems.append(
                    ExecutionProblem(
                        now, signal_id, leg.exchange.name, leg.bound_symbol.base,
                        str(placed.failure()),
                    )
                )  # fmt: skip
                continue
            order = placed.unwrap()
            if order.filled_size != leg.size or order.average_price is None:
                self.problems.append(
                    ExecutionProblem(
                        now, signal_id, leg.exchange.name, leg.bound_symbol.base,
                        f"filled {order.filled_size} of {leg.size} ({order.status.value})",
                    )
                )  # fmt: skip
            if order.filled_size == 0 or order.average_price is None:
                continue
            filled = True
            self._account_changed(state.venue_name)
            multiplier = leg.contract_multiplier
            base_size = order.filled_size * multiplier
            price = order.average_price / multiplier
            base_mark = mark / multiplier
            adverse = (price - base_mark) * leg.side.sign * base_size
            fee = order.fee or ZERO
            signed = base_size * leg.side.sign
            state.position += signed
            if state.position != 0:
                self.holding[state.index] = state
            else:
                self.holding.pop(state.index, None)
            sym.cash -= signed * price
            self.total_cash -= signed * price
            sym.fees += fee
            self.total_fees += fee
            sym.slippage += adverse
            self.total_slippage += adverse
            self.fills.append(
                Fill(
                    time=now,
                    signal_id=signal_id,
                    kind=signal.kind.value,
                    symbol=leg.bound_symbol.base,
                    venue=leg.exchange.name,
                    side=leg.side,
                    size=order.filled_size,
                    base_size=base_size,
                    price=price,
                    mark=base_mark,
                    fee=fee,
                    slippage=adverse,
                    client_order_id=client_id,
                    reason=signal.reason,
                )
            )
        return filled
