"""``sizing.base_lot`` is memoised per market object: the same Decimal as the exact
product it was, by value and ``repr``, for markets whose lots and multipliers differ
only in exponent (``0.10`` vs ``0.1``: equal markets that print differently must not
share an answer), and the product is computed once per market object."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp import sizing
from atomic_fp.rounding import exact_product
from tests.core.builders import market

_lots = st.sampled_from(["0.001", "0.0010", "0.1", "0.10", "1", "1.0", "5", "1E+1", "0.25"])
_multipliers = st.sampled_from(["1", "1.0", "1000", "1E+3", "0.1", "10"])


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(_lots, _multipliers), min_size=1, max_size=12))
def test_base_lot_is_the_exact_product_for_every_market_object(
    pairs: list[tuple[str, str]],
) -> None:
    markets = [market("v", lot=lot, multiplier=multiplier) for lot, multiplier in pairs]
    for _ in range(2):  # the second pass answers from the memo
        for made in markets:
            expected = exact_product(made.lot_size, made.contract_multiplier)
            got = sizing.base_lot(made)
            assert got == expected
            assert repr(got) == repr(expected)


def test_the_product_is_computed_once_per_market(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def counted(a: object, b: object) -> object:
        calls.append((a, b))
        return exact_product(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(sizing, "exact_product", counted)
    first = market("a", lot="0.10")
    second = market("a", lot="0.1")  # equal to first, printed differently
    assert first == second
    for _ in range(5):
        assert repr(sizing.base_lot(first)) == "Decimal('0.10')"
        assert repr(sizing.base_lot(second)) == "Decimal('0.1')"
    assert len(calls) == 2


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizing, "_BASE_LOTS_KEPT", 3)
    monkeypatch.setattr(sizing, "_BASE_LOTS", {})
    kept = [market(f"v{i}", lot="0.5") for i in range(10)]
    for made in kept:
        assert sizing.base_lot(made) == exact_product(made.lot_size, made.contract_multiplier)
        assert len(sizing._BASE_LOTS) <= 3
