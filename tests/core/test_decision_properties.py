"""Hypothesis properties of the funding-arbitrage decision (issue 2, "what it must show" 3)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result, Success

from atomic_fp import sizing
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.errors import VenueError
from atomic_fp.models import ExchangeIdentifier, Market, Position, Side, SignalKind
from tests.core.builders import NOW, PEPE, config, market, position, rate

# (venue symbol, lot, multiplier, min size) of real-world shapes for one underlying:
# Binance 1000PEPEUSDT and Hyperliquid kPEPE (x1000), a plain PEPE market (x1) with a big
# lot, plus odd lots that make the common step a true LCM.
MARKET_SHAPES = [
    ("1000PEPEUSDT", "1", "1000", "1"),
    ("kPEPE", "1", "1000", "0"),
    ("PEPE", "100", "1", "100"),
    ("PEPE_USDT_Perp", "1000", "1", "1000"),
    ("1000000PEPE", "0.1", "1000000", "0.1"),
    ("PEPE-3", "3", "1", "3"),
    ("PEPE-0.7", "0.7", "10", "0"),
]
VENUES = ["a", "b", "c", "d"]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    count = draw(st.integers(min_value=2, max_value=4))
    venues = VENUES[:count]
    max_position = Decimal(draw(st.integers(min_value=1, max_value=200))) * 1000
    markets: dict[ExchangeIdentifier, Market] = {}
    rates = {}
    positions: dict[ExchangeIdentifier, Result[Position | None, VenueError]] = {}
    for venue in venues:
        venue_symbol, lot, multiplier, min_size = draw(st.sampled_from(MARKET_SHAPES))
        min_notional = draw(st.sampled_from(["0", "0", "5", "100"]))
        built = market(
            venue,
            symbol=PEPE,
            lot=lot,
            multiplier=multiplier,
            min_size=min_size,
            min_notional=min_notional,
            venue_symbol=venue_symbol,
        )
        markets[built.exchange] = built
        per_unit_price = Decimal("0.00001") * Decimal(multiplier)  # price per venue unit
        rate_value = Decimal(draw(st.integers(min_value=-3000, max_value=3000))) / 1_000_000
        rates[built.exchange] = rate(
            venue,
            str(rate_value),
            draw(st.sampled_from([timedelta(hours=1), timedelta(hours=4), timedelta(hours=8)])),
            symbol=PEPE,
            mark=str(per_unit_price) if draw(st.booleans()) else None,
        )
        held_lots = draw(st.integers(min_value=-1000, max_value=1000))
        held_base = sizing.floor_to_step(
            max_position * abs(held_lots) / 1000, sizing.base_lot(built)
        ) * (1 if held_lots >= 0 else -1)
        held_size = held_base / Decimal(multiplier)
        positions[built.exchange] = Success(
            None
            if held_size == 0
            else position(venue, str(held_size), symbol=PEPE, multiplier=multiplier)
        )
    trade_size = Decimal(draw(st.integers(min_value=1, max_value=99))) * 10 ** draw(
        st.integers(min_value=0, max_value=5)
    )
    return {
        "rates": {k: Success(v) for k, v in rates.items()},
        "positions": positions,
        "markets": {k: Success(v) for k, v in markets.items()},
        "config": config(
            trade_size=trade_size,
            max_position=max_position,
            build_threshold=Decimal("0.02"),
            close_threshold=Decimal("0.01"),
        ),
    }


def test_open_legs_are_equal_valid_on_both_venues_and_within_max_position() -> None:
    outcomes: list[str] = []

    # derandomize: the coverage assertions below count outcomes, so the draw must be the
    # same every run (a random draw opened 18 times in 200 about one run in four).
    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(scenarios())
    def check(scenario: dict[str, object]) -> None:
        outcomes.append(check_scenario(scenario))

    check()
    # The property must really be exercised: many scenarios open, some close.
    assert outcomes.count("open") >= 20, outcomes
    assert "close" in outcomes


def check_scenario(scenario: dict[str, object]) -> str:
    result = FundingArbitrageDecision.analyze_opportunity(now=NOW, **scenario)  # type: ignore[arg-type]
    if not is_successful(result):
        assert str(result.failure())  # every no-trade says why
        return "none"
    signal = result.unwrap()
    markets = {k: v.unwrap() for k, v in scenario["markets"].items()}  # type: ignore[attr-defined]
    positions = {k: v.unwrap() for k, v in scenario["positions"].items()}  # type: ignore[attr-defined]
    cfg = scenario["config"]
    if signal.kind is SignalKind.CLOSE:
        for leg in signal.legs:
            held = positions[leg.exchange]
            assert leg.reduce_only and held is not None and leg.size == abs(held.size)
        return "close"
    assert signal.kind is SignalKind.OPEN
    buy, sell = signal.legs
    assert (buy.side, sell.side) == (Side.BUY, Side.SELL)
    assert buy.base_size == sell.base_size > 0  # equal base exposure after multipliers
    assert signal.net_base_exposure == 0
    assert buy.base_size <= cfg.trade_size  # type: ignore[attr-defined]
    for leg in signal.legs:
        rules = markets[leg.exchange]
        assert leg.contract_multiplier == rules.contract_multiplier
        assert sizing.is_multiple(leg.size, rules.lot_size)
        assert leg.size >= rules.min_size
        if rules.min_notional > 0:
            assert leg.reference_price is not None
            assert leg.size * leg.reference_price >= rules.min_notional
        held = positions[leg.exchange]
        before = held.base_size if held is not None else Decimal(0)
        assert abs(before + leg.signed_base_size) <= cfg.max_position  # type: ignore[attr-defined]
    assert signal.expected_net_apr is not None
    assert signal.expected_net_apr >= cfg.build_threshold  # type: ignore[attr-defined]
    return "open"


@settings(max_examples=200, deadline=None)
@given(
    rate_value=st.integers(min_value=-(10**6), max_value=10**6),
    hours=st.sampled_from([1, 2, 4, 8]),
)
def test_apr_is_invariant_to_how_the_interval_is_expressed(rate_value: int, hours: int) -> None:
    value = str(Decimal(rate_value) / 10**8)
    forms = [
        timedelta(hours=hours),
        timedelta(minutes=60 * hours),
        timedelta(seconds=3600 * hours),
        timedelta(milliseconds=3_600_000 * hours),
    ]
    aprs = {rate("a", value, interval).apr for interval in forms}
    assert len(aprs) == 1
    assert aprs == {Decimal(value) / hours * 8760}


@settings(max_examples=200, deadline=None)
@given(
    first=st.integers(min_value=-(10**5), max_value=10**5),
    second=st.integers(min_value=-(10**5), max_value=10**5),
    hours=st.sampled_from([1, 4, 8]),
    minutes=st.sampled_from([60, 240, 480]),
)
def test_the_same_market_in_hours_or_minutes_gives_the_same_decision(
    first: int, second: int, hours: int, minutes: int
) -> None:
    positions = {
        ExchangeIdentifier("a"): Success(None),
        ExchangeIdentifier("b"): Success(None),
    }
    a_value, b_value = str(Decimal(first) / 10**7), str(Decimal(second) / 10**7)

    def decide(a_interval: timedelta, b_interval: timedelta) -> object:
        rates = {
            ExchangeIdentifier("a"): Success(rate("a", a_value, a_interval)),
            ExchangeIdentifier("b"): Success(rate("b", b_value, b_interval)),
        }
        return FundingArbitrageDecision.analyze_opportunity(
            rates=rates, positions=positions, config=config(), now=NOW
        )

    in_hours = decide(timedelta(hours=hours), timedelta(minutes=minutes))
    in_minutes = decide(timedelta(minutes=60 * hours), timedelta(hours=minutes // 60))
    assert in_hours == in_minutes
