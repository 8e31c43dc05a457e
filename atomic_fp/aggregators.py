"""Layer 3: ask many venues at once, keep every venue's answer.

Each aggregator queries all its venues concurrently (an anyio task group) with a per-venue
timeout, and returns one ``Result`` per venue: a slow or broken venue shows up as its own
``Failure`` (:class:`~atomic_fp.errors.VenueTimeout` when it ran out of time) and never
blocks, hides or zeroes the others. Reads only, except :class:`OrderAggregator`, where a
write that runs out of time is :class:`~atomic_fp.errors.Ambiguous` (it may have reached
the venue), never a plain timeout.

The seed design's names: ``get_all_rates()``, ``get_all_positions()`` and
``get_all_markets()`` return one ``Result`` per venue for one symbol, as a
:class:`~atomic_fp.per_venue.ByVenue` mapping readable by venue name (``positions["grvt"]``)
that the decisions take as it comes; ``get_total_exposure()`` the symbol's net exposure.
An aggregator is built from the seed's queryers (``PositionAggregator(queryers)``, a
mapping by venue name or a sequence; the symbol is theirs) or from venue clients (then the
symbol is an argument). ``get_rates``/``get_positions``/``get_markets`` are the every-symbol
reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias, TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from atomic_fp import concurrency
from atomic_fp.errors import Ambiguous, NotSupported, UnknownSymbol, VenueError, VenueTimeout
from atomic_fp.exposure import ExposureReport, IncompleteExposure, total_exposure
from atomic_fp.models import (
    FeeQuote,
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
from atomic_fp.operations import AtomicQueryer, outcome
from atomic_fp.per_venue import ByVenue
from atomic_fp.venue import FeeQuoting, MarginReporter, VenueClient

T = TypeVar("T")
K = TypeVar("K")

PerVenue: TypeAlias = dict[ExchangeIdentifier, Result[T, VenueError]]
DEFAULT_TIMEOUT = 10.0

Timeouts: TypeAlias = float | Mapping[ExchangeIdentifier, float | None] | None
"""One deadline per call, in seconds: the same for every venue, or per venue (a venue not
in the mapping gets :data:`DEFAULT_TIMEOUT`); ``None`` = no deadline."""


def timeout_of(timeouts: Timeouts, venue: ExchangeIdentifier) -> float | None:
    if isinstance(timeouts, Mapping):
        return timeouts.get(venue, DEFAULT_TIMEOUT)
    return timeouts


async def gather_keyed(
    calls: Mapping[K, Callable[[], Awaitable[Result[T, VenueError]]]],
    timeout: float | Callable[[K], float | None] | None,  # noqa: ASYNC109 (per call)
    on_timeout: Callable[[K], VenueError],
) -> dict[K, Result[T, VenueError]]:
    """Run every call concurrently, each under its own deadline (one for all, or a function
    of the key); keep each result by key (in the order of ``calls``)."""
    results: dict[K, Result[T, VenueError]] = {}

    async def one(key: K, call: Callable[[], Awaitable[Result[T, VenueError]]]) -> None:
        with concurrency.move_on_after(timeout(key) if callable(timeout) else timeout):
            results[key] = await call()
            return
        results[key] = Failure(on_timeout(key))

    async with concurrency.task_group() as group:
        for key, call in calls.items():
            group.start_soon(one, key, call)
    return {key: results[key] for key in calls}


def _read_timeout(timeouts: Timeouts) -> Callable[[ExchangeIdentifier], VenueError]:
    def make(venue: ExchangeIdentifier) -> VenueError:
        return VenueTimeout(str(venue), f"no answer within {timeout_of(timeouts, venue):g}s")

    return make


Source: TypeAlias = VenueClient | AtomicQueryer
"""What an aggregator reads: a venue client, or a seed-style queryer (client + symbol)."""


def check_key(key: ExchangeIdentifier | str, venue: ExchangeIdentifier, what: str) -> None:
    """A mapping key names its venue: ``{"grvt": AtomicQueryer(lighter_client, ...)}`` is a
    mistake that would trade on the wrong venue, so it is refused (``ValueError``)."""
    name = key.name if isinstance(key, ExchangeIdentifier) else key
    if name != venue.name:
        raise ValueError(
            f"{what} key {name!r} does not match its client's venue id {venue.name!r} "
            f"(build the client with id {name!r}, or use the key {venue.name!r})"
        )


def _by_venue(
    sources: Iterable[Source] | Mapping[ExchangeIdentifier, Source] | Mapping[str, Source],
) -> tuple[dict[ExchangeIdentifier, VenueClient], Symbol | None]:
    keyed: dict[ExchangeIdentifier, VenueClient] = {}
    symbols: set[Symbol] = set()
    items: Iterable[tuple[ExchangeIdentifier | str | None, Source]] = (
        sources.items() if isinstance(sources, Mapping) else ((None, s) for s in sources)
    )
    for key, source in items:
        client = source.client if isinstance(source, AtomicQueryer) else source
        if isinstance(source, AtomicQueryer):
            symbols.add(source.symbol)
        if key is not None:
            check_key(key, client.exchange, "aggregator")
        if client.exchange in keyed:
            raise ValueError(f"venue {client.exchange} given twice")
        keyed[client.exchange] = client
    if len(symbols) > 1:
        raise ValueError(f"queryers for different symbols: {sorted(str(s) for s in symbols)}")
    return keyed, next(iter(symbols), None)


class _Aggregator:
    def __init__(
        self,
        sources: Iterable[Source] | Mapping[ExchangeIdentifier, Source] | Mapping[str, Source],
        timeout: Timeouts = DEFAULT_TIMEOUT,
    ):
        self.clients, self.symbol = _by_venue(sources)
        self.timeout: Timeouts = timeout

    @property
    def venues(self) -> tuple[ExchangeIdentifier, ...]:
        return tuple(self.clients)

    def _symbol(self, symbol: Symbol | None) -> Symbol:
        chosen = symbol if symbol is not None else self.symbol
        if chosen is None:
            raise TypeError(
                f"{type(self).__name__} was built from clients: name the symbol, "
                "or build it from AtomicQueryers"
            )
        return chosen

    async def _each(
        self, call: Callable[[VenueClient], Awaitable[Result[T, VenueError]]]
    ) -> PerVenue[T]:
        def bind(client: VenueClient) -> Callable[[], Awaitable[Result[T, VenueError]]]:
            return lambda: call(client)

        return await gather_keyed(
            {venue: bind(client) for venue, client in self.clients.items()},
            lambda venue: timeout_of(self.timeout, venue),
            _read_timeout(self.timeout),
        )


def _pick(
    venue: ExchangeIdentifier,
    items: Result[tuple[T, ...], VenueError],
    symbol: Symbol,
    symbol_of: Callable[[T], Symbol],
    what: str,
    accepts: Callable[[T], bool] = lambda _: True,
) -> Result[T, VenueError]:
    if isinstance(items, Failure):
        return Failure(items.failure())
    for item in items.unwrap():
        if symbol_of(item) == symbol and accepts(item):
            return Success(item)
    return Failure(UnknownSymbol(str(venue), f"{symbol} not in the venue's {what}"))


class FundingRateAggregator(_Aggregator):
    async def get_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> PerVenue[tuple[FundingRate, ...]]:
        """Every venue's current rates for ``symbols`` (all listed when ``None``)."""
        return await self._each(lambda client: outcome(client.fetch_funding_rates(symbols)))

    async def get_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> PerVenue[tuple[FundingRate, ...]]:
        """Every venue's settled rates of ``symbol`` with ``start <= time < end``."""
        return await self._each(
            lambda client: outcome(client.fetch_funding_history(symbol, start, end))
        )

    async def get_all_rates(self, symbol: Symbol | None = None) -> ByVenue[FundingRate]:
        """One rate per venue for the symbol (the queryers', or ``symbol``); a venue not
        listing it is ``UnknownSymbol``."""
        wanted = self._symbol(symbol)
        rates = await self.get_rates([wanted])
        return ByVenue(
            (v, _pick(v, r, wanted, lambda x: x.symbol, "funding rates")) for v, r in rates.items()
        )


