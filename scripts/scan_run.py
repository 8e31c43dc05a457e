"""Gathering funding rates for ``scan`` and ranking them (imported only when scanning)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
import click
from returns.result import Failure, Result, Success

from adapters.published_fees import ACCOUNT_FEE_KINDS, with_note
from adapters.snapshot import Snapshot, bundled_snapshot
from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.decisions.estimators import Basis, Estimate, EstimateUnavailable
from atomic_fp.decisions.liquidity import liquidity_problem
from atomic_fp.decisions.ranking import rank_opportunities
from atomic_fp.decisions.types import Opportunity
from atomic_fp.errors import VenueError
from atomic_fp.models import ArbitrageConfig, FeeQuote, FeeSource, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result
from scripts.config import AppConfig
from scripts.context import app_context, fail, warn
from scripts.fees import FeeResults, quote_all, resolve_all
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
from scripts.startup import QuietResult, freeze_startup_objects

log = logging.getLogger("scripts.scan")

VenueRates = Mapping[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]


@attrs.frozen
class ScanReport:
    now: datetime
    source: str
    venues: VenueRates
    kinds: Mapping[ExchangeIdentifier, str]
    opportunities: tuple[Opportunity, ...]
    unlisted_symbols: tuple[str, ...] = ()
    """``--symbols`` that no venue which answered lists."""
    requested_symbols: tuple[str, ...] = ()
    fees: Mapping[str, FeeQuote] = attrs.field(factory=dict)
    """Each venue's fee (by venue id) with its source: what the net APRs were computed with."""
    left_out: tuple[str, ...] = ()
    """Rates left out before ranking (interval in doubt, below a liquidity floor),
    ``"venue SYMBOL: why"``."""
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
    def answered(self) -> int:
        return sum(1 for r in self.venues.values() if isinstance(r, Success))

    @property
    def any_ok(self) -> bool:
        return any(isinstance(r, Success) for r in self.venues.values())

    def failures(self) -> list[tuple[ExchangeIdentifier, VenueError]]:
        return [(v, r.failure()) for v, r in self.venues.items() if isinstance(r, Failure)]

    def warn_failures(self) -> None:
        for venue, error in self.failures():
            warn(
                f"venue {venue} left out: {error.describe()}",
                venue=str(venue),
                event="venue_failed",
                error_type=error.kind,
                code=error.code,
            )
        if self.unavailable:
            shown = "; ".join(e.describe() for e in self.unavailable[:3])
            more = len(self.unavailable) - 3
            warn(
                f"--basis {self.basis.value}: {len(self.unavailable)} rate(s) left out "
                f"({shown}{f'; and {more} more' if more > 0 else ''})",
                event="estimate_unavailable",
            )


def _load_snapshot(snapshot_dir: str | None) -> Snapshot:
    from scripts.snapshot_input import SnapshotInputError, read_snapshot

    if not snapshot_dir:
        return bundled_snapshot()
    try:
        return read_snapshot(Path(snapshot_dir))
    except SnapshotInputError as error:
        fail(f"--snapshot: {error}")


def _symbols(names: Sequence[str] | None) -> frozenset[Symbol] | None:
    if not names:
        return None
    try:
        return frozenset(Symbol.parse(n) for n in names)
    except ValueError as error:
        fail(f"--symbols: {error}")


def gather(
    venues: Sequence[Venue], account_venues: Sequence[Venue] = (), *, predicted: bool = False
) -> tuple[VenueRates, FeeResults, VenueRates]:
    """Every venue's current rates for all its listed symbols (``--symbols`` filters
    afterwards: asking a venue for a symbol it does not list fails the whole call), each
    venue's fee quote, and (``predicted``) each venue's predicted next rates where published
    (see :func:`_predictions`). ``account_venues`` are credentialed clients of venues whose
    credentials are all set, used only to read the account's fee rates. Account fees and
    predictions are read concurrently with the rates; the other fee quotes come after the
    rates (Lighter's fees come with the market list its rates already loaded, the rest
    answer without a request)."""

    async def work() -> tuple[VenueRates, FeeResults, VenueRates]:
        account_fees: dict[ExchangeIdentifier, Any] = {}
        predictions: dict[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]] = {}

        async def read_account_fees() -> None:
            account_fees.update(await quote_all(account_venues))

        async def read_predictions() -> None:
            predictions.update(await _predictions(venues))

        try:
            async with anyio.create_task_group() as group:
                if account_venues:
                    group.start_soon(read_account_fees)
                if predicted:
                    group.start_soon(read_predictions)
                rates = in_venue_order(
                    venues, await aggregator(venues, FundingRateAggregator).get_rates(None)
                )
            fees = dict(await quote_all(venues))
            for venue_id, account in account_fees.items():
                fees[venue_id] = _prefer_account(fees.get(venue_id), account)
            return rates, fees, predictions
        finally:
            await close_all(venues)
            await close_all(account_venues)

    async def quietly() -> QuietResult[tuple[VenueRates, FeeResults, VenueRates]]:
        return QuietResult(await work())

    freeze_startup_objects()  # the clients are built: their imports are done
    return anyio.run(quietly).value


def _prefer_account(
    public: Result[FeeQuote, VenueError] | None, account: Result[FeeQuote, VenueError]
) -> Result[FeeQuote, VenueError]:
    """The credentialed client's quote when it read the account's rates, else the public
    client's quote, noting why the account's rates are not used."""
    if isinstance(account, Success) and account.unwrap().source is FeeSource.ACCOUNT:
        return account
    if not isinstance(public, Success):
        return account
    why = account.unwrap().detail if isinstance(account, Success) else account.failure().describe()
    return Success(with_note(public.unwrap(), f"account rates not read: {why}"))


