"""The account-fee parsers never raise on junk: every payload is a quote or a
MalformedResponse (Binance commissionRate, Hyperliquid userFees, GRVT account tier)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.binance.fees import parse_commission_rate
from adapters.grvt.fees import parse_account_tier
from adapters.hyperliquid.fees import parse_user_fees
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeQuote

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["0.0004", "-1", "1e999", "NaN", "3", "9", "10"]),
)
keys = st.sampled_from(
    [
        "symbol",
        "makerCommissionRate",
        "takerCommissionRate",
        "userCrossRate",
        "userAddRate",
        "tier",
        "result",
    ]
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=12,
)
PARSERS: tuple[Callable[[Any], Result[FeeQuote, MalformedResponse]], ...] = (
    lambda p: parse_commission_rate("binance", p),
    lambda p: parse_user_fees("hyperliquid", p),
    lambda p: parse_account_tier("grvt", p),
)


@settings(max_examples=500, deadline=None)
@given(payload=junk)
def test_fee_parsers_never_raise(payload: Any) -> None:
    for parse in PARSERS:
        result = parse(payload)
        if isinstance(result, Failure):
            assert isinstance(result.failure(), MalformedResponse)
        else:
            assert isinstance(result, Success)
            fees = result.unwrap().fees
            assert fees.taker >= 0 and fees.maker.is_finite()
