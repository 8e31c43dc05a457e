"""``scan``'s pre-connecting (:mod:`adapters.preconnect`): which venues, from the config
and the command line, and whether GRVT's instrument list will be fetched.

Two callers, one choice: the console script, from the raw config file before anything
else is imported (:mod:`scripts.early_preconnect`), and the scan once it has validated
that file (:func:`preconnect_venues`). Both go through :func:`begin`; the second finds its
connections begun already (:func:`adapters.preconnect.start` is idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from adapters.preconnect import VenueLike

if TYPE_CHECKING:
    from scripts.config import AppConfig

PRECONNECT_ENV = "ATOMIC_FP_PRECONNECT"
"""``0`` turns pre-connecting off (each venue then connects when its client first asks)."""


class ChosenVenue(Protocol):
    """What :func:`begin` reads of a venue besides what the plan does
    (``scripts.config.VenueConfig``, or the early step's raw view of it)."""

    @property
    def id(self) -> object: ...
    @property
    def enabled(self) -> bool: ...


class ScanVenue(ChosenVenue, VenueLike, Protocol):
    """A venue :func:`begin` can choose and :func:`adapters.preconnect.plan` can plan."""


V = TypeVar("V", bound=ScanVenue)


def turned_off(environ: Mapping[str, str]) -> bool:
    """Whether ``ATOMIC_FP_PRECONNECT=0`` (see :data:`PRECONNECT_ENV`)."""
    return environ.get(PRECONNECT_ENV, "").strip() == "0"


def preconnect_venues(
    config: AppConfig, names: list[str] | None, environ: Mapping[str, str]
) -> None:
    """Begin the TCP and TLS handshakes of the chosen venues (:mod:`adapters.preconnect`):
    only in the ``atomic-fp`` process, unless ``ATOMIC_FP_PRECONNECT=0``; an unknown
    ``--venues`` name begins none (the scan refuses it as before)."""
    from scripts.startup import console_process

    if not console_process() or turned_off(environ):
        return
    begin(config.venues, names, environ)


def begin(venues: Sequence[V], names: Sequence[str] | None, environ: Mapping[str, str]) -> int:
    """Begin the connections of ``venues`` chosen by ``--venues`` ``names`` (every enabled
    one without names; none when a name is unknown); how many were begun by this call."""
    from adapters import preconnect

    known = {str(v.id): v for v in venues}
    if names and any(name not in known for name in names):
        return 0
    chosen = [known[name] for name in names] if names else [v for v in venues if v.enabled]
    targets = preconnect.plan(chosen, lists_needed=_list_stale(environ))
    return preconnect.start(targets, environ)


GRVT_LIST_TTL = 900.0
"""GRVT's ``instrument_ttl`` default (``adapters.grvt.config``): a list on disk older than
this is fetched again (a venue with options, such as another ttl, is not pre-connected)."""


def _list_stale(environ: Mapping[str, str]) -> Callable[[ChosenVenue], bool]:
    """Whether a GRVT venue's instrument list on disk (``scripts.runtime.with_disk_caches``)
    is missing or was written more than :data:`GRVT_LIST_TTL` ago (its mtime: the file
    says when it was fetched, which the client checks; a wrong guess here costs one unused
    connection or one not made early, nothing else)."""
    import time

    from scripts.cache_dir import cache_dir

    def stale(venue: ChosenVenue) -> bool:
        path = cache_dir(environ) / f"grvt-{venue.id}-instruments.json"
        try:
            return time.time() - path.stat().st_mtime > GRVT_LIST_TTL
        except OSError:
            return True

    return stale


__all__ = ["GRVT_LIST_TTL", "PRECONNECT_ENV", "begin", "preconnect_venues", "turned_off"]