class PositionAggregator(_Aggregator):
    async def get_positions(self) -> PerVenue[tuple[Position, ...]]:
        """Every venue's every open position."""
        return await self._each(lambda client: outcome(client.fetch_positions()))

    async def get_funding_payments(
        self, start: datetime, end: datetime
    ) -> PerVenue[tuple[FundingPayment, ...]]:
        """Every venue's funding paid or received by the account between ``start`` and ``end``."""
        return await self._each(lambda client: outcome(client.fetch_funding_payments(start, end)))

    async def get_margins(self) -> PerVenue[AccountMargin]:
        """Every venue's account margin (equity, maintenance margin, per-leg liquidation
        price); ``NotSupported`` from a client that reports none (never an empty account)."""

        def margin(client: VenueClient) -> Awaitable[Result[AccountMargin, VenueError]]:
            if isinstance(client, MarginReporter):
                return outcome(client.fetch_margin())
            return outcome(
                FutureResult.from_failure(
                    NotSupported(str(client.exchange), "this client reports no account margin")
                )
            )

        return await self._each(margin)

    async def get_all_positions(self, symbol: Symbol | None = None) -> ByVenue[Position | None]:
        """Per venue: the symbol's position, ``Success(None)`` when flat, or the failure."""
        return positions_for(await self.get_positions(), self._symbol(symbol))

    async def get_total_exposure(
        self, symbol: Symbol | None = None
    ) -> Result[Decimal, IncompleteExposure]:
        """The symbol's net signed base-asset exposure over all venues; a ``Failure`` naming
        every venue whose positions are unknown (a partial sum is not the total)."""
        wanted = self._symbol(symbol)
        report = total_exposure(await self.get_positions())
        counted = report.net.get(wanted, Decimal(0))
        if report.uncounted:
            return Failure(IncompleteExposure(wanted, counted, report.uncounted))
        return Success(counted)

    async def exposure_report(self) -> ExposureReport:
        """Net exposure of every symbol, per venue, with the venues not counted."""
        return total_exposure(await self.get_positions())


