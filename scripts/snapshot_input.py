"""Reading ``scan --snapshot PATH`` so that any bad file ends in one clear sentence.

A snapshot is a JSON file written by ``atomic-fp record`` (an object with ``as_of`` and a
list ``venues`` of recordings) or a directory with ``manifest.json`` and one file per
venue (the bundled one). Valid JSON of another shape (``[]``, ``"str"``,
``{"venues": "abc"}``) must not reach the parser as a ``TypeError``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.snapshot import Snapshot, load_snapshot

EXPECTED = (
    'a snapshot written by "atomic-fp record": a JSON object with "as_of" (an ISO time) '
    'and "venues" (a list of recordings, each an object with "venue" and "exchanges")'
)


class SnapshotInputError(Exception):
    """The path is not a readable snapshot; the message says what was expected."""


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot at ``path`` or :class:`SnapshotInputError` naming what is wrong."""
    if not path.exists():
        raise SnapshotInputError(f"{path}: no such file or directory")
    if path.is_dir():
        if not (path / "manifest.json").is_file():
            raise SnapshotInputError(
                f"{path}: a directory without manifest.json (expected {EXPECTED}, "
                "or a directory holding manifest.json)"
            )
        manifest = _json(path / "manifest.json")
        _check_shape(manifest, path / "manifest.json", venues_are_names=True)
    else:
        _check_shape(_json(path), path, venues_are_names=False)
    try:
        return load_snapshot(path)
    except KeyError as missing:
        raise SnapshotInputError(f"{path}: missing key {missing} (expected {EXPECTED})") from None
    except (TypeError, AttributeError, ValueError) as error:
        raise SnapshotInputError(f"{path}: not a snapshot ({error}); expected {EXPECTED}") from None
    except OSError as error:
        raise SnapshotInputError(f"{path}: {error.strerror or error}") from None


def _json(path: Path) -> Any:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise SnapshotInputError(f"{path}: not UTF-8 text (expected {EXPECTED})") from None
    except OSError as error:
        raise SnapshotInputError(f"{path}: {error.strerror or error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotInputError(
            f"{path}: not JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None


def _check_shape(data: Any, path: Path, *, venues_are_names: bool) -> None:
    if not isinstance(data, dict):
        raise SnapshotInputError(f"{path}: a JSON {_json_type(data)}, expected {EXPECTED}")
    for key in ("as_of", "venues"):
        if key not in data:
            raise SnapshotInputError(f"{path}: missing key {key!r} (expected {EXPECTED})")
    if not isinstance(data["as_of"], str):
        raise SnapshotInputError(f'{path}: "as_of" must be an ISO time string')
    venues = data["venues"]
    if not isinstance(venues, list):
        raise SnapshotInputError(
            f'{path}: "venues" must be a list, got a {_json_type(venues)} (expected {EXPECTED})'
        )
    wanted = str if venues_are_names else dict
    for index, item in enumerate(venues):
        if not isinstance(item, wanted):
            raise SnapshotInputError(
                f'{path}: "venues"[{index}] must be '
                f"{'a venue name' if venues_are_names else 'an object'}, "
                f"got a {_json_type(item)}"
            )
        if isinstance(item, dict) and "venue" not in item:
            raise SnapshotInputError(f'{path}: "venues"[{index}] has no "venue" key')


def _json_type(value: Any) -> str:
    """JSON's name for a decoded value's type (``[]`` is an array, not a ``list``)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
