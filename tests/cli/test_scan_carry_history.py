"""``scan --offline``'s bundled settled history (``scripts/scan_carry.py``, issue 20): the
rows are turned into :class:`FundingRate` models with each distinct ``interval_hours``
text converted once, and give exactly the models the row-by-row conversion gave before
(kept below as the oracle): on the bundled ``history.csv`` for every (venue, symbol) and
several windows, and (hypothesis) on generated rows, including the ones the conversion
refuses (a zero, negative, NaN or unreadable interval raises the same error)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adapters.history.format import hours_to_interval, parse_time
from adapters.snapshot import bundled_snapshot
from atomic_fp.models import FundingKind, FundingRate, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.scan_carry import _bundled_text, _BundledHistory

HEADER = "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price,contract_multiplier"


def oracle(
    text: str, key: tuple[str, str], symbol: Symbol, since: datetime, until: datetime
) -> tuple[FundingRate, ...]:
    """The conversion as ``_BundledHistory._build`` wrote it before (row by row)."""
    reader = csv.reader(text.splitlines())
    at = {name: i for i, name in enumerate(next(reader))}
    venue = ExchangeIdentifier(key[0])
    out = []
    for row in reader:
        if (row[at["venue"]], row[at["symbol"]].partition("/")[0]) != key:
            continue
        when = parse_time(row[at["funding_time"]])
        if not since < when <= until:
            continue
        mark = row[at["mark_price"]]
        out.append(
            FundingRate(
                exchange=venue,
                symbol=symbol,
                rate=Decimal(row[at["rate"]]),
                interval=hours_to_interval(Decimal(row[at["interval_hours"]])),
                kind=FundingKind.SETTLED,
                observed_at=when,
                funding_time=when,
                mark_price=Decimal(mark) if mark else None,
                venue_symbol=row[at["venue_symbol"]],
            )
        )
    return tuple(out)


def outcome(build: Any) -> tuple[str, Any]:
    try:
        return ("ok", build())
    except Exception as error:  # the refusal itself is compared
        return (type(error).__name__, str(error))


@pytest.mark.parametrize("days", [1, 7, 30, 400])
def test_bundled_history_gives_the_row_by_row_models(days: int) -> None:
    text = _bundled_text()
    until = bundled_snapshot().as_of
    since = until - timedelta(days=days)
    history = _BundledHistory(since, until, text)
    compared = 0
    for venue, symbol in history:
        built = history[(venue, symbol)]
        assert built == oracle(text, (venue, symbol.base), symbol, since, until)
        assert all(type(r.interval) is timedelta for r in built)
        compared += len(built)
    assert compared > (2000 if days == 7 else 0)


ROW = st.fixed_dictionaries(
    {
        "venue": st.sampled_from(["binance", "hyperliquid"]),
        "symbol": st.sampled_from(["BTC/USD", "ETH/USD"]),
        "hour": st.integers(0, 48),
        "rate": st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str),
        "hours": st.sampled_from(["1", "8", "4", "8.0", "0.5", "1.00", "0", "-8", "NaN", "x"]),
        "mark": st.sampled_from(["", "101.5", "2.2234"]),
    }
)


@given(st.lists(ROW, max_size=30))
def test_generated_rows_give_the_same_models_or_the_same_refusal(
    rows: list[dict[str, Any]],
) -> None:
    start = datetime(2025, 11, 1, tzinfo=timezone.utc)
    lines = [HEADER]
    for row in rows:
        when = (start + timedelta(hours=row["hour"])).isoformat().replace("+00:00", "Z")
        lines.append(
            f"{row['venue']},{row['symbol']},X,{when},{row['rate']},{row['hours']},{row['mark']},1"
        )
    text = "\n".join(lines)
    since, until = start + timedelta(hours=3), start + timedelta(hours=40)
    for venue, base in {(r["venue"], r["symbol"].partition("/")[0]) for r in rows}:
        history = _BundledHistory(since, until, text)  # fresh: no interval memo yet
        symbol = Symbol(base)
        key = (venue, base)
        got = outcome(lambda h=history, s=symbol, v=venue: h[(v, s)])
        expected = outcome(lambda k=key, s=symbol: oracle(text, k, s, since, until))
        assert got == expected
    with pytest.raises(KeyError):  # a pair with no row at all
        _BundledHistory(since, until, text)[("okx", Symbol("BTC"))]


def old_grouping(text: str) -> dict[tuple[str, str], list[list[str]]]:
    """How ``_BundledHistory`` grouped the text before it read plain lines itself: every
    row through ``csv.reader`` (the oracle of the pairs, their order and their fields)."""
    reader = csv.reader(text.splitlines())
    at = {name: i for i, name in enumerate(next(reader))}
    grouped: dict[tuple[str, str], list[list[str]]] = {}
    for row in reader:
        grouped.setdefault((row[at["venue"]], row[at["symbol"]].partition("/")[0]), []).append(row)
    return grouped


TEXT_ROW = st.tuples(
    st.sampled_from(["binance", "hyperliquid", "lighter"]),
    st.sampled_from(["BTC/USD", "ETH/USD", "ETH", "SOL/USDC"]),
    # a comma or a quote makes csv.writer quote the field: the csv.reader path
    st.sampled_from(["X", "BTCUSDT", "A,B", 'Q"T', ""]),
    st.integers(0, 48),
    st.sampled_from(["0.0001", "-0.00061319", "1E-5"]),
    st.sampled_from(["1", "8", "0.5"]),
    st.sampled_from(["", "101.5"]),
)


@given(
    st.lists(TEXT_ROW, max_size=25),
    st.lists(st.integers(0, 25), max_size=2),
    st.booleans(),
)
def test_plain_and_quoted_texts_group_as_csv_reader_did(
    rows: list[tuple[str, str, str, int, str, str, str]],
    empty_lines: list[int],
    trailing_newline: bool,
) -> None:
    """The pairs (in order), each pair's models, and a text's refusal (an empty line)
    are those of the reading through ``csv.reader`` alone, whether the text is plain (read
    as lines) or holds quoted fields (read by ``csv.reader``)."""
    import io

    start = datetime(2025, 11, 1, tzinfo=timezone.utc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    for venue, symbol, name, hour, rate, hours, mark in rows:
        when = (start + timedelta(hours=hour)).isoformat().replace("+00:00", "Z")
        writer.writerow([venue, symbol, name, when, rate, hours, mark, "1"])
    lines = buffer.getvalue().splitlines()
    for at in sorted(empty_lines, reverse=True):
        lines.insert(min(at + 1, len(lines)), "")
    text = "\n".join(lines) + ("\n" if trailing_newline else "")
    since, until = start + timedelta(hours=3), start + timedelta(hours=40)

    expected = outcome(lambda: old_grouping(text))
    got = outcome(lambda: _BundledHistory(since, until, text))
    assert got[0] == expected[0]  # built, or the same refusal
    if got[0] != "ok":
        assert got == expected
        return
    history, grouped = got[1], expected[1]
    assert [(venue, symbol.base) for venue, symbol in history] == list(grouped)
    assert len(history) == len(grouped)
    for venue, base in grouped:
        asked = Symbol(base)
        assert outcome(lambda v=venue, s=asked: history[(v, s)]) == outcome(
            lambda k=(venue, base), s=asked: oracle(text, k, s, since, until)
        )


def _old_lines_by_pair(
    lines: list[str], venue: int, symbol: int
) -> dict[tuple[str, str], list[str]]:
    """``scripts.scan_carry._lines_by_pair`` before its grouped-rows fast path (every
    line split)."""
    fields = max(venue, symbol) + 1
    out: dict[tuple[str, str], list[str]] = {}
    for line in lines[1:]:
        parts = line.split(",", fields)
        out.setdefault((parts[venue], parts[symbol].partition("/")[0]), []).append(line)
    return out


FIELD = st.sampled_from(["h", "hl", "B", "BTC/USD", "B/X", "", "x,y"])
"""Few values, so that rows repeat pairs, and fields that are prefixes of others."""


@example(["h,B,x", "h,BTC/USD,y"], (0, 1))  # a pair whose fields begin the next row's
@example(["h,B,x", "h,C", "h,B,y"], (0, 1))  # a row of exactly the pair's fields between
@given(
    st.lists(
        st.lists(FIELD, min_size=0, max_size=4).map(",".join) | st.sampled_from(["", ",", ",,"]),
        max_size=30,
    ),
    st.sampled_from([(0, 1), (1, 0), (0, 2), (2, 1)]),
)
def test_lines_group_by_pair_as_when_every_line_was_split(
    lines: list[str], columns: tuple[int, int]
) -> None:
    """Rows repeating the previous row's pair join its group without a split: the groups,
    their order and an ``IndexError`` for a line too short are as before."""
    from scripts.scan_carry import _lines_by_pair

    lines = ["header", *lines]
    expected = outcome(lambda: _old_lines_by_pair(lines, *columns))
    got = outcome(lambda: _lines_by_pair(lines, *columns))
    assert got == expected
    if got[0] == "ok":
        assert list(got[1]) == list(expected[1])  # the same order of pairs