def positions_for(
    positions: PerVenue[tuple[Position, ...]], symbol: Symbol
) -> ByVenue[Position | None]:
    selected: dict[ExchangeIdentifier, Result[Position | None, VenueError]] = {}
    for venue, result in positions.items():
        if isinstance(result, Failure):
            selected[venue] = Failure(result.failure())
            continue
        held = [p for p in result.unwrap() if p.symbol == symbol and p.size != 0]
        selected[venue] = Success(held[0] if held else None)
    return ByVenue(selected)


class MarketAggregator(_Aggregator):
    async def get_markets(self) -> PerVenue[tuple[Market, ...]]:
        """Every venue's every market."""
        return await self._each(lambda client: outcome(client.fetch_markets()))

    async def get_fees(self) -> PerVenue[FeeQuote]:
        """Every venue's fee quote with its source (the account's rates, or the venue's
        published tier); ``NotSupported`` from a client that quotes none."""

        def quote(client: VenueClient) -> Awaitable[Result[FeeQuote, VenueError]]:
            if isinstance(client, FeeQuoting):
                return outcome(client.fetch_fees())
            return outcome(
                FutureResult.from_failure(NotSupported(str(client.exchange), "fetch_fees"))
            )

        return await self._each(quote)

    async def get_all_markets(self, symbol: Symbol | None = None) -> ByVenue[Market]:
        """Per venue: its market for the symbol (with ``strict_quote``, only one settling in
        the symbol's quote), or ``UnknownSymbol``."""
        wanted = self._symbol(symbol)
        markets = await self.get_markets()
        return ByVenue(
            (
                v,
                _pick(
                    v,
                    m,
                    wanted,
                    lambda x: x.symbol,
                    "market list",
                    lambda x: wanted.accepts_settlement(x.settle_asset),
                ),
            )
            for v, m in markets.items()
        )

    async def get_all_books(
        self, symbol: Symbol | None = None, depth: int = 20
    ) -> ByVenue[OrderBook]:
        """Per venue: the symbol's order book, ``depth`` levels a side."""
        wanted = self._symbol(symbol)
        return ByVenue(
            await self._each(lambda client: outcome(client.fetch_order_book(wanted, depth)))
        )


class OrderAggregator:
    """Send or look up orders on several venues at once. A placement that runs out of
    time is :class:`Ambiguous` (it may have been acted on)."""

    def __init__(self, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    async def place_orders(
        self, orders: Sequence[tuple[VenueClient, OrderRequest]]
    ) -> tuple[Result[Order, VenueError], ...]:
        def bind(
            client: VenueClient, request: OrderRequest
        ) -> Callable[[], Awaitable[Result[Order, VenueError]]]:
            return lambda: outcome(client.place_order(request))

        def ambiguous(index: int) -> VenueError:
            venue, request = orders[index]
            return Ambiguous(
                str(venue.exchange),
                f"order {request.client_order_id}: no answer within {self.timeout} s",
            )

        results = await gather_keyed(
            {i: bind(client, request) for i, (client, request) in enumerate(orders)},
            self.timeout,
            ambiguous,
        )
        return tuple(results[i] for i in range(len(orders)))

    async def fetch_orders(
        self, lookups: Sequence[tuple[VenueClient, Symbol, str]]
    ) -> tuple[Result[Order, VenueError], ...]:
        def bind(
            client: VenueClient, symbol: Symbol, client_order_id: str
        ) -> Callable[[], Awaitable[Result[Order, VenueError]]]:
            return lambda: outcome(client.fetch_order(symbol, client_order_id))

        def timed_out(index: int) -> VenueError:
            return VenueTimeout(
                str(lookups[index][0].exchange), f"no answer within {self.timeout} s"
            )

        results = await gather_keyed(
            {i: bind(*lookup) for i, lookup in enumerate(lookups)}, self.timeout, timed_out
        )
        return tuple(results[i] for i in range(len(lookups)))


__all__ = [
    "DEFAULT_TIMEOUT",
    "ExposureReport",
    "FundingRateAggregator",
    "IncompleteExposure",
    "MarketAggregator",
    "OrderAggregator",
    "PerVenue",
    "PositionAggregator",
    "Source",
    "Timeouts",
    "check_key",
    "gather_keyed",
    "positions_for",
    "timeout_of",
    "total_exposure",
]
