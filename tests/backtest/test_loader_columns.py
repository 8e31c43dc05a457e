"""The funding-history CSV read column by column (``adapters/history/column_reading.py``)
loads exactly what the earlier loader loaded and refuses exactly what it refused, with the
same ``path:line: message``, on any file.

Oracle: the loader as it was before the column reader (main e63394e), kept verbatim below
(``_read_csv_rows``, ``record_of``, ``row_from_cells``, ``collect_cells``, ``load_csv``:
``csv.reader`` cells parsed row by row). Compared on random files (hypothesis) -- well
formed ones, which the column reader must answer itself, and malformed or unusual ones:
bad cells (NaN, Infinity, negative or zero marks and intervals, naive or bad times, empty
or unknown venues, bad symbols and multipliers), exotic whitespace, digits and
underscores that ``Decimal`` reads, quoted cells (with commas and newlines
inside), short, long and blank rows, ``\\r\\n``, lone ``\\r``, NUL, a BOM, invalid UTF-8,
a tiny ``csv.field_size_limit``, duplicated and missing columns, any block size (so blocks
end mid-line and between ``\\r`` and ``\\n``), venue and symbol filters -- and on the real
bundled history (``adapters/snapshot/history.csv``, recorded from funding_rate_data), whole
and with one line mutated. Each comparison is of the loaded value with ``==`` and ``repr``
(Decimals of the same exponent; ``Symbol`` equality ignores the quote, ``repr`` does not)
and of the refusal's text.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from adapters.history import cell_rows, column_reading, loaders
from adapters.history.fetcher_format import FETCHER_COLUMNS, _load_fetcher
from adapters.history.format import (
    COLUMNS,
    instrument,
    interval_of,
    parse_decimal,
    parse_time,
    row_from_record,
)
from adapters.history.research_format import RESEARCH_COLUMNS, _filled, _research_row
from adapters.history.row_reading import ALL, Filters, RowsResult, _collect
from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import Symbol

BUNDLED = Path(__file__).resolve().parents[2] / "adapters" / "snapshot" / "history.csv"

# ---- the earlier loader, verbatim (main e63394e: adapters/history/loaders.py and
# ---- adapters/history/cell_rows.py); only this comment and _Filters' place are new


class _Filters(Protocol):
    def keep_venue(self, venue: str) -> bool: ...

    def keep_symbol(self, symbol: Any) -> bool: ...


def _read_csv_rows(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the non-blank rows of a CSV (the file is closed when they end)."""
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.reader(handle)
    header = next(reader, [])

    def rows() -> Iterator[list[str]]:
        with handle:
            for row in reader:
                if row:
                    yield row

    return header, rows()


def row_from_cells(
    cells: Sequence[str],
    columns: tuple[int, int, int | None, int | None, int, int, int, int | None],
    source: str,
) -> HistoryRow:
    """:func:`~adapters.history.format.row_from_record` of a full row, by position:
    ``columns`` are the indexes of venue, symbol, venue_symbol, contract_multiplier,
    funding_time, rate, interval_hours and mark_price (``None``: not in the header, read
    as the record path reads a missing key, an empty cell)."""
    at_venue, at_symbol, at_venue_symbol, at_multiplier, at_time, at_rate, at_interval, at_mark = (
        columns
    )
    symbol, venue_symbol, multiplier = instrument(
        cells[at_symbol],
        (cells[at_venue_symbol] if at_venue_symbol is not None else "") or "",
        (cells[at_multiplier] if at_multiplier is not None else "") or "",
    )
    mark_text = ((cells[at_mark] if at_mark is not None else "") or "").strip()
    mark = parse_decimal(mark_text, "mark_price") if mark_text else None
    if mark is not None and mark <= 0:
        raise ValueError(f"mark_price must be > 0, got {mark_text!r}")
    venue = cells[at_venue].strip().lower()
    if not venue:
        raise ValueError("venue is empty")
    return HistoryRow(
        venue=venue,
        symbol=symbol,
        venue_symbol=venue_symbol,
        contract_multiplier=multiplier,
        funding_time=parse_time(cells[at_time]),
        rate=parse_decimal(cells[at_rate], "rate"),
        interval=interval_of(cells[at_interval]),
        mark_price=mark,
        source=source,
    )


