"""One strategy cycle's inputs: every venue's rates, positions, markets, books and account
margins for one symbol, fetched all at once (:func:`gather_strategy_inputs`), each venue's
failure kept as its ``Failure`` (never as zero), with the rates optionally replaced by the
configured estimator's (:data:`RateEstimator`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import anyio
import attrs
from returns.result import Failure, Result

from atomic_fp.aggregators import (
    FundingRateAggregator,
    MarketAggregator,
    PositionAggregator,
    gather_keyed,
)
from atomic_fp.decisions.types import (
    BookInputs,
    MarginInputs,
    MarketInputs,
    PositionInputs,
    RateInputs,
)
from atomic_fp.errors import VenueError, VenueTimeout
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer
from atomic_fp.orchestration.pushed_rates import PushedRateSource, gather_rates


@attrs.frozen
class StrategyInputs:
    """One cycle's data, per venue, as fetched (failures kept)."""

    at: datetime
    rates: RateInputs
    positions: PositionInputs
    markets: MarketInputs
    books: BookInputs
    margins: MarginInputs = attrs.field(factory=dict)
    """Each venue account's margin (for the opening check); a venue missing here cannot
    be opened on. Not part of :meth:`excluded`: a venue without margin still closes."""
    rate_sources: Mapping[ExchangeIdentifier, str] = attrs.field(factory=dict)
    """Venue -> where its rate came from (``stream (age 2s)``, ``REST``, ``REST fallback:
    why``); empty when the orchestrator has no pushed-rate source."""

    def excluded(self) -> dict[str, str]:
        """Venue -> every input that failed for it, with why."""
        out: dict[str, list[str]] = {}
        inputs: tuple[tuple[str, Mapping[ExchangeIdentifier, Result[Any, VenueError]]], ...] = (
            ("rates", self.rates),
            ("positions", self.positions),
            ("markets", self.markets),
            ("books", self.books),
        )
        for name, values in inputs:
            for venue, result in values.items():
                if isinstance(result, Failure):
                    out.setdefault(str(venue), []).append(f"{name}: {result.failure().describe()}")
        return {venue: "; ".join(reasons) for venue, reasons in out.items()}


RateEstimator = Callable[[RateInputs, datetime], RateInputs]
"""Turns the fetched rates into the rates to decide on, at a time (the estimator of
``[strategy] basis``: :func:`atomic_fp.decisions.estimators.estimate_inputs`); a venue
without an estimate carries that ``Failure``."""


async def _markets(
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer], query_timeout: float | None
) -> MarketInputs:
    def bind(queryer: AtomicQueryer) -> Callable[[], Any]:
        return queryer.get_market

    def timed_out(venue: ExchangeIdentifier) -> VenueError:
        return VenueTimeout(str(venue), f"no answer within {query_timeout} s")

    markets: dict[ExchangeIdentifier, Result[Market, VenueError]] = await gather_keyed(
        {venue: bind(q) for venue, q in queryers.items()}, query_timeout, timed_out
    )
    return markets


async def gather_strategy_inputs(
    symbol: Symbol,
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    *,
    at: datetime,
    query_timeout: float | None,
    book_depth: int,
    rate_source: PushedRateSource | None,
    rate_estimator: RateEstimator | None,
) -> StrategyInputs:
    """Rates, positions, markets and books of every venue, all at once, as of ``at``.
    With ``rate_source`` the rates it has pushed (fresh, stream live) are used and REST
    answers for the rest (:mod:`atomic_fp.orchestration.pushed_rates`)."""
    found: dict[str, Any] = {}
    clients = [q.client for q in queryers.values()]
    rates = FundingRateAggregator(clients, query_timeout)
    positions = PositionAggregator(clients, query_timeout)
    books = MarketAggregator(clients, query_timeout)

    async def fetch(name: str, call: Callable[[], Any]) -> None:
        found[name] = await call()

    async def rates_with_sources(source: PushedRateSource) -> RateInputs:
        fetched, found["rate_sources"] = await gather_rates(
            symbol, clients, source, at, query_timeout
        )
        return fetched

    async with anyio.create_task_group() as group:
        if rate_source is None:
            group.start_soon(fetch, "rates", lambda: rates.get_all_rates(symbol))
        else:
            group.start_soon(fetch, "rates", lambda: rates_with_sources(rate_source))
        group.start_soon(fetch, "positions", lambda: positions.get_all_positions(symbol))
        group.start_soon(fetch, "markets", lambda: _markets(queryers, query_timeout))
        group.start_soon(fetch, "books", lambda: books.get_all_books(symbol, book_depth))
        group.start_soon(fetch, "margins", positions.get_margins)
    fetched: RateInputs = found["rates"]
    if rate_estimator is not None:
        fetched = rate_estimator(fetched, at)
    return StrategyInputs(
        at=at,
        rates=fetched,
        positions=found["positions"],
        markets=found["markets"],
        books=found["books"],
        margins=found["margins"],
        rate_sources=found.get("rate_sources", {}),
    )
