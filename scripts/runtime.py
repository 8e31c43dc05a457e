"""Turning configuration into venue clients, and asking them through the aggregators.

Heavy imports (httpx through ``adapters.registry``, anyio) happen here, at command run
time, never when ``scripts.cli`` is imported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TypeVar

import attrs
from returns.result import Failure, Result, Success

from adapters.registry import VenueSettings, build_client
from atomic_fp import concurrency
from atomic_fp.aggregators import FundingRateAggregator, MarketAggregator, PositionAggregator
from atomic_fp.errors import NotConfigured, VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import VenueClient
from scripts.cache_dir import CACHE_DIR_ENV as CACHE_DIR_ENV  # re-exported
from scripts.cache_dir import cache_dir as cache_dir  # re-exported
from scripts.config import AppConfig, VenueConfig
from scripts.context import fail

if TYPE_CHECKING:  # a live command never loads the snapshot package (issue 20)
    from adapters.snapshot import Snapshot

T = TypeVar("T")


@attrs.frozen
class Venue:
    """One configured venue: its client, or why it could not be built."""

    id: ExchangeIdentifier
    kind: str
    client: Result[VenueClient, str]
    timeout: float = 10.0
    ca_bundle: str | None = None
    """The venue's CA bundle (config ``ca_bundle``): its streams verify with it too."""


def settings_for(
    venue: VenueConfig,
    environ: Mapping[str, str],
    *,
    with_credentials: bool = True,
    transport: object = None,
    base_url: str | None = None,
    urls: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> VenueSettings:
    extra = dict(urls or {})
    return VenueSettings(
        id=venue.id,
        kind=venue.kind,
        base_url=base_url or venue.base_url,
        ws_url=extra.get("ws_url", venue.ws_url),
        trading_url=extra.get("trading_url", venue.trading_url),
        auth_url=extra.get("auth_url", venue.auth_url),
        credentials=venue.resolve_credentials(environ) if with_credentials else {},
        fees=venue.fees,
        symbol_overrides=dict(venue.symbol_overrides),
        timeout=venue.timeout,
        max_response_bytes=venue.max_response_bytes,
        options=dict(venue.options),
        transport=transport,  # type: ignore[arg-type]
        clock=clock,
        ca_bundle=venue.ca_bundle,
    )


def select(config: AppConfig, names: Sequence[str] | None) -> tuple[VenueConfig, ...]:
    """The enabled venues, or the ``--venues`` subset (an unknown name exits 2)."""
    enabled = tuple(v for v in config.venues if v.enabled)
    if not names:
        return enabled
    known = {str(v.id): v for v in config.venues}
    unknown = [n for n in names if n not in known]
    if unknown:
        fail(f"unknown venue {unknown[0]!r} in --venues (configured: {', '.join(sorted(known))})")
    return tuple(known[n] for n in names)


def with_disk_caches(settings: VenueSettings, environ: Mapping[str, str]) -> VenueSettings:
    """GRVT's instrument list kept on disk between runs (``instrument_cache``), so a
    fresh process's scan needs one round trip there instead of two. A venue's own
    ``options.instrument_cache`` wins (``""`` turns it off). Live clients only: offline
    and snapshot scans never read or write it."""
    if settings.kind != "grvt" or "instrument_cache" in settings.options:
        return settings
    path = cache_dir(environ) / f"grvt-{settings.id}-instruments.json"
    return attrs.evolve(settings, options={**settings.options, "instrument_cache": str(path)})


def build_live(
    venues: Iterable[VenueConfig], environ: Mapping[str, str], *, with_credentials: bool = True
) -> tuple[Venue, ...]:
    return tuple(
        Venue(
            venue.id,
            venue.kind,
            build_client(
                with_disk_caches(
                    settings_for(venue, environ, with_credentials=with_credentials), environ
                )
            ),
            venue.timeout,
            venue.ca_bundle,
        )
        for venue in venues
    )


def build_offline(
    snapshot: Snapshot, names: Sequence[str] | None, config: AppConfig
) -> tuple[Venue, ...]:
    """Clients of the snapshot's venues, each answering from its recorded responses.

    The venue's config section (when one with the same id exists) contributes fees and
    symbol overrides; URLs and credentials never matter offline. Offline never touches
    the network: the config's URLs are dropped, and of the recorded ones only those the
    replay transport answers are kept (the HTTP hosts); no websocket URL is given (GRVT
    given a ``ws_url`` reads its tickers from that websocket instead of from the
    recorded REST answers: a real connection, issue 20's review), so GRVT reads its
    recorded REST tickers.
    """
    recordings = snapshot.venues
    if names:
        known = {r.venue for r in recordings}
        unknown = [n for n in names if n not in known]
        if unknown:
            fail(
                f"venue {unknown[0]!r} is not in the offline snapshot "
                f"(it has: {', '.join(sorted(known))})"
            )
        recordings = tuple(r for r in recordings if r.venue in names)
    built = []
    for recording in recordings:
        configured = config.venue(recording.venue)
        base = configured or VenueConfig(
            id=ExchangeIdentifier(recording.venue), kind=recording.kind
        )
        base = attrs.evolve(
            base,
            kind=recording.kind,
            credential_env={},
            base_url=None,
            ws_url=None,
            trading_url=None,
            auth_url=None,
        )
        settings = settings_for(
            base,
            {},
            with_credentials=False,
            transport=recording.replay(),  # kit clients replay it without httpx (issue 20)
            base_url=recording.base_url,
            urls={k: u for k, u in recording.urls.items() if k in _REPLAYED_URLS},
            clock=_fixed_clock(recording.recorded_at or snapshot.as_of),
        )
        built.append(Venue(base.id, recording.kind, build_client(settings), base.timeout))
    return tuple(built)


_REPLAYED_URLS = frozenset({"trading_url", "auth_url"})
"""Recorded URLs an offline client may use: HTTP hosts, answered by the replay
transport. Never ``ws_url``: a websocket connects on its own, around the transport."""


def _fixed_clock(at: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``at``: a replayed venue's "now" is when it was recorded."""
    return lambda: at


GRACE = 1.0
"""Seconds a venue gets beyond its configured timeout before its call counts as timed out
(its client's own HTTP timeout should answer first, with a more precise error)."""

A = TypeVar("A", FundingRateAggregator, PositionAggregator, MarketAggregator)


def aggregator(venues: Sequence[Venue], kind: type[A]) -> A:
    """An aggregator of ``kind`` over the venues whose client was built, each venue under
    its own time limit (its configured timeout plus :data:`GRACE`)."""
    built = [v.client.unwrap() for v in venues if isinstance(v.client, Success)]
    return kind(built, {v.id: v.timeout + GRACE for v in venues})


def in_venue_order(
    venues: Sequence[Venue], results: Mapping[ExchangeIdentifier, Result[T, VenueError]]
) -> dict[ExchangeIdentifier, Result[T, VenueError]]:
    """Every configured venue's result, in the configured order: an aggregator's for the
    venues that were built, ``NotConfigured`` saying why for the others."""
    return {
        venue.id: results[venue.id]
        if isinstance(venue.client, Success)
        else Failure(NotConfigured(str(venue.id), venue.client.failure()))
        for venue in venues
    }


async def close_all(venues: Iterable[Venue]) -> None:
    for venue in venues:
        if isinstance(venue.client, Success):
            with concurrency.move_on_after(2):
                try:
                    await venue.client.unwrap().aclose()
                except Exception as error:  # closing must never turn a result into a crash
                    logging.getLogger("scripts").debug("closing %s: %r", venue.id, error)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
