"""RebalanceDecision and SafetyDecision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from returns.pipeline import is_successful
from returns.result import Result

from atomic_fp.decisions.rebalance import RebalanceDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.decisions.types import NoTrade
from atomic_fp.models import Side, SignalKind, TradingSignal
from tests.core.builders import (
    NOW,
    PEPE,
    by_venue,
    config,
    down,
    ex,
    flat,
    market,
    position,
    rate,
)


def signal_of(result: Result[TradingSignal, NoTrade]) -> TradingSignal:
    assert is_successful(result), f"expected a signal, got {result.failure()}"
    return result.unwrap()


def no_trade(result: Result[TradingSignal, NoTrade]) -> NoTrade:
    assert not is_successful(result), f"expected no trade, got {result.unwrap()}"
    return result.failure()


def legs(signal: TradingSignal) -> list[tuple[str, Side, Decimal, bool]]:
    return [(leg.exchange.name, leg.side, leg.size, leg.reduce_only) for leg in signal.legs]


rebalance = RebalanceDecision.analyze
safety = SafetyDecision.analyze
markets_ab = by_venue(market("a", lot="0.001"), market("b", lot="0.01"))


# Rebalance ------------------------------------------------------------------------------


def test_net_long_beyond_one_lot_sells_on_the_larger_long() -> None:
    positions = by_venue(position("a", "1.5"), position("b", "-1.2"))
    signal = signal_of(rebalance(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert signal.kind is SignalKind.REBALANCE
    assert legs(signal) == [("a", Side.SELL, Decimal("0.300"), True)]
    assert "net +0.3 BTC" in signal.reason


def test_net_short_buys_on_the_larger_short_rounded_down_to_its_lot() -> None:
    positions = by_venue(position("a", "1.2"), position("b", "-1.555"))
    signal = signal_of(rebalance(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert legs(signal) == [("b", Side.BUY, Decimal("0.35"), True)]  # 0.355 down to 0.01


def test_within_the_largest_lot_is_left_alone() -> None:
    positions = by_venue(position("a", "1.005"), position("b", "-1"))
    result = no_trade(rebalance(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert "within one lot (0.01 BTC)" in result.reason


def test_multipliers_are_counted_in_base_units() -> None:
    markets = by_venue(
        market("a", symbol=PEPE, lot="1", multiplier="1000"), market("b", symbol=PEPE, lot="1")
    )
    one_lot_off = by_venue(
        position("a", "3", symbol=PEPE, multiplier="1000"), position("b", "-2000", symbol=PEPE)
    )
    result = no_trade(rebalance(positions=one_lot_off, markets=markets, config=config(), now=NOW))
    assert "net +1000 PEPE" in result.reason and "within one lot (1000 PEPE)" in result.reason
    two_lots_off = by_venue(
        position("a", "3", symbol=PEPE, multiplier="1000"), position("b", "-1000", symbol=PEPE)
    )
    signal = signal_of(rebalance(positions=two_lots_off, markets=markets, config=config(), now=NOW))
    assert legs(signal) == [("a", Side.SELL, Decimal(2), True)]
    assert signal.legs[0].base_size == 2000


def test_failed_position_means_no_rebalance_naming_the_venue() -> None:
    positions = by_venue(position("a", "1.5")) | {ex("b"): down("b")}
    result = no_trade(rebalance(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert result.excluded == ("b: position failed (b: NetworkError: connection reset)",)


def test_stale_position_or_missing_market_means_no_rebalance() -> None:
    stale = by_venue(
        position("a", "1.5", observed_at=NOW - timedelta(hours=1)), position("b", "-1")
    )
    assert "a: position stale" in str(
        no_trade(rebalance(positions=stale, markets=markets_ab, config=config(), now=NOW))
    )
    positions = by_venue(position("a", "1.5"), position("b", "-1"))
    markets = by_venue(market("a")) | {ex("b"): down("b")}
    assert "b: market rules failed" in str(
        no_trade(rebalance(positions=positions, markets=markets, config=config(), now=NOW))
    )


def test_flat_is_nothing_to_rebalance() -> None:
    result = no_trade(
        rebalance(positions=flat("a", "b"), markets=markets_ab, config=config(), now=NOW)
    )
    assert "nothing to rebalance" in result.reason


# Safety ---------------------------------------------------------------------------------


def test_near_liquidation_closes_the_whole_hedge() -> None:
    positions = by_venue(
        position("a", "2", mark="100", liquidation="95"),  # 5 % away < 10 % buffer
        position("b", "-2", mark="100", liquidation="150"),
    )
    signal = signal_of(safety(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert signal.kind is SignalKind.CLOSE
    assert legs(signal) == [("a", Side.SELL, Decimal(2), True), ("b", Side.BUY, Decimal(2), True)]
    assert signal.net_base_exposure == 0
    assert "a is 5.00% from liquidation (buffer 10.00%)" in signal.reason


def test_near_liquidation_still_closes_known_legs_when_another_venue_is_unknown() -> None:
    positions = by_venue(position("a", "2", mark="100", liquidation="95"), position("b", "-2")) | {
        ex("c"): down("c")
    }
    signal = signal_of(safety(positions=positions, markets=markets_ab, config=config(), now=NOW))
    assert [leg.exchange.name for leg in signal.legs] == ["a", "b"]
    assert "positions unknown: c: position unknown" in signal.reason


def test_exposure_above_cap_reduces_both_sides_equally() -> None:
    positions = by_venue(position("a", "3"), position("b", "-3"))
    cfg = config(max_total_exposure=Decimal("5"))
    signal = signal_of(safety(positions=positions, markets=markets_ab, config=cfg, now=NOW))
    assert signal.kind is SignalKind.REDUCE
    assert legs(signal) == [
        ("a", Side.SELL, Decimal("0.50"), True),
        ("b", Side.BUY, Decimal("0.5"), True),
    ]
    assert signal.net_base_exposure == 0


def test_exposure_reduction_rounds_up_to_the_common_lot() -> None:
    positions = by_venue(position("a", "3"), position("b", "-3"))
    cfg = config(max_total_exposure=Decimal("5.99"))  # excess 0.01 -> 0.005 per side -> 0.01
    signal = signal_of(safety(positions=positions, markets=markets_ab, config=cfg, now=NOW))
    assert [leg.base_size for leg in signal.legs] == [Decimal("0.01"), Decimal("0.01")]


def test_exposure_cap_without_market_rules_closes_everything() -> None:
    positions = by_venue(position("a", "3"), position("b", "-3"))
    cfg = config(max_total_exposure=Decimal("5"))
    markets = by_venue(market("a")) | {ex("b"): down("b")}
    signal = signal_of(safety(positions=positions, markets=markets, config=cfg, now=NOW))
    assert signal.kind is SignalKind.CLOSE
    assert "cannot reduce (no market rules for b)" in signal.reason


def test_all_safe_is_no_trade() -> None:
    positions = by_venue(
        position("a", "2", mark="100", liquidation="50"),
        position("b", "-2", mark="100", liquidation="150"),
    )
    cfg = config(max_total_exposure=Decimal("4"))
    result = no_trade(safety(positions=positions, markets=markets_ab, config=cfg, now=NOW))
    assert "within liquidation buffer and exposure cap" in result.reason


def test_may_open_refuses_stale_rates_and_unknown_positions() -> None:
    cfg = config()
    fresh = by_venue(rate("a", "0.0001"), rate("b", "0.0005"))
    assert is_successful(
        SafetyDecision.may_open(rates=fresh, positions=flat("a", "b"), config=cfg, now=NOW)
    )
    stale = by_venue(
        rate("a", "0.0001"), rate("b", "0.0005", observed_at=NOW - timedelta(minutes=10))
    )
    refusal = SafetyDecision.may_open(
        rates=stale, positions=flat("a", "b"), config=cfg, now=NOW
    ).failure()
    assert refusal.excluded[0].startswith("b: rate stale")
    unknown = flat("a") | {ex("b"): down("b")}
    refusal = SafetyDecision.may_open(rates=fresh, positions=unknown, config=cfg, now=NOW).failure()
    assert refusal.excluded == ("b: position failed (b: NetworkError: connection reset)",)
    refusal = SafetyDecision.may_open(
        rates=fresh, positions=flat("a"), config=cfg, now=NOW
    ).failure()
    assert refusal.excluded == ("b: position missing (unknown is not flat)",)
    failed_rate = by_venue(rate("a", "0.0001")) | {ex("b"): down("b")}
    refusal = SafetyDecision.may_open(
        rates=failed_rate, positions=flat("a", "b"), config=cfg, now=NOW
    ).failure()
    assert refusal.excluded[0].startswith("b: funding rate failed")


def test_may_open_can_be_limited_to_the_venues_of_the_signal() -> None:
    cfg = config()
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0005")) | {ex("c"): down("c")}
    positions = flat("a", "b") | {ex("c"): down("c")}
    everything = SafetyDecision.may_open(rates=rates, positions=positions, config=cfg, now=NOW)
    assert not is_successful(everything)
    legs_only = SafetyDecision.may_open(
        rates=rates, positions=positions, config=cfg, now=NOW, venues={ex("a"), ex("b")}
    )
    assert is_successful(legs_only)
    near_liquidation = flat("a") | by_venue(position("b", "-1", mark="100", liquidation="105"))
    refusal = SafetyDecision.may_open(
        rates=rates, positions=near_liquidation, config=cfg, now=NOW, venues=[ex("a"), ex("b")]
    ).failure()
    assert refusal.excluded == ("b: position 5.00% from liquidation",)
