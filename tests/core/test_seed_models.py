"""The seed design's model spellings (``../shared/seed/atomic-trading-framework.md``, "Core
concepts" 1 and 4, "Quick start" step 1) build the same models as ours, exactly.

Reference: the seed text. Its spellings are strings for venue ids, sides and contract types
and plain ``float`` quantities; a float converts through its shortest repr, so the user's
``0.1`` is ``Decimal("0.1")`` (never the double's 0.1000000000000000055511...).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.models import (
    ContractType,
    ExchangeIdentifier,
    Position,
    PositionSide,
    Side,
    SignalKind,
    Symbol,
    TradeLeg,
    TradingSignal,
)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
GRVT = ExchangeIdentifier("grvt")
BTC = Symbol("BTC")


@pytest.mark.parametrize(
    "spelling", ["PERP", "perp", "perpetual", "Perpetual", ContractType.PERPETUAL]
)
def test_symbol_takes_the_seeds_contract_type_spellings(spelling: ContractType | str) -> None:
    symbol = Symbol(base="BTC", quote="USDT", contract_type=spelling)
    assert symbol.contract_type is ContractType.PERPETUAL


def test_unknown_contract_type_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"contract_type must be one of .* got 'FUTURE'"):
        Symbol("BTC", "USDT", "FUTURE")


def test_a_symbol_is_the_asset_and_contract_type_whatever_the_stablecoin() -> None:
    # the seed writes quote="USDT"; venues parse their BTC perp as Symbol("BTC") (quote USD)
    seed = Symbol(base="BTC", quote="USDT", contract_type="PERP")
    assert seed == BTC and hash(seed) == hash(BTC)
    assert {BTC: 1}[seed] == 1
    assert seed.quote == "USDT"  # what the user asked for is kept for display
    assert seed != Symbol("ETH", "USDT", "PERP")


def test_strict_quote_accepts_only_that_settlement_asset() -> None:
    loose = Symbol("BTC", "USDT", "PERP")
    strict = Symbol("BTC", "USDT", "PERP", strict_quote=True)
    assert loose.accepts_settlement("USDC") and loose.accepts_settlement("USDT")
    assert strict.accepts_settlement("USDT") and strict.accepts_settlement("usdt")
    assert not strict.accepts_settlement("USDC")


def test_trade_leg_in_the_seeds_spelling_is_exact() -> None:
    leg = TradeLeg(exchange_id="grvt", side="buy", quantity=0.1)
    assert leg.exchange == GRVT and leg.exchange_id == GRVT
    assert leg.side is Side.BUY
    assert leg.size == Decimal("0.1") and str(leg.size) == "0.1"
    assert leg.quantity == leg.size
    assert leg.symbol is None


def test_trade_leg_in_our_spelling_is_unchanged() -> None:
    ours = TradeLeg(exchange=GRVT, symbol=BTC, side=Side.SELL, size=Decimal("0.1"))
    seed = TradeLeg(exchange_id="grvt", side="sell", quantity="0.1")
    assert attrs.evolve(seed, symbol=BTC) == ours


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": float("nan")}, "quantity must be finite"),
        ({"quantity": float("inf")}, "quantity must be finite"),
        ({"quantity": -0.1}, "size must be > 0"),
        ({"quantity": 0}, "size must be > 0"),
        ({"quantity": "lots"}, "quantity must be a number"),
        ({"quantity": True}, "quantity must be a Decimal, int, float"),
    ],
)
def test_bad_leg_quantities_are_refused_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        TradeLeg(exchange_id="grvt", side="buy", **kwargs)  # type: ignore[arg-type]


def test_bad_leg_side_and_contradicting_spellings_are_refused() -> None:
    with pytest.raises(ValueError, match="side must be 'buy' or 'sell', got 'long'"):
        TradeLeg(exchange_id="grvt", side="long", quantity=1)
    with pytest.raises(TypeError, match=r"exchange=.* contradicts exchange_id"):
        TradeLeg(exchange="lighter", exchange_id="grvt", side="buy", quantity=1)
    with pytest.raises(TypeError, match="needs size"):
        TradeLeg(exchange_id="grvt", side="buy")
    with pytest.raises(ValueError, match="lowercase venue id"):
        TradeLeg(exchange_id="GRVT X", side="buy", quantity=1)


@given(st.floats(min_value=1e-8, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_a_float_quantity_is_its_shortest_decimal_text(value: float) -> None:
    leg = TradeLeg(exchange_id="grvt", side="buy", quantity=value)
    assert leg.size == Decimal(repr(value))
    assert float(leg.size) == value  # the same double: nothing was rounded away


def test_position_in_the_seeds_spelling() -> None:
    position = Position(
        exchange=ExchangeIdentifier("grvt"),
        symbol=Symbol("BTC", "USDT", "PERP"),
        quantity=Decimal("5.0"),
        side="long",
    )
    assert position.size == Decimal("5.0") and position.side is PositionSide.LONG
    assert position.observed_at.tzinfo is not None and position.observed_at.utcoffset() is not None
    short = Position(exchange="lighter", symbol=BTC, quantity=5.0, side="short", observed_at=NOW)
    assert short.size == Decimal("-5.0") and short.quantity == Decimal("5.0")
    assert short.side is PositionSide.SHORT and short.base_size == Decimal("-5.0")
    flat = Position(exchange="lighter", symbol=BTC, size=Decimal(0), observed_at=NOW)
    assert flat.side is None and flat.is_flat


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": Decimal("-5"), "side": "long"}, "quantity must be >= 0"),
        ({"quantity": Decimal("NaN"), "side": "long"}, "quantity must be finite"),
        ({"quantity": 5, "side": "buy"}, "side must be 'long' or 'short'"),
        ({"quantity": 5}, "quantity needs side"),
        ({"size": Decimal(5), "quantity": 5, "side": "long"}, "not both"),
        ({"size": Decimal(5), "side": "long"}, "size is already signed"),
        ({"size": float("-inf")}, "size must be finite"),
    ],
)
def test_bad_positions_are_refused_naming_the_field(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        Position(exchange="grvt", symbol=BTC, observed_at=NOW, **kwargs)  # type: ignore[arg-type]


def test_trading_signal_in_the_seeds_spelling_gets_defaults() -> None:
    signal = TradingSignal(
        legs=[
            TradeLeg(exchange_id="grvt", side="buy", quantity=0.1),
            TradeLeg(exchange_id="lighter", side="sell", quantity=0.1),
        ],
        reason="Funding spread 8% > threshold 5%",
    )
    assert signal.kind is SignalKind.OPEN
    assert signal.symbol is None  # unbound: an orchestrator executes it for its symbol
    assert signal.created_at.utcoffset() is not None
    bound = signal.for_symbol(BTC)
    assert bound.symbol == BTC and all(leg.symbol == BTC for leg in bound.legs)
    assert bound.net_base_exposure == 0
    with pytest.raises(ValueError, match="not the signal's symbol"):
        TradingSignal(
            legs=[TradeLeg(GRVT, Symbol("ETH"), Side.BUY, Decimal(1))], reason="r", symbol=BTC
        )
    with pytest.raises(ValueError, match="signal for BTC/USD, not ETH/USD"):
        bound.for_symbol(Symbol("ETH"))


def test_legs_take_the_signals_symbol() -> None:
    signal = TradingSignal(
        legs=[TradeLeg(exchange_id="grvt", side="buy", quantity=1)],
        reason="r",
        symbol=BTC,
        created_at=NOW,
    )
    assert signal.legs[0].symbol == BTC
    inferred = TradingSignal(legs=[TradeLeg(GRVT, BTC, "sell", 1)], reason="r", created_at=NOW)
    assert inferred.symbol == BTC


def test_signal_without_legs_or_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="legs must hold at least one leg"):
        TradingSignal(legs=[], reason="r")
    with pytest.raises(ValueError, match="reason must be a non-empty string"):
        TradingSignal(legs=[TradeLeg(GRVT, BTC, "buy", 1)], reason=" ")


@given(
    st.decimals(min_value=0, max_value=10**9, allow_nan=False, places=8),
    st.sampled_from(["long", "short", "LONG", "Short"]),
)
def test_quantity_and_side_round_trip_through_the_signed_size(quantity: Decimal, side: str) -> None:
    position = Position(exchange="grvt", symbol=BTC, quantity=quantity, side=side, observed_at=NOW)
    assert position.quantity == quantity
    assert position.size == (quantity if side.lower() == "long" else -quantity)
    if quantity:
        assert position.side is PositionSide(side.lower())
        again = Position(
            exchange="grvt",
            symbol=BTC,
            quantity=position.quantity,
            side=position.side.value,
            observed_at=NOW,
        )
        assert again == position
    else:
        assert position.side is None and position.is_flat
