"""Hypothesis fuzzing of every Lighter parser: nothing escapes, failures are typed.

Each parser gets arbitrary JSON and mutations of a real recorded payload (one leaf replaced
by arbitrary JSON, or one key deleted), 2,000 examples each.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.lighter.parsers import (
    error_fields,
    parse_balances,
    parse_funding_rates,
    parse_fundings,
    parse_markets,
    parse_next_nonce,
    parse_order_book,
    parse_orders,
    parse_positions,
    parse_send_tx,
    parse_ws_frame,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import Symbol
from tests.adapters.lighter._data import LIGHTER, ccxt, eth_market

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
MARKET = eth_market()
FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**66), max_value=2**66),
    st.sampled_from(
        [Decimal("1e40"), Decimal("-0.5"), Decimal("0.00009599999999999999"), Decimal(0)]
    ),
    st.text(max_size=6),
    st.sampled_from(["0", "-1", "1e999", "NaN", "long", "short", "lighter", "perp", "0.0012", ""]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.sampled_from(["code", "market_id", "rate", "type", "x", "market_stats"]),
            children,
            max_size=3,
        ),
    ),
    max_leaves=5,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    """``value`` with the leaf at ``path`` replaced (or deleted); copies only the spine."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copied = dict(value)
        if delete and not rest:
            copied.pop(head, None)
        else:
            copied[head] = _replaced(value[head], rest, new, delete)
        return copied
    copied_list = list(value)
    copied_list[head] = _replaced(value[head], rest, new, delete)
    return copied_list


def mutated(payload: Any) -> st.SearchStrategy[Any]:
    paths = _paths(payload)[1:]
    edit = st.tuples(st.sampled_from(paths), json_values, st.booleans())

    def apply(edits: list[tuple[tuple[Any, ...], Any, bool]]) -> Any:
        result = payload
        for path, new, delete in edits:
            try:
                result = _replaced(result, path, new, delete)
            except (KeyError, IndexError, TypeError):
                continue
        return result

    return st.lists(edit, min_size=1, max_size=3).map(apply)


FUNDINGS = {
    "code": 200,
    "resolution": "1h",
    "fundings": [
        {"timestamp": 1778702400, "value": "0.027", "rate": "0.0012", "direction": "long"}
    ],
}
FRAME = {
    "type": "update/market_stats",
    "channel": "market_stats:all",
    "timestamp": 1774883844933,
    "market_stats": {
        "0": {
            "market_id": 0,
            "mark_price": "2064.47",
            "index_price": "2064.48",
            "current_funding_rate": "0.0012",
            "funding_rate": "-0.0005",
            "funding_timestamp": 1774886400000,
        }
    },
}
ORDERS = {
    "code": 200,
    "orders": [
        {
            "order_index": 7,
            "client_order_index": 42,
            "initial_base_amount": "0.0050",
            "filled_base_amount": "0.0010",
            "filled_quote_amount": "2.3",
            "is_ask": True,
            "status": "open",
            "reduce_only": False,
            "updated_at": 1777941383576,
        }
    ],
}

PARSERS: dict[str, tuple[Callable[[Any], Result[Any, MalformedResponse]], Any]] = {
    "markets": (lambda p: parse_markets(p, LIGHTER), ccxt("fetchMarkets")),
    "funding_rates": (
        lambda p: parse_funding_rates(p, LIGHTER, [MARKET], NOW),
        ccxt("fetchFundingRates"),
    ),
    "fundings": (lambda p: parse_fundings(p, LIGHTER, MARKET), FUNDINGS),
    "order_book": (
        lambda p: parse_order_book(p, LIGHTER, Symbol("ETH"), NOW),
        ccxt("fetchOrderBook"),
    ),
    "positions": (
        lambda p: parse_positions(p, LIGHTER, 1077, [MARKET], NOW),
        ccxt("fetchPositions"),
    ),
    "balances": (lambda p: parse_balances(p, LIGHTER, 1077, NOW), ccxt("fetchBalance")),
    "ws_frame": (lambda p: parse_ws_frame(p, NOW), FRAME),
    "next_nonce": (parse_next_nonce, {"code": 200, "nonce": 5}),
    "send_tx": (parse_send_tx, {"code": 200, "tx_hash": "ab", "message": "{}"}),
    "orders": (lambda p: parse_orders(p, LIGHTER, MARKET, 42, "cid"), ORDERS),
}


def _check(name: str, payload: Any) -> None:
    parser, _ = PARSERS[name]
    result = parser(payload)
    assert isinstance(result, Success | Failure)
    if isinstance(result, Failure):
        assert isinstance(result.failure(), MalformedResponse)


def _fuzz(name: str) -> Callable[[], None]:
    _, real = PARSERS[name]
    assert isinstance(PARSERS[name][0](real), Success), f"{name}: the seed payload must parse"

    @FUZZ
    @given(payload=st.one_of(json_values, mutated(real)))
    def run(payload: Any) -> None:
        _check(name, payload)

    return run


test_fuzz_markets = _fuzz("markets")
test_fuzz_funding_rates = _fuzz("funding_rates")
test_fuzz_fundings = _fuzz("fundings")
test_fuzz_order_book = _fuzz("order_book")
test_fuzz_positions = _fuzz("positions")
test_fuzz_balances = _fuzz("balances")
test_fuzz_ws_frame = _fuzz("ws_frame")
test_fuzz_next_nonce = _fuzz("next_nonce")
test_fuzz_send_tx = _fuzz("send_tx")
test_fuzz_orders = _fuzz("orders")


@FUZZ
@given(body=json_values)
def test_fuzz_error_fields(body: Any) -> None:
    code, message = error_fields(body)
    assert code is None or isinstance(code, str)
    assert message is None or isinstance(message, str)


def test_mutations_do_produce_failures() -> None:
    """The fuzzing can fail: a broken payload is a typed failure, not a success."""
    broken = copy.deepcopy(ccxt("fetchPositions"))
    broken["accounts"][0]["positions"][0]["sign"] = 2
    result = parse_positions(broken, LIGHTER, 1077, [MARKET], NOW)
    assert isinstance(result, Failure)
    nan = {"code": 200, "nonce": Decimal("NaN")}
    assert isinstance(parse_next_nonce(nan), Failure)
