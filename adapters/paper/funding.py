"""The paper venue's funding: the boundary grid (multiples of the interval since the Unix
epoch), settlement of each boundary with the rate and mark of that time (a positive rate
means longs pay shorts: the account receives ``-rate * size * mark``), rate changes
(interval included), the current rates and the settled history it reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
from returns.result import Failure, Result, Success

from adapters.paper.clock import ManualClock
from adapters.paper.ledger import LedgerEntry, LedgerKind
from adapters.paper.margin_account import PaperMarginAccount
from adapters.paper.records import PaperMarketState
from atomic_fp.errors import UnknownSymbol, VenueError
from atomic_fp.models import FundingKind, FundingPayment, FundingRate, Symbol
from atomic_fp.models.funding import checked_funding_rate

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def next_boundary(now: datetime, interval: timedelta) -> datetime:
    """The first funding boundary strictly after ``now`` (boundaries are multiples of the
    interval since the Unix epoch, i.e. 00:00/08:00/16:00 UTC for 8 h)."""
    elapsed = now - _EPOCH
    periods = elapsed // interval
    return _EPOCH + (periods + 1) * interval


class PaperFunding(PaperMarginAccount):
    """Funding settlement and the funding reads."""

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
            self._holdings_changed()
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

    def _settle(self, symbol: Symbol, at: datetime, rate: Decimal) -> FundingPayment | None:
        state = self._markets[symbol]
        self._funding_history.setdefault(symbol, []).append(
            checked_funding_rate(
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
        reference = self._settlement_reference(at)
        self._book_entry(LedgerEntry(at, symbol, LedgerKind.FUNDING, amount, asset, reference))
        payment = self._funding_payment(symbol, amount, asset, at, rate, size)
        self._payments.append(payment)
        self._liquidate_if_due(asset)
        return payment

    def _settlement_reference(self, at: datetime) -> str:
        """The ledger reference of a settlement at ``at``: its ISO text."""
        return at.isoformat()

    def _funding_payment(
        self,
        symbol: Symbol,
        amount: Decimal,
        asset: str,
        at: datetime,
        rate: Decimal,
        size: Decimal,
    ) -> FundingPayment:
        """The payment :meth:`_settle` books (the backtest venue builds the same one from
        its slots: :mod:`adapters.paper.backtest_bookings`)."""
        return FundingPayment(
            exchange=self._exchange,
            symbol=symbol,
            amount=amount,
            asset=asset,
            time=at,
            rate=rate,
            position_size=size,
        )

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
        """The rate of the period in progress of listed ``symbol``, observed ``now``.
        Built by :func:`~atomic_fp.models.funding.checked_funding_rate` (here and for the
        settled history): exactly ``FundingRate(...)``, the same object or the same
        refusal, at about half the cost (``tests/core/test_checked_funding_rate.py``)."""
        state = self._markets[symbol]
        return checked_funding_rate(
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


__all__ = ["PaperFunding", "next_boundary"]
