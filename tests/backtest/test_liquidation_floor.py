"""``BacktestPaperVenue.liquidation_floor``: a lower bound on the liquidation distance of
every position the venue reports, which lets the backtest certify a held symbol's cycle
without reading its positions (``atomic_fp/backtest/run_quiet.py``).

Reference: the venue's own positions (``positions_now``, with the liquidation prices its
margin model estimates, ``atomic_fp.models.margin.estimate_liquidation_price``) after
random orders, mark moves, deposits and withdrawals, at maintenance rates from 0 to 0.9
and with liquidation on and off (so accounts at or below maintenance are reached). The
floor is also close to the smallest distance (within the ``1 + rate`` factor between a
long's and a short's), so a floor of 0 everywhere would fail the test.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.margin import PaperMarginRules, liquidation_floor
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    Market,
    OrderRequest,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
    VenueFees,
)
from atomic_fp.models.margin import estimate_liquidation_price

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOLS = (Symbol("AAA"), Symbol("BBB"), Symbol("CCC"))

_symbol = st.integers(0, len(SYMBOLS) - 1)
_event = st.one_of(
    st.tuples(st.just("mark"), _symbol, st.decimals("0.5", "400", places=2)),
    st.tuples(
        st.just("order"), _symbol, st.sampled_from([Side.BUY, Side.SELL]), st.integers(1, 40)
    ),
    st.tuples(st.just("deposit"), st.decimals("-300", "300", places=2)),
)


def _venue(rate: Decimal, balance: Decimal, liquidate: bool) -> BacktestPaperVenue:
    venue = BacktestPaperVenue(
        "paper", (), fees=VenueFees(maker=Decimal(0), taker=Decimal("0.0005")),
        balances={"USD": balance}, clock=ManualClock(START), auto_funding=False,
        ledger_retention=0,
        margin_rules=PaperMarginRules(maintenance_rate=rate, liquidate=liquidate),
    )  # fmt: skip
    for symbol in SYMBOLS:
        venue.list_market(
            Market(
                exchange=ExchangeIdentifier("paper"), symbol=symbol,
                venue_symbol=f"{symbol.base}USDT", tick_size=Decimal("0.01"),
                lot_size=Decimal("0.1"), funding_interval=timedelta(hours=8),
            ),
            mark_price=Decimal(100), funding_rate=Decimal(0),
            half_spread=Decimal("0.0005"), depth=Decimal(10) ** 6,
        )  # fmt: skip
    return venue


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rate=st.sampled_from(["0", "0.005", "0.0125", "0.3", "0.9"]).map(Decimal),
    balance=st.decimals("1", "5000", places=2),
    liquidate=st.booleans(),
    events=st.lists(_event, min_size=1, max_size=12),
)
def test_the_floor_is_below_every_reported_liquidation_distance(
    rate: Decimal, balance: Decimal, liquidate: bool, events: list[tuple[Any, ...]]
) -> None:
    venue = _venue(rate, balance, liquidate)
    for number, event in enumerate(events):
        if event[0] == "mark":
            venue.set_mark_price(SYMBOLS[event[1]], event[2])
        elif event[0] == "deposit":
            venue.deposit(event[1])
        else:
            _, index, side, lots = event
            venue.place_now(
                OrderRequest(
                    exchange=ExchangeIdentifier("paper"), symbol=SYMBOLS[index],
                    side=side, size=Decimal(lots) / 10,
                    client_order_id=f"o{number}", order_type=OrderType.MARKET,
                    time_in_force=TimeInForce.IOC,
                )
            )  # fmt: skip
        floor = venue.liquidation_floor("USD")
        positions = venue.positions_now().unwrap()
        distances = [p.liquidation_distance for p in positions]
        if not positions:
            assert floor is None
            continue
        assert floor is not None
        judged = [d for d in distances if d is not None]
        assert all(floor <= d for d in judged), (floor, distances)
        largest = max(positions, key=lambda p: abs(p.size) * (p.mark_price or 0))
        nearest = largest.liquidation_distance
        if nearest is not None:
            # not a vacuous bound: within the long/short factor of the largest leg's
            assert nearest * (1 - rate) <= floor * (1 + rate) * (1 + Decimal("1e-9"))


def test_a_flat_account_and_an_account_with_a_zero_mark_give_no_floor() -> None:
    venue = _venue(Decimal("0.005"), Decimal(1000), liquidate=True)
    assert venue.liquidation_floor("USD") is None
    assert venue.liquidation_floor("USDC") is None


@pytest.mark.parametrize(
    "surplus", ["1e-20", "1e-17", "1e-15", "1e-13", "1e-12", "1e-9", "1e-6", "1e-3"]
)
@pytest.mark.parametrize("size", ["-0.37", "0.37", "-12.5"])
def test_a_tiny_surplus_gives_a_floor_below_the_reported_distance(surplus: str, size: str) -> None:
    """Just above maintenance the reported distance ``|mark - price| / mark`` is rounding
    of a cancelling subtraction (~1e-27 absolute); a floor of ~1e-17 exceeded it (the
    review's case: short 0.37 at 100, rate 0.005, surplus 1e-17). The floor is 0 there."""
    rules = PaperMarginRules(maintenance_rate=Decimal("0.005"))
    mark = Decimal(100)
    leg = Decimal(size)
    maintenance = abs(leg) * mark * rules.maintenance_rate
    wallet = maintenance + Decimal(surplus)
    floor = liquidation_floor(wallet=wallet, legs=[(leg, mark, mark)], rules=rules)
    price = estimate_liquidation_price(
        size=leg, mark=mark, equity=wallet, maintenance_margin=maintenance,
        leg_maintenance_margin=maintenance,
    )  # fmt: skip
    assert floor is not None and price is not None
    distance = abs(mark - price) / mark
    assert floor <= distance, (floor, distance)
    if Decimal(surplus) >= Decimal("1e-6"):
        assert floor > 0  # not vacuous away from the rounding zone
