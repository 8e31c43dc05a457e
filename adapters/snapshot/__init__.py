"""The bundled offline snapshot: recorded venue responses replayed through the real clients.

``atomic-fp scan --offline`` builds each venue's *own* client with an httpx transport
(:class:`~adapters.snapshot.replay.ReplayTransport`) that answers from the recorded
responses in ``data/``; the adapters' parsers therefore run exactly as they do live.
Provenance of every value: ``PROVENANCE.md`` beside this file.
"""

from adapters.snapshot.replay import (
    Exchange,
    RecordingTransport,
    ReplayTransport,
    Snapshot,
    VenueRecording,
    bundled_snapshot,
    load_snapshot,
)

__all__ = [
    "Exchange",
    "RecordingTransport",
    "ReplayTransport",
    "Snapshot",
    "VenueRecording",
    "bundled_snapshot",
    "load_snapshot",
]
