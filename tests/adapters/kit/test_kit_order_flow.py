"""The kit's order-flow template (adapters/kit/order_flow.py): prepare -> send -> settle by
client id, late and unreadable answers, cancel, against the toy venue of acme_venue.py (its
fake checks every signature). Bybit's and OKX's flows on it are tested end to end in
tests/adapters/{bybit,okx} (round trips, prepared orders, hedge execution)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest
from returns.result import Failure, Success

from atomic_fp.errors import (
    Ambiguous,
    InvalidRequest,
    NotConfigured,
    NotSent,
    OrderNotFound,
    UnknownSymbol,
)
from atomic_fp.models import OrderRequest, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import PreparedOrder
from tests.adapters.kit.acme_venue import (
    KEY,
    SECRET,
    SYMBOL,
    AcmeExecution,
    AcmeMarkets,
    FakeAcme,
    rest,
)

NOW = 1_765_000_000.0
ACME = ExchangeIdentifier("acme")


def clock() -> float:
    return NOW


def order(
    client_id: str = "c1",
    size: str = "0.01",
    *,
    exchange: ExchangeIdentifier = ACME,
    symbol: Symbol = SYMBOL,
    expires_at: datetime | None = None,
) -> OrderRequest:
    return OrderRequest(
        exchange=exchange,
        symbol=symbol,
        side=Side.BUY,
        size=Decimal(size),
        client_order_id=client_id,
        limit_price=Decimal(100),
        expires_at=expires_at,
    )


@pytest.fixture
def fake() -> FakeAcme:
    return FakeAcme(clock)


def flow(fake: FakeAcme, credentials: tuple[str, str] | None = (KEY, SECRET)) -> AcmeExecution:
    http = rest(fake, clock=clock, monotonic=lambda: 0.0, credentials=credentials)
    return AcmeExecution(ACME, http, AcmeMarkets())


@pytest.mark.anyio
async def test_an_accepted_order_is_read_back_by_client_id(fake: FakeAcme) -> None:
    placed = await flow(fake).place_order(order())
    assert isinstance(placed, Success)
    assert placed.unwrap().status is OrderStatus.FILLED
    assert placed.unwrap().venue_order_id == "v1"
    assert fake.log == ["GET /time", "POST /order/create", "GET /order"]


@pytest.mark.anyio
async def test_prepare_sends_nothing_and_send_sends_it_once(fake: FakeAcme) -> None:
    execution = flow(fake)
    deadline = datetime.fromtimestamp(NOW + 5, tz=timezone.utc)
    prepared = await execution.prepare_order(order(expires_at=deadline))
    assert isinstance(prepared, Success)
    assert fake.log == ["GET /time"]
    assert isinstance(await execution.send_prepared(prepared.unwrap()), Success)
    assert fake.log.count("POST /order/create") == 1 and fake.bad_signatures == 0


@pytest.mark.anyio
async def test_a_late_answer_is_ambiguous_and_the_order_is_found_by_client_id(
    fake: FakeAcme,
) -> None:
    execution = flow(fake)
    fake.late.add("POST /order/create")
    placed = await execution.place_order(order())
    assert isinstance(placed, Failure) and isinstance(placed.failure(), Ambiguous)
    assert fake.log == ["GET /time", "POST /order/create"]  # neither resent nor looked up
    found = await execution.fetch_order(SYMBOL, "c1")
    assert isinstance(found, Success) and found.unwrap().status is OrderStatus.FILLED


@pytest.mark.anyio
async def test_an_unreadable_acknowledgement_is_ambiguous(fake: FakeAcme) -> None:
    fake.answers["POST /order/create"] = [fake.reply({"unexpected": True})]
    placed = await flow(fake).place_order(order())
    assert isinstance(placed, Failure) and isinstance(placed.failure(), Ambiguous)
    assert placed.failure().message.startswith("POST /order/create: ")


@pytest.mark.anyio
async def test_a_failed_read_back_leaves_the_accepted_order_pending(fake: FakeAcme) -> None:
    fake.answers["GET /order"] = [httpx.Response(500, json={"code": 1})] * 3
    placed = await flow(fake).place_order(order())
    assert isinstance(placed, Success)
    assert placed.unwrap().status is OrderStatus.PENDING
    assert placed.unwrap().venue_order_id == "v1"
    assert "c1" in fake.orders


@pytest.mark.anyio
async def test_a_cancel_too_late_reads_the_order_in_its_final_state(fake: FakeAcme) -> None:
    execution = flow(fake)
    await execution.place_order(order())  # filled at once
    cancelled = await execution.cancel_order(SYMBOL, "c1")
    assert isinstance(cancelled, Success) and cancelled.unwrap().status is OrderStatus.FILLED
    missing = await execution.cancel_order(SYMBOL, "c9")
    assert isinstance(missing, Failure) and isinstance(missing.failure(), OrderNotFound)


@pytest.mark.anyio
async def test_an_open_order_is_cancelled_and_read_back(fake: FakeAcme) -> None:
    fake.orders["c2"] = {"clientId": "c2", "side": "sell", "qty": "1", "orderId": "v7"}
    fake.orders["c2"]["status"] = "New"
    cancelled = await flow(fake).cancel_order(SYMBOL, "c2")
    assert isinstance(cancelled, Success)
    assert cancelled.unwrap().status is OrderStatus.CANCELED
    assert fake.log[-2:] == ["POST /order/cancel", "GET /order"]


@pytest.mark.anyio
async def test_a_cancel_the_venue_refused_otherwise_is_that_refusal(fake: FakeAcme) -> None:
    fake.answers["POST /order/cancel"] = [fake.reply(None, 10016, "server error")]
    failed = await flow(fake).cancel_order(SYMBOL, "c1")
    assert isinstance(failed, Failure) and isinstance(failed.failure(), Ambiguous)
    assert "GET /order" not in fake.log


@pytest.mark.anyio
async def test_what_must_not_be_sent_is_refused_before_anything_is_signed(
    fake: FakeAcme,
) -> None:
    execution = flow(fake)
    other_venue = await execution.place_order(order(exchange=ExchangeIdentifier("other")))
    unknown = await execution.place_order(order(symbol=Symbol("DOGE")))
    too_small = await execution.place_order(order(size="0.0001"))
    bad_id = await execution.fetch_order(SYMBOL, "Not-Valid!")
    assert isinstance(other_venue.failure(), InvalidRequest)
    assert isinstance(unknown.failure(), UnknownSymbol)
    assert unknown.failure().message.startswith("order not sent: ")
    assert isinstance(too_small.failure(), InvalidRequest)
    assert bad_id.failure().message == AcmeExecution.CLIENT_ID_RULE
    foreign = await execution.send_prepared(PreparedOrder(order(), object()))
    assert isinstance(foreign.failure(), InvalidRequest)
    assert fake.log == []


@pytest.mark.anyio
async def test_a_passed_deadline_is_not_sent(fake: FakeAcme) -> None:
    deadline = datetime.fromtimestamp(NOW - 1, tz=timezone.utc)
    placed = await flow(fake).place_order(order(expires_at=deadline))
    assert isinstance(placed, Failure) and type(placed.failure()) is NotSent
    assert "POST /order/create" not in fake.log


@pytest.mark.anyio
async def test_without_credentials_nothing_is_sent(fake: FakeAcme) -> None:
    execution = flow(fake, credentials=None)
    for outcome in (
        await execution.place_order(order()),
        await execution.fetch_order(SYMBOL, "c1"),
        await execution.cancel_order(SYMBOL, "c1"),
    ):
        assert isinstance(outcome, Failure) and isinstance(outcome.failure(), NotConfigured)
    assert fake.log == []