def record_of(header: list[str], row: list[str]) -> dict[Any, Any]:
    """The record ``csv.DictReader`` makes of ``row`` (the loader's record path)."""
    width = len(header)
    record: dict[Any, Any] = dict(zip(header, row, strict=False))
    if len(row) != width:
        if len(row) > width:
            record[None] = row[width:]
        else:
            for key in header[len(row) :]:
                record[key] = None
    return record


def collect_cells(
    path: Path, header: list[str], rows: Iterator[list[str]], filters: _Filters
) -> Result[tuple[HistoryRow, ...], str]:
    """Every row of a funding-history CSV (its header has every column of the format)."""
    position = {name: index for index, name in enumerate(header)}  # last wins, as in a dict
    columns = (
        position["venue"],
        position["symbol"],
        position.get("venue_symbol"),
        position.get("contract_multiplier"),
        position["funding_time"],
        position["rate"],
        position["interval_hours"],
        position.get("mark_price"),
    )
    at_venue = columns[0]
    width = len(header)
    source = str(path)
    keep_venue = filters.keep_venue
    keep_symbol = filters.keep_symbol
    out: list[HistoryRow] = []
    append = out.append
    line = 1
    try:
        for line, cells in enumerate(rows, start=2):  # noqa: B007 (line used in errors)
            if len(cells) != width:
                record = record_of(header, cells)
                venue = str(record.get("venue") or "").strip().lower()
                if venue and not keep_venue(venue):
                    continue
                row = row_from_record(record, source)
            else:
                venue = cells[at_venue].strip().lower()
                if venue and not keep_venue(venue):
                    continue
                row = row_from_cells(cells, columns, source)
            if keep_symbol(row.symbol):
                append(row)
    except (ValueError, KeyError, ArithmeticError, TypeError, csv.Error) as error:
        return Failure(f"{path}:{line}: {error}")
    return Success(tuple(out))


def load_csv(path: Path, filters: Filters = ALL) -> RowsResult:
    """A CSV in any of the recognised formats (ours read by cell position:
    :mod:`adapters.history.cell_rows`)."""
    try:
        header, rows = _read_csv_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        return Failure(f"{path}: cannot read: {error}")
    if all(column in header for column in COLUMNS):
        return collect_cells(path, header, rows, filters)
    records = (record_of(header, row) for row in rows)
    if all(column in header for column in RESEARCH_COLUMNS):
        return _collect(
            path, records, lambda r: _research_row(r, str(path), filters), filters
        ).bind(_filled(path))
    if all(column in header for column in FETCHER_COLUMNS):
        return _load_fetcher(path, records, filters)
    return Failure(
        f"{path}: unrecognised columns {header}; expected the funding-history format "
        f"({', '.join(COLUMNS)}), funding_rate_data, or historical-funding-rates-fetcher"
    )


# ---- end of the earlier loader


_CELLS = {  # (valid, invalid) texts per column; the invalid ones are refused by the loader
    "venue": (["binance", " Bybit ", "hyperliquid", "okx", "BINANCE"], ["", "  "]),
    "symbol": (["BTC/USD", "eth/usd", "1000PEPE/USD", "ETH", "BTC/USDT"], ["", "BTC-USD-X/"]),
    "venue_symbol": (["BTCUSDT", "", "1000PEPEUSDT", "ETH", " kPEPE ", "ETHUSDC"], []),
    "funding_time": (
        [
            "2025-01-01T00:00:00Z",
            "2025-01-01T08:00:00.000Z",
            "2025-01-01T08:00:00+02:00",
            " 2025-01-01T16:00:00Z",
            "2025-01-01T08:00:00.000001+00:00",
        ],
        ["2025-01-01T00:00:00", "yesterday", ""],
    ),
    "rate": (
        [
            "0.0001",
            "-0.00025",
            "0E-8",
            " 1e-4 ",
            "-0",
            "0.000012500",
            "1_0",
            "\u0661\u0662",
            "1e-4\x1c",
            "\u30001",
        ],
        ["NaN", "x", "Infinity", "-inf", "sNaN", "", "1 0", "1e-4\x00"],
    ),
    "interval_hours": (["8", "1", "4.0", " 8 ", "0.5"], ["0", "-1", "eight", "NaN", ""]),
    "mark_price": (["", "65000.5", "1E+3", "  ", "0.012000"], ["0", "-1", "NaN", "-0", "x"]),
    "contract_multiplier": (["", "1", "1000", " 10 "], ["0", "-5", "abc", "NaN"]),
}
_ODD = ['"binance"', "a,b", "x\ny", "\x00", "\r", "BTC/USD\r", "é", "\ufeff", "\u2028"]
_OPTIONAL = ["contract_multiplier", "extra"]
_HEADERS = [  # other formats and no format: the column reader must leave them alone
    ["settlement_ts", "venue", "symbol", "rate_raw", "interval_hours", "mark_price"],
    ["Symbol", "Date", "Funding Rate"],
    ["venue", "symbol"],
    [],
]


