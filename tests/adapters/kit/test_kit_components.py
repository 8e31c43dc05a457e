"""A venue declared from its parts (``adapters/kit/components.py``): every public member
reaches the declared part's method of the same name; the capability map is derived from
which parts and methods exist (and credentials); a missing part answers NotSupported, a
part without credentials NotConfigured with nothing called; a raising part is still a
value; secrets never reach a message; the transport closes once.

The outside reference is the VenueClient contract (``atomic_fp/venue.py``: never raise,
failures as values, capabilities truthful) and, for the real venues, the capability maps
their clients declared by hand before the kit derived them (bottom of this file)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.future import FutureResult
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from adapters.kit.components import (
    CAPABILITY_SOURCES,
    AccountOrPublishedFees,
    DeclaredVenue,
    Secrets,
    VenueParts,
)
from adapters.kit.facade import FeesFacade, MarginFacade, PreparedOrdersFacade
from adapters.published_fees import PUBLISHED_FEES
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import (
    MalformedResponse,
    NotConfigured,
    NotSupported,
    VenueError,
    VenueRejected,
)
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FeeSource,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import (
    PUBLIC_CAPABILITIES,
    TRADING_CAPABILITIES,
    Capability,
    FeeQuoting,
    MarginReporter,
    PreparedOrder,
    PreparesOrders,
    VenueClient,
)

T = TypeVar("T")
SECRET = "s3cr3t-key-value"
VENUE = ExchangeIdentifier("toy")
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
END = datetime(2025, 1, 2, tzinfo=timezone.utc)
BTC = Symbol("BTC")


class Calls:
    """What the parts were asked, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, ...]] = []

    def ok(self, *call: Any) -> Result[Any, VenueError]:
        self.seen.append(call)
        return Success(call)


class Transport:
    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def aclose(self) -> None:
        self.calls.seen.append(("aclose",))


class Data:
    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        return self.calls.ok("fetch_markets")

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return self.calls.ok("fetch_funding_rates", symbols)

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        return self.calls.ok("fetch_order_book", symbol, depth)

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        return self.calls.ok("fetch_funding_history", symbol, start, end)


