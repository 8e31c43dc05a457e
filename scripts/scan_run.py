"""Gathering funding rates for ``scan`` and ranking them (imported only when scanning)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import anyio
import attrs
import click
from returns.result import Failure, Result, Success

from adapters.snapshot import Snapshot, bundled_snapshot, load_snapshot
from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.decisions.estimators import Basis, Estimate, EstimateUnavailable
from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.errors import VenueError
from atomic_fp.models import ArbitrageConfig, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result
from scripts.context import app_context, fail, warn
from scripts.runtime import (
    GRACE,
    Venue,
    aggregator,
    build_live,
    build_offline,
    close_all,
    in_venue_order,
    select,
    utc_now,
)
from scripts.scan_carry import (
    Carry,
    PairKey,
    Settled,
    apply_basis,
    carry_of,
    load_history,
    lookback,
    pair_key,
)

log = logging.getLogger("scripts.scan")

VenueRates = Mapping[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]


@attrs.frozen
class ScanReport:
    now: datetime
    source: str
    venues: VenueRates
    kinds: Mapping[ExchangeIdentifier, str]
    opportunities: tuple[Opportunity, ...]
    basis: Basis = Basis.CURRENT
    estimates: Mapping[tuple[str, Symbol], Estimate] = attrs.field(factory=dict)
    unavailable: tuple[EstimateUnavailable, ...] = ()
    settled: Settled = attrs.field(factory=dict)
    strategy: ArbitrageConfig | None = None
    history_source: str | None = None
    _carry: dict[PairKey, Carry] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def carry(self, opportunity: Opportunity) -> Carry | None:
        """Persistence and break-even days of a ranked pair (computed when first shown:
        a full ``--all-pairs`` ranking may hold tens of thousands of pairs)."""
        if self.strategy is None:
            return None
        key = pair_key(opportunity)
        found = self._carry.get(key)
        if found is None:
            found = carry_of(
                [opportunity], settled=self.settled, config=self.strategy, now=self.now
            )[key]
            self._carry[key] = found
        return found

    @property
    def any_ok(self) -> bool:
        return any(isinstance(r, Success) for r in self.venues.values())

    def failures(self) -> list[tuple[ExchangeIdentifier, VenueError]]:
        return [(v, r.failure()) for v, r in self.venues.items() if isinstance(r, Failure)]

    def warn_failures(self) -> None:
        for venue, error in self.failures():
            warn(f"venue {venue} left out: {error.describe()}", venue=str(venue))
        if self.unavailable:
            shown = "; ".join(e.describe() for e in self.unavailable[:3])
            more = len(self.unavailable) - 3
            warn(
                f"--basis {self.basis.value}: {len(self.unavailable)} rate(s) left out "
                f"({shown}{f'; and {more} more' if more > 0 else ''})",
                event="estimate_unavailable",
            )


def _load_snapshot(snapshot_dir: str | None) -> Snapshot:

    try:
        return load_snapshot(Path(snapshot_dir)) if snapshot_dir else bundled_snapshot()
    except (OSError, ValueError, KeyError) as error:
        fail(f"cannot read snapshot {snapshot_dir or '(bundled)'}: {error}")


def _symbols(names: Sequence[str] | None) -> frozenset[Symbol] | None:
    if not names:
        return None
    try:
        return frozenset(Symbol.parse(n) for n in names)
    except ValueError as error:
        fail(f"--symbols: {error}")


def gather(venues: Sequence[Venue], *, predicted: bool = False) -> tuple[VenueRates, VenueRates]:
    """Every venue's current rates for all its listed symbols, and (``predicted``) each
    venue's predicted next rates where published (see :func:`_predictions`). (``--symbols``
    filters afterwards: asking a venue for a symbol it does not list fails the whole call.)"""

    async def work() -> tuple[VenueRates, VenueRates]:
        try:
            rates = await aggregator(venues, FundingRateAggregator).get_rates(None)
            current = in_venue_order(venues, rates)
            estimates = await _predictions(venues) if predicted else {}
            return current, estimates
        finally:
            await close_all(venues)

    return anyio.run(work)


PREDICTED_SOURCES = {"hyperliquid": "HlPerp", "binance": "BinPerp", "bybit": "BybitPerp"}
"""Venue kinds whose next funding Hyperliquid's ``predictedFundings`` predicts, by its tag
(docs.chainstack.com hyperliquid-info-predicted-fundings; fact sheet B9)."""


async def _predictions(venues: Sequence[Venue]) -> VenueRates:
    """Predicted rates per venue: a venue of a kind in :data:`PREDICTED_SOURCES` gets
    Hyperliquid's prediction for it, from the first configured Hyperliquid venue (one
    request each); other venues publish none and are left out by the estimator."""
    source = next(
        (
            v.client.unwrap()
            for v in venues
            if v.kind == "hyperliquid" and isinstance(v.client, Success)
        ),
        None,
    )
    fetch = getattr(source, "fetch_predicted_funding_rates", None)
    out: dict[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]] = {}
    if fetch is None:
        return out

    async def one(venue: Venue) -> None:
        future = fetch(None, source=PREDICTED_SOURCES[venue.kind], exchange=venue.id)
        with anyio.move_on_after(venue.timeout + GRACE):
            out[venue.id] = to_result(await future)

    async with anyio.create_task_group() as group:
        for venue in venues:
            if venue.kind in PREDICTED_SOURCES:
                group.start_soon(one, venue)
    return out


def _predicted(results: VenueRates) -> dict[tuple[str, Symbol], FundingRate]:
    out: dict[tuple[str, Symbol], FundingRate] = {}
    for venue, result in results.items():
        if isinstance(result, Success):
            for rate in result.unwrap():
                out[(venue.name, rate.symbol)] = rate
        else:
            log.info("venue %s: no predicted rates: %s", venue, result.failure().describe())
    return out


def run_scan(
    ctx: click.Context,
    *,
    offline: bool,
    snapshot_dir: str | None,
    venue_names: Sequence[str] | None,
    symbol_names: Sequence[str] | None,
    all_pairs: bool,
    min_apr: Decimal | None = None,
    basis: Basis | None = None,
    store_path: str | None = None,
) -> ScanReport:
    from adapters.store import DEFAULT_STORE, StoreError

    app = app_context(ctx)
    config = app.config()
    symbols = _symbols(symbol_names)
    if basis is None:
        basis = Basis.parse(config.strategy.basis)
    if offline or snapshot_dir:
        snapshot = _load_snapshot(snapshot_dir)
        venues = build_offline(snapshot, venue_names, config)
        source = f"snapshot as of {snapshot.as_of.isoformat()}"
        fixed_now: datetime | None = snapshot.as_of
    else:
        venues = build_live(select(config, venue_names), app.environ, with_credentials=False)
        source = "live"
        fixed_now = None
    results, predicted = gather(venues, predicted=basis is Basis.PREDICTED)
    now = fixed_now or utc_now()
    # the bundled snapshot comes with its history; any other source reads the store
    bundled = offline and snapshot_dir is None and not store_path
    try:
        history = load_history(
            bundled=bundled,
            store_path=Path(store_path or config.store_path or DEFAULT_STORE),
            now=now,
            window=lookback(basis),
        )
    except StoreError as problem:
        fail(f"funding store: {problem}")
    current = [
        rate
        for result in results.values()
        if isinstance(result, Success)
        for rate in result.unwrap()
        if symbols is None or rate.symbol in symbols
    ]
    rates, estimates, unavailable = apply_basis(
        basis, current, now=now, settled=history.settled, predicted=_predicted(predicted)
    )
    strategy = config.strategy.arbitrage_config(config.fees())
    # per_symbol=1 builds only each symbol's winner (= best_per_symbol of the full ranking)
    chosen = tuple(
        rank_opportunities(
            rates, strategy, min_net_apr=min_apr, per_symbol=None if all_pairs else 1
        )
    )
    for venue, result in results.items():
        if isinstance(result, Success):
            log.info("venue %s: %d funding rates", venue, len(result.unwrap()))
    return ScanReport(
        now=now,
        source=source,
        venues=results,
        kinds={v.id: v.kind for v in venues},
        opportunities=chosen,
        basis=basis,
        estimates=estimates,
        unavailable=tuple(unavailable),
        settled=history.settled,
        strategy=strategy,
        history_source=history.source,
    )