def _cell(draw: st.DrawFn, column: str, mood: str) -> str:
    valid, invalid = _CELLS.get(column, (["", "z", "0", "z" * 50], []))
    if mood != "clean":
        roll = draw(st.integers(0, 29))
        if roll == 0 and invalid:
            return draw(st.sampled_from(invalid))
        if roll == 1 and mood == "odd":
            return draw(st.sampled_from(_ODD))
    return draw(st.sampled_from(valid))


@st.composite
def _files(draw: st.DrawFn, mood: str | None = None) -> bytes:
    """A funding-history file's bytes. ``clean``: valid cells, every row full, no quotes,
    one line end; ``bad``: sometimes a refused cell, short, long and blank rows; ``odd``:
    besides, quoting, lone ``\\r``, NUL, BOM, invalid UTF-8 and other formats' headers."""
    mood = mood or draw(st.sampled_from(["clean", "bad", "odd"]))
    header = list(COLUMNS) + draw(st.lists(st.sampled_from(_OPTIONAL), unique=True))
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(header)))  # a duplicated column: the last wins
    if mood == "odd" and draw(st.integers(0, 9)) == 0:
        header = draw(st.sampled_from(_HEADERS))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    quote_all = mood == "odd" and draw(st.integers(0, 4)) == 0
    out = io.StringIO()
    writer = csv.writer(
        out, lineterminator=ending, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerow(header)
    # rows from a few instruments, often in runs (as files are written), sometimes not
    pool = [
        {name: _cell(draw, name, mood) for name in header} for _ in range(draw(st.integers(1, 3)))
    ]
    for _ in range(draw(st.integers(0, 12))):
        shape = "full"
        if mood != "clean":
            shape = draw(st.sampled_from(["full"] * 8 + ["short", "long", "blank"]))
        if shape == "blank":
            out.write(ending)
            continue
        base = draw(st.sampled_from(pool))
        cells = [
            base[name]
            if name in ("venue", "symbol", "venue_symbol", "contract_multiplier")
            and draw(st.integers(0, 3))
            else _cell(draw, name, mood)
            for name in header
        ]
        if shape == "short" and len(cells) > 1:
            cells = cells[: draw(st.integers(1, len(cells) - 1))]
        elif shape == "long":
            cells += draw(st.lists(st.sampled_from(["", "9"]), min_size=1, max_size=2))
        if mood == "odd" and draw(st.integers(0, 5)) == 0:
            out.write(",".join(cells) + draw(st.sampled_from(["\n", "\r\n", "\r"])))
        else:
            writer.writerow(cells)
    text = out.getvalue()
    if draw(st.booleans()):  # no line end after the last row
        text = text.rstrip("\r\n")
    data = text.encode("utf-8")
    if mood == "odd":
        if draw(st.integers(0, 9)) == 0:
            data = b"\xef\xbb\xbf" + data
        if draw(st.integers(0, 9)) == 0:
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00"])) + data[at:]
    return data


_filters = st.builds(
    Filters,
    venues=st.one_of(st.none(), st.sets(st.sampled_from(["binance", "bybit", "okx"]))),
    symbols=st.one_of(st.none(), st.sets(st.sampled_from([Symbol("BTC"), Symbol("ETH")]))),
)
_Reading = tuple[int, int]
"""The column reader's block size and rows per run from which it builds run by run."""
_DEFAULT: _Reading = (column_reading.BLOCK_CHARS, column_reading.RUN_ROWS)
_readings = st.tuples(
    st.sampled_from([1, 2, 3, 7, 16, 64, 200, column_reading.BLOCK_CHARS]),
    st.sampled_from([1, column_reading.RUN_ROWS, 10**9]),  # always, as shipped, never
)


@contextmanager
def _reading(reading: _Reading) -> Iterator[None]:
    block_chars, run_rows = reading
    with (
        mock.patch.object(column_reading, "BLOCK_CHARS", block_chars),
        mock.patch.object(column_reading, "RUN_ROWS", run_rows),
    ):
        yield


def _outcome(load: Callable[[], object]) -> tuple[object, ...]:
    """A loader's answer, comparable: the rows or the refusal, or the exception raised
    (the same type and text is the point)."""
    try:
        return ("result", load())
    except Exception as error:
        return ("raised", type(error), str(error))


def _both(path: Path, filters: Filters, reading: _Reading) -> tuple[object, object]:
    with _reading(reading):
        now = _outcome(lambda: loaders.load_csv(path, filters))
    before = _outcome(lambda: load_csv(path, filters))
    return now, before


def _assert_same(now: object, before: object) -> None:
    assert now == before
    assert repr(now) == repr(before)


_SETTINGS = settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(data=_files(), filters=_filters, reading=_readings, small_limit=st.booleans())
@example(
    data=b"venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
    b'"binance",BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,1\n',
    filters=ALL,
    reading=(64, column_reading.RUN_ROWS),
    small_limit=False,
).via("a quoted cell is unquoted by csv")
@example(
    data=b"venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\r\n"
    b"binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,1\r"
    b"binance,BTC/USD,BTCUSDT,2025-01-01T08:00:00Z,0.0001,8,1\r\n",
    filters=ALL,
    reading=(1, column_reading.RUN_ROWS),
    small_limit=False,
).via("a lone carriage return ends a line for csv")
@example(
    data=b"venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
    b"binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,1,binance\n"
    b"BTC/USD,BTCUSDT,2025-01-01T08:00:00Z,0.0001,8,\n",
    filters=ALL,
    reading=_DEFAULT,
    small_limit=False,
).via("a long row then a short one: as many commas in all, not in each line")
def test_the_loader_loads_and_refuses_what_the_earlier_loader_did(
    tmp_path: Path, data: bytes, filters: Filters, reading: _Reading, small_limit: bool
) -> None:
    path = tmp_path / "history.csv"
    path.write_bytes(data)
    limit = csv.field_size_limit()
    if small_limit:
        csv.field_size_limit(40)  # an "extra" cell may be 50 long
    try:
        now, before = _both(path, filters, reading)
    finally:
        csv.field_size_limit(limit)
    _assert_same(now, before)


@_SETTINGS
@given(data=_files(mood="clean"), filters=_filters, reading=_readings)
def test_a_well_formed_file_is_read_by_columns_as_the_earlier_loader_read_it(
    tmp_path: Path, data: bytes, filters: Filters, reading: _Reading
) -> None:
    """The column reader answers a clean file itself (not by handing it back)."""
    path = tmp_path / "history.csv"
    path.write_bytes(data)
    with _reading(reading):
        by_columns = column_reading.read_columns(path, filters)
    before = load_csv(path, filters)
    assert by_columns is not None
    _assert_same(Success(by_columns), before)


def test_the_bundled_real_history_is_read_by_columns_as_before(tmp_path: Path) -> None:
    """3,936 real settlements (recorded from funding_rate_data: five venues, 8 h and 1 h
    intervals, marks present and absent, a ``contract_multiplier`` column)."""
    for filters in (
        ALL,
        Filters(venues=["binance", "hyperliquid"]),
        Filters(symbols=[Symbol("BTC")]),
    ):
        by_columns = column_reading.read_columns(BUNDLED, filters)
        assert by_columns is not None
        _assert_same(Success(by_columns), load_csv(BUNDLED, filters))
    assert len(column_reading.read_columns(BUNDLED, ALL) or ()) == 3936


_BUNDLED_LINES = BUNDLED.read_text(encoding="utf-8").splitlines(keepends=True)
_MUTATIONS = [text for valid, invalid in _CELLS.values() for text in valid + invalid] + _ODD


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    line=st.integers(1, len(_BUNDLED_LINES) - 1),
    column=st.integers(0, 8),
    text=st.sampled_from(_MUTATIONS),
    filters=_filters,
)
def test_the_bundled_history_with_one_cell_changed_is_loaded_or_refused_as_before(
    tmp_path: Path, line: int, column: int, text: str, filters: Filters
) -> None:
    """One cell of one real line replaced (or one more cell, column 8): the first bad line
    of a long real file is named as before, whatever the memo learnt from the lines
    before it (the same texts repeat all over the file)."""
    cells = _BUNDLED_LINES[line].rstrip("\n").split(",")
    if column < len(cells):
        cells[column] = text
    else:
        cells.append(text)
    lines = list(_BUNDLED_LINES)
    lines[line] = ",".join(cells) + "\n"
    path = tmp_path / "history.csv"
    path.write_text("".join(lines), encoding="utf-8")
    now, before = _both(path, filters, _DEFAULT)
    _assert_same(now, before)


