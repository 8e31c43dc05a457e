"""Loaders: our funding-history format, funding_rate_data (CSV and Parquet) and the
2020-2023 historical-funding-rates-fetcher CSVs with their +3 h local-time shift."""

from __future__ import annotations

import importlib.util
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from returns.result import Failure

from adapters.history.format import format_time, to_csv_text, write_csv
from adapters.history.loaders import Filters, load_csv, load_parquet, load_path
from atomic_fp.backtest.series import build_series
from atomic_fp.models import ExchangeIdentifier, FundingKind, FundingRate, Symbol
from tests.conftest import research_file

UTC = timezone.utc
DERIVED = "funding_rate_data/derived_csv"
FETCHER = "historical-funding-rates-fetcher/data/BTC-USDT"


def _settled(
    venue: str, base: str, when: datetime, rate: str, hours: int, mark: str | None
) -> FundingRate:
    return FundingRate(
        exchange=ExchangeIdentifier(venue),
        symbol=Symbol(base),
        rate=Decimal(rate),
        interval=timedelta(hours=hours),
        kind=FundingKind.SETTLED,
        observed_at=when,
        funding_time=when,
        mark_price=None if mark is None else Decimal(mark),
        venue_symbol=f"{base}USDT" if venue == "binance" else base,
    )


def test_format_round_trip(tmp_path: Path) -> None:
    t = datetime(2025, 8, 21, 8, tzinfo=UTC)
    rates = [
        _settled("binance", "BTC", t, "0.00007757", 8, "113836.8"),
        _settled("binance", "BTC", t + timedelta(hours=4), "-0.0000125", 4, None),
        _settled("hyperliquid", "PEPE", t, "0.0000125", 1, "0.012"),
    ]
    path = tmp_path / "history.csv"
    assert write_csv(path, rates) == 3
    rows = load_csv(path).unwrap()
    got = {(r.venue, r.symbol.base, r.funding_time, r.rate, r.interval, r.mark_price) for r in rows}
    assert got == {
        ("binance", "BTC", t, Decimal("0.00007757"), timedelta(hours=8), Decimal("113836.8")),
        ("binance", "BTC", t + timedelta(hours=4), Decimal("-0.0000125"), timedelta(hours=4), None),
        ("hyperliquid", "PEPE", t, Decimal("0.0000125"), timedelta(hours=1), Decimal("0.012")),
    }
    # deterministic text, sorted by venue, symbol, time
    assert to_csv_text(reversed(rates)) == path.read_text()
    assert format_time(t) == "2025-08-21T08:00:00.000Z"


def test_multiplier_from_venue_symbol(tmp_path: Path) -> None:
    path = tmp_path / "pepe.csv"
    path.write_text(
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "binance,PEPE,1000PEPEUSDT,2025-01-01T00:00:00Z,0.0001,8,0.012\n"
        "hyperliquid,PEPE,kPEPE,2025-01-01T00:00:00Z,0.00001,1,0.0121\n"
    )
    series = build_series(load_csv(path).unwrap()).series
    by_venue = {s.venue: s for s in series}
    assert by_venue["binance"].contract_multiplier == 1000
    assert by_venue["hyperliquid"].contract_multiplier == 1000
    # marks are kept per BASE unit: 0.012 per 1000 PEPE
    assert by_venue["binance"].marks[0] == Decimal("0.000012")


def test_cli_funding_history_output_loads(tmp_path: Path) -> None:
    """What ``atomic-fp funding-history`` writes (its own row writer) reads back here."""
    if importlib.util.find_spec("scripts.funding_history_run") is None:
        pytest.skip("the funding-history command is not there")
    from scripts.funding_history_command import COLUMNS
    from scripts.funding_history_run import _row, write_rows

    t = datetime(2026, 2, 10, 16, tzinfo=UTC)
    rates = [
        _settled("binance", "BTC", t, "0.0001", 8, "69223.5"),
        _settled("binance", "BTC", t + timedelta(hours=8), "-0.00002", 8, None),
    ]
    path = tmp_path / "cli.csv"
    write_rows(str(path), COLUMNS, [_row(r) for r in rates], parquet=False)
    rows = load_csv(path).unwrap()
    assert [(r.funding_time, r.rate, r.interval, r.mark_price) for r in rows] == [
        (t, Decimal("0.0001"), timedelta(hours=8), Decimal("69223.5")),
        (t + timedelta(hours=8), Decimal("-0.00002"), timedelta(hours=8), None),
    ]


def test_naive_time_and_bad_rows_are_refused(tmp_path: Path) -> None:
    header = "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
    naive = tmp_path / "naive.csv"
    naive.write_text(header + "binance,BTC,BTCUSDT,2025-01-01T00:00:00,0.0001,8,\n")
    result = load_csv(naive)
    assert isinstance(result, Failure)
    assert "naive.csv:2" in result.failure() and "UTC offset" in result.failure()
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "binance,BTC,BTCUSDT,2025-01-01T00:00:00Z,NaN,8,\n")
    assert "must be finite" in load_csv(bad).failure()
    unknown = tmp_path / "other.csv"
    unknown.write_text("a,b\n1,2\n")
    assert "unrecognised columns" in load_csv(unknown).failure()


