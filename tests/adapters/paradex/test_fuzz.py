"""Hypothesis fuzzing of every Paradex parser: hostile JSON never escapes as an exception.

Each parser gets structured junk (wrong types, NaN/Infinity, huge numbers, HTML error
pages, nested junk) and mutants of a valid payload served by the fake venue's own routes
(one to three fields replaced by junk or deleted). Every outcome must be a ``Result``; a
``Success`` holds valid models.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.paradex.parsing import (
    ParadexMarket,
    error_extractor,
    parse_book,
    parse_funding_page,
    parse_markets,
    parse_summaries,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.paradex.fake_venue import FakeParadex
from tests.harness import FakeVenue, Request

PARADEX = ExchangeIdentifier("paradex")
HOSTILE: list[Any] = [
    "", "NaN", "Infinity", "-inf", "1e999", "9" * 70, "12.3.4", "0x10", "\x00", "-0",
    "<html><body>502 Bad Gateway</body></html>", "BTC-USD-PERP", "PERP", "PERP_OPTION",
    float("nan"), float("inf"), 1e308, -1e308, 2**63, -(2**63), 10**40, 0, -1, None, True,
    [], {},
]  # fmt: skip
KEYS = [
    "results", "next", "prev", "symbol", "base_currency", "settlement_currency",
    "asset_kind", "order_size_increment", "price_tick_size", "min_notional",
    "max_funding_rate", "funding_period_hours", "funding_rate", "mark_price",
    "underlying_price", "open_interest", "volume_24h", "created_at", "market", "bids",
    "asks", "last_updated_at", "error", "message",
]  # fmt: skip


def fake_body(path: str, query: str = "") -> Any:
    reply = FakeVenue.respond(FakeParadex(samples_per_market=5), Request("GET", path, query))
    return json.loads(reply.encoded())


def markets() -> dict[str, ParadexMarket]:
    parsed = parse_markets(PARADEX, fake_body("/v1/markets"), {}).unwrap()
    return {m.market.venue_symbol: m for m in parsed}


MARKETS = markets()
PARSERS: dict[str, tuple[Callable[[Any], Result[Any, VenueError]], Any]] = {
    "markets": (lambda p: parse_markets(PARADEX, p, {}), fake_body("/v1/markets")),
    "summaries": (
        lambda p: parse_summaries(PARADEX, p, MARKETS),
        fake_body("/v1/markets/summary", "market=ALL"),
    ),
    "funding_page": (
        lambda p: parse_funding_page("paradex", p, "BTC-USD-PERP"),
        fake_body("/v1/funding/data", "market=BTC-USD-PERP&page_size=3"),
    ),
    "book": (
        lambda p: parse_book(PARADEX, p, Symbol("BTC"), 5),
        fake_body("/v1/orderbook/BTC-USD-PERP"),
    ),
}


def _slots(value: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from _slots(value[key])
    elif isinstance(value, list):
        for index in range(len(value)):
            yield value, index
            yield from _slots(value[index])


def junk(rnd: random.Random, depth: int = 0) -> Any:
    roll = rnd.random()
    if depth < 3 and roll < 0.15:
        return [junk(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    if depth < 3 and roll < 0.3:
        return {rnd.choice(KEYS): junk(rnd, depth + 1) for _ in range(rnd.randint(0, 4))}
    return rnd.choice(HOSTILE)


def mutate(rnd: random.Random, valid: Any) -> Any:
    value = copy.deepcopy(valid)
    for _ in range(rnd.randint(1, 3)):
        slots = list(_slots(value))
        if not slots:
            return junk(rnd)
        container, key = rnd.choice(slots)
        if isinstance(container, dict) and rnd.random() < 0.3:
            del container[key]
        else:
            container[key] = junk(rnd)
    return value


def check(name: str, payload: Any) -> None:
    parser, _ = PARSERS[name]
    outcome = parser(payload)  # must not raise
    assert isinstance(outcome, Success | Failure)
    if isinstance(outcome, Success):
        value = outcome.unwrap()
        for item in value if isinstance(value, tuple) else getattr(value, "rows", ()):
            rate = getattr(item, "rate", None)
            assert rate is None or (isinstance(rate, Decimal) and rate.is_finite())


def test_every_valid_payload_parses() -> None:
    for name, (parser, valid) in PARSERS.items():
        outcome = parser(valid)
        assert isinstance(outcome, Success), (name, outcome)
        value = outcome.unwrap()
        assert getattr(value, "rows", value), name  # not vacuously empty


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(PARSERS)), seed=st.integers(0, 2**32))
def test_mutants_of_valid_payloads_never_raise(name: str, seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(20):
        check(name, mutate(rnd, PARSERS[name][1]))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(PARSERS)), seed=st.integers(0, 2**32))
def test_junk_never_raises(name: str, seed: int) -> None:
    rnd = random.Random(seed)
    check(name, junk(rnd))
    error_extractor(junk(rnd))  # never raises either
