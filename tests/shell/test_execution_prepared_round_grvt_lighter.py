"""Both legs signed before either is sent (issue 20, leg skew) on a hedge mixing GRVT
and Lighter: the real clients against their local fakes (127.0.0.1; GRVT recovers the
EIP-712 signer, Lighter checks the key's nonce), the real execution path.

Events are recorded where they happen: "signed" when the venue's signer returns (GRVT's
``sign_order``, Lighter's signer), "sent" when the client hands the order request to its
transport (an httpx request hook, just before the write). No timing: only their order.
The control runs the same hedge through traders without the two-step path (each leg
signed inside its own send task): there a leg is sent before the other is signed, so the
assertion on the prepared path is one that can fail."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from returns.result import Result, Success

import adapters.grvt.execution as grvt_execution
import adapters.grvt.signing as grvt_signing
from adapters.grvt.client import GrvtClient
from adapters.lighter.client import LighterClient, create
from adapters.lighter.signer import CreateOrderTx, SignedTx
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    OrderRequest,
    Side,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import ExecutionPolicy
from atomic_fp.orchestration.execution import execute_signal
from atomic_fp.orchestration.journal import MemoryJournal
from atomic_fp.venue import PreparedOrder
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve
from tests.adapters.grvt.test_wire import API_KEY, KEY, SUB, client_for
from tests.adapters.lighter.fake_venue import (
    ACCOUNT_INDEX,
    API_KEY_INDEX,
    LocalLighter,
    local_lighter,
)
from tests.adapters.lighter.test_local_server import FakeSdkSigner, _settings

pytestmark = pytest.mark.anyio

BTC = Symbol("BTC")
GRVT, LIGHTER = ExchangeIdentifier("grvt"), ExchangeIdentifier("lighter")
SIZE = Decimal("0.01")
POLICY = ExecutionPolicy(lookup_delay=0.0, order_timeout=5.0, lookup_attempts=1)
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.05"),
    close_threshold=Decimal("0.01"),
    max_position=Decimal(1),
    trade_size=SIZE,
)
ORDER_PATHS = {"/full/v1/create_order": "grvt", "/api/v1/sendTx": "lighter"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fakes() -> Iterator[tuple[Exchange, Hosts, LocalLighter]]:
    exchange = Exchange(api_key=API_KEY, sub_account_id=SUB, authorised_key=KEY)
    with serve(exchange) as hosts, local_lighter() as lighter:
        yield exchange, hosts, lighter


class SingleStepTrader(AtomicTrader):
    """The control: no two-step path, so each leg signs inside its own send task."""

    async def prepare_order(
        self, request: OrderRequest
    ) -> Result[PreparedOrder | None, VenueError]:
        return Success(None)


class RecordingSigner(FakeSdkSigner):
    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def sign_create_order(self, order: CreateOrderTx, nonce: int) -> SignedTx:
        signed = super().sign_create_order(order, nonce)
        self.events.append("signed lighter")
        return signed


GC_AT_SEND: list[bool] = []
"""``gc.isenabled()`` as each order was handed to the transport (see gc_pause)."""


def _record_sends(client: httpx.AsyncClient, events: list[str]) -> None:
    async def hook(request: httpx.Request) -> None:
        venue = ORDER_PATHS.get(request.url.path)
        if venue is not None:
            events.append(f"sent {venue}")
            GC_AT_SEND.append(gc.isenabled())

    client.event_hooks["request"].append(hook)


def _hedge(lighter_first: bool) -> TradingSignal:
    lighter = TradeLeg(LIGHTER, BTC, Side.BUY, SIZE, reference_price=Decimal(70_000))
    grvt = TradeLeg(GRVT, BTC, Side.SELL, SIZE, reference_price=Decimal(70_000))
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(lighter, grvt) if lighter_first else (grvt, lighter),
        reason="mixed prepared round",
        created_at=datetime.now(UTC),
    )


async def _events_of_first_round(
    fakes: tuple[Exchange, Hosts, LocalLighter],
    monkeypatch: pytest.MonkeyPatch,
    *,
    lighter_first: bool,
    two_step: bool,
) -> list[str]:
    _, hosts, lighter = fakes
    events: list[str] = []
    sign_order = grvt_signing.sign_order

    def recording_sign_order(*args: Any, **kwargs: Any) -> Any:
        signed = sign_order(*args, **kwargs)
        events.append("signed grvt")
        return signed

    monkeypatch.setattr(grvt_execution, "sign_order", recording_sign_order)
    grvt: GrvtClient = client_for(hosts)
    lighter_client: LighterClient = create(
        _settings(lighter, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX)),
        signer=RecordingSigner(events),
    )
    _record_sends(grvt._http.json.client, events)
    _record_sends(lighter_client.http.client, events)
    clients = (grvt, lighter_client)
    trader_type = AtomicTrader if two_step else SingleStepTrader
    try:
        # A long-running process has its session and nonce already: warm both, so the
        # only difference between the two paths is where signing happens.
        (await grvt._http.session()).unwrap()
        (await lighter_client._nonce_book().reserve()).unwrap().release()
        await execute_signal(
            _hedge(lighter_first),
            traders={c.exchange: trader_type(c, BTC) for c in clients},
            queryers={c.exchange: AtomicQueryer(c, BTC) for c in clients},
            journal=MemoryJournal(),
            config=CONFIG,
            policy=POLICY,
            clock=lambda: datetime.now(UTC),
        )
    finally:
        for client in clients:
            await client.aclose()
    return events[:4]  # the entry round (later rounds: look-ups, cancels)


@pytest.mark.parametrize("lighter_first", [True, False])
async def test_both_legs_are_signed_before_the_first_is_sent(
    fakes: tuple[Exchange, Hosts, LocalLighter],
    monkeypatch: pytest.MonkeyPatch,
    lighter_first: bool,
) -> None:
    GC_AT_SEND.clear()
    assert gc.isenabled()
    events = await _events_of_first_round(
        fakes, monkeypatch, lighter_first=lighter_first, two_step=True
    )
    assert GC_AT_SEND[:2] == [False, False]  # no collection while the legs go out ...
    assert gc.isenabled()  # ... and the collector is back afterwards
    first, second = ("lighter", "grvt") if lighter_first else ("grvt", "lighter")
    assert events[:2] == [f"signed {first}", f"signed {second}"]
    assert sorted(events[2:]) == ["sent grvt", "sent lighter"]
    exchange, _, lighter = fakes
    # both orders reached their venue and were accepted (signature, nonce)
    assert exchange.recovered_signers[:1] == [exchange.authorised_address]
    assert [s["tx_type"] for s in lighter.state.sent][:1] == [14]


async def test_control_single_step_path_sends_a_leg_before_the_other_is_signed(
    fakes: tuple[Exchange, Hosts, LocalLighter], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = await _events_of_first_round(fakes, monkeypatch, lighter_first=True, two_step=False)
    assert events == ["signed lighter", "sent lighter", "signed grvt", "sent grvt"]


async def test_an_abandoned_round_gives_lighters_nonce_back(
    fakes: tuple[Exchange, Hosts, LocalLighter], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lighter's leg is prepared first (its nonce reserved), then GRVT's cannot be
    signed: nothing is sent anywhere and the next Lighter order reuses the nonce."""
    _, hosts, lighter = fakes

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("signing failed")

    monkeypatch.setattr(grvt_execution, "sign_order", broken)
    grvt = client_for(hosts)
    lighter_client = create(
        _settings(lighter, account_index=str(ACCOUNT_INDEX), api_key_index=str(API_KEY_INDEX)),
        signer=FakeSdkSigner(),
    )
    clients = (grvt, lighter_client)
    try:
        await execute_signal(
            _hedge(lighter_first=True),
            traders={c.exchange: AtomicTrader(c, BTC) for c in clients},
            queryers={c.exchange: AtomicQueryer(c, BTC) for c in clients},
            journal=MemoryJournal(),
            config=CONFIG,
            policy=POLICY,
            clock=lambda: datetime.now(UTC),
        )
        assert lighter.state.sent == []
        book = lighter_client._nonce_book()
        assert (book.holder, book.known_next) == (None, 7)
        request = OrderRequest(
            exchange=LIGHTER,
            symbol=BTC,
            side=Side.BUY,
            size=SIZE,
            client_order_id="after-abandon",
            limit_price=Decimal(70_000),
            expires_at=datetime.now(UTC) + timedelta(seconds=30),
        )
        (await AtomicTrader(lighter_client, BTC).place_order(request)).unwrap()
    finally:
        for client in clients:
            await client.aclose()
    assert [s["tx_info"]["Nonce"] for s in lighter.state.sent] == [7]