def _write(path: Path, rows: Sequence[str]) -> Path:
    path.write_text(",".join(COLUMNS) + "\n" + "".join(row + "\n" for row in rows))
    return path


def test_a_bad_line_after_good_lines_with_the_same_texts_is_the_one_named(
    tmp_path: Path,
) -> None:
    good = "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,65000"
    path = _write(
        tmp_path / "h.csv",
        [
            good,
            "binance,BTC/USD,BTCUSDT,2025-01-01T08:00:00Z,0.0001,8,-1",
            "binance,BTC/USD,BTCUSDT,2025-01-01T16:00:00,NaN,8,65000",
            good,
        ],
    )
    assert loaders.load_csv(path).failure() == f"{path}:3: mark_price must be > 0, got '-1'"
    assert load_csv(path).failure() == loaders.load_csv(path).failure()


def test_a_well_formed_file_is_not_read_row_by_row(tmp_path: Path) -> None:
    """Counted: the cell path is not called, and each distinct time text is parsed once
    (the file repeats it 3 times); an unusual file (a quoted cell) goes to the cell path."""
    rows = [
        f"{venue},BTC/USD,BTCUSDT,2025-01-0{day}T00:00:00Z,0.000{day},8,"
        for day in range(1, 6)
        for venue in ("binance", "bybit", "okx")
    ]
    path = _write(tmp_path / "h.csv", rows)
    parse_time.cache_clear()
    with (
        mock.patch.object(loaders, "collect_cells", wraps=cell_rows.collect_cells) as by_cells,
        mock.patch.object(column_reading, "parse_time", wraps=parse_time) as parsed,
    ):
        loaded = loaders.load_csv(path).unwrap()
        assert (by_cells.call_count, parsed.call_count, len(loaded)) == (0, 5, 15)
        quoted = _write(tmp_path / "q.csv", ['"binance"' + rows[0][len("binance") :]])
        assert loaders.load_csv(quoted).unwrap()[0].venue == "binance"
        assert by_cells.call_count == 1


