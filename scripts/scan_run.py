"""Gathering funding rates for ``scan`` and ranking them (imported only when scanning).

Start-up order (issue 20): this module imports only what building the venue clients and
asking them needs. The decisions, the carry columns, the report and (through
``scan_command``'s ``warm``) the output are imported by :func:`scripts.startup.warm_imports`
in a worker thread once the first connection has started, while the handshakes and
requests are in flight; the ranking below imports them again, which costs nothing once the
worker has, and raises the real error if the worker could not.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import click
from returns.result import Failure, Result, Success

from adapters.published_fees import ACCOUNT_FEE_KINDS, with_note
from atomic_fp import concurrency
from atomic_fp.aggregators import FundingRateAggregator
from atomic_fp.errors import VenueError
from atomic_fp.models import FeeQuote, FeeSource, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.config import AppConfig
from scripts.context import app_context, fail, warn
from scripts.environment_settings import refuse_a_broken_environment
from scripts.fees import FeeResults, quote_all
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
from scripts.scan_predictions import predicted_by_venue
from scripts.scan_predictions import predictions as fetch_predictions
from scripts.startup import QuietResult, collect_in_batches, start_up_done, warm_imports

if TYPE_CHECKING:
    from adapters.snapshot import Snapshot
    from atomic_fp.decisions.types import Opportunity
    from atomic_fp.models import ArbitrageConfig
    from scripts.scan_report import ScanReport

log = logging.getLogger("scripts.scan")

VenueRates = Mapping[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]]

RANKING_MODULES = (
    "atomic_fp.decisions.estimators",
    "atomic_fp.decisions.liquidity",
    "atomic_fp.decisions.ranking",
    "scripts.scan_carry",
    "scripts.scan_report",
)
"""What :func:`run_scan` needs once the rates are in: imported while they are fetched."""

LOOP_FREE_OFFLINE = True
"""``scan --offline`` asks its replayed venues without an event loop
(:func:`atomic_fp.concurrency.run_inline`; issue 20: asyncio, anyio's backend and ``ssl``
are then never imported). Tests set it to ``False`` to compare with the anyio run."""


def _load_snapshot(snapshot_dir: str | None) -> Snapshot:
    if not snapshot_dir:
        from adapters.snapshot import bundled_snapshot

        return bundled_snapshot()
    from scripts.snapshot_input import SnapshotInputError, read_snapshot  # --snapshot only

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
    venues: Sequence[Venue],
    account_venues: Sequence[Venue] = (),
    *,
    predicted: bool = False,
    warm: Sequence[str] = (),
    loop_free: bool = False,
) -> tuple[VenueRates, FeeResults, VenueRates]:
    """Every venue's current rates for all its listed symbols (``--symbols`` filters
    afterwards: asking a venue for a symbol it does not list fails the whole call), each
    venue's fee quote, and (``predicted``) each venue's predicted next rates where published
    (:func:`scripts.scan_predictions.predictions`). ``account_venues`` are credentialed
    clients of venues whose credentials are all set, used only to read the account's fee
    rates. Account fees and predictions are read concurrently with the rates; the other fee
    quotes come after the rates (Lighter's fees come with the market list its rates already
    loaded, the rest answer without a request). ``warm`` names the modules the caller needs
    afterwards: imported in a worker thread while the venues answer
    (:func:`scripts.startup.warm_imports`), from the moment the first connection starts.
    ``loop_free``: run without an event loop (:func:`atomic_fp.concurrency.run_inline`:
    venues that answer from memory, the offline scan); it raises
    :class:`~atomic_fp.concurrency.InlineRefused` if anything would have to wait (the
    clients are closed by then: the caller builds new ones to ask again)."""

    async def work() -> tuple[VenueRates, FeeResults, VenueRates]:
        account_fees: dict[ExchangeIdentifier, Any] = {}
        predictions: dict[ExchangeIdentifier, Result[tuple[FundingRate, ...], VenueError]] = {}

        async def read_account_fees() -> None:
            account_fees.update(await quote_all(account_venues))

        async def read_predictions() -> None:
            predictions.update(await fetch_predictions(venues))

        try:
            async with warm_imports(warm), concurrency.task_group() as group:
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
            if "adapters.preconnect" in sys.modules:  # only a scan that pre-connected
                from adapters.preconnect import discard_unused

                discard_unused()  # pre-made connections no client took

    async def quietly() -> QuietResult[tuple[VenueRates, FeeResults, VenueRates]]:
        return QuietResult(await work())

    collect_in_batches()  # a scan reads and ranks: larger young batches (scripts.startup)
    start_up_done()  # the clients are built: their imports are done (scripts.startup)
    if loop_free:
        return concurrency.run_inline(quietly).value
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
    basis: str | None = None,
    store_path: str | None = None,
    warm: Sequence[str] = (),
) -> ScanReport:
    """``basis``: an estimator's name (``--basis``; default ``[strategy] basis``, both
    checked names). ``warm``: modules the caller needs after the scan (its output),
    imported while the venues answer, with the ranking's (:func:`gather`)."""
    app = app_context(ctx)
    config = app.config()
    symbols = _symbols(symbol_names)
    account_venues: tuple[Venue, ...] = ()
    basis_name = basis if basis is not None else config.strategy.basis
    if offline or snapshot_dir:
        snapshot = _load_snapshot(snapshot_dir)
        venues = build_offline(snapshot, venue_names, config)
        source = f"snapshot as of {snapshot.as_of.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"
        fixed_now: datetime | None = snapshot.as_of
    else:
        venues = build_live(select(config, venue_names), app.environ, with_credentials=False)

        def unbuilt(venue: Venue, problem: str) -> str:
            # a venue the config cannot build is a configuration error, not an outage
            return f"invalid configuration: {config.source}: venues.{venue.id}: {problem}"

        # a broken proxy or CA-store setting is the environment's, not the file's: named as the
        # trading commands name it (scripts.trading), exit 2 all the same
        refuse_a_broken_environment(venues, unbuilt)
        for built in venues:
            if isinstance(built.client, Failure):
                fail(unbuilt(built, built.client.failure()))
        account_venues = _account_fee_venues(config, venue_names, app.environ)
        source = "live"
        fixed_now = None
    # the bundled snapshot comes with its history; any other source reads the store
    bundled = offline and snapshot_dir is None and not store_path
    wants_predictions = basis_name.strip().lower() == "predicted"
    if offline and LOOP_FREE_OFFLINE:
        from scripts.held_logs import held_logs

        try:
            with held_logs():  # dropped if refused: the anyio run logs them again
                results, quoted, predicted = gather(
                    venues, predicted=wants_predictions, loop_free=True
                )
        except concurrency.InlineRefused:  # it would have had to wait: ask again on anyio
            venues = build_offline(snapshot, venue_names, config)
            results, quoted, predicted = gather(venues, predicted=wants_predictions)
    else:
        results, quoted, predicted = gather(
            venues,
            account_venues,
            predicted=wants_predictions,
            # an offline scan connects nowhere: no worker would start (nor its modules load)
            warm=() if offline else (*RANKING_MODULES, "adapters.store", *warm),
        )
    from atomic_fp.decisions.estimators import Basis
    from atomic_fp.decisions.ranking import rank_opportunities
    from scripts.fees import resolve_all
    from scripts.scan_carry import apply_basis, load_history, lookback
    from scripts.scan_report import ScanReport

    chosen_basis = Basis.parse(basis_name)
    fees = resolve_all(config, venues, quoted)
    now = fixed_now or utc_now()
    if bundled:  # no store to open (nor sqlite3 to import: issue 20)
        history = load_history(
            bundled=True, store_path=Path(), now=now, window=lookback(chosen_basis)
        )
    else:
        from adapters.store import DEFAULT_STORE, StoreError

        try:
            history = load_history(
                bundled=False,
                store_path=Path(store_path or config.store_path or DEFAULT_STORE),
                now=now,
                window=lookback(chosen_basis),
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
        chosen_basis,
        usable,
        now=now,
        settled=history.settled,
        predicted=predicted_by_venue(predicted),
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
        basis=chosen_basis,
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
    from atomic_fp.decisions.liquidity import liquidity_problem

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
