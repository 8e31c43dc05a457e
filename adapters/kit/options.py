"""Reading a venue's string options (``[venues.<id>]`` in the TOML) into numbers and flags,
with errors that name the venue kind, the option and the value (a ``ValueError``: the
registry turns it into a configuration failure naming the venue)."""

from __future__ import annotations

from collections.abc import Mapping


def positive_number(options: Mapping[str, str], kind: str, key: str, default: float) -> float:
    """``options[key]`` as a number > 0, else ``default`` when absent."""
    raw = options.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{kind} option {key}={raw!r} is not a number") from None
    if not value > 0:
        raise ValueError(f"{kind} option {key}={raw!r} must be > 0")
    return value


def flag(options: Mapping[str, str], kind: str, key: str) -> bool:
    """``options[key]`` as ``true``/``false`` (case-insensitive), ``false`` when absent."""
    raw = options.get(key, "false").strip().lower()
    if raw not in ("true", "false"):
        raise ValueError(f"{kind} option {key}={raw!r} must be true or false")
    return raw == "true"


__all__ = ["flag", "positive_number"]
