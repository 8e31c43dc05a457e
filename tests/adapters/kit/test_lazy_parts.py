"""Venue parts built on first use (``adapters/kit/lazy_part.py``, issue 20): a declared
venue whose account, execution and fee parts are :class:`Lazy` answers every call exactly
as the same venue with the parts built eagerly (same results, same calls reaching the
parts, same capability map), and builds a part only when a call (or the capability map)
needs it; the market data a scan reads builds none. The real clients built lazily
(Binance, Hyperliquid, Bybit, OKX) answer a keyless fee query with the quote their execution part
answers, without building it.

The outside reference is the VenueClient contract, through the eager declared venue that
``test_kit_components.py`` checks against it."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters.binance.execution import BinanceExecution
from adapters.bybit.execution import BybitExecution
from adapters.hyperliquid.execution import HyperliquidExecution
from adapters.kit.lazy_part import Lazy, Part, resolve
from adapters.registry import VenueSettings, build_client
from atomic_fp.models import FeeSource
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.kit.test_kit_components import (
    BTC,
    Account,
    Calls,
    Execution,
    FullAccount,
    PreparingExecution,
    every_call,
    outcome,
    toy,
)


def test_a_lazy_part_is_built_once_at_first_use() -> None:
    built: list[object] = []

    def build() -> object:
        built.append(object())
        return built[-1]

    part = Lazy(build)
    states = [part.built]
    assert built == []
    first = part.get()
    states.append(part.built)
    assert states == [False, True] and built == [first]
    declared: Part[object] = part
    assert part.get() is first and resolve(declared) is first and len(built) == 1
    plain: Part[object] = object()
    assert resolve(plain) is plain


def test_a_build_that_raises_raises_again_at_the_next_use() -> None:
    attempts: list[int] = []

    def build() -> object:
        attempts.append(1)
        raise RuntimeError("no signer")

    part = Lazy(build)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="no signer"):
            part.get()
    assert len(attempts) == 2 and not part.built


KINDS = st.fixed_dictionaries(
    {
        "account": st.sampled_from([None, Account, FullAccount]),
        "execution": st.sampled_from([None, Execution, PreparingExecution]),
        "keyed": st.booleans(),
        "capabilities_first": st.booleans(),
        "order": st.permutations(range(len(every_call(toy(Calls()))))),
    }
)


@given(KINDS)
@pytest.mark.anyio
async def test_lazy_parts_answer_every_call_as_eager_parts_do(kinds: dict[str, Any]) -> None:
    account, execution, keyed = kinds["account"], kinds["execution"], kinds["keyed"]
    eager_calls, lazy_calls = Calls(), Calls()
    eager = toy(
        eager_calls,
        account=account(eager_calls) if account else None,
        execution=execution(eager_calls) if execution else None,
        keyed=keyed,
    )
    lazy_account = Lazy(lambda: account(lazy_calls)) if account else None
    lazy_execution = Lazy(lambda: execution(lazy_calls)) if execution else None
    lazy = toy(lazy_calls, account=lazy_account, execution=lazy_execution, keyed=keyed)
    if kinds["capabilities_first"]:
        assert lazy.capabilities == eager.capabilities
        # the map builds a part only where credentials would let it serve
        for part in (lazy_account, lazy_execution):
            assert part is None or part.built == keyed
    eager_members, lazy_members = every_call(eager), every_call(lazy)
    for index in kinds["order"]:
        name, call = eager_members[index]
        assert lazy_members[index][0] == name
        assert await outcome(lazy_members[index][1]()) == await outcome(call()), name
    assert lazy_calls.seen == eager_calls.seen
    assert lazy.capabilities == eager.capabilities


@pytest.mark.anyio
async def test_market_data_and_keyless_fees_build_no_part() -> None:
    calls = Calls()
    account, execution = Lazy(lambda: FullAccount(calls)), Lazy(lambda: PreparingExecution(calls))
    client = toy(calls, account=account, execution=execution, keyed=False)
    await outcome(client.fetch_markets())
    await outcome(client.fetch_funding_rates([BTC]))
    await outcome(client.fetch_order_book(BTC, 5))
    await outcome(client.fetch_positions())  # NotConfigured: answered before any part
    await outcome(client.place_order(object()))  # type: ignore[arg-type]
    assert not account.built and not execution.built
    assert [c[0] for c in calls.seen] == [
        "fetch_markets",
        "fetch_funding_rates",
        "fetch_order_book",
    ]


EXECUTION_CLASSES: dict[str, type[Any]] = {
    "binance": BinanceExecution,
    "hyperliquid": HyperliquidExecution,
    "bybit": BybitExecution,
}


def _parts(client: object) -> Any:
    return client._parts  # type: ignore[attr-defined]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["binance", "hyperliquid", "bybit", "okx"])
async def test_a_keyless_client_quotes_what_its_execution_part_quotes_without_building_it(
    kind: str,
) -> None:
    client: Any = build_client(VenueSettings(ExchangeIdentifier(kind), kind)).unwrap()
    try:
        execution = _parts(client).execution
        assert isinstance(execution, Lazy) and not execution.built
        quoted = await outcome(client.fetch_fees())
        assert not execution.built
        assert quoted.unwrap().source is FeeSource.PUBLISHED
        built: Any = execution.get()
        if kind == "okx":  # its fee part was always the kit's reader: published without keys
            assert _parts(client).fees.read_account is None
            return
        assert isinstance(built, EXECUTION_CLASSES[kind])
        # the part, asked directly, answers the very same quote (published tier, no keys)
        assert Success(quoted.unwrap()) == await built.fetch_fees()
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_keyed_binance_client_builds_its_execution_at_once_as_its_fee_reader() -> None:
    client: Any = build_client(KEYED_BINANCE).unwrap()
    try:
        parts = _parts(client)
        assert parts.fees is parts.execution is parts.account
        # given credentials, a client builds its parts with itself (as before they were
        # lazy): a broken install fails at build, not at the first order
        assert parts.execution.built
    finally:
        await client.aclose()


KEYED_BINANCE = VenueSettings(
    ExchangeIdentifier("binance"), "binance", credentials={"api_key": "k", "api_secret": "s"}
)


@pytest.fixture
def broken_binance_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    """``adapters.binance.execution`` cannot be imported (a broken install)."""
    monkeypatch.setitem(sys.modules, "adapters.binance.execution", None)


@pytest.mark.usefixtures("broken_binance_execution")
def test_a_client_given_credentials_whose_parts_cannot_be_built_fails_at_build() -> None:
    built = build_client(KEYED_BINANCE)
    assert isinstance(built, Failure)
    assert "venue binance: cannot import 'adapters.binance.execution'" in built.failure()


@pytest.mark.anyio
@pytest.mark.usefixtures("broken_binance_execution")
async def test_a_keyless_client_answers_a_part_it_cannot_build_with_a_value() -> None:
    client: Any = build_client(VenueSettings(ExchangeIdentifier("binance"), "binance")).unwrap()
    try:
        open_orders = await outcome(client.fetch_open_orders())  # must not raise
        assert isinstance(open_orders, Failure)
        assert "internal error: ModuleNotFoundError" in str(open_orders.failure())
    finally:
        await client.aclose()


VENUE_PACKAGES = ("aster", "binance", "bybit", "grvt", "hyperliquid", "lighter", "okx", "paradex")


@pytest.mark.parametrize("name", VENUE_PACKAGES)
def test_a_venue_package_lists_and_imports_its_exports_on_first_use(name: str) -> None:
    package = importlib.import_module(f"adapters.{name}")
    assert package.__all__ and set(package.__all__) <= set(dir(package))
    for export in package.__all__:
        assert isinstance(getattr(package, export), type)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope  # noqa: B018
