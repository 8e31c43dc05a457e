"""Layer 3, the aggregators: many venues at once, one result per venue, keyed by venue name.

References: the seed design's ``position_agg.get_all_positions()`` ->
``{"grvt": Position(...), "lighter": Position(...), "binance": Position(...)}`` and
``get_total_exposure()``, with its documented deviation (each value a ``Result``: a venue
that failed is a ``Failure`` saying why, never a zero position); the decisions take the
output as it comes. Paper venues stand in for the venues (down ones included).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from returns.result import Failure, Success

from atomic_fp.aggregators import (
    FundingRateAggregator,
    IncompleteExposure,
    MarketAggregator,
    PositionAggregator,
)
from atomic_fp.decisions import FundingArbitrageDecision
from atomic_fp.errors import NetworkError, UnknownSymbol
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.per_venue import ByVenue
from tests.shell.helpers import BTC, CONFIG, paper

pytestmark = pytest.mark.anyio
GRVT, LIGHTER = ExchangeIdentifier("grvt"), ExchangeIdentifier("lighter")


def test_by_venue_reads_by_name_or_identifier_in_the_given_order() -> None:
    results = ByVenue([(LIGHTER, Success(2)), (GRVT, Failure(NetworkError("grvt", "reset")))])
    assert results["lighter"] == results[LIGHTER] == Success(2)
    # (mypy --strict flags `str in Mapping[ExchangeIdentifier, ...]`; the lookup works)
    assert "grvt" in results and GRVT in results  # type: ignore[comparison-overlap]
    assert "binance" not in results and "Not A Venue" not in results  # type: ignore[comparison-overlap]
    assert 3 not in results  # type: ignore[comparison-overlap]
    assert list(results) == [LIGHTER, GRVT] and results.names() == ("lighter", "grvt")
    with pytest.raises(KeyError):
        results["binance"]
    assert results.get("lighter") == Success(2) and results.get("binance") is None
    assert results.get("binance", Success(0)) == Success(0)
    assert "'lighter': <Success: 2>" in repr(results)


async def test_get_all_positions_is_keyed_by_venue_name_and_keeps_failures() -> None:
    grvt, lighter, down = paper("grvt"), paper("lighter"), paper("binance")
    down.faults.down = True
    queryers = {name: AtomicQueryer(v, BTC) for name, v in (("grvt", grvt), ("lighter", lighter))}
    queryers["binance"] = AtomicQueryer(down, BTC)
    await AtomicTrader(grvt, BTC).execute_trade("buy", 0.5)
    positions = await PositionAggregator(queryers).get_all_positions()
    assert positions.names() == ("grvt", "lighter", "binance")
    held = positions["grvt"].unwrap()
    assert held is not None and held.size == Decimal("0.5")
    assert positions["lighter"] == Success(None)  # flat: the venue said so
    assert isinstance(positions["binance"], Failure)  # unknown: never zero
    assert isinstance(positions["binance"].failure(), NetworkError)


async def test_total_exposure_is_a_number_only_when_every_venue_answered() -> None:
    grvt, lighter = paper("grvt"), paper("lighter")
    await AtomicTrader(grvt, BTC).execute_trade("buy", 0.5)
    await AtomicTrader(lighter, BTC).execute_trade("sell", 0.2)
    aggregator = PositionAggregator([AtomicQueryer(grvt, BTC), AtomicQueryer(lighter, BTC)])
    assert await aggregator.get_total_exposure() == Success(Decimal("0.3"))
    lighter.faults.down = True
    unknown = await aggregator.get_total_exposure()
    assert isinstance(unknown, Failure)
    incomplete = unknown.failure()
    assert isinstance(incomplete, IncompleteExposure)
    assert incomplete.counted == Decimal("0.5") and set(incomplete.uncounted) == {LIGHTER}
    assert "NOT COUNTED lighter" in incomplete.describe()
    report = await aggregator.exposure_report()  # the every-symbol report is still there
    assert not report.complete and report.net == {BTC: Decimal("0.5")}


async def test_rates_and_markets_for_the_queryers_symbol() -> None:
    grvt, lighter = paper("grvt", rate=Decimal("0.0001")), paper("lighter", rate=Decimal("0.0005"))
    queryers = {"grvt": AtomicQueryer(grvt, BTC), "lighter": AtomicQueryer(lighter, BTC)}
    rates = await FundingRateAggregator(queryers).get_all_rates()
    assert rates["grvt"].unwrap().rate == Decimal("0.0001")
    assert rates["lighter"].unwrap().rate == Decimal("0.0005")
    markets = await MarketAggregator(queryers).get_all_markets()
    assert markets["grvt"].unwrap().symbol == BTC
    doge = await FundingRateAggregator(queryers).get_all_rates(Symbol("DOGE"))
    assert isinstance(doge["grvt"].failure(), UnknownSymbol)


async def test_a_strict_quote_leaves_other_settlements_out() -> None:
    queryers = [AtomicQueryer(paper("grvt"), BTC)]
    strict = Symbol("BTC", "USDT", "PERP", strict_quote=True)
    markets = await MarketAggregator(queryers).get_all_markets(strict)
    assert isinstance(markets["grvt"].failure(), UnknownSymbol)  # the paper venue settles USD


async def test_the_decision_takes_the_aggregators_output_as_it_comes() -> None:
    grvt, lighter = paper("grvt", rate=Decimal("0.0001")), paper("lighter", rate=Decimal("0.0005"))
    queryers = {"grvt": AtomicQueryer(grvt, BTC), "lighter": AtomicQueryer(lighter, BTC)}
    signal = FundingArbitrageDecision.analyze_opportunity(
        rates=await FundingRateAggregator(queryers).get_all_rates(),
        positions=await PositionAggregator(queryers).get_all_positions(),
        config=CONFIG,
    )
    legs = [(str(leg.exchange), leg.side.value) for leg in signal.unwrap().legs]
    assert legs == [("grvt", "buy"), ("lighter", "sell")]


def test_a_key_contradicting_its_clients_id_is_refused() -> None:
    grvt = paper("grvt")
    with pytest.raises(
        ValueError, match="key 'lighter' does not match its client's venue id 'grvt'"
    ):
        PositionAggregator({"lighter": AtomicQueryer(grvt, BTC)})
    with pytest.raises(ValueError, match="queryers for different symbols"):
        PositionAggregator([AtomicQueryer(grvt, BTC), AtomicQueryer(paper("b"), Symbol("ETH"))])
    with pytest.raises(ValueError, match="venue grvt given twice"):
        PositionAggregator([grvt, grvt])


async def test_built_from_clients_the_symbol_is_an_argument() -> None:
    aggregator = PositionAggregator([paper("grvt")])
    with pytest.raises(TypeError, match="name the symbol, or build it from AtomicQueryers"):
        await aggregator.get_all_positions()
    assert (await aggregator.get_all_positions(BTC))["grvt"] == Success(None)
