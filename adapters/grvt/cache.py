"""An optional on-disk copy of GRVT's ``all_instruments`` answer, shared between processes.

GRVT has no bulk ticker endpoint, so a funding scan needs the instrument list before it
can ask for tickers: two sequential round trips in a fresh process. A CLI scan is a fresh
process each time; with this cache, scans within ``instrument_ttl`` of the last fetch skip
the first round trip.

The file holds the raw response body (JSON numbers that arrived as floats are stored as
strings, which the parsers read as the same Decimal) with what it belongs to::

    {"format": "atomic-fp/grvt-all-instruments/1", "venue": "grvt",
     "source": "https://market-data.grvt.io/full/v1/all_instruments",
     "fetched_at": 1764000000.123, "body": {...}}

``fetched_at`` (Unix seconds, stamped by the process that fetched it) decides the age, not
the file's mtime (a copy or a touch does not make it fresh). The caller re-parses ``body``
with the same parser as a live answer: nothing here is trusted beyond that. Every failure
(missing, unreadable, corrupt, another venue's or host's file, stale, stamped in the
future) reads as "no cache" and is logged at debug; writing is atomic (a temporary file
in the same directory, then ``os.replace``) and a failed write is logged and ignored.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from adapters._http import loads

log = logging.getLogger("adapters.grvt.cache")

FORMAT = "atomic-fp/grvt-all-instruments/1"
MAX_BYTES = 64 * 1024 * 1024
"""Larger files are not read (the real list is well under a megabyte)."""


@attrs.frozen
class CachedBody:
    """A cached ``all_instruments`` body and when it was fetched (Unix seconds)."""

    body: Any
    fetched_at: float


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def encode(*, venue: str, source: str, fetched_at: float, body: Any) -> str:
    """The file's text for ``body`` (Decimals written as strings)."""
    document = {
        "format": FORMAT,
        "venue": venue,
        "source": source,
        "fetched_at": fetched_at,
        "body": body,
    }
    return json.dumps(document, default=_plain, separators=(",", ":"))


def decode(
    text: str | bytes, *, venue: str, source: str, now: float, ttl: float
) -> CachedBody | str:
    """The cached body if ``text`` is this venue's and source's and younger than ``ttl``
    at ``now``; otherwise why not (a short reason)."""
    try:
        document = loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        return f"not JSON ({type(error).__name__})"
    if not isinstance(document, dict):
        return "not a JSON object"
    if document.get("format") != FORMAT:
        return f"format {str(document.get('format'))[:60]!r}, not {FORMAT!r}"
    if document.get("venue") != venue or document.get("source") != source:
        return "written for another venue or host"
    stamp = document.get("fetched_at")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float | Decimal):
        return "no fetch time"
    fetched_at = float(stamp)
    age = now - fetched_at
    if not age >= 0:
        return f"fetched {-age:.0f}s in the future"
    if age >= ttl:
        return f"{age:.0f}s old (ttl {ttl:g}s)"
    if "body" not in document:
        return "no body"
    return CachedBody(document["body"], fetched_at)


def read(path: Path, *, venue: str, source: str, now: float, ttl: float) -> CachedBody | None:
    """The usable cached body at ``path``, or ``None`` (the reason logged at debug)."""
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        log.debug("%s: no instrument cache at %s", venue, path)
        return None
    except OSError as error:
        log.debug("%s: instrument cache %s unreadable: %r", venue, path, error)
        return None
    if len(text) > MAX_BYTES:
        log.debug("%s: instrument cache %s larger than %d bytes", venue, path, MAX_BYTES)
        return None
    outcome = decode(text, venue=venue, source=source, now=now, ttl=ttl)
    if isinstance(outcome, str):
        log.debug("%s: instrument cache %s not used: %s", venue, path, outcome)
        return None
    return outcome


def write(path: Path, text: str) -> bool:
    """Replace ``path`` with ``text`` atomically; ``False`` (logged at debug) on failure."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when writing (a scan that reads it need not load it)

        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
        temporary = None
        return True
    except OSError as error:
        log.debug("instrument cache %s not written: %r", path, error)
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


__all__ = ["FORMAT", "CachedBody", "decode", "encode", "read", "write"]