class Account:
    """Positions and balances only (like Aster's: no funding payments, no margin)."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        return self.calls.ok("fetch_positions")

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return self.calls.ok("fetch_balances")


class FullAccount(Account):
    async def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        return self.calls.ok("fetch_funding_payments", start, end)

    async def fetch_margin(self) -> Result[AccountMargin, VenueError]:
        return self.calls.ok("fetch_margin")


class Execution:
    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        return self.calls.ok("place_order", request)

    async def cancel_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return self.calls.ok("cancel_order", symbol, client_order_id)

    async def fetch_order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        return self.calls.ok("fetch_order", symbol, client_order_id)


class PreparingExecution(Execution):
    async def prepare_order(self, request: OrderRequest) -> Result[PreparedOrder, VenueError]:
        return self.calls.ok("prepare_order", request)

    async def send_prepared(self, prepared: PreparedOrder) -> Result[Order, VenueError]:
        return self.calls.ok("send_prepared", prepared)


class Fees:
    def __init__(self, calls: Calls) -> None:
        self.calls = calls

    async def fetch_fees(self) -> Result[FeeQuote, VenueError]:
        return self.calls.ok("fetch_fees")


class Toy(DeclaredVenue, MarginFacade, FeesFacade, PreparedOrdersFacade):
    CREDENTIALS_HINT = "credentials api_key and api_secret"


def toy(
    calls: Calls,
    *,
    account: Any = None,
    execution: Any = None,
    fees: bool = False,
    keyed: bool = True,
    transport: Any = None,
) -> Toy:
    parts = VenueParts(
        transport or Transport(calls),
        Data(calls),
        "https://toy.example",
        account,
        execution,
        Fees(calls) if fees else None,
        Secrets.of(SECRET, "") if keyed else None,
    )
    credentials = {"api_key": SECRET} if keyed else {}
    return Toy(VenueSettings(VENUE, "toy", credentials=credentials), parts)


async def outcome(call: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    outcome: Any = await call
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result


REQUEST: Any = object()  # passed through untouched: identity is what is checked
PREPARED: Any = object()


def every_call(client: Toy) -> list[tuple[str, Callable[[], FutureResult[Any, VenueError]]]]:
    """Each public member once (called when asked), named by the part method it must reach."""
    return [
        ("fetch_markets", lambda: client.fetch_markets()),
        ("fetch_funding_rates", lambda: client.fetch_funding_rates([BTC])),
        ("fetch_order_book", lambda: client.fetch_order_book(BTC, 5)),
        ("fetch_funding_history", lambda: client.fetch_funding_history(BTC, START, END)),
        ("fetch_positions", lambda: client.fetch_positions()),
        ("fetch_balances", lambda: client.fetch_balances()),
        ("fetch_funding_payments", lambda: client.fetch_funding_payments(START, END)),
        ("fetch_margin", lambda: client.fetch_margin()),
        ("fetch_fees", lambda: client.fetch_fees()),
        ("place_order", lambda: client.place_order(REQUEST)),
        ("prepare_order", lambda: client.prepare_order(REQUEST)),
        ("send_prepared", lambda: client.send_prepared(PREPARED)),
        ("cancel_order", lambda: client.cancel_order(BTC, "c-1")),
        ("fetch_order", lambda: client.fetch_order(BTC, "c-1")),
    ]


@pytest.mark.anyio
async def test_every_public_member_reaches_the_part_method_of_its_name_with_its_arguments() -> None:
    calls = Calls()
    client = toy(calls, account=FullAccount(calls), execution=PreparingExecution(calls), fees=True)
    for name, call in every_call(client):
        result = await outcome(call())
        assert result == Success(calls.seen[-1]) and calls.seen[-1][0] == name
    assert calls.seen[1:4] == [
        ("fetch_funding_rates", [BTC]),
        ("fetch_order_book", BTC, 5),
        ("fetch_funding_history", BTC, START, END),
    ]
    assert ("place_order", REQUEST) in calls.seen and ("send_prepared", PREPARED) in calls.seen
    assert ("cancel_order", BTC, "c-1") in calls.seen
    assert isinstance(client, VenueClient) and isinstance(client, MarginReporter)
    assert isinstance(client, FeeQuoting) and isinstance(client, PreparesOrders)


@pytest.mark.anyio
async def test_no_account_part_means_no_account_capability_and_calls_say_not_supported() -> None:
    calls = Calls()
    client = toy(calls, execution=Execution(calls))
    assert client.capabilities == PUBLIC_CAPABILITIES | {
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.ORDER_STATUS,
    }
    for call in (client.fetch_positions(), client.fetch_balances(), client.fetch_margin()):
        assert isinstance((await outcome(call)).failure(), NotSupported)
    assert calls.seen == []


@pytest.mark.anyio
async def test_a_missing_method_is_a_missing_capability_not_a_stub() -> None:
    calls = Calls()
    client = toy(calls, account=Account(calls), execution=Execution(calls))
    assert Capability.FUNDING_PAYMENTS not in client.capabilities
    assert client.capabilities == PUBLIC_CAPABILITIES | TRADING_CAPABILITIES
    for call in (
        client.fetch_funding_payments(START, END),
        client.fetch_margin(),
        client.prepare_order(REQUEST),
        client.fetch_fees(),
    ):
        error = (await outcome(call)).failure()
        assert isinstance(error, NotSupported) and "not supported" in error.message
    assert calls.seen == []


@pytest.mark.anyio
async def test_without_credentials_signed_calls_answer_not_configured_and_call_nothing() -> None:
    calls = Calls()
    client = toy(
        calls,
        account=FullAccount(calls),
        execution=PreparingExecution(calls),
        fees=True,
        keyed=False,
    )
    assert client.capabilities == PUBLIC_CAPABILITIES
    signed = [(n, c) for n, c in every_call(client) if n not in ("fetch_fees",)]
    for _, call in signed[:4]:
        await outcome(call())
    for name, call in signed[4:]:
        error = (await outcome(call())).failure()
        assert isinstance(error, NotConfigured), name
        assert "needs credentials api_key and api_secret" in error.message
    assert [c[0] for c in calls.seen] == [n for n, _ in signed[:4]]
    assert await outcome(client.fetch_fees()) == Success(("fetch_fees",))  # fees need no keys


PART_KINDS = st.fixed_dictionaries(
    {
        "account": st.sampled_from([None, Account, FullAccount]),
        "execution": st.sampled_from([None, Execution, PreparingExecution]),
        "keyed": st.booleans(),
    }
)


@given(PART_KINDS)
@pytest.mark.anyio
async def test_a_capability_is_in_the_map_exactly_when_its_call_reaches_a_part(
    kinds: dict[str, Any],
) -> None:
    calls = Calls()
    account, execution = kinds["account"], kinds["execution"]
    client = toy(
        calls,
        account=account(calls) if account else None,
        execution=execution(calls) if execution else None,
        keyed=kinds["keyed"],
    )
    by_method = {method: capability for capability, _, method in CAPABILITY_SOURCES}
    for name, call in every_call(client):
        if name not in by_method:
            continue
        before = len(calls.seen)
        result = await outcome(call())
        reached = len(calls.seen) > before
        assert reached == (by_method[name] in client.capabilities), name
        assert reached == isinstance(result, Success)


class Raising(Account):
    async def fetch_positions(self) -> Result[tuple[Position, ...], VenueError]:
        raise RuntimeError(f"GET https://toy/?signature={SECRET}")

    async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
        return Failure(VenueRejected("toy", f"bad key {SECRET} sig {'ab' * 32}"))


@pytest.mark.anyio
async def test_a_raising_part_is_a_value_and_no_secret_reaches_a_message() -> None:
    calls = Calls()
    client = toy(calls, account=Raising(calls))
    raised = (await outcome(client.fetch_positions())).failure()
    assert isinstance(raised, MalformedResponse)
    assert raised.message == "internal error: RuntimeError"
    rejected = (await outcome(client.fetch_balances())).failure()
    assert isinstance(rejected, VenueRejected)
    assert SECRET not in rejected.message and "ab" * 32 not in rejected.message
    assert rejected.message == "bad key *** sig ***"
    assert SECRET not in repr(client) and repr(client) == (
        "Toy(toy, https://toy.example, with credentials)"
    )


class ScrubbingTransport(Transport):
    """A transport with its own scrub (OKX masks base64 signatures)."""

    def scrub(self, error: VenueError, extra: Sequence[str] = ()) -> VenueError:
        return VenueRejected(error.venue, error.message.replace("c2ln", "[b64]"))


@pytest.mark.anyio
async def test_the_transports_own_scrub_runs_after_the_kits() -> None:
    calls = Calls()

    class Sig(Account):
        async def fetch_balances(self) -> Result[tuple[Balance, ...], VenueError]:
            return Failure(VenueRejected("toy", f"{SECRET} c2ln"))

    client = toy(calls, account=Sig(calls), transport=ScrubbingTransport(calls))
    assert (await outcome(client.fetch_balances())).failure().message == "*** [b64]"


@pytest.mark.anyio
async def test_aclose_closes_the_transport_once() -> None:
    calls = Calls()
    client = toy(calls)
    await client.aclose()
    await client.aclose()
    assert calls.seen == [("aclose",)]


@pytest.mark.anyio
async def test_account_or_published_fees_says_why_the_published_tier_is_used() -> None:
    published = PUBLISHED_FEES["okx"]
    without = (await AccountOrPublishedFees("okx", None).fetch_fees()).unwrap()
    assert without.fees == published.fees and "no credentials" in without.detail

    async def failing() -> Result[FeeQuote, VenueError]:
        return Failure(VenueRejected("okx", "50113 invalid sign"))

    failed = (await AccountOrPublishedFees("okx", failing).fetch_fees()).unwrap()
    assert failed.fees == published.fees and "VenueRejected: 50113 invalid sign" in failed.detail
    account = FeeQuote(published.fees, FeeSource.ACCOUNT, "trade-fee")

    async def read() -> Result[FeeQuote, VenueError]:
        return Success(account)

    assert (await AccountOrPublishedFees("okx", read).fetch_fees()).unwrap() is account


# ------------------------------------------------------------- the real venues' maps

WITH_PAYMENTS = PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}
KEYS = {
    "binance": {"api_key": "k", "api_secret": "s"},
    "bybit": {"api_key": "k", "api_secret": "s"},
    "okx": {"api_key": "k", "api_secret": "s", "passphrase": "p"},
    "hyperliquid": {},
    "paradex": {"api_key": "k"},
}
BEFORE_THE_KIT = {
    # kind: (capabilities without credentials, with them), as each client's class
    # declared them by hand before they were derived (PUBLIC / WITH_CREDENTIALS)
    "binance": (PUBLIC_CAPABILITIES, WITH_PAYMENTS),
    "bybit": (PUBLIC_CAPABILITIES, WITH_PAYMENTS),
    "okx": (PUBLIC_CAPABILITIES, WITH_PAYMENTS),
    "hyperliquid": (WITH_PAYMENTS, WITH_PAYMENTS),
    "paradex": (PUBLIC_CAPABILITIES, PUBLIC_CAPABILITIES),
}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", sorted(BEFORE_THE_KIT))
async def test_each_declared_venue_derives_the_map_it_declared_by_hand_before(kind: str) -> None:
    for keyed, expected in zip((False, True), BEFORE_THE_KIT[kind], strict=True):
        settings = VenueSettings(
            ExchangeIdentifier(kind), kind, credentials=KEYS[kind] if keyed else {}
        )
        client = build_client(settings).unwrap()
        try:
            assert client.capabilities == expected, (kind, keyed)
        finally:
            await client.aclose()
