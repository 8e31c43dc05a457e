"""Recorded HTTP exchanges, replayed (or captured) at the HTTP client's transport level.

A snapshot is a directory holding ``manifest.json`` (``as_of``, the venue files) and one
JSON file per venue::

    {"venue": "binance", "kind": "binance", "base_url": "https://fapi.binance.com",
     "exchanges": [{"method": "GET", "path": "/fapi/v1/premiumIndex", "query": {},
                    "json": null, "status": 200, "body": [...]}, ...]}

Matching a request: same method and path; every recorded query parameter present with the
same value; every recorded top-level JSON body key present with the same value. The most
specific match wins (so ``{"type": "metaAndAssetCtxs"}`` and ``{"type": "meta"}`` are told
apart). A request nothing matches gets HTTP 404 with a JSON error naming it, which the
client classifies like any venue refusal: the replay never invents a response.

Two ways to replay the same :class:`Replay`: in-process (:meth:`VenueRecording.replay`,
what ``scan --offline`` uses: the venue's client gets an
:class:`~adapters.kit.http_client.InProcessClient` and httpx is never imported, issue 20),
or as an httpx transport (:meth:`VenueRecording.transport`,
:class:`~adapters.snapshot.httpx_replay.ReplayTransport`: tests, and venues whose clients
are built on httpx itself). ``record``'s :class:`RecordingTransport` lives beside the
latter; both names are importable from here as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from adapters.kit.http_client import InProcessTransport

if TYPE_CHECKING:
    from adapters.snapshot.httpx_replay import RecordingTransport as RecordingTransport
    from adapters.snapshot.httpx_replay import ReplayTransport as ReplayTransport

MANIFEST = "manifest.json"


@attrs.frozen
class Exchange:
    """One recorded request/response pair."""

    method: str
    path: str
    status: int
    body: Any
    query: Mapping[str, str] = attrs.field(factory=dict)
    json: Mapping[str, Any] | None = None

    def score(self, method: str, path: str, query: Mapping[str, str], body: Any) -> int | None:
        """How specifically this exchange matches a request (``None``: it does not)."""
        if method != self.method or path.rstrip("/") != self.path.rstrip("/"):
            return None
        for key, value in self.query.items():
            if query.get(key) != value:
                return None
        if self.json is not None:
            if not isinstance(body, dict):
                return None
            for key, value in self.json.items():
                if body.get(key) != value:
                    return None
        return len(self.query) + len(self.json or {})

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": dict(self.query),
            "json": None if self.json is None else dict(self.json),
            "status": self.status,
            "body": self.body,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Exchange:
        return cls(
            method=str(data["method"]).upper(),
            path=str(data["path"]),
            status=int(data.get("status", 200)),
            body=data.get("body"),
            query={str(k): str(v) for k, v in (data.get("query") or {}).items()},
            json=data.get("json"),
        )


@attrs.frozen
class VenueRecording:
    """Everything recorded from one venue."""

    venue: str
    kind: str
    base_url: str | None
    exchanges: tuple[Exchange, ...]
    urls: Mapping[str, str] = attrs.field(factory=dict)
    recorded_at: datetime | None = None
    """When this venue's answers were recorded, if not at the snapshot's ``as_of`` (the
    venue's client then sees this time as "now", so its rates show their true age)."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "venue": self.venue,
            "kind": self.kind,
            "base_url": self.base_url,
            "urls": dict(self.urls),
        }
        if self.recorded_at is not None:
            data["recorded_at"] = self.recorded_at.isoformat().replace("+00:00", "Z")
        data["exchanges"] = [e.to_json() for e in self.exchanges]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VenueRecording:
        return cls(
            venue=str(data["venue"]),
            kind=str(data.get("kind", data["venue"])),
            base_url=data.get("base_url"),
            exchanges=tuple(Exchange.from_json(e) for e in data.get("exchanges", [])),
            urls={str(k): str(v) for k, v in (data.get("urls") or {}).items()},
            recorded_at=(
                _parse_time(str(data["recorded_at"])) if data.get("recorded_at") else None
            ),
        )

    def transport(self) -> ReplayTransport:
        """The recorded answers as an httpx transport."""
        from adapters.snapshot.httpx_replay import ReplayTransport

        return ReplayTransport(self.exchanges)

    def replay(self) -> InProcessTransport:
        """The recorded answers in-process, for a client built by
        :func:`adapters.kit.http_client.async_client` (no httpx)."""
        return InProcessTransport(Replay(self.exchanges))


