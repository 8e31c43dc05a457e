"""Every recorded real Hyperliquid response parses to the right models, in the right units.

Sources: the SDK cassettes copied into ``fixtures/`` (MIT, see fixtures/README.md); the ccxt
static fixtures and nautilus_trader test data read in place from ``shared/research-data``
(skipped where absent; the nautilus files are LGPL and not copied).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from adapters._http import loads
from adapters.hyperliquid.parsers import (
    HOURLY_FUNDING_SINCE,
    ExchangeError,
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
from atomic_fp.models import FundingKind, OrderStatus, Side, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid._data import NAUTILUS_HL, ccxt_bodies, fixture, research

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 7, 2, 12, 34, 56, tzinfo=timezone.utc)
H1 = timedelta(hours=1)
H8 = timedelta(hours=8)
BTC = Symbol("BTC")


def _meta_and_ctxs() -> list[Any]:
    """The 2023 ``meta`` universe (SDK cassette) with the real per-coin ctx values of the
    main dex from nautilus' ``allDexsAssetCtxs`` message (same coin order), as one
    ``metaAndAssetCtxs`` body."""
    meta = fixture("sdk_meta_2023.json")
    message = research(f"{NAUTILUS_HL}/ws_all_dexs_asset_ctxs.json")
    dexes = dict((name, ctxs) for name, ctxs in message["data"]["ctxs"])
    main = dexes[""]
    return [meta, main[: len(meta["universe"])]]


def test_meta_and_asset_ctxs_from_real_values() -> None:
    body = _meta_and_ctxs()
    snapshot = parse_meta_and_asset_ctxs(HL, body, NOW).unwrap()
    assert len(snapshot.assets) == 28
    assert len(snapshot.markets) == 28 and len(snapshot.rates) == 28
    markets = {market.symbol: market for market in snapshot.markets}
    rates = {rate.symbol: rate for rate in snapshot.rates}

    btc = markets[BTC]
    assert (btc.venue_symbol, btc.lot_size, btc.tick_size) == (
        "BTC",
        Decimal("0.00001"),
        Decimal("0.1"),
    )
    assert btc.funding_interval == H1 and btc.settle_asset == "USDC"
    assert btc.max_leverage == Decimal(50) and btc.min_notional == Decimal(10)
    doge = markets[Symbol("DOGE")]
    assert (doge.lot_size, doge.tick_size) == (Decimal(1), Decimal("0.000001"))
    pepe = markets[Symbol("PEPE")]
    assert (pepe.venue_symbol, pepe.contract_multiplier) == ("kPEPE", Decimal(1000))

    rate = rates[BTC]
    assert rate.rate == Decimal("-0.0000015186")
    assert rate.kind is FundingKind.CURRENT and rate.interval == H1
    assert rate.mark_price == Decimal("77562.0") and rate.index_price == Decimal("77605.0")
    assert rate.observed_at == NOW
    assert rate.next_funding_time == datetime(2026, 7, 2, 13, tzinfo=timezone.utc)
    # Aligned by index: ETH is ctx 1, ATOM ctx 2 (mark 2.1315 in the recorded message).
    assert rates[Symbol("ETH")].mark_price == Decimal("2123.7")
    assert rates[Symbol("ATOM")].mark_price == Decimal("2.1315")
    # Baseline hourly 0.0000125 is 10.95 % APR.
    assert rates[Symbol("ETH")].apr == Decimal("0.1095")


def test_meta_and_ctxs_refuses_misaligned_lists() -> None:
    meta, ctxs = _meta_and_ctxs()
    failure = parse_meta_and_asset_ctxs(HL, [meta, ctxs[:-1]], NOW).failure()
    assert failure.kind == "MalformedResponse" and "27 asset contexts" in failure.message


def test_delisted_assets_are_skipped_but_keep_their_index() -> None:
    meta, ctxs = _meta_and_ctxs()
    meta = dict(meta)
    universe = [dict(entry) for entry in meta["universe"]]
    universe[3]["isDelisted"] = True  # MATIC
    meta["universe"] = universe
    snapshot = parse_meta_and_asset_ctxs(HL, [meta, ctxs], NOW).unwrap()
    assert Symbol("MATIC") not in {market.symbol for market in snapshot.markets}
    assert len(snapshot.markets) == 27
    dydx = next(asset for asset in snapshot.assets if asset.name == "DYDX")
    assert dydx.index == 4


def test_symbol_overrides_win() -> None:
    overrides = {"kPEPE": (Symbol("KPEPE"), Decimal(1))}
    snapshot = parse_meta_and_asset_ctxs(HL, _meta_and_ctxs(), NOW, overrides).unwrap()
    kpepe = next(m for m in snapshot.markets if m.venue_symbol == "kPEPE")
    assert (kpepe.symbol, kpepe.contract_multiplier) == (Symbol("KPEPE"), Decimal(1))


def test_nautilus_meta_sample_with_null_flags() -> None:
    assets = parse_meta("hyperliquid", research(f"{NAUTILUS_HL}/http_meta_perp_sample.json"))
    names = [(a.name, a.sz_decimals, a.delisted) for a in assets.unwrap()]
    assert names == [("BTC", 5, False), ("ETH", 4, False), ("ATOM", 2, False)]


def test_docs_example_assetctxs_shape() -> None:
    body = [
        {"universe": [{"name": "BTC", "szDecimals": 5}]},
        [
            {
                "dayNtlVlm": "3559323.53447",
                "funding": "-0.0000886",
                "markPx": "28429.3",
                "openInterest": "0.22168",
                "oraclePx": "28445.0",
                "prevDayPx": "29368.0",
            }
        ],
    ]  # hyperliquid-python-sdk api/info/assetctxs.yaml (DOCS example)
    (rate,) = parse_meta_and_asset_ctxs(HL, body, NOW).unwrap().rates
    assert rate.rate == Decimal("-0.0000886") and rate.mark_price == Decimal("28429.3")


def test_funding_history_across_the_8h_to_1h_switch() -> None:
    rates = parse_funding_history(HL, BTC, fixture("sdk_funding_history_btc_2023.json")).unwrap()
    assert len(rates) == 1038
    assert rates[0].funding_time == datetime(2023, 5, 12, 0, 0, 0, 48000, tzinfo=timezone.utc)
    assert rates[-1].funding_time is not None
    assert rates[-1].funding_time.date().isoformat() == "2023-07-17"
    switch = datetime(2023, 6, 8, tzinfo=timezone.utc)
    before = [r for r in rates if r.funding_time is not None and r.funding_time < switch]
    after = [r for r in rates if r.funding_time is not None and r.funding_time >= switch + H1]
    assert len(before) == 81 and all(r.interval == H8 for r in before)
    assert len(after) == 956 and all(r.interval == H1 for r in after)
    # The 2023-06-08 00:00:00.254 row still settles the 16:00 -> 00:00 period: 8 h.
    (boundary,) = [r for r in rates if r not in before and r not in after]
    assert boundary.interval == H8 and boundary.funding_time is not None
    assert boundary.funding_time < HOURLY_FUNDING_SINCE
    assert all(r.kind is FundingKind.SETTLED and r.venue_symbol == "BTC" for r in rates)

    # Every interval equals the real gap to the previous settlement (within the venue's
    # settlement jitter: one 2023-05-23 settlement ran 24 min late), except the one missing
    # hour on the hourly side.
    mismatches = [
        (a.funding_time, b.funding_time)
        for a, b in pairwise(rates)
        if a.funding_time is not None
        and b.funding_time is not None
        and abs((b.funding_time - a.funding_time) - b.interval) > timedelta(minutes=30)
    ]
    assert len(mismatches) == 1
    gap = mismatches[0][1] - mismatches[0][0]
    assert abs(gap - 2 * H1) < timedelta(seconds=1)

    # APRs are consistent across the switch: each era's baseline is 10.95 % APR.
    baseline_8h = Counter(r.rate for r in before).most_common(1)[0][0]
    baseline_1h = Counter(r.rate for r in after).most_common(1)[0][0]
    assert (baseline_8h, baseline_1h) == (Decimal("0.0001"), Decimal("0.0000125"))
    era_aprs = {r.apr for r in rates if r.rate in (baseline_8h, baseline_1h)}
    assert era_aprs == {Decimal("0.1095")}
    mean_before = sum(abs(r.apr) for r in before) / len(before)
    mean_after = sum(abs(r.apr) for r in after) / len(after)
    assert Decimal("0.05") < mean_before < Decimal("1") and Decimal("0.05") < mean_after < 1
    # Reading the 8h rows as hourly would have overstated their APR eightfold.
    assert mean_before * 8 > Decimal("1")


def test_funding_history_with_end_time_is_all_8h() -> None:
    body = fixture("sdk_funding_history_btc_2023_with_end.json")
    rates = parse_funding_history(HL, BTC, body).unwrap()
    assert len(rates) == 34 and {r.interval for r in rates} == {H8}
    end = datetime.fromtimestamp(1684811870, tz=timezone.utc)
    assert all(r.funding_time is not None and r.funding_time <= end for r in rates)


def test_nautilus_funding_history_rows_are_hourly() -> None:
    body = research(f"{NAUTILUS_HL}/http_funding_history.json")
    rates = parse_funding_history(HL, BTC, body).unwrap()
    assert [r.rate for r in rates] == [
        Decimal("0.0000125"),
        Decimal("-0.0000081"),
        Decimal("0.0000033"),
    ]
    assert {r.interval for r in rates} == {H1}


def test_sdk_clearinghouse_state_2023() -> None:
    body = fixture("sdk_clearinghouse_state_2023.json")
    positions = parse_positions(HL, body, NOW).unwrap()
    by_symbol = {p.symbol: p for p in positions}
    btc = by_symbol[BTC]
    assert btc.size == Decimal("-0.00785")  # short
    assert btc.entry_price == Decimal("26951.0")
    assert btc.liquidation_price == Decimal("173198.69592357")
    assert btc.leverage == Decimal(20)  # a JSON number in this body
    assert btc.mark_price == Decimal("211.64542") / Decimal("0.00785")
    assert btc.observed_at == NOW  # the 2023 body has no time
    eth = by_symbol[Symbol("ETH")]
    assert eth.size == Decimal("0.1334") and eth.liquidation_price is None
    assert len(positions) == len(body["assetPositions"])
    (balance,) = parse_balances(HL, body, NOW).unwrap()
    assert balance.asset == "USDC"
    assert balance.total == Decimal(str(body["marginSummary"]["accountValue"]))
    assert balance.available == Decimal(str(body["withdrawable"]))


def test_ccxt_clearinghouse_states_signed_szi() -> None:
    bodies = ccxt_bodies("fetchPositions_clearinghouseState")
    assert len(bodies) == 4
    longs = parse_positions(HL, bodies[0], NOW).unwrap()
    assert [(p.symbol.base, p.size) for p in longs] == [
        ("SOL", Decimal("3.34")),
        ("ETH", Decimal("3.6")),
    ]
    assert longs[0].observed_at == datetime.fromtimestamp(1709652410.317, tz=timezone.utc)
    assert longs[0].cumulative_funding == Decimal("-8.357218")  # paid, so negative

    short, long_ = parse_positions(HL, bodies[1], NOW).unwrap()
    assert (short.symbol.base, short.size) == ("SOL", Decimal("-0.5"))
    assert short.liquidation_price == Decimal("22881.19788911")
    assert short.entry_price == Decimal("138.76") and short.unrealized_pnl == Decimal("0.4")
    assert short.liquidation_distance is not None and short.liquidation_distance > 100
    assert long_.cumulative_funding == Decimal("-3855.422147")

    (isolated,) = parse_positions(HL, bodies[2], NOW).unwrap()
    assert (isolated.symbol.base, isolated.size, isolated.leverage) == (
        "HYPE", Decimal("-4.0"), Decimal(10),
    )  # fmt: skip
    assert parse_positions(HL, bodies[3], NOW).unwrap() == ()
    (balance,) = parse_balances(HL, bodies[3], NOW).unwrap()
    assert (balance.total, balance.available) == (Decimal("20.454862"), Decimal("19.954862"))


def _numbers_as_json_numbers(value: Any) -> Any:
    """The same body with every numeric string turned into a JSON number."""
    if isinstance(value, dict):
        return {k: _numbers_as_json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_json_numbers(v) for v in value]
    if isinstance(value, str) and value.strip() and "x" not in value:
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        # As ``loads`` decodes JSON: integers as int, the rest as Decimal.
        return int(number) if number == number.to_integral_value() and "." not in value else number
    return value


def test_clearinghouse_numbers_as_strings_or_numbers_agree() -> None:
    for body in ccxt_bodies("fetchPositions_clearinghouseState"):
        as_numbers = _numbers_as_json_numbers(body)
        assert (
            parse_positions(HL, as_numbers, NOW).unwrap() == parse_positions(HL, body, NOW).unwrap()
        )
        assert (
            parse_balances(HL, as_numbers, NOW).unwrap() == parse_balances(HL, body, NOW).unwrap()
        )


def test_nautilus_clearinghouse_without_margin_summary() -> None:
    body = research(f"{NAUTILUS_HL}/http_clearinghouse_state_negative_total_raw_usd.json")
    (balance,) = parse_balances(HL, body, NOW).unwrap()
    assert (balance.total, balance.available) == (Decimal("1736.030875"), Decimal("772.232111"))
    assert parse_positions(HL, body, NOW).unwrap() == ()


def test_l2_books() -> None:
    book = parse_l2_book(HL, Symbol("DYDX"), fixture("sdk_l2book_dydx_2023.json")).unwrap()
    assert (len(book.bids), len(book.asks)) == (20, 20)
    assert (book.best_bid, book.best_ask) == (Decimal("2.111"), Decimal("2.1124"))
    assert book.timestamp == datetime.fromtimestamp(1689630203.930, tz=timezone.utc)
    shallow = parse_l2_book(HL, Symbol("DYDX"), fixture("sdk_l2book_dydx_2023.json"), 5).unwrap()
    assert len(shallow.bids) == 5 and shallow.asks[4].price == Decimal("2.1135")
    btc = parse_l2_book(HL, BTC, research(f"{NAUTILUS_HL}/http_l2_book_btc.json")).unwrap()
    assert (btc.best_bid, btc.best_ask) == (Decimal("110427.0"), Decimal("110428.0"))
    assert btc.asks[0].size == Decimal("3.72573")


def test_user_funding_payments() -> None:
    payments = parse_user_funding(HL, fixture("sdk_user_funding_with_end_time.json")).unwrap()
    arb = next(p for p in payments if p.symbol == Symbol("ARB"))
    assert arb.amount == Decimal("2.694388")  # short paid by longs at +0.0001: received
    assert arb.position_size == Decimal("-6091.03333333") and arb.rate == Decimal("0.0001")
    assert arb.time == datetime(2023, 4, 20, 0, tzinfo=timezone.utc)
    assert arb.asset == "USDC"
    # Sign check over every row: amount = -szi * rate * price > 0 exactly when szi*rate < 0.
    for payment in payments:
        assert payment.position_size is not None and payment.rate is not None
        if payment.amount != 0 and payment.rate != 0:
            assert (payment.amount > 0) == (payment.position_size * payment.rate < 0)
    full = parse_user_funding(HL, fixture("sdk_user_funding_without_end_time.json")).unwrap()
    assert len(full) > len(payments) > 0
    pepe = [p for p in full if p.symbol == Symbol("PEPE")]
    assert all(p.symbol.base == "PEPE" for p in pepe)


def test_ccxt_order_status_and_exchange_answers() -> None:
    (status_body,) = ccxt_bodies("fetchOrder_orderStatus")
    order = parse_order_status(HL, Symbol("ETH"), "afp-1", status_body).unwrap()
    assert order is not None
    assert (order.status, order.size, order.filled_size, order.side) == (
        OrderStatus.FILLED, Decimal("0.2"), Decimal("0.2"), Side.BUY,
    )  # fmt: skip
    assert order.venue_order_id == "6463065738"
    assert order.updated_at == datetime.fromtimestamp(1709141541.609, tz=timezone.utc)

    filled, with_triggers = ccxt_bodies("createOrder_exchange")
    placed = parse_order_response("hyperliquid", filled, Decimal("1.0"), rests=False).unwrap()
    assert not isinstance(placed, str)
    assert placed.status is OrderStatus.FILLED  # type: ignore[union-attr]
    assert placed.average_price == Decimal("25.585")  # type: ignore[union-attr]
    assert placed.venue_order_id == "296683658818"  # type: ignore[union-attr]
    partial = parse_order_response("hyperliquid", filled, Decimal("2"), rests=False).unwrap()
    assert partial.status is OrderStatus.CANCELED  # type: ignore[union-attr]
    assert partial.filled_size == Decimal("1.0")  # type: ignore[union-attr]
    resting = parse_order_response("hyperliquid", filled, Decimal("2"), rests=True).unwrap()
    assert resting.status is OrderStatus.PARTIALLY_FILLED  # type: ignore[union-attr]
    first = parse_order_response("hyperliquid", with_triggers, Decimal("1"), rests=False)
    assert first.unwrap().status is OrderStatus.FILLED  # type: ignore[union-attr]


def _order_answer(status: Any) -> dict[str, Any]:
    return {"status": "ok", "response": {"type": "order", "data": {"statuses": [status]}}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_order_answer({"resting": {"oid": 77}}), OrderStatus.OPEN),
        (_order_answer({"error": "Order must have minimum value of $10."}), OrderStatus.REJECTED),
        (_order_answer("waitingForTrigger"), OrderStatus.PENDING),
    ],
)
def test_exchange_order_statuses(body: Any, expected: OrderStatus) -> None:
    placed = parse_order_response("hyperliquid", body, Decimal(1), rests=True).unwrap()
    assert placed.status is expected  # type: ignore[union-attr]


def test_exchange_err_and_cancel_answers() -> None:
    err = {"status": "err", "response": "User or API Wallet 0xabc does not exist."}
    answer = parse_order_response("hyperliquid", err, Decimal(1), rests=False).unwrap()
    assert isinstance(answer, ExchangeError) and answer.message.startswith("User or API")
    ok = {"status": "ok", "response": {"type": "cancel", "data": {"statuses": ["success"]}}}
    assert parse_cancel_response("hyperliquid", ok).unwrap() is None
    missing = {
        "status": "ok",
        "response": {
            "type": "cancel",
            "data": {
                "statuses": [{"error": "Order was never placed, already canceled, or filled."}]
            },
        },
    }
    assert (
        parse_cancel_response("hyperliquid", missing).unwrap()
        == "Order was never placed, already canceled, or filled."
    )
    assert parse_order_status(HL, BTC, "x", {"status": "unknownOid"}).unwrap() is None


def test_predicted_fundings_documented_shape() -> None:
    # docs.chainstack.com predicted-fundings example (fact sheet B9); unconfirmed-recorded.
    body = loads(
        '[["BTC",[["BinPerp",{"fundingRate":"0.00008786","nextFundingTime":1754496000000,"fundingIntervalHours":8}],'
        '["HlPerp",{"fundingRate":"0.0000125","nextFundingTime":1754470800000,"fundingIntervalHours":1}],'
        '["BybitPerp",{"fundingRate":"0.0001","nextFundingTime":1754496000000,"fundingIntervalHours":8}]]],'
        '["kPEPE",[["HlPerp",{"fundingRate":"-0.00002","nextFundingTime":1754470800000,"fundingIntervalHours":1}],["BinPerp",null]]]]'
    )
    btc, pepe = parse_predicted_fundings(HL, body, NOW).unwrap()
    assert (btc.symbol, btc.rate, btc.interval, btc.kind) == (
        BTC,
        Decimal("0.0000125"),
        H1,
        FundingKind.PREDICTED,
    )
    assert btc.next_funding_time == datetime.fromtimestamp(1754470800, tz=timezone.utc)
    assert (pepe.symbol, pepe.venue_symbol) == (Symbol("PEPE"), "kPEPE")
