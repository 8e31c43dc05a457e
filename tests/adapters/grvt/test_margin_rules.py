"""GRVT's maintenance rate for a symbol the account holds no position in, from its
published margin rules (``full/v1/margin_rules``): the documented body parsed, the tier
chosen, hostile bodies refused, and the rate used by the opening check over the wire."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from returns.result import Failure, Success

from adapters.grvt.parsing_margin_rules import maintenance_rate_bound, parse_margin_rules
from atomic_fp.decisions.opening_margin import opening_margin_check
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import Side, SignalKind, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.margin import AccountMargin
from tests.adapters.grvt._data import VENUE, docs_sections, run
from tests.adapters.grvt.fake_venue import Exchange, Hosts, serve
from tests.adapters.grvt.test_wire import API_KEY, KEY, SUB, client_for
from tests.core.builders import NOW, ample, by_venue, config, ex

BTC = Symbol("BTC")


def documented() -> Any:
    return docs_sections("market_data_api.md")["full/v1/margin_rules"]["response"]


def tiered() -> dict[str, Any]:
    """Three tiers in GRVT's shape (figures made up, Binance-style cumulative amounts)."""

    def tier(n: int, floor: str, cap: str | None, mm: str, lev: int, cum: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            "tier": n,
            "notional_floor": floor,
            "maintenance_margin_rate": mm,
            "initial_margin_rate": str(Decimal(1) / lev),
            "max_leverage": lev,
            "cumulative_maintenance_amount": cum,
        }
        if cap is not None:
            row["notional_cap"] = cap
        return row

    return {
        "instrument": "BTC_USDT_Perp",
        "max_position_size": "100.0",
        "risk_brackets": [
            tier(2, "100000", "1000000", "0.02", 25, "1000"),  # out of order on purpose
            tier(1, "0", "100000", "0.01", 50, "0"),
            tier(3, "1000000", None, "0.05", 10, "31000"),
        ],
    }


# --- parsing (outside reference: the api-spec's documented response) ----------------


def test_documented_response_is_parsed() -> None:
    rules = parse_margin_rules("grvt", documented(), "BTC_USDT_Perp").unwrap()
    assert rules.max_position_size == Decimal("100.0")
    (bracket,) = rules.brackets
    assert (bracket.tier, bracket.notional_floor, bracket.notional_cap) == (
        1,
        Decimal(0),
        Decimal(600000),
    )
    assert (bracket.maintenance_margin_rate, bracket.max_leverage) == (Decimal("0.01"), Decimal(50))


def test_documented_single_tier_capped_at_600000_still_rates_larger_accounts() -> None:
    """The spec says the last tier omits its cap, yet the documented example's only tier
    has one (600,000): it is accepted, and its rate (the highest) applies above it."""
    rules = parse_margin_rules("grvt", documented(), "BTC_USDT_Perp").unwrap()
    assert maintenance_rate_bound(rules, Decimal(1_000_000)) == Decimal("0.01")


def test_tier_at_the_largest_openable_notional_is_used() -> None:
    """equity x 50 (the highest max_leverage): 1,000 -> 50,000 (tier 1, 1 %); 10,000 ->
    500,000 (tier 2, 2 %); 20,000 -> 1,000,000 (tier 3 starts there: 5 %)."""
    rules = parse_margin_rules("grvt", tiered(), "BTC_USDT_Perp").unwrap()
    assert [b.tier for b in rules.brackets] == [1, 2, 3]
    assert maintenance_rate_bound(rules, Decimal(1000)) == Decimal("0.01")
    assert maintenance_rate_bound(rules, Decimal(10000)) == Decimal("0.02")
    assert maintenance_rate_bound(rules, Decimal(20000)) == Decimal("0.05")
    assert maintenance_rate_bound(rules, Decimal(0)) == Decimal("0.05")  # no equity: worst


def _mutate(path: str, value: object) -> dict[str, Any]:
    body = tiered()
    if path == "$":
        return value  # type: ignore[return-value]
    target: Any = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("$", [], "expected an object"),
        ("risk_brackets", _DELETE, "risk_brackets"),
        ("risk_brackets", [], "empty"),
        ("risk_brackets.1.maintenance_margin_rate", "NaN", "maintenance_margin_rate"),
        ("risk_brackets.1.maintenance_margin_rate", "1.5", "not in (0, 1)"),
        ("risk_brackets.1.maintenance_margin_rate", "0", "not in (0, 1)"),
        ("risk_brackets.1.max_leverage", 0, "max_leverage"),
        ("risk_brackets.0.notional_floor", "200000", "does not follow"),
        ("risk_brackets.0.maintenance_margin_rate", "0.005", "lower maintenance rate"),
        ("risk_brackets.2.notional_cap", "1000000", "not above notional_floor"),
        ("risk_brackets.1.tier", "one", "tier"),
        ("risk_brackets.1", "tier 1", "expected an object"),
        ("risk_brackets.1.notional_floor", "10", "start at notional 0"),
        ("instrument", "ETH_USDT_Perp", "asked for BTC_USDT_Perp"),
        ("max_position_size", None, "max_position_size"),
    ],
)
def test_hostile_bodies_are_a_typed_error_naming_the_field(
    path: str, value: object, named: str
) -> None:
    parsed = parse_margin_rules("grvt", _mutate(path, value), "BTC_USDT_Perp")
    assert isinstance(parsed, Failure)
    assert isinstance(parsed.failure(), MalformedResponse)
    assert named in str(parsed.failure())


