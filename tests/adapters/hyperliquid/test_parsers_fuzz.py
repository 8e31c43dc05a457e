"""Hypothesis fuzzing of every Hyperliquid parser: malformed payloads never escape as
exceptions; they parse (into valid models) or fail as ``MalformedResponse``.

Two strategies per parser: arbitrary JSON-like values, and *near-valid* payloads (a real
sample with random keys dropped, leaves replaced by junk: NaN, huge numbers, wrong types,
numeric strings, empty containers). Each runs 2,000 examples.
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

from adapters.hyperliquid.parsers import (
    info_error_message,
    parse_balances,
    parse_cancel_response,
    parse_funding_history,
    parse_l2_book,
    parse_meta,
    parse_meta_and_asset_ctxs,
    parse_order_response,
    parse_order_status,
    parse_positions,
    parse_predicted_fundings,
    parse_user_funding,
)
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 1, 1, 12, 30, tzinfo=timezone.utc)
_DELETE = object()
_KEYS = ["coin", "time", "px", "sz", "szi", "status", "type", "universe", "levels", "name",
         "szDecimals", "funding", "markPx", "fundingRate", "order", "response", "data"]  # fmt: skip
FUZZ = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_SCALARS: list[Any] = [
    None, True, False, 0, 1, -1, 7, 2**63, -(2**80), 10**40,
    float("nan"), float("inf"), float("-inf"), -0.0, 0.1, 1e308, 1e-300,
    Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e999"),
    Decimal("-1E+5000"), Decimal("0.00000001"), Decimal("-0"), Decimal("1e-40"), Decimal("-3.5"),
    Decimal("12345678901234567890.123456789"),
    "NaN", "Infinity", "-inf", "1e999", "-0", "0", "0.0", "-5", "", " 7 ", "0x1f", "9" * 80,
    "B", "A", "X", "filled", "open", "canceled", "fooRejected", "order", "ok", "err", "success",
    "unknownOid", "HlPerp", "BinPerp", "waitingForTrigger", "<html>bad gateway</html>",
    "kPEPE", "BTC", "@1", "lower", "xyz:AAPL", "1689630203930", "-1689630203930",
    [], {}, [[]], [{}], {"": None},
]  # fmt: skip
# Cheap strategies on purpose (sampled values, flat containers): 2,000 examples per parser
# must stay fast. ``st.decimals``/``st.text``/``st.recursive`` cost milliseconds each.
JUNK_SCALARS = st.one_of(st.sampled_from(_SCALARS), st.integers(-(2**66), 2**66))
_FLAT = st.one_of(
    JUNK_SCALARS,
    st.lists(JUNK_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(_KEYS), JUNK_SCALARS, max_size=3),
)
JSON = st.one_of(
    _FLAT,
    st.lists(_FLAT, max_size=3),
    st.dictionaries(st.sampled_from(_KEYS), _FLAT, max_size=3),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node's path in a JSON-like value (the root is ``()``)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, sample: Any) -> Any:
    """``sample`` with 1-3 nodes deleted or replaced by junk (scalars or small trees)."""
    payload = copy.deepcopy(sample)
    paths = _paths(sample)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        replacement = draw(st.one_of(st.just(_DELETE), JUNK_SCALARS, JSON))
        if not path:
            return None if replacement is _DELETE else replacement
        parent = payload
        try:
            for step in path[:-1]:
                parent = parent[step]
            if replacement is _DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
        except (KeyError, IndexError, TypeError):
            continue
    return payload


def _ctx(funding: str, mark: str) -> dict[str, Any]:
    return {
        "funding": funding,
        "openInterest": "1.0",
        "prevDayPx": mark,
        "dayNtlVlm": "10.0",
        "premium": None,
        "oraclePx": mark,
        "markPx": mark,
        "midPx": None,
        "impactPxs": [mark, mark],
        "dayBaseVlm": "1.0",
    }


META_AND_CTXS = [
    {
        "universe": [
            {"name": "BTC", "szDecimals": 5, "maxLeverage": 50},
            {"name": "kPEPE", "szDecimals": 0, "maxLeverage": 10, "isDelisted": False},
            {"name": "OLD", "szDecimals": 2, "maxLeverage": 3, "isDelisted": True},
        ]
    },
    [_ctx("0.0000125", "77562.0"), _ctx("-0.00001", "0.0123"), _ctx("0.0", "1.0")],
]
PREDICTED = [
    [
        "BTC",
        [
            ["BinPerp", {"fundingRate": "0.0001", "nextFundingTime": 1754496000000,
                         "fundingIntervalHours": 8}],
            ["HlPerp", {"fundingRate": "0.0000125", "nextFundingTime": 1754470800000,
                        "fundingIntervalHours": 1}],
            ["BybitPerp", None],
        ],
    ]
]  # fmt: skip
BOOK = {
    "coin": "BTC",
    "levels": [
        [{"px": "100.5", "sz": "1.0", "n": 1}, {"px": "100.0", "sz": "2", "n": 2}],
        [{"px": "101", "sz": "0.5", "n": 1}, {"px": "101.5", "sz": "3", "n": 1}],
    ],
    "time": 1689630203930,
}
HISTORY = [
    {"coin": "BTC", "fundingRate": "-0.00061334", "premium": "-0.0009", "time": 1683849600048},
    {"coin": "BTC", "fundingRate": "0.0000125", "premium": "0.00007", "time": 1689627600065},
]
STATE = {
    "marginSummary": {"accountValue": "100.5", "totalNtlPos": "68.98", "totalRawUsd": "1",
                      "totalMarginUsed": "3.4"},
    "withdrawable": "90.1",
    "assetPositions": [
        {"type": "oneWay", "position": {
            "coin": "SOL", "szi": "-0.5", "leverage": {"type": "cross", "value": 20},
            "entryPx": "138.76", "positionValue": "68.98", "unrealizedPnl": "0.4",
            "liquidationPx": "22881.19", "cumFunding": {"allTime": "-9", "sinceOpen": "0.0"}}},
        {"type": "oneWay", "position": {
            "coin": "kPEPE", "szi": "1000", "leverage": {"type": "isolated", "value": "3"},
            "entryPx": "0.01", "positionValue": "10", "unrealizedPnl": "0",
            "liquidationPx": None}},
    ],
    "time": "1728568314070",
}  # fmt: skip
USER_FUNDING = [
    {"delta": {"coin": "ARB", "fundingRate": "0.0001", "nSamples": 3, "szi": "-6091.03",
               "type": "funding", "usdc": "2.694388"}, "hash": "0x9c", "time": 1681948800000},
]  # fmt: skip
ORDER_STATUS = {
    "status": "order",
    "order": {
        "order": {"coin": "ETH", "side": "B", "limitPx": "1100.0", "sz": "0.1", "oid": 6463065738,
                  "timestamp": 1709141516884, "origSz": "0.2", "reduceOnly": False,
                  "cloid": "0x00000000000000000000000000000001"},
        "status": "open",
        "statusTimestamp": 1709141541609,
    },
}  # fmt: skip
ORDER_ANSWER = {
    "status": "ok",
    "response": {"type": "order", "data": {"statuses": [
        {"filled": {"totalSz": "1.0", "avgPx": "25.585", "oid": 296683658818}}]}},
}  # fmt: skip
CANCEL_ANSWER = {"status": "ok", "response": {"type": "cancel", "data": {"statuses": ["success"]}}}

Parser = Callable[[Any], Result[Any, MalformedResponse]]

PARSERS: dict[str, tuple[Parser, Any]] = {
    "metaAndAssetCtxs": (lambda p: parse_meta_and_asset_ctxs(HL, p, NOW), META_AND_CTXS),
    "meta": (lambda p: parse_meta("hyperliquid", p), META_AND_CTXS[0]),
    "predictedFundings": (lambda p: parse_predicted_fundings(HL, p, NOW), PREDICTED),
    "l2Book": (lambda p: parse_l2_book(HL, Symbol("BTC"), p, 20), BOOK),
    "fundingHistory": (lambda p: parse_funding_history(HL, Symbol("BTC"), p), HISTORY),
    "positions": (lambda p: parse_positions(HL, p, NOW), STATE),
    "balances": (lambda p: parse_balances(HL, p, NOW), STATE),
    "userFunding": (lambda p: parse_user_funding(HL, p), USER_FUNDING),
    "orderStatus": (lambda p: parse_order_status(HL, Symbol("ETH"), "afp-1", p), ORDER_STATUS),
    "orderAnswer": (
        lambda p: parse_order_response("hyperliquid", p, Decimal(1), rests=False),
        ORDER_ANSWER,
    ),
    "cancelAnswer": (lambda p: parse_cancel_response("hyperliquid", p), CANCEL_ANSWER),
}


def _check(name: str, payload: Any) -> None:
    parser, _ = PARSERS[name]
    result = parser(payload)  # must not raise
    assert isinstance(result, Success | Failure)
    if isinstance(result, Failure):
        assert isinstance(result.failure(), MalformedResponse)
        assert result.failure().venue == "hyperliquid"


def test_samples_parse() -> None:
    """The unmutated samples are valid, so the fuzzing starts from the happy path."""
    for name, (parser, sample) in PARSERS.items():
        assert isinstance(parser(sample), Success), name


def _fuzz(name: str) -> Callable[[], None]:
    sample = PARSERS[name][1]

    @FUZZ
    @given(payload=st.one_of(JSON, mutated(sample)))
    def run(payload: Any) -> None:
        _check(name, payload)

    run.__name__ = f"fuzz_{name}"
    return run


test_fuzz_meta_and_asset_ctxs = _fuzz("metaAndAssetCtxs")
test_fuzz_meta = _fuzz("meta")
test_fuzz_predicted_fundings = _fuzz("predictedFundings")
test_fuzz_l2_book = _fuzz("l2Book")
test_fuzz_funding_history = _fuzz("fundingHistory")
test_fuzz_positions = _fuzz("positions")
test_fuzz_balances = _fuzz("balances")
test_fuzz_user_funding = _fuzz("userFunding")
test_fuzz_order_status = _fuzz("orderStatus")
test_fuzz_order_answer = _fuzz("orderAnswer")
test_fuzz_cancel_answer = _fuzz("cancelAnswer")


@settings(max_examples=500, deadline=None)
@given(payload=JSON)
def test_fuzz_error_extractor(payload: Any) -> None:
    code, message = info_error_message(payload)
    assert code is None or isinstance(code, str)
    assert message is None or (isinstance(message, str) and len(message) <= 300)
