"""Properties of the ccxt account mapping (``adapters/ccxt_venue/parsing_account.py``):
a position's base amount is exactly contracts x contractSize with the side's sign, the
amount the native OKX parser gives for the same contracts and ``ctVal``; junk in a
position, balance or book either maps or raises ``ValueError``/``TypeError`` (the client's
``MalformedResponse``), never a silent zero position."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.ccxt_venue.parsing import parse_market
from adapters.ccxt_venue.parsing_account import (
    parse_balances,
    parse_funding_payment,
    parse_order_book,
    parse_position,
    parse_positions,
)
from adapters.okx.parsing import OkxMarket
from atomic_fp.models import Market
from atomic_fp.models.identifiers import ExchangeIdentifier

VENUE = ExchangeIdentifier("okx")
NOW = datetime(2026, 3, 1, tzinfo=UTC)
sizes = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3)
contract_sizes = st.sampled_from(["0.0001", "0.001", "0.01", "0.1", "1", "10", "100", "1000"])
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=3),
)


def _market(contract_size: str) -> Market:
    raw = {
        "symbol": "ETH/USDT:USDT",
        "base": "ETH",
        "settle": "USDT",
        "swap": True,
        "linear": True,
        "contractSize": contract_size,
        "precision": {"price": "0.01", "amount": "0.001"},
        "limits": {},
    }
    market = parse_market(VENUE, raw, {}, None)
    assert market is not None
    return market


@given(contracts=sizes, contract_size=contract_sizes, long=st.booleans())
def test_base_amount_is_contracts_times_contract_size(
    contracts: Decimal, contract_size: str, long: bool
) -> None:
    raw = {"contracts": str(contracts), "side": "long" if long else "short"}
    position = parse_position(VENUE, _market(contract_size), raw, NOW)
    assert position is not None
    native = OkxMarket(market=_market("1"), contract_value=Decimal(contract_size))
    expected = native.from_contracts(contracts) * (1 if long else -1)
    assert (
        position.base_size == expected == contracts * Decimal(contract_size) * (1 if long else -1)
    )


@given(contracts=junk, side=junk)
def test_junk_positions_raise_or_map_never_zero(contracts: Any, side: Any) -> None:
    try:
        position = parse_position(
            VENUE, _market("0.1"), {"contracts": contracts, "side": side}, NOW
        )
    except (ValueError, TypeError):
        return
    if position is None:  # flat only when ccxt said 0 contracts
        assert contracts is not None and Decimal(str(contracts)) == 0
    else:
        assert position.size != 0


@given(body=st.dictionaries(st.sampled_from(["total", "free", "timestamp"]), junk, max_size=3))
def test_junk_balances_raise_or_map(body: dict[str, Any]) -> None:
    try:
        balances = parse_balances(VENUE, body, NOW)
    except (ValueError, TypeError):
        return  # the client's MalformedResponse; any other exception type fails here
    assert isinstance(body.get("total"), dict)  # a map was there to read
    assert all(b.total.is_finite() for b in balances)


@given(bids=junk, asks=junk)
def test_junk_books_raise_or_map(bids: Any, asks: Any) -> None:
    try:
        book = parse_order_book(VENUE, _market("1"), {"bids": bids, "asks": asks}, 5, NOW)
    except (ValueError, TypeError):
        return  # the client's MalformedResponse; any other exception type fails here
    assert all(level.size > 0 for level in (*book.bids, *book.asks))


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"symbol": st.sampled_from(["ETH/USDT:USDT", "X"]), "contracts": junk, "side": junk}
        ),
        max_size=4,
    )
)
def test_junk_position_lists_raise_or_map_to_open_positions(rows: list[dict[str, Any]]) -> None:
    try:
        positions = parse_positions(VENUE, {"ETH/USDT:USDT": _market("0.1")}, rows, NOW)
    except (ValueError, TypeError):
        return  # the client's MalformedResponse; any other exception type fails here
    assert all(not p.is_flat for p in positions) and len(positions) <= 1


@given(amount=junk, stamp=junk, code=junk)
def test_junk_funding_payments_raise_or_map(amount: Any, stamp: Any, code: Any) -> None:
    raw = {"amount": amount, "timestamp": stamp, "code": code}
    try:
        payment = parse_funding_payment(VENUE, _market("1"), raw)
    except (ValueError, TypeError):
        return  # the client's MalformedResponse (a timestamp out of range included)
    assert payment.amount.is_finite() and payment.asset
