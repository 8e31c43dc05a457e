"""Moved to :mod:`adapters.kit.http` (the venue kit's one HTTP client and error
classifier); this name stays so existing imports keep working."""

from adapters.kit.http import (
    DEFAULT_MAX_BODY_BYTES,
    BodyTooLarge,
    CodeMap,
    ErrorExtractor,
    JsonHttp,
    RetryPolicy,
    joined_failure,
    loads,
    read_capped,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "BodyTooLarge",
    "CodeMap",
    "ErrorExtractor",
    "JsonHttp",
    "RetryPolicy",
    "joined_failure",
    "loads",
    "read_capped",
]
