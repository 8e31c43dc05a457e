"""Aster account reads: funding payments (``/fapi/v3/income``), the account's fee tier
(``/fapi/v3/commissionRate``) and margin (``/fapi/v3/accountWithJoinMargin`` +
``positionRisk``), on the bodies asterdex api-docs publishes
(``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` @ 265e024: "Get Income History",
"User Commission Rate", "Account Information v3", "Position Information v3") and end to end
against the fake venue that verifies every signature."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from returns.result import Failure, Success

from adapters.binance.fees import parse_commission_rate
from adapters.binance.margin import parse_account_margin
from adapters.binance.parsers import SymbolMap, parse_income, parse_positions
from atomic_fp.errors import NotConfigured, NotSupported
from atomic_fp.models import FeeSource, Symbol
from atomic_fp.venue import Capability
from tests.adapters.aster import recorded
from tests.adapters.aster._client import AGENT, USER, VENUE, make
from tests.adapters.aster.fake_venue import FakeAster, serve
from tests.harness import run

NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)
BTC = Symbol("BTC")
ASTER = Symbol("ASTER")

# ------------------------------------------------------------------ documented bodies

DOC_INCOME: list[dict[str, Any]] = [
    {"symbol": "", "incomeType": "TRANSFER", "income": "-0.37500000", "asset": "USDT",
     "info": "TRANSFER", "time": 1570608000000, "tranId": "9689322392", "tradeId": ""},
    {"symbol": "BTCUSDT", "incomeType": "COMMISSION", "income": "-0.01000000",
     "asset": "USDT", "info": "COMMISSION", "time": 1570636800000, "tranId": "9689322392",
     "tradeId": "2059192"},
]  # fmt: skip
"""The "Get Income History" response, verbatim: neither row is a funding payment."""

DOC_COMMISSION = {"symbol": "BTCUSDT", "makerCommissionRate": "0.0002",
                  "takerCommissionRate": "0.0004"}  # fmt: skip

DOC_ACCOUNT: dict[str, Any] = {
    "feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True, "updateTime": 0,
    "totalInitialMargin": "0.00000000", "totalMaintMargin": "0.00000000",
    "totalWalletBalance": "23.72469206", "totalUnrealizedProfit": "0.00000000",
    "totalMarginBalance": "23.72469206", "totalPositionInitialMargin": "0.00000000",
    "totalOpenOrderInitialMargin": "0.00000000", "totalCrossWalletBalance": "23.72469206",
    "totalCrossUnPnl": "0.00000000", "availableBalance": "23.72469206",
    "maxWithdrawAmount": "23.72469206", "assets": [],
    "positions": [
        {"symbol": "BTCUSDT", "initialMargin": "0", "maintMargin": "0",
         "unrealizedProfit": "0.00000000", "positionInitialMargin": "0",
         "openOrderInitialMargin": "0", "leverage": "100", "isolated": True,
         "entryPrice": "0.00000", "maxNotional": "250000", "positionSide": "BOTH",
         "positionAmt": "0", "updateTime": 0},
    ],
}  # fmt: skip
"""The "Account Information v3" response (its ``assets`` rows left out: not read)."""

DOC_POSITION_ONE_WAY: list[dict[str, Any]] = [
    {"entryPrice": "0.00000", "marginType": "isolated", "isAutoAddMargin": "false",
     "isolatedMargin": "0.00000000", "leverage": "10", "liquidationPrice": "0",
     "markPrice": "6679.50671178", "maxNotionalValue": "20000000", "positionAmt": "0.000",
     "symbol": "BTCUSDT", "unRealizedProfit": "0.00000000", "positionSide": "BOTH",
     "updateTime": 0},
]  # fmt: skip
DOC_POSITION_HEDGE: list[dict[str, Any]] = [
    {"entryPrice": "6563.66500", "marginType": "isolated", "isAutoAddMargin": "false",
     "isolatedMargin": "15517.54150468", "leverage": "10", "liquidationPrice": "5930.78",
     "markPrice": "6679.50671178", "maxNotionalValue": "20000000", "positionAmt": "20.000",
     "symbol": "BTCUSDT", "unRealizedProfit": "2316.83423560", "positionSide": "LONG",
     "updateTime": 1625474304765},
    {"entryPrice": "0.00000", "marginType": "isolated", "isAutoAddMargin": "false",
     "isolatedMargin": "5413.95799991", "leverage": "10", "liquidationPrice": "7189.95",
     "markPrice": "6679.50671178", "maxNotionalValue": "20000000", "positionAmt": "-10.000",
     "symbol": "BTCUSDT", "unRealizedProfit": "-1156.46711780", "positionSide": "SHORT",
     "updateTime": 0},
]  # fmt: skip
"""The "Position Information v3" responses for one-way and hedge mode, verbatim."""


def test_the_documented_income_rows_are_not_funding_payments() -> None:
    assert parse_income(VENUE, DOC_INCOME, SymbolMap()) == Success(())


def test_a_funding_fee_row_in_the_documented_shape_is_a_signed_payment() -> None:
    row = dict(DOC_INCOME[1], incomeType="FUNDING_FEE", income="-0.01000000", info="",
               tradeId="")  # fmt: skip
    (parsed,) = parse_income(VENUE, [row], SymbolMap()).unwrap()
    assert parsed.payment.symbol == BTC and parsed.payment.amount == Decimal("-0.01")
    assert parsed.payment.time == datetime(2019, 10, 9, 16, tzinfo=timezone.utc)
    assert parsed.tran_id == "9689322392"


def test_the_documented_and_a_recorded_commission_rate_are_account_fees() -> None:
    doc = parse_commission_rate("aster", DOC_COMMISSION).unwrap()
    assert (doc.fees.maker, doc.fees.taker, doc.source) == (
        Decimal("0.0002"), Decimal("0.0004"), FeeSource.ACCOUNT
    )
    real = parse_commission_rate("aster", recorded.COMMISSION_RATE).unwrap()  # ccxt fixture
    assert (real.fees.maker, real.fees.taker) == (Decimal("0.0001"), Decimal("0.00035"))


def test_the_documented_account_is_flat_with_its_equity() -> None:
    positions = parse_positions(VENUE, DOC_POSITION_ONE_WAY, SymbolMap(), NOW).unwrap()
    assert positions == ()
    margin = parse_account_margin(VENUE, DOC_ACCOUNT, positions, SymbolMap(), NOW).unwrap()
    assert (margin.asset, margin.equity) == ("USDT", Decimal("23.72469206"))
    assert margin.maintenance_margin == 0 and margin.legs == ()
    assert margin.maintenance_rate(BTC) == Decimal("0.01")  # 1 / leverage 100 bounds it


def test_a_documented_position_in_one_way_mode_is_its_venue_liquidation_distance() -> None:
    """The documented LONG row as the one-way ``BOTH`` row we trade: the venue's
    ``liquidationPrice`` is used as is, and the distance is |mark - liq| / mark."""
    row = dict(DOC_POSITION_HEDGE[0], positionSide="BOTH")
    positions = parse_positions(VENUE, [row], SymbolMap(), NOW).unwrap()
    account = dict(DOC_ACCOUNT, totalMaintMargin="535.00000000", positions=[
        dict(DOC_ACCOUNT["positions"][0], maintMargin="535.00000000", positionAmt="20.000",
             leverage="10")])  # fmt: skip
    margin = parse_account_margin(VENUE, account, positions, SymbolMap(), NOW).unwrap()
    (leg,) = margin.legs
    assert leg.source is not None and leg.source.value == "venue"
    assert leg.liquidation_price == Decimal("5930.78")
    mark = Decimal("6679.50671178")
    assert leg.liquidation_distance == (mark - Decimal("5930.78")) / mark  # ~11.2 %
    assert margin.margin_ratio == Decimal("535") / Decimal("23.72469206")


def test_the_documented_hedge_mode_answer_is_not_supported_never_netted() -> None:
    result = parse_positions(VENUE, DOC_POSITION_HEDGE, SymbolMap(), NOW)
    assert isinstance(result, Failure) and isinstance(result.failure(), NotSupported)
    assert "hedge mode" in result.failure().message


# ------------------------------------------------------------------ end to end


@pytest.fixture
def fake() -> FakeAster:
    return FakeAster({USER: AGENT})


@pytest.fixture
def base_url(fake: FakeAster) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def _funding_rows(fake: FakeAster, settlements: int, per_settlement: int) -> None:
    """``settlements`` 4-hourly settlements, each paying ``per_settlement`` symbols at the
    very same millisecond (a settlement stamps every symbol's payment alike)."""
    symbols = ["ASTERUSDT", "BTCUSDT", "DOGEUSDT"]
    tran = 7_000_000
    for i in range(settlements):
        when = 1_764_979_200_000 + i * 4 * 3_600_000
        for j in range(per_settlement):
            tran += 1
            fake.income.append(
                {"symbol": symbols[j % 3], "incomeType": "FUNDING_FEE",
                 "income": f"{Decimal(j - 1) / 100:.8f}", "asset": "USDT", "info": "",
                 "time": when, "tranId": str(tran), "tradeId": ""}
            )  # fmt: skip
    fake.income.append(
        {"symbol": "ASTERUSDT", "incomeType": "COMMISSION", "income": "-0.5",
         "asset": "USDT", "info": "", "time": 1_764_979_200_000, "tranId": "1",
         "tradeId": "9"}
    )  # fmt: skip


@pytest.mark.anyio
async def test_funding_payments_page_by_time_without_losing_or_doubling_a_row(
    fake: FakeAster, base_url: str
) -> None:
    """1,200 payments at 400 instants: the 1000-row page ends inside a settlement, the next
    page starts at that millisecond again and drops the rows already seen."""
    _funding_rows(fake, settlements=400, per_settlement=3)
    client = make(base_url)
    try:
        assert Capability.FUNDING_PAYMENTS in client.capabilities
        start = datetime.fromtimestamp(1_764_979_200, tz=timezone.utc)
        end = datetime.fromtimestamp(1_764_979_200 + 400 * 4 * 3600, tz=timezone.utc)
        payments = (await run(client.fetch_funding_payments(start, end))).unwrap()
    finally:
        await client.aclose()
    assert len(payments) == 1200
    assert [p.time for p in payments] == sorted(p.time for p in payments)
    assert sum(p.amount for p in payments) == 0  # -0.01 + 0 + 0.01 per settlement
    income_queries = [q for _, path, q in fake.requests if path == "/fapi/v3/income"]
    assert len(income_queries) == 2
    assert all("incomeType=FUNDING_FEE" in q and "limit=1000" in q for q in income_queries)


@pytest.mark.anyio
async def test_a_full_page_at_one_millisecond_is_a_failure_not_a_truncation(
    fake: FakeAster, base_url: str
) -> None:
    _funding_rows(fake, settlements=1, per_settlement=1000)
    client = make(base_url)
    try:
        start = datetime.fromtimestamp(1_764_979_200, tz=timezone.utc)
        end = datetime.fromtimestamp(1_764_979_200 + 3600, tz=timezone.utc)
        result = await run(client.fetch_funding_payments(start, end))
    finally:
        await client.aclose()
    assert isinstance(result, Failure)
    assert "cannot advance" in result.failure().message


@pytest.mark.anyio
async def test_fees_are_the_accounts_and_fall_back_to_published_with_the_reason(
    fake: FakeAster, base_url: str
) -> None:
    client = make(base_url)
    try:
        fake.commission = {"maker": "0.0001", "taker": "0.00035"}
        quote = (await run(client.fetch_fees())).unwrap()
        assert (quote.source, quote.fees.taker) == (FeeSource.ACCOUNT, Decimal("0.00035"))
        assert quote.detail == "GET /fapi/v3/commissionRate (BTCUSDT)"
        fake.commission_down = True
        fallback = (await run(client.fetch_fees())).unwrap()
        assert fallback.source is FeeSource.PUBLISHED
        assert fallback.fees.taker == Decimal("0.0005")
        assert "fee query failed" in fallback.detail
    finally:
        await client.aclose()
    no_wallet = make(base_url, credentials=False)
    try:
        quote = (await run(no_wallet.fetch_fees())).unwrap()
        assert quote.source is FeeSource.PUBLISHED
        assert "no credentials" in quote.detail
    finally:
        await no_wallet.aclose()


@pytest.mark.anyio
async def test_margin_reads_the_account_totals_and_the_venue_liquidation_price(
    fake: FakeAster, base_url: str
) -> None:
    fake.positions["ASTERUSDT"] = Decimal("-1000")
    client = make(base_url)
    try:
        margin = (await run(client.fetch_margin())).unwrap()
    finally:
        await client.aclose()
    assert (margin.asset, margin.equity) == ("USDT", Decimal("1000.50000000"))
    assert margin.maintenance_margin == Decimal("0.750750")  # 0.5 % of 150.15
    (leg,) = margin.legs
    assert leg.symbol == ASTER and leg.liquidation_price == Decimal("0.16390")
    assert leg.liquidation_distance == (Decimal("0.16390") - Decimal("0.15015")) / Decimal(
        "0.15015"
    )
    paths = [p for _, p, _ in fake.requests]
    assert paths.count("/fapi/v3/accountWithJoinMargin") == 1
    assert paths.count("/fapi/v3/positionRisk") == 1


@pytest.mark.anyio
async def test_without_a_wallet_account_reads_are_not_configured(base_url: str) -> None:
    client = make(base_url, credentials=False)
    try:
        assert Capability.FUNDING_PAYMENTS not in client.capabilities
        for result in (
            await run(client.fetch_margin()),
            await run(client.fetch_funding_payments(NOW.replace(year=2025), NOW)),
        ):
            assert isinstance(result, Failure) and isinstance(result.failure(), NotConfigured)
    finally:
        await client.aclose()
