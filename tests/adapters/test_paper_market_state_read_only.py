"""A paper venue's market state changes only through the venue's own calls.

``market_state()`` answers a read-only view, and ``add_market`` keeps its own copy of the
state it is given. Before, the answer was the venue's own mutable ``PaperMarketState``,
and a state given to two venues was shared by both: a write through either went unseen
by the liquidation check's memo (``_holdings_changed``) and by the backtest venue's
memos, so the venue could answer for an account it no longer held (review of issue 20).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.paper import PaperMarketState, PaperMarketView, PaperVenue
from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.margin import PaperMarginRules
from atomic_fp.backtest.replay_state import call_now
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    Market,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")
ETH = Symbol("ETH")


def _state(symbol: Symbol, mark: str = "100") -> PaperMarketState:
    return PaperMarketState(
        market=Market(
            exchange=ExchangeIdentifier("a"), symbol=symbol, venue_symbol=f"{symbol.base}USDT",
            tick_size=Decimal("0.01"), lot_size=Decimal("0.001"),
            funding_interval=timedelta(hours=8),
        ),
        mark_price=Decimal(mark),
        funding_rate=Decimal("0.0001"),
    )  # fmt: skip


def _venue(cls: type[PaperVenue], name: str, *states: PaperMarketState) -> PaperVenue:
    return cls(
        name, states, clock=ManualClock(START), auto_funding=False,
        balances={"USD": Decimal(300)},
        margin_rules=PaperMarginRules(maintenance_rate=Decimal("0.3")),
    )  # fmt: skip


def _buy(venue: PaperVenue, symbol: Symbol, size: str) -> None:
    request = OrderRequest(
        exchange=venue.exchange, symbol=symbol, side=Side.BUY, size=Decimal(size),
        client_order_id=f"buy-{symbol.base}", order_type=OrderType.MARKET,
        time_in_force=TimeInForce.IOC,
    )  # fmt: skip
    assert call_now(venue.place_order(request)).unwrap().filled_size == Decimal(size)


FIELDS = {
    "mark_price": Decimal(1),
    "funding_rate": Decimal("0.5"),
    "market": None,
    "next_funding_time": START,
    "book": None,
    "half_spread": Decimal("0.1"),
    "depth": Decimal(1),
}


@pytest.mark.parametrize("cls", [PaperVenue, BacktestPaperVenue])
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_the_state_market_state_answers_refuses_writes(cls: type[PaperVenue], field: str) -> None:
    venue = _venue(cls, "a", _state(BTC))
    view = venue.market_state(BTC)
    assert isinstance(view, PaperMarketView)
    before = (repr(view), venue.book(BTC), venue.margin("USD"))
    with pytest.raises(AttributeError):
        setattr(view, field, FIELDS[field])
    with pytest.raises(AttributeError):
        view.something_else = 1  # type: ignore[attr-defined]
    assert (repr(view), venue.book(BTC), venue.margin("USD")) == before


@pytest.mark.parametrize("cls", [PaperVenue, BacktestPaperVenue])
def test_the_view_reads_the_venues_current_state(cls: type[PaperVenue]) -> None:
    venue = _venue(cls, "a", _state(BTC))
    view = venue.market_state(BTC)
    venue.set_mark_price(BTC, Decimal("101.5"))
    venue.set_funding_rate(BTC, Decimal("0.0002"), timedelta(hours=4))
    venue.use_synthetic_book(BTC, half_spread=Decimal("0.001"), depth=Decimal(7))
    assert (view.mark_price, view.funding_rate, view.market.funding_interval) == (
        Decimal("101.5"),
        Decimal("0.0002"),
        timedelta(hours=4),
    )
    assert (view.half_spread, view.depth, view.book, view.next_funding_time) == (
        Decimal("0.001"),
        Decimal(7),
        None,
        None,
    )
    assert view.market.exchange == ExchangeIdentifier("a")


@pytest.mark.parametrize("cls", [PaperVenue, BacktestPaperVenue])
def test_a_state_given_to_two_venues_is_shared_by_neither(cls: type[PaperVenue]) -> None:
    """One state object lists the market on two venues (and on a third under another
    venue id): a mark move on one moves no other, and a write to the given object after
    listing moves none of them."""
    given = _state(BTC)
    first, second = _venue(cls, "a", given), _venue(cls, "a", given)
    other = _venue(cls, "b", given)
    first.set_mark_price(BTC, Decimal(90))
    assert first.market_state(BTC).mark_price == Decimal(90)
    assert second.market_state(BTC).mark_price == Decimal(100)
    assert other.market_state(BTC).mark_price == Decimal(100)
    given.mark_price = Decimal(5)
    given.half_spread = Decimal("0.2")
    for venue in (first, second, other):
        assert venue.market_state(BTC).half_spread == Decimal("0.0001")
    assert (second.market_state(BTC).mark_price, other.market_state(BTC).mark_price) == (
        Decimal(100),
        Decimal(100),
    )


@pytest.mark.parametrize("cls", [PaperVenue, BacktestPaperVenue])
def test_the_givers_write_neither_liquidates_nor_hides_a_liquidation(
    cls: type[PaperVenue],
) -> None:
    """What the memo review feared: the account is checked on the venue's own marks. A
    crash written into the given object liquidates nothing; the same crash through
    ``set_mark_price`` liquidates."""
    given = _state(BTC)
    venue = _venue(cls, "a", given, _state(ETH))
    _buy(venue, BTC, "9")  # 900 notional: maintenance 270 of equity ~299.5
    venue.set_mark_price(ETH, Decimal(101))  # checked: not due
    given.mark_price = Decimal(80)  # the giver's write: not the venue's state
    venue.set_mark_price(ETH, Decimal(102))
    assert venue.liquidations == []
    assert venue.margin("USD").legs[0].position.mark_price == Decimal(100)
    venue.set_mark_price(BTC, Decimal(80))
    assert [liq.position.symbol for liq in venue.liquidations] == [BTC]
