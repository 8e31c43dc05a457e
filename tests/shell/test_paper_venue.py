"""The paper venue: matching, fees, positions, funding accrual, ledger, persistence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from returns.result import Failure, Success

from adapters.paper import LedgerKind, ManualClock, PaperMarketState, PaperVenue
from adapters.paper.client import create
from adapters.registry import VenueSettings, build_client
from atomic_fp.errors import NetworkError, NotSent, OrderNotFound, UnknownSymbol, VenueRejected
from atomic_fp.models import (
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
    VenueFees,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, outcome
from atomic_fp.venue import VenueClient
from tests.shell.helpers import BTC, PRICE, T0, market, paper

pytestmark = pytest.mark.anyio


def order(
    side: Side,
    size: str,
    cid: str,
    *,
    price: str | None = None,
    tif: TimeInForce = TimeInForce.IOC,
    reduce_only: bool = False,
    venue: str = "a",
) -> OrderRequest:
    return OrderRequest(
        exchange=ExchangeIdentifier(venue),
        symbol=BTC,
        side=side,
        size=Decimal(size),
        client_order_id=cid,
        order_type=OrderType.MARKET if price is None else OrderType.LIMIT,
        limit_price=None if price is None else Decimal(price),
        time_in_force=tif,
        reduce_only=reduce_only,
    )


async def place(venue: PaperVenue, request: OrderRequest) -> object:
    return await outcome(venue.place_order(request))


async def test_it_is_a_venue_client() -> None:
    assert isinstance(paper("a"), VenueClient)


async def test_taker_fill_walks_the_book_charges_fee_and_books_pnl() -> None:
    fees = VenueFees(maker=Decimal("0.0001"), taker=Decimal("0.001"))
    venue = paper("a", fees=fees)
    venue.set_book(
        BTC,
        bids=[(Decimal(99), Decimal(5))],
        asks=[(Decimal(100), Decimal(1)), (Decimal(101), Decimal(1))],
    )
    result = await place(venue, order(Side.BUY, "1.5", "o1", price="101"))
    filled = result.unwrap()  # type: ignore[attr-defined]
    assert filled.status is OrderStatus.FILLED
    assert filled.average_price == Decimal("150.5") / Decimal("1.5")
    assert filled.filled_size == Decimal("1.5")
    assert filled.fee == Decimal("150.5") * Decimal("0.001")
    assert venue.position_size(BTC) == Decimal("1.5")
    # Sell 1 at the bid: realised (99 - entry) x 1.
    entry = Decimal("150.5") / Decimal("1.5")
    (await place(venue, order(Side.SELL, "1", "o2", price="99"))).unwrap()  # type: ignore[attr-defined]
    ledger = venue.ledger(BTC)
    assert ledger.realized_pnl == (Decimal(99) - entry) * 1
    assert ledger.fees == Decimal("150.5") * Decimal("0.001") + Decimal(99) * Decimal("0.001")
    assert ledger.trades == 2
    assert venue.balance() == Decimal(100_000) + ledger.realized_pnl - ledger.fees


async def test_ioc_beyond_limit_expires_and_fok_is_all_or_nothing() -> None:
    venue = paper("a")
    venue.set_book(BTC, bids=[(Decimal(99), Decimal(1))], asks=[(Decimal(100), Decimal(1))])
    thin = (await place(venue, order(Side.BUY, "2", "o1", price="100"))).unwrap()  # type: ignore[attr-defined]
    assert thin.status is OrderStatus.CANCELED and thin.filled_size == 1
    away = (await place(venue, order(Side.BUY, "1", "o2", price="99.5"))).unwrap()  # type: ignore[attr-defined]
    assert away.status is OrderStatus.EXPIRED and away.filled_size == 0
    fok = (
        await place(venue, order(Side.SELL, "2", "o3", price="99", tif=TimeInForce.FOK))
    ).unwrap()  # type: ignore[attr-defined]
    assert fok.status is OrderStatus.EXPIRED and fok.filled_size == 0


async def test_gtc_rests_then_fills_as_maker_when_the_book_moves() -> None:
    venue = paper("a", fees=VenueFees(maker=Decimal("-0.0001"), taker=Decimal("0.0005")))
    venue.set_book(BTC, bids=[(Decimal(99), Decimal(5))], asks=[(Decimal(101), Decimal(5))])
    resting = (
        await place(venue, order(Side.BUY, "1", "g1", price="100", tif=TimeInForce.GTC))
    ).unwrap()  # type: ignore[attr-defined]
    assert resting.status is OrderStatus.OPEN
    venue.set_book(BTC, bids=[(Decimal(98), Decimal(5))], asks=[(Decimal(100), Decimal(5))])
    done = (await outcome(venue.fetch_order(BTC, "g1"))).unwrap()
    assert done.status is OrderStatus.FILLED and done.average_price == 100
    assert venue.ledger(BTC).fees == Decimal("-0.01")  # a rebate
    post = await place(venue, order(Side.BUY, "1", "p1", price="100", tif=TimeInForce.POST_ONLY))
    assert isinstance(post, Failure) and isinstance(post.failure(), VenueRejected)


async def test_venue_rules_duplicates_and_reduce_only_are_enforced() -> None:
    venue = paper("a")
    off_lot = await place(venue, order(Side.BUY, "0.0005", "o1", price="60000"))
    assert "lot" in off_lot.failure().message  # type: ignore[attr-defined]
    off_tick = await place(venue, order(Side.BUY, "1", "o2", price="60000.05"))
    assert "tick" in off_tick.failure().message  # type: ignore[attr-defined]
    assert isinstance(await place(venue, order(Side.BUY, "1", "o3", price="60000")), Success)
    again = await place(venue, order(Side.BUY, "1", "o3", price="60000"))
    assert again.failure().code == "duplicate"  # type: ignore[attr-defined]
    grow = await place(venue, order(Side.BUY, "1", "o4", price="60000", reduce_only=True))
    assert grow.failure().code == "reduce"  # type: ignore[attr-defined]
    clipped = (
        await place(venue, order(Side.SELL, "3", "o5", price="40000", reduce_only=True))
    ).unwrap()  # type: ignore[attr-defined]
    assert clipped.filled_size == 1 and venue.position_size(BTC) == 0
    unknown = await outcome(venue.fetch_order(BTC, "nope"))
    assert isinstance(unknown.failure(), OrderNotFound)
    other = Symbol("DOGE")
    assert isinstance((await outcome(venue.fetch_order_book(other))).failure(), UnknownSymbol)


async def test_funding_settles_at_each_boundary_with_that_periods_rate() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc))
    venue = paper("a", clock=clock, rate=Decimal("0.0001"))
    venue.settle_due()  # first boundary: 08:00
    (await place(venue, order(Side.BUY, "2", "o1"))).unwrap()  # type: ignore[attr-defined]
    mark = venue.market_state(BTC).mark_price
    clock.set(datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc))
    assert venue.settle_due() == 1
    venue.set_funding_rate(BTC, Decimal("-0.0002"))
    venue.set_mark_price(BTC, Decimal(51_000))
    clock.set(datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc))  # crosses 16:00 and 00:00
    assert venue.settle_due() == 2
    ledger = venue.ledger(BTC)
    # Longs pay a positive rate, receive a negative one: -rate x size x mark.
    expected = -Decimal("0.0001") * 2 * mark + 2 * (Decimal("0.0002") * 2 * Decimal(51_000))
    assert ledger.funding == expected
    start, end = (
        datetime(2026, 3, 1, tzinfo=timezone.utc),
        datetime(2026, 3, 3, tzinfo=timezone.utc),
    )
    history = (await outcome(venue.fetch_funding_history(BTC, start, end))).unwrap()
    assert [r.rate for r in history] == [Decimal("0.0001"), Decimal("-0.0002"), Decimal("-0.0002")]
    payments = (await outcome(venue.fetch_funding_payments(start, end))).unwrap()
    assert sum(p.amount for p in payments) == expected
    kinds = [e.kind for e in venue.ledger_entries()]
    assert kinds.count(LedgerKind.FUNDING) == 3


async def test_interval_change_realigns_settlements() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc))
    venue = paper("a", clock=clock, rate=Decimal("0.0001"))
    venue.settle_due()
    venue.set_funding_rate(BTC, Decimal("0.0001"), interval=timedelta(hours=4))
    venue.settle_due()
    clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))
    assert venue.settle_due() == 3  # 04:00, 08:00, 12:00


async def test_advance_to_moves_the_clock_and_settles() -> None:
    clock = ManualClock(datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc))
    venue = paper("a", clock=clock, rate=Decimal("0.0001"))
    venue.settle_due()
    (await place(venue, order(Side.SELL, "1", "o1"))).unwrap()  # type: ignore[attr-defined]
    assert venue.advance_to(datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)) == 3
    assert clock() == datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)
    assert venue.ledger(BTC).funding == 3 * Decimal("0.0001") * PRICE


async def test_explicit_settlement_for_a_driver() -> None:
    venue = paper("a", auto_funding=False)
    (await place(venue, order(Side.SELL, "1", "o1"))).unwrap()  # type: ignore[attr-defined]
    payment = venue.settle_funding(BTC, T0, Decimal("0.001"))
    assert payment is not None and payment.amount == Decimal("0.001") * PRICE
    assert venue.ledger().funding == payment.amount


async def test_faults_down_latency_and_reads() -> None:
    venue = paper("a")
    venue.faults.down = True
    assert isinstance((await outcome(venue.fetch_positions())).failure(), NetworkError)
    sent = await place(venue, order(Side.BUY, "1", "o1"))
    assert isinstance(sent.failure(), NotSent)  # type: ignore[attr-defined]
    venue.faults.down = False
    venue.faults.read_failure_probability = 1.0
    assert isinstance((await outcome(venue.fetch_order(BTC, "o1"))).failure(), NetworkError)


async def test_state_persists_to_a_file_and_reloads(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    venue = paper("a", state_path=path, rate=Decimal("0.0001"))
    (await place(venue, order(Side.BUY, "1.5", "o1"))).unwrap()  # type: ignore[attr-defined]
    venue.settle_funding(BTC, T0)
    again = paper("a", state_path=path)
    assert again.position_size(BTC) == Decimal("1.5")
    assert again.balance() == venue.balance()
    assert again.ledger(BTC) == venue.ledger(BTC)
    assert [o.client_order_id for o in again.orders()] == ["o1"]
    assert again.market_state(BTC).funding_rate == Decimal("0.0001")


async def test_positions_report_a_cross_margin_liquidation_price() -> None:
    venue = paper("a")
    (await place(venue, order(Side.BUY, "1", "o1"))).unwrap()  # type: ignore[attr-defined]
    (position,) = (await outcome(venue.fetch_positions())).unwrap()
    assert position.liquidation_price is None  # 100k balance backs a 50k long fully
    (await place(venue, order(Side.SELL, "3", "o2"))).unwrap()  # type: ignore[attr-defined]
    (short,) = (await outcome(venue.fetch_positions())).unwrap()
    assert short.size == -2 and short.liquidation_price is not None
    assert short.liquidation_distance is not None and short.liquidation_distance > Decimal("0.5")


async def test_mirrors_another_venues_book_and_rates() -> None:
    source = paper("src", rate=Decimal("0.0003"))
    source.set_book(BTC, bids=[(Decimal(90), Decimal(1))], asks=[(Decimal(110), Decimal(1))])
    source.set_mark_price(BTC, Decimal(100))
    mirror = paper("a")
    assert isinstance(await mirror.sync_from(source), Success)
    assert mirror.book(BTC).best_ask == 110
    assert mirror.market_state(BTC).funding_rate == Decimal("0.0003")
    assert mirror.market_state(BTC).mark_price == 100


async def test_registry_builds_a_paper_venue_from_settings(tmp_path: Path) -> None:
    settings = VenueSettings(
        id=ExchangeIdentifier("paper1"),
        kind="paper",
        options={"symbols": "BTC,SOL", "price.SOL": "150", "funding_rate.SOL": "0.0002"},
    )
    client = build_client(settings).unwrap()
    assert isinstance(client, PaperVenue)
    sol = (await AtomicQueryer(client, Symbol("SOL")).get_funding_rate()).unwrap()
    assert sol.rate == Decimal("0.0002") and sol.mark_price == 150
    with pytest.raises(ValueError, match=r"price\.DOGE"):
        create(attrs_evolve(settings, {"symbols": "DOGE"}))


def attrs_evolve(settings: VenueSettings, options: dict[str, str]) -> VenueSettings:
    import attrs

    return attrs.evolve(settings, options=options)


def test_market_state_requires_a_mark() -> None:
    with pytest.raises(TypeError):
        PaperVenue("a", [market("a")])
    assert PaperMarketState(market("a"), PRICE).depth > 0