# --- over the wire: the fake GRVT's margin_rules route and the opening check --------


@pytest.fixture
def exchange() -> Exchange:
    return Exchange(api_key=API_KEY, sub_account_id=SUB, authorised_key=KEY)


@pytest.fixture
def hosts(exchange: Exchange) -> Iterator[Hosts]:
    with serve(exchange) as running:
        yield running


def _sell_btc_on_grvt(size: str, now: datetime) -> TradingSignal:
    price = Decimal(70000)
    legs = (
        TradeLeg(ex("a"), BTC, Side.BUY, Decimal(size), reference_price=price),
        TradeLeg(VENUE, BTC, Side.SELL, Decimal(size), reference_price=price),
    )
    return TradingSignal(kind=SignalKind.OPEN, symbol=BTC, legs=legs, reason="t", created_at=now)


def _check(margin: AccountMargin, size: str) -> Success[None] | Failure[Any]:
    return opening_margin_check(  # type: ignore[return-value]
        signal=_sell_btc_on_grvt(size, NOW),
        margins={**ample("a"), **by_venue(attrs.evolve(margin, observed_at=NOW))},
        markets={},
        config=config(slippage_cap=Decimal(0), liquidation_buffer=Decimal("0.05")),
        now=NOW,  # the builders' clock; the fake stamps the margin with wall time
    )


async def _margin(exchange: Exchange, hosts: Hosts) -> AccountMargin:
    client = client_for(hosts)
    try:
        (await run(client.fetch_funding_rates([BTC]))).unwrap()  # BTC is now "asked"
        return (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_btc_leg_with_no_position_opens_when_margin_allows(
    exchange: Exchange, hosts: Hosts
) -> None:
    """Documented rules: 1 %. Equity 1,000.5, no position. Selling s BTC at 70,000 is
    liquidated where 1,000.5 - s (p - 70,000) = 0.01 s p: p = (1,000.5 + 70,000 s) /
    (1.01 s). s = 0.1: 79,212.87, 13.16 % away (>= 10 %: opens); s = 0.2: 74,259.90,
    6.09 % (refused)."""
    margin = await _margin(exchange, hosts)
    assert margin.legs == () and margin.maintenance_rates == {BTC: Decimal("0.01")}
    assert _check(margin, "0.1") == Success(None)
    refused = _check(margin, "0.2")
    assert isinstance(refused, Failure)
    assert "grvt: sell 0.2 BTC would be 6.09% from liquidation (est. 74259.90" in str(
        refused.failure()
    )


@pytest.mark.anyio
async def test_rules_are_cached_per_instrument(exchange: Exchange, hosts: Hosts) -> None:
    client = client_for(hosts)
    try:
        (await run(client.fetch_funding_rates([BTC]))).unwrap()
        for _ in range(3):
            (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert exchange.margin_rules_requests == 1


@pytest.mark.anyio
async def test_a_failed_rules_read_leaves_no_rate_and_the_refusal_says_why(
    exchange: Exchange, hosts: Hosts
) -> None:
    exchange.margin_rules = {}  # GRVT answers 1004 Data Not Found
    margin = await _margin(exchange, hosts)
    assert margin.maintenance_rates == {}
    refused = _check(margin, "0.01")  # tiny: it would pass with any rate below 100 %
    assert isinstance(refused, Failure)
    why = str(refused.failure())
    assert "grvt: maintenance rate of a BTC position unknown: margin rules failed" in why


@pytest.mark.anyio
async def test_a_malformed_rules_body_is_refused_not_defaulted(
    exchange: Exchange, hosts: Hosts
) -> None:
    rules = copy.deepcopy(exchange.margin_rules["BTC_USDT_Perp"])
    rules["risk_brackets"][0]["maintenance_margin_rate"] = "-0.01"
    exchange.margin_rules["BTC_USDT_Perp"] = rules
    margin = await _margin(exchange, hosts)
    assert margin.maintenance_rates == {}
    assert "maintenance_margin_rate" in margin.maintenance_rate_problems[BTC]


@pytest.mark.anyio
async def test_only_symbols_asked_for_get_rules_and_a_book_read_counts(
    exchange: Exchange, hosts: Hosts
) -> None:
    """Nothing asked: no rules read and no rate (the opening stays refused); after an
    order-book read of BTC (the orchestrator reads books every cycle) BTC has its rate."""
    client = client_for(hosts)
    try:
        before = (await run(client.fetch_margin())).unwrap()
        assert before.maintenance_rates == {} and exchange.margin_rules_requests == 0
        (await run(client.fetch_order_book(BTC, 10))).unwrap()
        after = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert after.maintenance_rates == {BTC: Decimal("0.01")}
