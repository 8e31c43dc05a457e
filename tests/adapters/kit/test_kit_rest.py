"""The kit's signed-REST transport (adapters/kit/rest.py) against a toy venue whose fake
checks each signature and timestamp itself (tests/adapters/kit/acme_venue.py). Bybit's and
OKX's own dialects of it are tested in tests/adapters/{bybit,okx} against their fakes and
official SDKs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from returns.result import Failure, Success

from adapters.kit import BACKOFF_CODE, RequestBudget
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    NotConfigured,
    NotSent,
    RateLimited,
    RefusedLocally,
)
from tests.adapters.kit.acme_venue import KEY, SECRET, FakeAcme, rest

NOW = 1_765_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW
        self.mono = 0.0

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.mono


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeAcme:
    return FakeAcme(clock)


@pytest.mark.anyio
async def test_a_signed_request_is_stamped_on_the_venues_clock(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    fake.orders["c1"] = {"status": "New"}
    answer = await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    assert answer == Success({"code": 0, "msg": "", "data": {"status": "New"}})
    # our clock is 30 s behind the venue's: unsynced, the 5 s window would refuse it
    assert fake.log == ["GET /time", "GET /order"]
    assert fake.bad_signatures == 0


@pytest.mark.anyio
async def test_the_offset_is_read_once_and_again_after_time_sync_seconds(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    fake.orders["c1"] = {"status": "New"}
    for _ in range(3):
        assert isinstance(
            await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True), Success
        )
    clock.mono += 61
    await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    assert fake.log.count("GET /time") == 2


@pytest.mark.anyio
async def test_a_timestamp_refusal_resyncs_and_resends_once(fake: FakeAcme, clock: Clock) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    fake.orders["c1"] = {"status": "New"}
    await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    fake.offset_ms += 20_000  # the venue's clock jumps: our cached offset is stale
    again = await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    assert isinstance(again, Success)
    assert fake.log[2:] == ["GET /order", "GET /time", "GET /order"]


@pytest.mark.anyio
async def test_a_second_timestamp_refusal_is_returned_not_looped(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    refusal = fake.reply(None, 10002, "timestamp outside the window")
    fake.answers["GET /order"] = [refusal, refusal]
    failed = await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    assert isinstance(failed, Failure) and failed.failure().code == "10002"
    assert fake.log == ["GET /time", "GET /order", "GET /time", "GET /order"]


@pytest.mark.anyio
async def test_a_prepared_request_is_sent_later_with_the_signature_made_at_prepare(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    deadline = datetime.fromtimestamp(NOW + 3, tz=timezone.utc)
    call = await http.prepare_signed(
        "POST", "/order/create", body={"clientId": "c1"}, idempotent=False, deadline=deadline
    )
    assert isinstance(call, Success)
    assert fake.log == ["GET /time"]  # nothing sent but the clock read
    assert call.unwrap().headers["ACME-WINDOW"] == "3000"  # the window ends at the deadline
    clock.now += 2  # sent 2 s later, inside the window fixed at prepare
    sent = await http.send_signed(call.unwrap())
    assert isinstance(sent, Success) and "c1" in fake.orders
    assert fake.bad_signatures == 0


@pytest.mark.anyio
async def test_a_passed_deadline_is_not_sent(fake: FakeAcme, clock: Clock) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    deadline = datetime.fromtimestamp(NOW - 1, tz=timezone.utc)
    failed = await http.signed(
        "POST", "/order/create", body={"clientId": "c1"}, idempotent=False, deadline=deadline
    )
    assert isinstance(failed, Failure) and type(failed.failure()) is NotSent
    assert "/order/create" not in " ".join(fake.log)


@pytest.mark.anyio
async def test_an_envelope_error_with_http_200_is_typed_by_the_code_map(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic, credentials=("wrong", SECRET))
    failed = await http.signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    assert isinstance(failed, Failure)
    assert isinstance(failed.failure(), AuthenticationError)
    assert failed.failure().code == "10003"
    assert failed.failure().message == "GET /order: invalid api key"


@pytest.mark.anyio
async def test_a_busy_code_on_a_write_is_ambiguous_and_a_timeout_too(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    fake.answers["POST /order/create"] = [fake.reply(None, 10016, "server error")]
    busy = await http.signed("POST", "/order/create", body={"clientId": "c1"}, idempotent=False)
    assert isinstance(busy, Failure) and isinstance(busy.failure(), Ambiguous)
    fake.late.add("POST /order/create")
    late = await http.signed("POST", "/order/create", body={"clientId": "c2"}, idempotent=False)
    assert isinstance(late, Failure) and isinstance(late.failure(), Ambiguous)
    assert "c2" in fake.orders  # the venue took it: hence ambiguous, never "not sent"
    assert fake.log.count("POST /order/create") == 2  # writes are never retried


@pytest.mark.anyio
async def test_a_429_backs_the_budget_off_and_nothing_more_is_sent(
    fake: FakeAcme, clock: Clock
) -> None:
    budget = RequestBudget("acme", 100, 1.0, 0.0, clock.monotonic)
    http = rest(fake, clock=clock, monotonic=clock.monotonic, budget=budget)
    limited = httpx.Response(429, headers={"Retry-After": "30"}, json={"code": 10006})
    fake.answers["GET /public"] = [limited]
    first = await http.public("/public", [("a", "1")])
    assert isinstance(first, Failure) and isinstance(first.failure(), RateLimited)
    assert first.failure().retry_after == timedelta(seconds=30)
    refused = await http.public("/public", [("a", "1")])
    assert isinstance(refused, Failure) and isinstance(refused.failure(), RefusedLocally)
    assert refused.failure().code == BACKOFF_CODE
    assert fake.log == ["GET /public"]  # the second never reached the venue
    clock.mono += 31
    assert isinstance(await http.public("/public", [("a", "1")]), Success)


@pytest.mark.anyio
async def test_parameters_the_venue_cannot_sign_as_sent_are_refused_unsent(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    public = await http.public("/public", [("a", "x&b=1")])
    signed = await http.signed("GET", "/order", [("clientId", "x=1")], idempotent=True)
    for failed in (public, signed):
        assert isinstance(failed, Failure) and isinstance(failed.failure(), InvalidRequest)
        assert "(not sent)" in failed.failure().message
    assert fake.log == []


@pytest.mark.anyio
async def test_without_credentials_a_signed_call_is_not_configured(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic, credentials=None)
    failed = await http.signed("GET", "/order", idempotent=True)
    assert isinstance(failed, Failure) and isinstance(failed.failure(), NotConfigured)
    assert failed.failure().message == "GET /order needs credentials api_key and api_secret"
    assert fake.log == []


@pytest.mark.anyio
async def test_messages_never_carry_the_key_the_secret_or_the_signature(
    fake: FakeAcme, clock: Clock
) -> None:
    http = rest(fake, clock=clock, monotonic=clock.monotonic)
    call = await http.prepare_signed("GET", "/order", [("clientId", "c1")], idempotent=True)
    sign = call.unwrap().headers["ACME-SIGN"]
    echo = f"bad request from {KEY} signed {sign} with {SECRET}"
    fake.answers["GET /order"] = [fake.reply(None, 10001, echo)]
    failed = await http.send_signed(call.unwrap())
    message = failed.failure().message
    assert KEY not in message and SECRET not in message and sign not in message
    assert message.count("***") == 3
