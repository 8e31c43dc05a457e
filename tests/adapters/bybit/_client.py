"""Building a Bybit client against the local fake, and awaiting calls as ``Result``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.bybit.factory import BybitClient
from adapters.registry import VenueSettings
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.harness import run

KEY = "bybit-key-0123456789"
SECRET = "bybit-secret-" + "z" * 27
VENUE = ExchangeIdentifier("bybit")


def make(
    base_url: str,
    secret: str | None = SECRET,
    key: str = KEY,
    clock: Callable[[], float] | None = None,
    monotonic: Callable[[], float] | None = None,
    **options: str,
) -> BybitClient:
    credentials = {"api_key": key, "api_secret": secret} if secret else {}
    settings = VenueSettings(
        id=VENUE,
        kind="bybit",
        base_url=base_url,
        credentials=credentials,
        timeout=5.0,
        options=options,
    )
    extra: dict[str, Any] = {} if clock is None else {"clock": clock}
    if monotonic is not None:
        extra["monotonic"] = monotonic
    return BybitClient(settings, **extra)


__all__ = ["KEY", "SECRET", "VENUE", "make", "run"]