def _account_fee_venues(
    config: AppConfig, names: Sequence[str] | None, environ: Mapping[str, str]
) -> tuple[Venue, ...]:
    """Credentialed clients (fee queries only) of the venues whose credentials are all set
    in the environment and whose fees the config does not fix."""
    chosen = [
        v
        for v in select(config, names)
        if v.kind in ACCOUNT_FEE_KINDS
        and v.credential_env
        and not v.missing_credentials(environ)
        and v.fees is None
    ]
    return build_live(chosen, environ, with_credentials=True) if chosen else ()


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
    both_directions: bool = False,
    min_open_interest: Decimal | None = None,
    min_volume_24h: Decimal | None = None,
    basis: Basis | None = None,
    store_path: str | None = None,
) -> ScanReport:
    app = app_context(ctx)
    config = app.config()
    symbols = _symbols(symbol_names)
    account_venues: tuple[Venue, ...] = ()
    if basis is None:
        basis = Basis.parse(config.strategy.basis)
    if offline or snapshot_dir:
        snapshot = _load_snapshot(snapshot_dir)
        venues = build_offline(snapshot, venue_names, config)
        source = f"snapshot as of {snapshot.as_of.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
        fixed_now: datetime | None = snapshot.as_of
    else:
        venues = build_live(select(config, venue_names), app.environ, with_credentials=False)
        for built in venues:
            if isinstance(built.client, Failure):
                # a venue the config cannot build is a configuration error, not an outage
                fail(
                    f"invalid configuration: {config.source}: venues.{built.id}: "
                    f"{built.client.failure()}"
                )
        account_venues = _account_fee_venues(config, venue_names, app.environ)
        source = "live"
        fixed_now = None
    results, quoted, predicted = gather(venues, account_venues, predicted=basis is Basis.PREDICTED)
    fees = resolve_all(config, venues, quoted)
    now = fixed_now or utc_now()
    # the bundled snapshot comes with its history; any other source reads the store
    bundled = offline and snapshot_dir is None and not store_path
    if bundled:  # no store to open (nor sqlite3 to import: issue 20)
        history = load_history(bundled=True, store_path=Path(), now=now, window=lookback(basis))
    else:
        from adapters.store import DEFAULT_STORE, StoreError

        try:
            history = load_history(
                bundled=False,
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
    strategy = config.strategy.arbitrage_config({name: q.fees for name, q in fees.items()})
    usable, left_out = _usable_rates(current, strategy, min_open_interest, min_volume_24h)
    rates, estimates, unavailable = apply_basis(
        basis, usable, now=now, settled=history.settled, predicted=_predicted(predicted)
    )
    # per_symbol=1 builds only each symbol's winner (= best_per_symbol of the full ranking)
    chosen = tuple(
        rank_opportunities(
            rates, strategy, min_net_apr=min_apr, per_symbol=None if all_pairs else 1
        )
    )
    if all_pairs and not both_directions:
        chosen = tuple(profitable_direction(chosen))
    listed = {
        rate.symbol.base
        for result in results.values()
        if isinstance(result, Success)
        for rate in result.unwrap()
    }
    unlisted = tuple(sorted(s.base for s in symbols or () if s.base not in listed))
    for venue, result in results.items():
        if isinstance(result, Success):
            log.info("venue %s: %d funding rates", venue, len(result.unwrap()))
    return ScanReport(
        now=now,
        source=source,
        venues=results,
        kinds={v.id: v.kind for v in venues},
        opportunities=chosen,
        unlisted_symbols=unlisted,
        requested_symbols=tuple(sorted(s.base for s in symbols or ())),
        fees=fees,
        left_out=left_out,
        basis=basis,
        estimates=estimates,
        unavailable=tuple(unavailable),
        settled=history.settled,
        strategy=strategy,
        history_source=history.source,
    )


def _usable_rates(
    rates: list[FundingRate],
    strategy: ArbitrageConfig,
    min_open_interest: Decimal | None,
    min_volume_24h: Decimal | None,
) -> tuple[list[FundingRate], tuple[str, ...]]:
    """The rates that may be ranked, and ``"venue SYMBOL: why"`` for each one left out: an
    interval in doubt (:mod:`atomic_fp.intervals`), or a market below a liquidity floor (a
    venue that publishes no figure passes; :mod:`atomic_fp.decisions.liquidity`)."""
    kept: list[FundingRate] = []
    left_out: list[str] = []
    for rate in rates:
        where = f"{rate.exchange} {rate.symbol.base}"
        if rate.interval_doubt is not None:
            left_out.append(f"{where}: interval uncertain ({rate.interval_doubt})")
            warn(f"left out: {left_out[-1]}", venue=str(rate.exchange), event="interval_doubt")
            continue
        problem = liquidity_problem(
            rate, strategy, min_open_interest=min_open_interest, min_volume_24h=min_volume_24h
        )
        if problem is None:
            kept.append(rate)
        else:
            left_out.append(f"{where}: {problem}")
            log.info("left out: %s", left_out[-1])
    return kept, tuple(left_out)


def profitable_direction(ranked: Sequence[Opportunity]) -> list[Opportunity]:
    """Each venue pair of a symbol once, in its better direction (long the lower rate,
    short the higher), keeping the ranking's order. The other direction of a pair is the
    same spread with the sign flipped: listing it too only adds losing rows."""
    seen: set[tuple[str, frozenset[str]]] = set()
    kept = []
    for opportunity in ranked:  # best first: the first of a pair is its better direction
        key = (
            opportunity.symbol.base,
            frozenset((str(opportunity.long_venue), str(opportunity.short_venue))),
        )
        if key not in seen:
            seen.add(key)
            kept.append(opportunity)
    return kept
