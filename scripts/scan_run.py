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
from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.context import app_context, fail, warn
from scripts.runtime import (
    Venue,
    aggregator,
    build_live,
    build_offline,
    close_all,
    in_venue_order,
    select,
    utc_now,
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

    @property
    def any_ok(self) -> bool:
        return any(isinstance(r, Success) for r in self.venues.values())

    def failures(self) -> list[tuple[ExchangeIdentifier, VenueError]]:
        return [(v, r.failure()) for v, r in self.venues.items() if isinstance(r, Failure)]

    def warn_failures(self) -> None:
        for venue, error in self.failures():
            warn(f"venue {venue} left out: {error.describe()}", venue=str(venue))


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


def gather(venues: Sequence[Venue]) -> VenueRates:
    """Every venue's current rates for all its listed symbols. (``--symbols`` filters
    afterwards: asking a venue for a symbol it does not list fails the whole call.)"""

    async def work() -> VenueRates:
        try:
            rates = await aggregator(venues, FundingRateAggregator).get_rates(None)
            return in_venue_order(venues, rates)
        finally:
            await close_all(venues)

    return anyio.run(work)


def run_scan(
    ctx: click.Context,
    *,
    offline: bool,
    snapshot_dir: str | None,
    venue_names: Sequence[str] | None,
    symbol_names: Sequence[str] | None,
    all_pairs: bool,
    min_apr: Decimal | None = None,
) -> ScanReport:
    app = app_context(ctx)
    config = app.config()
    symbols = _symbols(symbol_names)
    if offline or snapshot_dir:
        snapshot = _load_snapshot(snapshot_dir)
        venues = build_offline(snapshot, venue_names, config)
        source = f"snapshot as of {snapshot.as_of.isoformat()}"
        fixed_now: datetime | None = snapshot.as_of
    else:
        venues = build_live(select(config, venue_names), app.environ, with_credentials=False)
        source = "live"
        fixed_now = None
    results = gather(venues)
    now = fixed_now or utc_now()
    rates = [
        rate
        for result in results.values()
        if isinstance(result, Success)
        for rate in result.unwrap()
        if symbols is None or rate.symbol in symbols
    ]
    strategy = config.strategy.arbitrage_config(config.fees())
    # per_symbol=1 builds only each symbol's winner (= best_per_symbol of the full ranking)
    chosen = rank_opportunities(
        rates, strategy, min_net_apr=min_apr, per_symbol=None if all_pairs else 1
    )
    for venue, result in results.items():
        if isinstance(result, Success):
            log.info("venue %s: %d funding rates", venue, len(result.unwrap()))
    return ScanReport(
        now=now,
        source=source,
        venues=results,
        kinds={v.id: v.kind for v in venues},
        opportunities=tuple(chosen),
    )
