"""``scan``'s pre-connecting (:mod:`adapters.preconnect`): which venues, from the config
read and the command line, and whether GRVT's instrument list will be fetched."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.config import AppConfig, VenueConfig

PRECONNECT_ENV = "ATOMIC_FP_PRECONNECT"
"""``0`` turns pre-connecting off (each venue then connects when its client first asks)."""


def preconnect_venues(
    config: AppConfig, names: list[str] | None, environ: Mapping[str, str]
) -> None:
    """Begin the TCP and TLS handshakes of the chosen venues (:mod:`adapters.preconnect`):
    only in the ``atomic-fp`` process, unless ``ATOMIC_FP_PRECONNECT=0``; an unknown
    ``--venues`` name begins none (the scan refuses it as before)."""
    from scripts.startup import console_process

    if not console_process() or environ.get(PRECONNECT_ENV, "").strip() == "0":
        return
    from adapters import preconnect

    known = {str(v.id): v for v in config.venues}
    if names and any(name not in known for name in names):
        return
    chosen = [known[name] for name in names] if names else [v for v in config.venues if v.enabled]
    preconnect.start(preconnect.plan(chosen, lists_needed=_list_stale(environ)), environ)


GRVT_LIST_TTL = 900.0
"""GRVT's ``instrument_ttl`` default (``adapters.grvt.config``): a list on disk older than
this is fetched again (a venue with options, such as another ttl, is not pre-connected)."""


def _list_stale(environ: Mapping[str, str]) -> Callable[[VenueConfig], bool]:
    """Whether a GRVT venue's instrument list on disk (``scripts.runtime.with_disk_caches``)
    is missing or was written more than :data:`GRVT_LIST_TTL` ago (its mtime: the file
    says when it was fetched, which the client checks; a wrong guess here costs one unused
    connection or one not made early, nothing else)."""
    import time

    from scripts.cache_dir import cache_dir

    def stale(venue: VenueConfig) -> bool:
        path = cache_dir(environ) / f"grvt-{venue.id}-instruments.json"
        try:
            return time.time() - path.stat().st_mtime > GRVT_LIST_TTL
        except OSError:
            return True

    return stale


__all__ = ["GRVT_LIST_TTL", "PRECONNECT_ENV", "preconnect_venues"]
