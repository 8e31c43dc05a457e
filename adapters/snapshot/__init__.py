"""The bundled offline snapshot: recorded venue responses replayed through the real clients.

``atomic-fp scan --offline`` builds each venue's *own* client on a transport that answers
from the recorded responses in ``data/`` (in-process, :meth:`VenueRecording.replay`, or
as an httpx transport, :class:`~adapters.snapshot.replay.ReplayTransport`); the adapters'
parsers therefore run exactly as they do live.
Provenance of every value: ``PROVENANCE.md`` beside this file.
"""

from typing import TYPE_CHECKING, Any

from adapters.snapshot.replay import (
    Exchange,
    Replay,
    Snapshot,
    VenueRecording,
    bundled_snapshot,
    load_snapshot,
)

if TYPE_CHECKING:
    from adapters.snapshot.httpx_replay import RecordingTransport as RecordingTransport
    from adapters.snapshot.httpx_replay import ReplayTransport as ReplayTransport


def __getattr__(name: str) -> Any:
    """The httpx transports, loaded on first use (reading a snapshot needs no httpx)."""
    if name in ("ReplayTransport", "RecordingTransport"):
        from adapters.snapshot import httpx_replay

        return getattr(httpx_replay, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Exchange",
    "RecordingTransport",
    "Replay",
    "ReplayTransport",
    "Snapshot",
    "VenueRecording",
    "bundled_snapshot",
    "load_snapshot",
]
