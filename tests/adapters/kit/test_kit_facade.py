"""The kit's guarded facade and capability map (``adapters/kit/facade.py``): a client
built on it never raises, never leaks a secret in an error, and answers NotSupported for
what it does not implement (the VenueClient contract, ``atomic_fp/venue.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import pytest
from returns.future import FutureResult
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from adapters.kit.facade import FeesFacade, GuardedVenue, MarginFacade
from atomic_fp.errors import (
    MalformedResponse,
    NotConfigured,
    NotSupported,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import Balance, Market, Position
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import (
    PUBLIC_CAPABILITIES,
    TRADING_CAPABILITIES,
    Capability,
    FeeQuoting,
    MarginReporter,
    VenueClient,
)

T = TypeVar("T")
SECRET = "s3cr3t-key-value"


class Toy(GuardedVenue):
    WITH_CREDENTIALS = TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
    CREDENTIALS_HINT = "credentials api_key and api_secret"

    def __init__(self, keyed: bool) -> None:
        super().__init__(ExchangeIdentifier("toy"))
        self.keyed = keyed

    def _has_credentials(self) -> bool:
        return self.keyed

    def _secrets(self) -> Sequence[str]:
        return (SECRET,) if self.keyed else ()

    async def _fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        raise RuntimeError(f"GET https://x/?signature={SECRET}")

    async def _fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        if not self.keyed:
            return self._not_configured("positions")
        return Failure(VenueRejected(self._venue, f"bad key {SECRET} sig {'ab' * 32}"))

    async def _fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return Success(())


class ToyWithMargin(Toy, MarginFacade, FeesFacade):
    pass


async def outcome(call: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    outcome: Any = await call
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result


@pytest.mark.anyio
async def test_a_stray_exception_becomes_a_value_naming_only_its_type() -> None:
    result = await outcome(Toy(True).fetch_markets())
    error = result.failure()
    assert isinstance(error, MalformedResponse)
    assert error.message == "internal error: RuntimeError" and SECRET not in str(error)


@pytest.mark.anyio
async def test_secrets_and_signatures_are_masked_in_failures() -> None:
    error = (await outcome(Toy(True).fetch_positions())).failure()
    assert isinstance(error, VenueRejected)
    assert SECRET not in error.message and "ab" * 32 not in error.message
    assert error.message.count("***") == 2


@pytest.mark.anyio
async def test_unimplemented_calls_are_not_supported_and_missing_keys_not_configured() -> None:
    toy = Toy(False)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    end = datetime(2025, 1, 2, tzinfo=timezone.utc)
    unsupported = await outcome(toy.fetch_funding_payments(start, end))
    assert isinstance(unsupported.failure(), NotSupported)
    missing = (await outcome(toy.fetch_positions())).failure()
    assert isinstance(missing, NotConfigured)
    assert missing.message == "positions needs credentials api_key and api_secret for this venue"
    assert (await outcome(toy.fetch_balances())).unwrap() == ()


def test_the_capability_map_follows_credentials() -> None:
    assert Toy(False).capabilities == PUBLIC_CAPABILITIES
    assert Toy(True).capabilities == (
        PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
    )


def test_optional_protocols_only_where_mixed_in() -> None:
    assert isinstance(Toy(True), VenueClient)
    assert not isinstance(Toy(True), MarginReporter) and not isinstance(Toy(True), FeeQuoting)
    assert isinstance(ToyWithMargin(True), MarginReporter)
    assert isinstance(ToyWithMargin(True), FeeQuoting)
    assert Toy(True).exchange == ExchangeIdentifier("toy")