def test_research_derived_csv() -> None:
    path = research_file(f"{DERIVED}/binance_BTC_USDT_funding_2025-08_2026-08.csv")
    rows = load_csv(path).unwrap()
    assert len(rows) == 1095
    first = rows[0]
    assert first.venue == "binance" and first.symbol == Symbol("BTC")
    assert first.funding_time == datetime(2025, 8, 21, 8, tzinfo=UTC)
    assert first.rate == Decimal("0.00007757")
    assert first.interval == timedelta(hours=8)
    assert first.mark_price == Decimal("113836.8")
    hl = load_csv(research_file(f"{DERIVED}/hyperliquid_BTC_USDC_funding_2025-08_2026-08.csv"))
    rows = hl.unwrap()
    assert len(rows) == 8785 and all(r.interval == timedelta(hours=1) for r in rows)
    assert all(r.mark_price is None for r in rows)


def test_research_directory_with_filters() -> None:
    directory = research_file(DERIVED)
    rows = load_path(directory, Filters(venues=["bybit"], symbols=[Symbol("ETH")])).unwrap()
    assert {(r.venue, r.symbol.base) for r in rows} == {("bybit", "ETH")}
    series = build_series(load_path(directory).unwrap())
    assert {(s.venue, s.symbol.base) for s in series.series} == {
        (v, b) for v in ("binance", "bybit", "hyperliquid") for b in ("BTC", "ETH", "SOL")
    }
    assert series.warnings == ()


def test_research_parquet_matches_csv_copy() -> None:
    pytest.importorskip("pyarrow")
    parquet = research_file("funding_rate_data/data/funding/venue=binance/data.parquet")
    loaded = load_parquet(parquet, Filters(symbols=[Symbol("BTC")])).unwrap()
    built = build_series(loaded)
    (series,) = built.series
    # BTCUSDT and BTCUSDC are different instruments: one is chosen and the other named
    assert series.venue_symbol == "BTCUSDT"
    assert any("BTCUSDC" in w for w in built.warnings)
    csv_rows = load_csv(
        research_file(f"{DERIVED}/binance_BTC_USDT_funding_2025-08_2026-08.csv")
    ).unwrap()
    assert series.times == tuple(r.funding_time for r in csv_rows)
    assert series.rates == tuple(r.rate for r in csv_rows)


def test_fetcher_csv_shift_to_utc() -> None:
    binance = load_csv(
        research_file(f"{FETCHER}/BTC-USDT_binance_2020-01-01_2024-01-01_funding_history.csv")
    ).unwrap()
    # the file says "2020-01-01 03:00:00.000": Binance's 00:00 UTC settlement at UTC+3
    assert binance[0].funding_time == datetime(2020, 1, 1, 0, tzinfo=UTC)
    assert binance[0].rate == Decimal("-0.00012359")
    assert {r.funding_time.hour for r in binance} == {0, 8, 16}
    assert binance[0].interval == timedelta(hours=8)
    kucoin = load_csv(
        research_file(f"{FETCHER}/BTC-USDT_kucoin_2021-01-01_2024-01-01_funding_history.csv")
    ).unwrap()
    assert {r.funding_time.hour for r in kucoin} == {4, 12, 20}  # KuCoin's UTC schedule
    gate = load_csv(
        research_file(f"{FETCHER}/BTC-USDT_gate_2020-01-01_2024-01-01_funding_history.csv")
    ).unwrap()
    assert gate[0].funding_time == datetime(2020, 1, 1, 0, tzinfo=UTC)  # already UTC
    dydx = load_csv(
        research_file(f"{FETCHER}/BTC-USDT_dydx_2022-01-01_2024-01-01_funding_history.csv")
    ).unwrap()
    assert dydx[0].funding_time == datetime(2022, 1, 1, 0, tzinfo=UTC)
    assert dydx[0].interval == timedelta(hours=1)
    # after the shift, binance and gate settle at the same UTC instants (binance's own
    # times carry a few milliseconds of jitter)
    assert {r.funding_time.replace(microsecond=0) for r in binance[:30]} <= {
        r.funding_time for r in gate
    }


def test_fetcher_file_filtered_out_is_empty_not_an_error() -> None:
    path = research_file(
        "historical-funding-rates-fetcher/data/ETH-USDT/"
        "ETH-USDT_binance_2020-01-01_2024-01-01_funding_history.csv"
    )
    assert load_csv(path, Filters(symbols=[Symbol("BTC")])).unwrap() == ()


def test_format_parquet_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from adapters.history.format import write_parquet

    t = datetime(2026, 6, 24, 0, 0, 0, 5000, tzinfo=UTC)
    rates = [
        _settled("binance", "ORDI", t, "-0.00123456", 4, "31.5"),
        _settled("binance", "ORDI", t + timedelta(hours=4), "0.0001", 8, None),
    ]
    path = tmp_path / "history.parquet"
    assert write_parquet(path, rates) == 2
    rows = load_parquet(path).unwrap()
    assert [(r.funding_time, r.rate, r.interval, r.mark_price) for r in rows] == [
        (t, Decimal("-0.00123456"), timedelta(hours=4), Decimal("31.5")),
        (t + timedelta(hours=4), Decimal("0.0001"), timedelta(hours=8), None),
    ]


def test_csv_records_are_read_as_csv_dictreader_reads_them(tmp_path: Path) -> None:
    """The loader's reader (``dict(zip(...))`` per row) against ``csv.DictReader`` on a
    file with blank lines, a short row, a long row and a quoted comma."""
    import csv

    from adapters.history.loaders import _read_csv_records

    path = tmp_path / "ragged.csv"
    path.write_text(
        'venue,symbol,rate\nbinance,BTC/USD,0.0001\n\nokx,"ETH,X",0.0002\n'
        "bybit,SOL/USD\nhyperliquid,BTC/USD,0.0003,extra,cells\n\n",
        encoding="utf-8",
    )
    header, records = _read_csv_records(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reference = csv.DictReader(handle)
        expected = list(reference)
        assert header == reference.fieldnames
    assert list(records) == expected