@attrs.frozen
class Snapshot:
    """A recorded market state: when, and each venue's exchanges."""

    as_of: datetime
    venues: tuple[VenueRecording, ...]
    description: str = ""

    def venue(self, name: str) -> VenueRecording | None:
        return next((v for v in self.venues if v.venue == name), None)

    def to_json(self) -> dict[str, Any]:
        """The single-file form (what ``atomic-fp record`` writes)."""
        return {
            "as_of": self.as_of.isoformat().replace("+00:00", "Z"),
            "description": self.description,
            "venues": [v.to_json() for v in self.venues],
        }

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for recording in self.venues:
            (directory / f"{recording.venue}.json").write_text(
                json.dumps(recording.to_json(), indent=1) + "\n"
            )
        manifest = {
            "as_of": self.as_of.isoformat().replace("+00:00", "Z"),
            "description": self.description,
            "venues": [v.venue for v in self.venues],
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"snapshot as_of {text!r} has no timezone")
    return parsed.astimezone(timezone.utc)


def load_snapshot(directory: Path | Any) -> Snapshot:
    """Read a snapshot: a directory (a ``Path`` or an ``importlib.resources`` traversable)
    holding ``manifest.json`` and one file per venue, or a single JSON file as written by
    ``atomic-fp record`` (:meth:`Snapshot.to_json`).

    Raises ``ValueError``, ``KeyError`` or ``OSError`` when it is not a readable snapshot.
    """
    if directory.is_file():
        single = json.loads(directory.read_text())
        return Snapshot(
            as_of=_parse_time(str(single["as_of"])),
            venues=tuple(VenueRecording.from_json(v) for v in single["venues"]),
            description=str(single.get("description", "")),
        )
    manifest = json.loads((directory / MANIFEST).read_text())
    venues = tuple(
        VenueRecording.from_json(json.loads((directory / f"{name}.json").read_text()))
        for name in manifest["venues"]
    )
    return Snapshot(
        as_of=_parse_time(str(manifest["as_of"])),
        venues=venues,
        description=str(manifest.get("description", "")),
    )


def bundled_snapshot() -> Snapshot:
    """The snapshot shipped inside the package (``adapters/snapshot/data``)."""
    # beside this module, as ``adapters.snapshot.history`` finds its CSV (not through
    # importlib.resources, which imports tempfile, random and zipfile: issue 20)
    return load_snapshot(Path(__file__).with_name("data"))


class Replay:
    """Serves recorded responses; what was not recorded is a 404, never a guess.
    ``requests``/``unmatched``: every ``(method, path)`` asked, and those not recorded."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self._exchanges = tuple(exchanges)
        self.requests: list[tuple[str, str]] = []
        self.unmatched: list[tuple[str, str]] = []

    def answer(
        self, method: str, path: str, query: Mapping[str, str], content: bytes
    ) -> tuple[int, bytes]:
        """``(status, JSON body)`` for one request."""
        body = request_json(content)
        self.requests.append((method, path))
        best: Exchange | None = None
        best_score = -1
        for exchange in self._exchanges:
            score = exchange.score(method, path, query, body)
            if score is not None and score > best_score:
                best, best_score = exchange, score
        if best is None:
            self.unmatched.append((method, path))
            detail = f"not recorded in the offline snapshot: {method} {path}"
            return 404, json.dumps({"code": 404, "msg": detail, "error": detail}).encode()
        return best.status, json.dumps(best.body).encode()


def request_json(content: bytes) -> Any:
    """A request body as JSON, or ``None`` (none, or not JSON)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def __getattr__(name: str) -> Any:
    """``ReplayTransport``/``RecordingTransport`` (httpx transports), loaded on first use."""
    if name in ("ReplayTransport", "RecordingTransport"):
        from adapters.snapshot import httpx_replay

        return getattr(httpx_replay, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
