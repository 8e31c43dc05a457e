"""The opening check on margin (issue 21): figures computed by hand, refusals named.

The rule is the cross-margin one every venue documents (liquidated when equity falls to
maintenance margin); the formula is :func:`estimate_liquidation_price`, which
``tests/adapters/margin/`` checks against the liquidation prices Hyperliquid and Lighter
publish in their recorded responses.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from atomic_fp.decisions.cycle import decide_cycle
from atomic_fp.decisions.opening_margin import (
    OPEN_HEADROOM,
    opening_margin_check,
    post_trade_liquidation,
    required_distance,
)
from atomic_fp.decisions.types import MarginInputs
from atomic_fp.models import Side, SignalKind, TradeLeg, TradingSignal
from atomic_fp.models.margin import estimate_liquidation_price
from tests.core.builders import (
    BTC,
    NOW,
    account,
    ample,
    by_venue,
    config,
    down,
    ex,
    flat,
    market,
    position,
    rate,
)

MARKETS = by_venue(market("a"), market("b"))


def _open(size: str = "1", price: str = "50000") -> TradingSignal:
    return TradingSignal(
        kind=SignalKind.OPEN,
        symbol=BTC,
        legs=(
            TradeLeg(ex("a"), BTC, Side.BUY, Decimal(size), reference_price=Decimal(price)),
            TradeLeg(ex("b"), BTC, Side.SELL, Decimal(size), reference_price=Decimal(price)),
        ),
        reason="test",
        created_at=NOW,
    )


def _check(margins: MarginInputs, **overrides: object) -> Success[None] | Failure[object]:
    values: dict[str, object] = {"slippage_cap": Decimal(0), "liquidation_buffer": Decimal("0.05")}
    values.update(overrides)
    return opening_margin_check(  # type: ignore[return-value]
        signal=_open(), margins=margins, markets=MARKETS, config=config(**values), now=NOW
    )


def test_a_short_with_6000_behind_50000_is_11_44_percent_from_liquidation() -> None:
    """Sell 1 BTC at 50,000 with equity 6,000 and maintenance 0.5 %: liquidated where
    6,000 - (p - 50,000) = 0.005 p, p = 56,000 / 1.005 = 55,721.39; distance 11.44 %."""
    margins = {**ample("a"), **by_venue(account("b", "6000"))}
    estimate = post_trade_liquidation(
        account("b", "6000"), _open().legs[1], BTC, slippage_cap=Decimal(0)
    )
    assert not isinstance(estimate, str)
    price, liquidation = estimate
    assert price == Decimal(50_000)
    assert liquidation is not None and round(liquidation, 2) == Decimal("55721.39")
    assert _check(margins, liquidation_buffer=Decimal("0.05")) == Success(None)  # needs 10 %
    refused = _check(margins, liquidation_buffer=Decimal("0.06"))  # needs 12 %
    assert isinstance(refused, Failure)
    why = str(refused.failure())
    assert "b: sell 1 BTC would be 11.44% from liquidation (est. 55721.39" in why
    assert "opening needs 12.00% (2 x buffer 6.00%)" in why
    assert "a:" not in why


def test_the_slippage_cap_is_booked_as_a_loss_before_the_estimate() -> None:
    """With slippage_cap 1 %: E' = 6,000 - 500 = 5,500, p = 55,500 / 1.005 = 55,223.88,
    distance 10.45 % (passes at 10 %); 2 % leaves 5,000: 54,726.37, 9.45 % (refused)."""
    margins = {**ample("a"), **by_venue(account("b", "6000"))}
    assert _check(margins, slippage_cap=Decimal("0.01")) == Success(None)
    refused = _check(margins, slippage_cap=Decimal("0.02"))
    assert isinstance(refused, Failure)
    assert "9.45% from liquidation (est. 54726.37" in str(refused.failure())


def test_an_existing_leg_counts_with_its_own_maintenance() -> None:
    """b already short 1 at mark 50,000 (maintenance 250 of its own: 0.5 %); adding 1
    more: q' = -2, MM' = 500, p = (100,000 + 12,000) / (2 + 0.01) = 55,721.39 --
    the same distance as one BTC on half the equity."""
    held = position("b", "-1", mark="50000")
    b = account("b", "12000", maintenance="250", positions=(held,), rate="0.9")
    assert b.maintenance_rate(BTC) == Decimal("0.005")  # the leg's own, not the listed one
    estimate = post_trade_liquidation(b, _open().legs[1], BTC, slippage_cap=Decimal(0))
    assert not isinstance(estimate, str)
    assert estimate[1] is not None and round(estimate[1], 2) == Decimal("55721.39")


def test_max_leverage_bounds_an_unknown_maintenance_rate() -> None:
    """No rate from the venue: 1 / max_leverage (20x: 5 %) -- maintenance never exceeds
    the initial margin at the highest leverage. p = 56,000 / 1.05 = 53,333.33, 6.67 %."""
    b = attrs.evolve(account("b", "6000"), maintenance_rates={})
    markets = {**MARKETS, **by_venue(attrs.evolve(market("b"), max_leverage=Decimal(20)))}
    refused = opening_margin_check(
        signal=_open(),
        margins={**ample("a"), **by_venue(b)},
        markets=markets,
        config=config(slippage_cap=Decimal(0), liquidation_buffer=Decimal("0.05")),
        now=NOW,
    )
    assert isinstance(refused, Failure)
    assert "6.67% from liquidation (est. 53333.33" in str(refused.failure())


def test_missing_failed_stale_or_incomplete_margin_never_opens() -> None:
    cases = {
        "b: margin missing (unknown margin is not safe)": ample("a"),
        "b: margin failed (": {**ample("a"), ex("b"): down("b")},
        "b: margin stale": {
            **ample("a"),
            **by_venue(account("b", observed_at=NOW - timedelta(hours=1))),
        },
        "b: maintenance margin unknown": {
            **ample("a"),
            **by_venue(attrs.evolve(account("b"), maintenance_margin=None)),
        },
        "b: maintenance rate of a BTC position unknown": {
            **ample("a"),
            **by_venue(attrs.evolve(account("b"), maintenance_rates={})),
        },
    }
    for expected, margins in cases.items():
        refused = _check(margins)
        assert isinstance(refused, Failure), expected
        assert expected in str(refused.failure()), (expected, refused)


def test_the_cycle_keeps_the_refused_opening_for_the_report() -> None:
    rates = by_venue(
        rate("a", "0.0001", mark="50000"), rate("b", "0.0005", timedelta(hours=1), mark="50000")
    )
    thin = {**ample("a"), **by_venue(account("b", "3000"))}
    decision = decide_cycle(
        rates=rates,
        positions=flat("a", "b"),
        markets=MARKETS,
        margins=thin,
        config=config(),
        now=NOW,
    )
    assert decision.action == "none" and decision.to_execute is None
    assert decision.signal is not None and decision.signal.kind is SignalKind.OPEN
    assert decision.refused is not None and decision.refused.startswith(
        "margin gate: margin too thin to open: b: sell"
    )
    assert any("opening refused: margin gate" in why for why in decision.no_trade)
    ample_cycle = decide_cycle(
        rates=rates,
        positions=flat("a", "b"),
        markets=MARKETS,
        margins=ample("a", "b"),
        config=config(),
        now=NOW,
    )
    assert ample_cycle.action == "funding" and ample_cycle.to_execute is not None


@given(
    equity=st.integers(min_value=1, max_value=40_000),
    price=st.integers(min_value=1_000, max_value=100_000),
    buffer=st.sampled_from(["0", "0.02", "0.05", "0.1", "0.2"]),
    side=st.sampled_from([Side.BUY, Side.SELL]),
)
def test_property_an_accepted_leg_opens_at_least_twice_the_buffer_away(
    equity: int, price: int, buffer: str, side: Side
) -> None:
    """Whatever the account, a leg the check accepts sits, after the trade on the margin
    model, at least ``OPEN_HEADROOM x buffer`` from liquidation (so safety, which closes
    below ``buffer``, cannot fire at the opening price)."""
    leg = TradeLeg(ex("b"), BTC, side, Decimal(1), reference_price=Decimal(price))
    signal = TradingSignal(
        kind=SignalKind.OPEN, symbol=BTC, legs=(leg,), reason="t", created_at=NOW
    )
    cfg = config(slippage_cap=Decimal(0), liquidation_buffer=Decimal(buffer))
    accepted = opening_margin_check(
        signal=signal,
        margins=by_venue(account("b", str(equity))),
        markets=MARKETS,
        config=cfg,
        now=NOW,
    )
    signed = Decimal(1) if side is Side.BUY else Decimal(-1)
    mm = Decimal("0.005") * price
    liquidation = estimate_liquidation_price(
        size=signed,
        mark=Decimal(price),
        equity=Decimal(equity),
        maintenance_margin=mm,
        leg_maintenance_margin=mm,
    )
    distance = None if liquidation is None else abs(price - liquidation) / price
    safe = distance is None or distance >= required_distance(cfg)
    assert (accepted == Success(None)) == safe
    if accepted == Success(None) and distance is not None:
        assert distance >= OPEN_HEADROOM * cfg.liquidation_buffer


def test_binance_documented_account_bounds_a_new_btc_leg_by_its_leverage() -> None:
    """Binance's documented ``/fapi/v2/account`` lists BTCUSDT with ``leverage "100"``:
    a new BTC leg is sized at 1 / 100 (the initial rate, which maintenance never exceeds)."""
    from adapters.binance.margin import parse_account_margin
    from adapters.binance.parsers import SymbolMap
    from tests.adapters.margin.test_margin_parsers import _binance

    margin = parse_account_margin(
        ex("binance"), _binance("account_info_v2.json"), (), SymbolMap(), NOW
    ).unwrap()
    assert margin.maintenance_rates == {BTC: Decimal("0.01")}
    assert margin.maintenance_rate(BTC) == Decimal("0.01")
