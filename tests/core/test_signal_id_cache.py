"""``TradingSignal.signal_id`` is computed once per signal (issue 20: the backtest read it
four times per executed signal, a sha256 each) and is the same id the uncached property
gave: the reference below is the property's code before the cache, and hypothesis
compares the two over generated signals."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.models import Side, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.signal import SignalKind


def reference_signal_id(signal: TradingSignal) -> str:
    """The property's body before it was cached (main 990c7ed), verbatim."""
    digest = hashlib.sha256()
    digest.update(
        "|".join(
            [
                signal.kind.value,
                "-" if signal.symbol is None else signal.symbol.key,
                signal.created_at.isoformat(),
                *(
                    f"{leg.exchange}:{leg.side.value}:{leg.size.normalize()}:{leg.reduce_only}"
                    for leg in signal.legs
                ),
            ]
        ).encode()
    )
    return digest.hexdigest()[:16]


sizes = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10**6), places=4)
legs = st.builds(
    TradeLeg,
    exchange=st.sampled_from(["binance", "hyperliquid", "grvt", "lighter"]),
    symbol=st.sampled_from([None, Symbol("BTC", "USD"), Symbol("ETH", "USDT")]),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    size=sizes,
    reduce_only=st.booleans(),
)


@st.composite
def signals(draw: Any) -> TradingSignal:
    chosen = draw(st.lists(legs, min_size=1, max_size=3))
    named = {leg.symbol for leg in chosen if leg.symbol is not None}
    if len(named) > 1:  # legs naming two symbols are refused: bind them to one
        chosen = [attrs.evolve(leg, symbol=None) for leg in chosen]
    return TradingSignal(
        legs=chosen,
        reason=draw(st.sampled_from(["open", "close: carry below threshold"])),
        kind=draw(st.sampled_from(list(SignalKind))),
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)
        + timedelta(seconds=draw(st.integers(0, 10**8)), microseconds=draw(st.integers(0, 999999))),
    )


@given(signals())
def test_cached_id_equals_the_uncached_property(signal: TradingSignal) -> None:
    expected = reference_signal_id(signal)
    assert signal.signal_id == expected
    assert signal.signal_id == expected  # the cached read
    assert signal.client_order_id(0) == f"afp{expected}0000"


@given(signals())
def test_equal_signals_have_equal_ids_and_the_cache_is_not_a_field(signal: TradingSignal) -> None:
    before = repr(signal)
    _ = signal.signal_id
    twin = attrs.evolve(signal)
    assert twin == signal and hash(twin) == hash(signal)
    assert repr(signal) == before  # the cached id is not part of the signal's repr
    assert twin.signal_id == signal.signal_id
    assert "signal_id" not in {field.name for field in attrs.fields(TradingSignal)}


def test_the_id_is_hashed_once_per_signal(monkeypatch: Any) -> None:
    calls = []
    real = hashlib.sha256

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(hashlib, "sha256", counting)  # the module signal.py reads it from
    signal = TradingSignal(
        legs=[
            TradeLeg("binance", Symbol("BTC", "USD"), Side.BUY, Decimal("0.5")),
            TradeLeg("hyperliquid", Symbol("BTC", "USD"), Side.SELL, Decimal("0.50")),
        ],
        reason="open",
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    ids = {signal.signal_id, signal.client_order_id(0)[3:19], signal.client_order_id(1)[3:19]}
    assert len(ids) == 1 and len(calls) == 1
    # a changed signal is a new object with its own id, never the cached one
    moved = attrs.evolve(signal, created_at=datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert moved.signal_id != signal.signal_id and len(calls) == 2
    assert moved.signal_id == reference_signal_id(moved)
