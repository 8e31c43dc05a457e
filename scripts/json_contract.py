"""One JSON contract for every command's ``--format json`` output.

Every object a command prints carries ``schema_version`` (bumped on any change that
could break a reader: a removed or renamed key, a changed type) and ``command`` (which
command printed it). The JSON Schema of each command's output lives beside this module
in ``scripts/schemas/<command>.json`` (shipped as package data) and the test suite
validates real outputs against them (``tests/cli/test_json_contract.py``). Numbers are
decimal strings, times ISO-8601 UTC with a ``Z``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 1
"""The version of every command's JSON output (an integer; readers compare it)."""

COMMANDS = (
    "scan",
    "execute",
    "run",
    "positions",
    "venues",
    "backtest",
    "reconcile",
    "collect",
    "collateral",
    "watch",
)
"""The commands whose JSON output has a schema file."""


def versioned(command: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with ``schema_version`` and ``command`` first. (``run --json-lines``
    prints one such object per cycle, ``watch --format jsonl`` one per change.)"""
    return {"schema_version": SCHEMA_VERSION, "command": command, **payload}


def schema(command: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``command``'s JSON output."""
    if command not in COMMANDS:
        raise KeyError(f"no JSON schema for command {command!r} (have: {', '.join(COMMANDS)})")
    from importlib import resources  # imports tempfile and zipfile: only when asked

    text = resources.files("scripts").joinpath("schemas", f"{command}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