def test_the_collector_is_paused_while_reading_and_restored_after(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", ["binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.1,8,"])
    seen: list[bool] = []

    def spy(text: str) -> object:
        seen.append(gc.isenabled())
        return parse_time(text)

    assert gc.isenabled()
    with mock.patch.object(column_reading, "parse_time", spy):
        assert column_reading.read_columns(path, ALL) is not None
        assert gc.isenabled()
        gc.disable()  # a caller that runs without the collector keeps it off
        try:
            assert column_reading.read_columns(path, ALL) is not None
            assert not gc.isenabled()
        finally:
            gc.enable()
    with mock.patch.object(column_reading, "parse_time", side_effect=RuntimeError("boom")):
        assert column_reading.read_columns(path, ALL) is None  # handed back on any error
    assert seen == [False, False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("text", "by_columns"),
    [
        (
            "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\r\n"
            "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.1,8,\r\n",
            True,
        ),
        (
            "\ufeffvenue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
            "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.1,8,\n",
            False,
        ),
        (
            "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
            "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.1,8\n",
            False,
        ),
        (
            "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
            "binance,BTC/USD,BTC\x00USDT,2025-01-01T00:00:00Z,0.1,8,\n",
            False,
        ),
        ("", False),
    ],
    ids=["crlf", "bom", "short-row", "nul", "empty"],
)
def test_which_files_the_column_reader_answers(tmp_path: Path, text: str, by_columns: bool) -> None:
    """``\\r\\n`` line ends are read by columns; a BOM (csv keeps it in the first column's
    name), a short row and a NUL are handed to the cell path; either way as before."""
    path = tmp_path / "h.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert (column_reading.read_columns(path, ALL) is not None) == by_columns
    _assert_same(*_both(path, ALL, _DEFAULT))


def test_an_unreadable_path_is_refused_as_before(tmp_path: Path) -> None:
    """A directory and a missing file: the column reader hands both back; the refusal
    text is the earlier loader's."""
    for path in (tmp_path, tmp_path / "missing.csv"):
        assert column_reading.read_columns(path, ALL) is None
        now, before = _both(path, ALL, _DEFAULT)
        _assert_same(now, before)
        assert "cannot read" in str(now)


def test_a_pipe_is_read_once_by_the_cell_path(tmp_path: Path) -> None:
    """``--data <(...)`` is a pipe (``/dev/fd/N``): it can be read once, so the column
    reader leaves it to the cell path, which loads or refuses it as before (review: the
    column reader drained it, then the cell path refused ``unrecognised columns []``)."""
    bundled = Path(__file__).resolve().parents[2] / "adapters" / "snapshot" / "history.csv"
    quoted = "\n".join(
        ",".join(f'"{cell}"' for cell in line.split(","))
        for line in bundled.read_text(encoding="utf-8").splitlines()[:30]
    )
    nan = "\n".join([*bundled.read_text(encoding="utf-8").splitlines()[:3], ""])
    nan = nan.replace(nan.splitlines()[2].split(",")[4], "NaN", 1)
    for text in (bundled.read_text(encoding="utf-8"), quoted + "\n", nan):
        regular = tmp_path / "regular.csv"
        regular.write_text(text, encoding="utf-8", newline="")
        read, write = os.pipe()
        writer = threading.Thread(target=_fill, args=(write, text.encode()))
        writer.start()
        try:
            piped = loaders.load_csv(Path(f"/dev/fd/{read}"))
        finally:
            writer.join()
            os.close(read)
        expected = loaders.load_csv(regular)
        if isinstance(expected, Success):
            rows = [row._replace(source="P") for row in piped.unwrap()]
            assert rows == [row._replace(source="P") for row in expected.unwrap()]
            assert rows
        else:
            assert str(piped.failure()).replace(f"/dev/fd/{read}", "P") == str(
                expected.failure()
            ).replace(str(regular), "P")


def _fill(descriptor: int, data: bytes) -> None:
    with os.fdopen(descriptor, "wb") as pipe, contextlib.suppress(BrokenPipeError):
        pipe.write(data)


def test_a_line_longer_than_the_field_limit_is_handed_back_when_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header, then 100 blocks without a ``\\n`` (``\\r``-only lines): the reader stops
    once the pending text reaches the field limit, not at the end of the file (counted
    in blocks read: before, every block was read and the pending text scanned again)."""
    header = "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
    line = "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,1\r"
    path = tmp_path / "h.csv"
    path.write_text(header + line * 400, encoding="utf-8", newline="")
    monkeypatch.setattr(column_reading, "BLOCK_CHARS", 64)
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kw: Any) -> Any:
        handle = real_open(self, *args, **kw)
        real_read = handle.read

        def read(size: int = -1) -> Any:
            reads.append(size)
            return real_read(size)

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", counting_open)
    limit = csv.field_size_limit()
    csv.field_size_limit(256)
    try:
        assert column_reading.read_columns(path, ALL) is None
    finally:
        csv.field_size_limit(limit)
    assert 4 <= len(reads) <= 6  # 256 / 64 blocks, not the file's 360


@pytest.mark.parametrize(
    "text",
    [
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "binance,BTC/USD,BTCUSDT\r,2025-01-01T00:00:00Z,0.0001,8,1\n",
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,0\n",
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,-0\n",
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price,"
        + "x" * 200
        + "\nbinance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,1,\n",
    ],
    ids=["lone-cr-inside-a-line", "zero-mark", "negative-zero-mark", "header-cell-past-limit"],
)
def test_what_the_old_path_refuses_the_column_reader_does_not_answer(
    tmp_path: Path, text: str
) -> None:
    """Three safety checks of the reader no generated file reached (review's mutants):
    each file is refused by the cell path, so the column reader must hand it back."""
    path = tmp_path / "h.csv"
    path.write_text(text, encoding="utf-8", newline="")
    limit = csv.field_size_limit()
    csv.field_size_limit(100)
    try:
        assert column_reading.read_columns(path, ALL) is None
        now, before = _both(path, ALL, _DEFAULT)
    finally:
        csv.field_size_limit(limit)
    _assert_same(now, before)
    assert isinstance(now, tuple) and isinstance(now[1], Failure), now
