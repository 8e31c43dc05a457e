"""FundingArbitrageDecision: the worked example, N venues, missing data, sizing, closing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from returns.pipeline import is_successful
from returns.result import Result

from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.types import NoTrade
from atomic_fp.models import (
    FundingRate,
    Side,
    SignalKind,
    TradingSignal,
    VenueFees,
)
from tests.core.builders import (
    NOW,
    PEPE,
    book,
    by_venue,
    config,
    down,
    ex,
    flat,
    market,
    position,
    rate,
)

decide = FundingArbitrageDecision.analyze_opportunity


def signal_of(result: Result[TradingSignal, NoTrade]) -> TradingSignal:
    assert is_successful(result), f"expected a signal, got {result.failure()}"
    return result.unwrap()


def no_trade(result: Result[TradingSignal, NoTrade]) -> NoTrade:
    assert not is_successful(result), f"expected no trade, got {result.unwrap()}"
    return result.failure()


def venues_of(signal: TradingSignal) -> tuple[tuple[str, Side], ...]:
    return tuple((leg.exchange.name, leg.side) for leg in signal.legs)


# 1. The worked example ---------------------------------------------------------------


def test_worked_example_buys_on_a_sells_on_b_with_both_aprs_and_the_spread() -> None:
    a = rate("a", "0.0001", timedelta(hours=8))
    b = rate("b", "0.0005", timedelta(hours=1))
    assert a.apr == Decimal("0.1095")
    assert b.apr == Decimal("4.38")
    signal = signal_of(
        decide(rates=by_venue(a, b), positions=flat("a", "b"), config=config(), now=NOW)
    )
    assert signal.kind is SignalKind.OPEN
    assert venues_of(signal) == (("a", Side.BUY), ("b", Side.SELL))
    assert [leg.size for leg in signal.legs] == [Decimal(1), Decimal(1)]  # trade_size
    assert not any(leg.reduce_only for leg in signal.legs)
    assert signal.reason.startswith(
        "long a at 10.95% APR, short b at 438.00% APR: spread 427.05%, net 416.62%"
    )
    # net = 4.2705 - 2 * (0.0005 + 0.0005) * 8760 / 168 (default fees, one-week horizon)
    expected_net = Decimal("4.2705") - Decimal("0.002") * 8760 / 168
    assert signal.expected_net_apr == expected_net
    assert signal.created_at == NOW


def test_worked_example_below_threshold_when_fees_eat_the_spread() -> None:
    a, b = rate("a", "0.0001", timedelta(hours=8)), rate("b", "0.0005", timedelta(hours=1))
    cfg = config(build_threshold=Decimal("4.20"), close_threshold=Decimal("0"))
    reason = str(no_trade(decide(rates=by_venue(a, b), positions=flat("a", "b"), config=cfg)))
    assert "long a at 10.95% APR, short b at 438.00% APR: spread 427.05%" in reason
    assert "below build threshold" in reason


# 2. Three and four venues, ties ----------------------------------------------------------


def test_three_venues_best_pair_is_found() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0003"), rate("c", "-0.0002"))
    signal = signal_of(decide(rates=rates, positions=flat("a", "b", "c"), config=config()))
    assert venues_of(signal) == (("c", Side.BUY), ("b", Side.SELL))


def test_four_venues_best_pair_is_found_with_different_intervals() -> None:
    rates = by_venue(
        rate("a", "0.0001", timedelta(hours=8)),
        rate("b", "0.00005", timedelta(hours=1)),  # 43.8 % APR: the highest...
        rate("c", "0.0002", timedelta(hours=4)),  # ...tied with c: 0.0002 / 4 * 8760
        rate("d", "-0.0001", timedelta(hours=4)),  # -21.9 %: the lowest
    )
    signal = signal_of(decide(rates=rates, positions=flat("a", "b", "c", "d"), config=config()))
    # b and c tie at 43.8 % APR: the alphabetically first short venue wins.
    assert venues_of(signal) == (("d", Side.BUY), ("b", Side.SELL))


def test_ties_are_broken_by_venue_name_whatever_the_input_order() -> None:
    rates = [rate("z", "0.0001"), rate("m", "0.0004"), rate("b", "0.0001"), rate("q", "0.0004")]
    for ordering in (rates, rates[::-1], rates[1:] + rates[:1]):
        signal = signal_of(
            decide(rates=by_venue(*ordering), positions=flat("z", "m", "b", "q"), config=config())
        )
        assert venues_of(signal) == (("b", Side.BUY), ("m", Side.SELL))


def test_per_venue_fees_can_change_the_best_pair() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0001"), rate("c", "0.0010"))
    cfg = config(fees={"a": VenueFees(maker=Decimal(0), taker=Decimal("0.002"))})
    signal = signal_of(decide(rates=rates, positions=flat("a", "b", "c"), config=cfg))
    assert venues_of(signal) == (("b", Side.BUY), ("c", Side.SELL))


# 4. Missing data, failed venue, stale rate --------------------------------------------


def three_rates() -> dict[str, FundingRate]:
    return {"a": rate("a", "0.0001"), "b": rate("b", "0.0010"), "c": rate("c", "0.0005")}


def test_failed_rate_excludes_the_venue_with_a_reason_never_as_zero() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("c", "0.0005")) | {ex("b"): down("b")}
    signal = signal_of(decide(rates=rates, positions=flat("a", "b", "c"), config=config()))
    assert venues_of(signal) == (("a", Side.BUY), ("c", Side.SELL))


def test_failed_venue_leaves_one_venue_so_no_trade_naming_it() -> None:
    rates = by_venue(rate("a", "0.0001")) | {ex("b"): down("b", "timed out")}
    result = no_trade(decide(rates=rates, positions=flat("a", "b"), config=config()))
    assert "need two venues" in result.reason
    assert result.excluded == ("b: funding rate failed (b: NetworkError: timed out)",)


def test_stale_rate_never_opens_a_position() -> None:
    stale = rate("b", "0.0010", observed_at=NOW - timedelta(minutes=6))
    rates = by_venue(rate("a", "0.0001"), stale, rate("c", "0.0005"))
    signal = signal_of(decide(rates=rates, positions=flat("a", "b", "c"), config=config(), now=NOW))
    assert "b" not in [leg.exchange.name for leg in signal.legs]
    result = no_trade(
        decide(
            rates=by_venue(rate("a", "0.0001"), stale),
            positions=flat("a", "b"),
            config=config(),
            now=NOW,
        )
    )
    assert result.excluded[0].startswith("b: rate stale")


def test_without_now_staleness_is_relative_to_the_freshest_rate() -> None:
    old = rate("b", "0.0010", observed_at=NOW - timedelta(minutes=6))
    rates = by_venue(rate("a", "0.0001"), old)
    result = no_trade(decide(rates=rates, positions=flat("a", "b"), config=config()))
    assert result.excluded[0].startswith("b: rate stale")
    both_old = by_venue(rate("a", "0.0001", observed_at=old.observed_at), old)
    signal = signal_of(decide(rates=both_old, positions=flat("a", "b"), config=config()))
    assert signal.created_at == old.observed_at


def test_failed_position_means_no_opening_trade_on_that_venue() -> None:
    positions = flat("a", "c") | {ex("b"): down("b")}
    rates = by_venue(*three_rates().values())
    signal = signal_of(decide(rates=rates, positions=positions, config=config()))
    assert venues_of(signal) == (("a", Side.BUY), ("c", Side.SELL))
    only_two = no_trade(
        decide(
            rates=by_venue(rate("a", "0.0001"), rate("b", "0.0010")),
            positions=flat("a") | {ex("b"): down("b")},
            config=config(),
        )
    )
    assert only_two.excluded == ("b: position failed (b: NetworkError: connection reset)",)


def test_missing_position_is_unknown_not_flat() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    result = no_trade(decide(rates=rates, positions=flat("a"), config=config()))
    assert result.excluded == ("b: position missing (unknown is not flat)",)


def test_failed_market_or_book_excludes_the_venue() -> None:
    rates = by_venue(*three_rates().values())
    markets = by_venue(market("a"), market("c")) | {ex("b"): down("b")}
    signal = signal_of(
        decide(rates=rates, positions=flat("a", "b", "c"), config=config(), markets=markets)
    )
    assert venues_of(signal) == (("a", Side.BUY), ("c", Side.SELL))
    books = by_venue(
        book("a", [("99.99", "5")], [("100", "5")]),
        book("c", [("99.99", "5")], [("100", "5")]),
    )
    result = decide(rates=rates, positions=flat("a", "b", "c"), config=config(), books=books)
    assert venues_of(signal_of(result)) == (("a", Side.BUY), ("c", Side.SELL))


def test_all_rates_failed_is_no_trade_listing_them() -> None:
    result = no_trade(
        decide(
            rates={ex("a"): down("a"), ex("b"): down("b")},
            positions=flat("a", "b"),
            config=config(),
        )
    )
    assert len(result.excluded) == 2


# Sizing ------------------------------------------------------------------------------


def test_size_is_rounded_down_to_a_lot_valid_on_both_venues() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    markets = by_venue(market("a", lot="0.003"), market("b", lot="0.002"))
    signal = signal_of(
        decide(
            rates=rates,
            positions=flat("a", "b"),
            config=config(trade_size=Decimal("0.015")),
            markets=markets,
        )
    )
    assert [leg.size for leg in signal.legs] == [Decimal("0.012"), Decimal("0.012")]


def test_pepe_legs_carry_equal_base_exposure_across_multipliers() -> None:
    rates = by_venue(rate("binance", "0.0001", symbol=PEPE), rate("hl", "0.0010", symbol=PEPE))
    markets = by_venue(
        market("binance", symbol=PEPE, lot="1", multiplier="1000", venue_symbol="1000PEPEUSDT"),
        market("hl", symbol=PEPE, lot="1", multiplier="1", venue_symbol="PEPE"),
    )
    cfg = config(trade_size=Decimal(2500), max_position=Decimal(1_000_000))
    signal = signal_of(
        decide(rates=rates, positions=flat("binance", "hl"), config=cfg, markets=markets)
    )
    assert [(leg.size, leg.contract_multiplier) for leg in signal.legs] == [
        (Decimal(2), Decimal(1000)),
        (Decimal(2000), Decimal(1)),
    ]
    assert signal.net_base_exposure == 0


def test_below_min_size_gives_no_trade() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    markets = by_venue(market("a", min_size="2"), market("b"))
    result = no_trade(
        decide(rates=rates, positions=flat("a", "b"), config=config(), markets=markets)
    )
    assert "below min_size 2" in result.reason


def test_min_notional_needs_a_price() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    markets = by_venue(market("a", min_notional="5"), market("b"))
    result = no_trade(
        decide(rates=rates, positions=flat("a", "b"), config=config(), markets=markets)
    )
    assert "min_notional 5 but no price is known" in result.reason
    priced = by_venue(rate("a", "0.0001", mark="4"), rate("b", "0.0010"))
    result = no_trade(
        decide(rates=priced, positions=flat("a", "b"), config=config(), markets=markets)
    )
    assert "a notional 4.000 below min_notional 5" in result.reason
    from_position = by_venue(position("a", "0.5", mark="60000"), position("b", "-0.5"))
    signal = signal_of(
        decide(rates=rates, positions=from_position, config=config(), markets=markets)
    )
    assert signal.legs[0].reference_price == Decimal(60000)
    enough = by_venue(rate("a", "0.0001", mark="50000"), rate("b", "0.0010"))
    signal = signal_of(
        decide(rates=enough, positions=flat("a", "b"), config=config(), markets=markets)
    )
    assert signal.legs[0].reference_price == Decimal(50000)


def test_size_is_clamped_to_remaining_capacity_counting_existing_positions() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    positions = by_venue(position("a", "9.4"), position("b", "-9.4"))
    cfg = config(max_position=Decimal(10))
    signal = signal_of(decide(rates=rates, positions=positions, config=cfg))
    assert [leg.size for leg in signal.legs] == [Decimal("0.6"), Decimal("0.6")]
    full = by_venue(position("a", "10"), position("b", "-10"))
    assert (
        "max_position 10 reached"
        in no_trade(decide(rates=rates, positions=full, config=cfg)).reason
    )


def test_books_add_the_entry_gap_and_give_reference_prices() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    books = by_venue(
        book("a", [("99", "1")], [("101", "0.5"), ("102", "5")]),
        book("b", [("100", "5")], [("101", "5")]),
    )
    cfg = config(slippage_cap=Decimal("0.05"))
    signal = signal_of(decide(rates=rates, positions=flat("a", "b"), config=cfg, books=books))
    assert [leg.reference_price for leg in signal.legs] == [Decimal("101.5"), Decimal(100)]
    gap_fraction = Decimal("1.5") / Decimal("100.75")
    fees = Decimal("0.002") * 8760 / 168
    spread = Decimal("1.095") - Decimal("0.1095")
    assert signal.expected_net_apr == spread - fees - gap_fraction * 8760 / 168
    assert "entry gap 77.63%" in signal.reason  # 1.5 / 100.75 = 1.49 % x 52.14 weeks


def test_thin_book_or_slippage_beyond_cap_prevents_the_pair() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    thin = by_venue(
        book("a", [("99", "1")], [("100", "0.5")]), book("b", [("100", "5")], [("101", "5")])
    )
    assert (
        "too thin"
        in no_trade(
            decide(rates=rates, positions=flat("a", "b"), config=config(), books=thin)
        ).reason
    )
    steep = by_venue(
        book("a", [("99", "1")], [("100", "0.1"), ("120", "5")]),
        book("b", [("100", "5")], [("101", "5")]),
    )
    assert (
        "would slip"
        in no_trade(
            decide(rates=rates, positions=flat("a", "b"), config=config(), books=steep)
        ).reason
    )


# Closing -----------------------------------------------------------------------------


def test_hedge_whose_carry_flips_is_closed_reduce_only() -> None:
    rates = by_venue(rate("a", "0.0003"), rate("b", "0.0001"))  # long pays more than short
    positions = by_venue(position("a", "2"), position("b", "-2"))
    signal = signal_of(decide(rates=rates, positions=positions, config=config(), now=NOW))
    assert signal.kind is SignalKind.CLOSE
    assert [(leg.exchange.name, leg.side, leg.size, leg.reduce_only) for leg in signal.legs] == [
        ("a", Side.SELL, Decimal(2), True),
        ("b", Side.BUY, Decimal(2), True),
    ]
    assert "flipped negative" in signal.reason


def test_hedge_below_close_threshold_is_closed_above_it_is_kept() -> None:
    positions = by_venue(position("a", "2"), position("b", "-2"))
    low = by_venue(rate("a", "0.0001"), rate("b", "0.00010456"))  # carry 0.5 % < 1 %
    signal = signal_of(decide(rates=low, positions=positions, config=config()))
    assert signal.kind is SignalKind.CLOSE
    assert "below close threshold 1.00%" in signal.reason
    kept = by_venue(rate("a", "0.0001"), rate("b", "0.00012"))  # carry 2.19 %, below build
    result = decide(rates=kept, positions=positions, config=config())
    assert not is_successful(result)


def test_hedge_with_a_stale_rate_is_not_judged_and_not_closed() -> None:
    positions = by_venue(position("a", "2"), position("b", "-2"))
    rates = by_venue(rate("a", "0.0003"), rate("b", "0.0001", observed_at=NOW - timedelta(hours=1)))
    result = no_trade(decide(rates=rates, positions=positions, config=config(), now=NOW))
    assert "existing hedge not judged: b rate stale" in result.reason


def test_healthy_hedge_can_grow_up_to_max_position() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    positions = by_venue(position("a", "2"), position("b", "-2"))
    signal = signal_of(decide(rates=rates, positions=positions, config=config()))
    assert signal.kind is SignalKind.OPEN
    assert signal.legs[0].size == Decimal(1)


def test_one_sided_position_is_not_a_hedge_so_it_is_not_closed() -> None:
    rates = by_venue(rate("a", "0.0003"), rate("b", "0.0001"))
    positions = by_venue(position("a", "2"), position("b", "0.5"))
    signal = signal_of(decide(rates=rates, positions=positions, config=config()))
    assert signal.kind is SignalKind.OPEN  # long b, short a: a fresh opportunity
    assert venues_of(signal) == (("b", Side.BUY), ("a", Side.SELL))


def test_position_with_multiplier_caps_in_base_units() -> None:
    rates = by_venue(rate("a", "0.0001", symbol=PEPE), rate("b", "0.0010", symbol=PEPE))
    held = by_venue(
        position("a", "9", symbol=PEPE, multiplier="1000"), position("b", "0", symbol=PEPE)
    )
    markets = by_venue(
        market("a", symbol=PEPE, lot="1", multiplier="1000"), market("b", symbol=PEPE, lot="1")
    )
    cfg = config(trade_size=Decimal(5000), max_position=Decimal(10_000))
    signal = signal_of(decide(rates=rates, positions=held, config=cfg, markets=markets))
    assert [leg.base_size for leg in signal.legs] == [Decimal(1000), Decimal(1000)]


def test_inputs_for_another_symbol_are_refused_not_mixed() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"), rate("c", "0.0005"))
    positions = flat("a", "c") | by_venue(position("b", "1", symbol=PEPE))
    signal = signal_of(decide(rates=rates, positions=positions, config=config()))
    assert venues_of(signal) == (("a", Side.BUY), ("c", Side.SELL))
    mixed = by_venue(rate("a", "0.0001"), rate("b", "0.0010", symbol=PEPE))
    result = no_trade(decide(rates=mixed, positions=flat("a", "b"), config=config()))
    assert "inputs mix several symbols: BTC/USD, PEPE/USD" in result.reason


def test_stale_book_excludes_the_venue() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    books = by_venue(
        book("a", [("99.99", "5")], [("100", "5")]),
        book("b", [("99.99", "5")], [("100", "5")], at=NOW - timedelta(minutes=10)),
    )
    result = no_trade(
        decide(rates=rates, positions=flat("a", "b"), config=config(), books=books, now=NOW)
    )
    assert result.excluded == (
        "b: order book stale (observed 0:10:00 before 2026-01-01T12:00:00+00:00, max age 0:05:00)",
    )


def test_same_inputs_give_the_same_signal_and_id() -> None:
    rates = by_venue(rate("a", "0.0001"), rate("b", "0.0010"))
    first = signal_of(decide(rates=rates, positions=flat("a", "b"), config=config(), now=NOW))
    again = signal_of(decide(rates=rates, positions=flat("a", "b"), config=config(), now=NOW))
    assert first == again and first.signal_id == again.signal_id


def test_a_rate_stamped_beyond_max_age_in_the_future_is_clock_skew_not_fresh() -> None:
    rates = by_venue(
        rate("a", "0.0001"),
        rate("b", "0.0005", timedelta(hours=1), observed_at=NOW + timedelta(minutes=6)),
    )
    result = no_trade(decide(rates=rates, positions=flat("a", "b"), config=config(), now=NOW))
    assert result.excluded == (
        "b: rate clock skew (stamped 0:06:00 ahead of 2026-01-01T12:00:00+00:00, "
        "beyond max age 0:05:00)",
    )


def test_a_rate_stamped_slightly_ahead_is_still_usable() -> None:
    rates = by_venue(
        rate("a", "0.0001"),
        rate("b", "0.0005", timedelta(hours=1), observed_at=NOW + timedelta(minutes=5)),
    )
    signal = decide(rates=rates, positions=flat("a", "b"), config=config(), now=NOW).unwrap()
    assert {str(leg.exchange) for leg in signal.legs} == {"a", "b"}
