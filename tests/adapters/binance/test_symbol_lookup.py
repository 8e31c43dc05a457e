"""``SymbolMap.lookup`` (issue 20): the premiumIndex parser asks it once per row instead of
``split`` + ``canonical`` + ``rank``; it must answer exactly as those three, and remember."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.binance.parsing import SymbolMap
from atomic_fp.models import Symbol

_NAMES = st.builds(
    lambda base, quote: base + quote,
    st.one_of(
        st.sampled_from(["BTC", "1000PEPE", "ETH", "", "BTCUSDT_", "币安", "1000", "X"]),
        st.text(max_size=8),
    ),
    st.sampled_from(["USDT", "USDC", "BUSD", "", "_250328", "USD"]),
)
_MAPS = st.sampled_from(
    [
        SymbolMap(),
        SymbolMap(quotes=("USDC", "USDT")),
        SymbolMap(overrides={"币安USDT": (Symbol(base="BNB"), Decimal(1))}),
        SymbolMap(overrides={"BTCUSDT_250328": (Symbol(base="BTC"), Decimal(1))}),
    ]
)


@settings(max_examples=400, deadline=None)
@given(symbols=_MAPS, name=_NAMES)
def test_lookup_is_split_canonical_and_rank(symbols: SymbolMap, name: str) -> None:
    parts = symbols.split(name)
    expected = (parts, symbols.canonical(name), symbols.rank(parts[1]) if parts else 0)
    assert symbols.lookup(name) == expected
    assert symbols.lookup(name) == expected  # remembered: the same answer


def test_a_name_is_worked_out_once(monkeypatch: Any) -> None:
    symbols = SymbolMap()
    calls: list[str] = []
    real = SymbolMap.canonical

    def counted(self: SymbolMap, venue_symbol: str) -> Any:
        calls.append(venue_symbol)
        return real(self, venue_symbol)

    monkeypatch.setattr(SymbolMap, "canonical", counted)
    for _ in range(3):
        symbols.lookup("BTCUSDT")
        symbols.lookup("ETHUSDC")
    assert calls == ["BTCUSDT", "ETHUSDC"]
    # the memo is no part of the map's value
    assert symbols == SymbolMap() and "looked_up" not in repr(symbols)
