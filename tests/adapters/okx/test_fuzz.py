"""Hypothesis fuzzing of every OKX parser: hostile JSON never escapes as an exception.

Each parser gets structured junk drawn by hypothesis (wrong types, NaN/Infinity, huge
numbers, HTML error pages, nested junk) and mutants of a valid payload from the fake
venue's own routes (one to three fields replaced by junk or deleted), which reach the
deep paths. Every outcome must be a ``Result``; a ``Success`` must hold valid models.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.okx.parsing import (
    OkxMarket,
    build_funding_history,
    error_extractor,
    parse_book,
    parse_funding_history_rows,
    parse_funding_rates,
    parse_instruments,
    parse_mark_prices,
    parse_server_time,
)
from adapters.okx.parsing_account import (
    parse_balances,
    parse_funding_bills,
    parse_margin_totals,
    parse_order,
    parse_order_ack,
    parse_positions,
    parse_trade_fee,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import FakeVenue, Request

OKX = ExchangeIdentifier("okx")
NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)
HOSTILE: list[Any] = [
    "", "NaN", "Infinity", "-inf", "1e999", "9" * 70, "12.3.4", "0x10", "\x00", "-0",
    "<html><body>502 Bad Gateway</body></html>", "BTC-USDT-SWAP", "live", "net", "short",
    float("nan"), float("inf"), 1e308, -1e308, Decimal("NaN"), Decimal("1E+400"),
    2**63, -(2**63), 10**40, 0, -1, None, True, [], {},
]  # fmt: skip
KEYS = [
    "code", "msg", "data", "instId", "instType", "ctType", "ctVal", "ctMult", "ctValCcy",
    "settleCcy", "state", "lotSz", "minSz", "tickSz", "fundingRate", "fundingTime",
    "nextFundingTime", "maxFundingRate", "minFundingRate", "realizedRate", "ts", "bids",
    "asks", "pos", "posSide", "avgPx", "markPx", "liqPx", "details", "ccy", "eq", "availBal",
    "mmr", "clOrdId", "ordId", "sz", "accFillSz", "fee", "side", "sCode", "billId", "balChg",
]  # fmt: skip


def fake_body(method: str, path: str, query: str = "", body: bytes = b"") -> Any:
    fake = FakeOkx("k", "s", "p")
    if path == "/api/v5/trade/order" and method == "GET":
        place = Request("POST", "/api/v5/trade/order", "", body=_order_json())
        fake.place(place)
    reply = FakeVenue.handle(fake, Request(method, path, query, body=body))  # unsigned
    return json.loads(reply.encoded())


def _order_json() -> bytes:
    body = {"instId": "BTC-USDT-SWAP", "tdMode": "cross", "side": "buy", "ordType": "ioc",
            "sz": "3", "px": "65010.0", "clOrdId": "afp1"}  # fmt: skip
    return json.dumps(body).encode()


def markets() -> dict[str, OkxMarket]:
    body = fake_body("GET", "/api/v5/public/instruments", "instType=SWAP")
    return {m.inst_id: m for m in parse_instruments(OKX, body, {}, {}).unwrap()}


MARKETS = markets()
PLAIN = {k: v.market for k, v in MARKETS.items()}
PARSERS: dict[str, tuple[Callable[[Any], Result[Any, VenueError]], Any]] = {
    "instruments": (
        lambda p: parse_instruments(OKX, p, {}, {}),
        fake_body("GET", "/api/v5/public/instruments", "instType=SWAP"),
    ),
    "funding": (
        lambda p: parse_funding_rates(OKX, p, PLAIN, NOW),
        fake_body("GET", "/api/v5/public/funding-rate", "instId=ANY"),
    ),
    "history": (
        lambda p: parse_funding_history_rows("okx", p, "BTC-USDT-SWAP").bind(
            lambda rows: build_funding_history(
                OKX, rows, Symbol("BTC"), "BTC-USDT-SWAP", timedelta(hours=8)
            )
        ),
        fake_body("GET", "/api/v5/public/funding-rate-history", "instId=BTC-USDT-SWAP&limit=5"),
    ),
    "book": (
        lambda p: parse_book(OKX, p, Symbol("BTC"), 5, Decimal("0.01")),
        fake_body("GET", "/api/v5/market/books", "instId=BTC-USDT-SWAP&sz=5"),
    ),
    "positions": (
        lambda p: parse_positions(OKX, p, MARKETS, NOW),
        {
            "code": "0",
            "data": [
                {
                    "instId": "BTC-USDT-SWAP",
                    "posSide": "net",
                    "pos": "-3",
                    "avgPx": "1",
                    "markPx": "2",
                    "liqPx": "",
                    "lever": "3",
                    "upl": "0.1",
                    "uTime": "1704067200000",
                }
            ],
        },
    ),
    "balances": (
        lambda p: parse_balances(OKX, p, NOW),
        fake_body("GET", "/api/v5/account/balance"),
    ),
    "margin": (
        lambda p: parse_margin_totals("okx", p),
        fake_body("GET", "/api/v5/account/balance"),
    ),
    "order": (
        lambda p: parse_order(OKX, p, MARKETS),
        fake_body("GET", "/api/v5/trade/order", "instId=BTC-USDT-SWAP&clOrdId=afp1"),
    ),
    "ack": (
        lambda p: parse_order_ack("okx", p),
        fake_body("POST", "/api/v5/trade/order", body=_order_json()),
    ),
    "bills": (
        lambda p: parse_funding_bills(OKX, p, MARKETS),
        fake_body("GET", "/api/v5/account/bills-archive", "type=8&limit=5"),
    ),
    "time": (lambda p: parse_server_time("okx", p), fake_body("GET", "/api/v5/public/time")),
    "trade_fee": (
        lambda p: parse_trade_fee("okx", p),
        fake_body("GET", "/api/v5/account/trade-fee", "instType=SWAP"),
    ),
    "marks": (
        lambda p: parse_mark_prices("okx", p),
        fake_body("GET", "/api/v5/public/mark-price", "instType=SWAP"),
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
        for item in outcome.unwrap() if isinstance(outcome.unwrap(), tuple) else ():
            rate = getattr(item, "rate", None)
            assert rate is None or (isinstance(rate, Decimal) and rate.is_finite())


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
    rnd = random.Random(seed)
    check(name, junk(rnd))
    error_extractor(junk(rnd))  # never raises either
