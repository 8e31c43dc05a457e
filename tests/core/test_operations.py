"""Layer 2, ``AtomicQueryer``/``AtomicTrader``: one venue, one symbol, the seed's names.

References: the seed design's operations (``get_position()``, ``get_funding_rate()``,
``execute_trade(side="buy", qty=0.1)``) with its documented deviation (``returns``
containers, never a default on failure); the paper venue (the same matching, fees and fault
knobs the backtest and paper trading use) stands in for a venue, down or up.
"""

from __future__ import annotations

import re
from decimal import Decimal

import attrs
import pytest
from returns.io import IOFailure, IOSuccess
from returns.result import Failure, Success

from adapters.paper import ManualClock, PaperMarketState, PaperVenue
from atomic_fp.errors import NetworkError, UnknownSymbol, VenueError
from atomic_fp.models import OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader, to_result
from tests.shell.helpers import BTC, PRICE, T0, market, paper

pytestmark = pytest.mark.anyio


def usdt_venue(name: str = "usdt-venue") -> PaperVenue:
    """A venue whose BTC perpetual settles in USDT (like Binance's or GRVT's)."""
    listed = attrs.evolve(market(name), settle_asset="USDT")
    return PaperVenue(name, [PaperMarketState(listed, PRICE)], clock=ManualClock(T0))


def test_to_result_unwraps_io_results_through_the_public_api() -> None:
    assert to_result(IOSuccess(1)) == Success(1)
    error = NetworkError("v", "reset")
    assert to_result(IOFailure(error)) == Failure(error)


async def test_the_seed_names_answer_for_one_symbol() -> None:
    venue = paper("a", rate=Decimal("0.0001"))
    queryer = AtomicQueryer(venue, BTC)
    assert (await queryer.get_market()).unwrap().symbol == BTC
    assert (await queryer.get_funding_rate()).unwrap().rate == Decimal("0.0001")
    assert (await queryer.get_position()) == Success(None)  # flat because the venue said so
    assert (await queryer.get_order_book(depth=1)).unwrap().best_ask is not None
    assert (await queryer.get_balances()).unwrap()


async def test_one_name_per_action() -> None:
    for duplicate in ("order", "market", "funding_rate", "position", "order_book", "balances"):
        assert not hasattr(AtomicQueryer, duplicate), duplicate
    assert not hasattr(AtomicTrader, "place")
    assert hasattr(AtomicTrader, "fetch_order") and hasattr(AtomicTrader, "place_order")


async def test_a_down_venue_is_a_failure_never_a_flat_position() -> None:
    venue = paper("a")
    venue.faults.down = True
    queryer = AtomicQueryer(venue, BTC)
    position = await queryer.get_position()
    assert isinstance(position, Failure) and isinstance(position.failure(), NetworkError)
    assert isinstance(await queryer.get_funding_rate(), Failure)


async def test_an_unlisted_symbol_is_unknown_symbol() -> None:
    queryer = AtomicQueryer(paper("a"), Symbol("DOGE"))
    for result in (await queryer.get_market(), await queryer.get_funding_rate()):
        assert isinstance(result, Failure)
        assert isinstance(result.failure(), UnknownSymbol)
        assert "DOGE/USD" in result.failure().message


async def test_the_market_is_read_once_then_cached() -> None:
    venue = paper("a")
    queryer = AtomicQueryer(venue, BTC)
    await queryer.get_market()
    await queryer.get_market()
    assert venue.calls["markets"] == 1
    queryer.forget_market()
    await queryer.get_market()
    assert venue.calls["markets"] == 2


async def test_a_usdt_symbol_trades_a_usd_or_usdt_perp_and_reports_the_quote_used() -> None:
    seed_symbol = Symbol(base="BTC", quote="USDT", contract_type="PERP")
    usd = AtomicQueryer(paper("usd-venue"), seed_symbol)
    usdt = AtomicQueryer(usdt_venue(), seed_symbol)
    assert await usd.quote_used() == Success("USD")
    assert await usdt.quote_used() == Success("USDT")


async def test_a_strict_quote_refuses_another_stablecoin_naming_it() -> None:
    strict = Symbol("BTC", "USDT", "PERP", strict_quote=True)
    usd = await AtomicQueryer(paper("usd-venue"), strict).get_market()
    assert isinstance(usd, Failure) and isinstance(usd.failure(), UnknownSymbol)
    assert (
        "strict quote USDT" in usd.failure().message and "settles in USD" in usd.failure().message
    )
    assert await AtomicQueryer(usdt_venue(), strict).quote_used() == Success("USDT")
    # every read of a strict symbol on the wrong-quote venue says so (never a USD answer)
    wrong = AtomicQueryer(paper("usd-venue"), strict)
    for result in (
        await wrong.get_funding_rate(),
        await wrong.get_position(),
        await wrong.get_order_book(),
    ):
        assert isinstance(result, Failure) and "strict quote USDT" in result.failure().message
    right = AtomicQueryer(usdt_venue(), strict)
    assert (await right.get_position()) == Success(None)
    assert isinstance(await right.get_funding_rate(), Success)


async def test_execute_trade_in_the_seeds_spelling_sends_one_exact_order() -> None:
    venue = paper("a")
    trader = AtomicTrader(venue, BTC)
    placed = await trader.execute_trade(side="buy", qty=0.1)
    order = placed.unwrap()
    assert (order.side, order.size, order.status) == (Side.BUY, Decimal("0.1"), OrderStatus.FILLED)
    assert re.fullmatch(r"afp[0-9a-f]{20}", order.client_order_id)
    assert venue.position_size(BTC) == Decimal("0.1")
    assert venue.calls["place_order"] == 1
    again = (await trader.execute_trade("sell", Decimal("0.1"), client_order_id="mine-1")).unwrap()
    assert again.client_order_id == "mine-1" and venue.position_size(BTC) == 0
    fetched = (await trader.fetch_order("mine-1")).unwrap()
    assert fetched.filled_size == Decimal("0.1")


async def test_execute_trade_refuses_bad_input_before_sending() -> None:
    venue = paper("a")
    trader = AtomicTrader(venue, BTC)
    with pytest.raises(ValueError, match="side must be 'buy' or 'sell', got 'long'"):
        await trader.execute_trade(side="long", qty=1)
    with pytest.raises(ValueError, match="qty must be finite"):
        await trader.execute_trade(side="buy", qty=float("nan"))
    with pytest.raises(ValueError, match="size must be > 0"):
        await trader.execute_trade(side="buy", qty=-1)
    assert venue.calls.get("place_order", 0) == 0


async def test_a_rejected_trade_is_a_failure_value() -> None:
    venue = paper("a")
    venue.faults.down = True
    placed = await AtomicTrader(venue, BTC).execute_trade(side="buy", qty=0.1)
    assert isinstance(placed, Failure) and isinstance(placed.failure(), VenueError)
    assert placed.failure().venue == ExchangeIdentifier("a").name
