"""Aster's recorded real responses (:mod:`tests.adapters.aster.recorded`, ccxt fixtures)
read by the parsers the Aster client uses (the Binance ones), with the values ccxt's own
parse of the same bodies gives (``parsedResponse`` in the fixture file)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from returns.result import Success

from adapters.binance.parsers import (
    SymbolMap,
    parse_balances,
    parse_depth,
    parse_funding_info,
    parse_funding_rate_rows,
    parse_premium_index,
)
from adapters.published_fees import published_fees
from atomic_fp.models import Symbol
from tests.adapters.aster import recorded
from tests.adapters.aster._client import VENUE

BTC = Symbol("BTC")


def test_premium_index_with_aster_funding_info() -> None:
    intervals = parse_funding_info("aster", recorded.FUNDING_INFO)
    assert intervals == Success({"BTCUSDT": 8})  # Aster's fundingFeeCap: null is no bound
    rates = parse_premium_index(
        VENUE, recorded.PREMIUM_INDEX, SymbolMap(overrides={}), intervals.unwrap()
    ).unwrap()
    (rate,) = rates
    assert rate.symbol == BTC
    assert rate.rate == Decimal("0.0001")  # ccxt: fundingRate 0.0001
    assert rate.interval_hours == 8
    assert rate.mark_price == Decimal("106630.71786957")
    assert rate.next_funding_time == datetime(2025, 6, 17, 16, tzinfo=timezone.utc)


def test_funding_history_row() -> None:
    rows = parse_funding_rate_rows("aster", recorded.FUNDING_RATE, "BTCUSDT").unwrap()
    assert [(r.funding_time_ms, r.rate) for r in rows] == [(1750060800000, Decimal("0.0001"))]


def test_depth() -> None:
    book = parse_depth(VENUE, recorded.DEPTH, BTC, 5).unwrap()
    assert book.bids[0].price == Decimal("106626.8") and book.bids[0].size == Decimal("8.266")
    assert book.asks[-1].price == Decimal("106635.8")
    assert len(book.bids) == len(book.asks) == 5


def test_balances_with_string_update_times() -> None:
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    balances = parse_balances(VENUE, recorded.BALANCE, now).unwrap()
    assert {b.asset for b in balances} <= {"ASTER", "APX"}


def test_the_published_fee_is_not_below_a_real_accounts_rate() -> None:
    """An account's recorded rates (1 bp / 3.5 bp) never exceed the published fallback:
    using it can only overstate the cost."""
    fees = published_fees("aster")
    assert fees is not None
    assert fees.fees.maker >= Decimal(recorded.COMMISSION_RATE["makerCommissionRate"])
    assert fees.fees.taker >= Decimal(recorded.COMMISSION_RATE["takerCommissionRate"])
