"""Hypothesis fuzzing of the Paradex account parsers (orders, positions, balances,
funding payments, account margin): mutants of recorded answers (ccxt's testnet fixture,
``data/ccxt_paradex_responses.json``) and plain junk never escape as an exception; a
``Success`` holds valid models. The junk and mutation helpers are ``test_fuzz``'s."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.paradex.account_parsing import (
    parse_account_margin,
    parse_balances,
    parse_funding_payments,
    parse_order,
    parse_positions,
)
from atomic_fp.errors import VenueError
from tests.adapters.paradex.test_fuzz import MARKETS, PARADEX, junk, mutate

NOW = datetime(2024, 7, 31, tzinfo=timezone.utc)
RECORDED = json.loads((Path(__file__).parent / "data" / "ccxt_paradex_responses.json").read_text())
ORDER = {
    **RECORDED["fetchOrders"][0]["httpResponse"]["results"][0],
    "market": "BTC-USD-PERP",
    "client_id": "c-1",
}
POSITIONS = {
    "results": [
        {**RECORDED["fetchPositions"][0]["httpResponse"]["results"][0], "market": "BTC-USD-PERP"}
    ]
}
SUMMARY = {
    "account_value": "75.7",
    "maintenance_margin_requirement": "27.46",
    "free_collateral": "20.1",
    "settlement_asset": "USDC",
}
PAYMENTS = {
    "next": None,
    "results": [
        {"market": "BTC-USD-PERP", "payment": "-0.01", "created_at": 1721828383887, "id": "1"}
    ],
}
PARSERS: dict[str, tuple[Callable[[Any], Result[Any, VenueError]], Any]] = {
    "order": (lambda p: parse_order(PARADEX, p, MARKETS), ORDER),
    "positions": (lambda p: parse_positions(PARADEX, p, MARKETS, NOW), POSITIONS),
    "balances": (
        lambda p: parse_balances(PARADEX, p, NOW, SUMMARY),
        RECORDED["fetchBalance"][0]["httpResponse"],
    ),
    "summary": (lambda p: parse_balances(PARADEX, {"results": []}, NOW, p), SUMMARY),
    "payments": (lambda p: parse_funding_payments(PARADEX, p, MARKETS, "USDC"), PAYMENTS),
    "margin": (lambda p: parse_account_margin(PARADEX, p, (), MARKETS, NOW), SUMMARY),
}


def check(name: str, payload: Any) -> None:
    outcome = PARSERS[name][0](payload)  # must not raise
    assert isinstance(outcome, Success | Failure)


def test_every_valid_payload_parses() -> None:
    for name, (parser, valid) in PARSERS.items():
        assert isinstance(parser(valid), Success), name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(PARSERS)), seed=st.integers(0, 2**32))
def test_mutants_of_valid_payloads_never_raise(name: str, seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(20):
        check(name, mutate(rnd, PARSERS[name][1]))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(PARSERS)), seed=st.integers(0, 2**32))
def test_junk_never_raises(name: str, seed: int) -> None:
    check(name, junk(random.Random(seed)))
