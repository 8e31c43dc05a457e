"""The funding-history CSV read column by column: each distinct text parsed once.

A year of hourly history for 60 series is 220,000 rows, but only ~8,760 distinct times,
a handful of venues, instruments and intervals: most cells repeat. The cell path
(:mod:`adapters.history.cell_rows`) parsed every row in Python (3.6M Python calls for the
benchmark's file). Here a block of whole lines is cut into cells by ``str.split`` and read
column by column (116K calls):

- rows come in runs with the same venue, symbol, venue_symbol, contract_multiplier and
  interval_hours texts (files are written per instrument); each distinct run is parsed
  once, by the cell path's functions (``instrument``, ``interval_of``);
- each distinct time text is parsed once (:func:`~adapters.history.format.parse_time`),
  each distinct mark once; rates are parsed as
  :func:`~adapters.history.format.parse_decimal` does (``Decimal(text.strip())``,
  finite), over the column at once;
- the rows are built from the columns without a Python call per row.

**This reader only answers when it can vouch that the cell path's answer is the same.**
It returns ``None`` -- and the caller reads the file by the cell path, which loads it or
refuses it, with the same ``path:line: message``, as before -- whenever anything is
unusual:

- the header is not the funding-history format (the research formats are read elsewhere);
- a ``"`` (csv quoting), a ``\\r`` other than in ``\\r\\n`` line ends, or a NUL anywhere;
- a header cell, or a line, as long as ``csv.field_size_limit()`` (the csv module
  refuses a longer field);
- a non-blank line whose cell count is not the header's (the cell path reads it as a
  record, with ``None`` for missing cells);
- any cell that the cell path would refuse (an empty venue, a bad time, rate, interval,
  mark, symbol or multiplier) in a row the venue filter keeps;
- any exception at all while reading (unreadable file, invalid UTF-8, ...).

Without quotes, lone ``\\r`` and NUL, ``csv.reader`` (excel dialect, which the loader
uses) splits a line at its commas and nothing else (a blank line gives ``[]``, which the
loader's ``rows()`` skips, as this reader skips blank lines); so the cells
are the same and, no cell being refused, the cell path would load the same rows in the
same order. A refusal is never decided here, so which bad line is named first cannot
change. ``tests/backtest/test_loader_columns.py`` compares this reader with the earlier
loader, kept verbatim there, over random well-formed and malformed files.

The garbage collector is paused while a file is read (the reader makes no reference
cycles; the 220,000 rows it makes are all alive at the end, so every young collection
walked them for nothing: about a tenth of loading).
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from itertools import chain, compress, count, islice, repeat
from operator import itemgetter, ne, sub
from pathlib import Path
from typing import Any, Protocol, TypeVar

from adapters.history.format import COLUMNS, instrument, interval_of, parse_time
from atomic_fp.backtest.series import HistoryRow

BLOCK_CHARS = 1 << 16
"""About how many characters of the file are cut into cells at once (a block's cells
stay in the processor's caches; below ``csv.field_size_limit()``'s default, so a block
shorter than the limit needs no per-line length check)."""

_new_row: Callable[[tuple[Any, ...]], HistoryRow] = partial(tuple.__new__, HistoryRow)
"""``HistoryRow(*fields)`` without a Python frame per row (a ``NamedTuple`` is a tuple)."""

_K = TypeVar("_K", bound=Hashable)

RUN_ROWS = 8
"""From this many rows per run on average, a block's rows are built run by run (a run:
rows with the same venue, symbol, venue_symbol, multiplier and interval texts, as files
are written); below it (rows interleaved), field by field."""

_Run = tuple[str, Any, str, Decimal | None, Any, bool, bool]
"""A run's venue, symbol, venue_symbol, multiplier and interval, whether the venue filter
keeps its rows, and whether both filters do."""


class _Filters(Protocol):
    def keep_venue(self, venue: str) -> bool: ...

    def keep_symbol(self, symbol: Any) -> bool: ...


class Unvouched(Exception):
    """Something this reader does not vouch for: the cell path must read the file."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection inside (if it was enabled, it is enabled again after). The
    switch is the process's: loads run on the main thread (``backtest``, the store), so
    no other thread's ``gc.disable()`` is undone meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cells_of_line(line: str) -> list[str] | None:
    """The header's cells, as ``csv.reader`` reads them, when nothing in the line needs
    the csv module (``None`` otherwise)."""
    if line.endswith("\r\n"):
        line = line[:-2]
    elif line.endswith("\n"):
        line = line[:-1]
    if not line or '"' in line or "\r" in line or "\x00" in line:
        return None
    cells = line.split(",")
    return cells if max(map(len, cells)) < csv.field_size_limit() else None


def _plain_lines(text: str, commas: int) -> list[str]:
    """The non-blank lines of ``text`` (whole lines) without their line ends, each checked
    to hold exactly ``commas`` commas and nothing the csv module would read differently."""
    if '"' in text or "\x00" in text:
        raise Unvouched
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            raise Unvouched
        text = text.replace("\r\n", "\n")
    lines = list(filter(None, text.split("\n")))
    if not lines:
        return lines
    limit = csv.field_size_limit()
    if len(text) >= limit and max(map(len, lines)) >= limit:
        raise Unvouched
    if set(map(str.count, lines, repeat(","))) != {commas}:
        raise Unvouched
    return lines


def _learn(memo: dict[_K, Any], keys: Iterable[_K], parse: Callable[[_K], Any]) -> None:
    """Parse the keys not in ``memo`` yet (an exception ends the reading: the caller's
    ``except`` answers ``None``)."""
    for key in set(keys).difference(memo):
        memo[key] = parse(key)


def _run_starts(columns: list[list[str]]) -> list[int]:
    """Where a run of rows with the same texts in all ``columns`` starts (0 first)."""
    changes: set[int] = set()
    for column in columns:
        if column.count(column[0]) != len(column):  # else: the same text all along
            changes.update(compress(count(1), map(ne, column, islice(column, 1, None))))
    return [0, *sorted(changes)]


def _spread(values: Iterable[Any], lengths: Iterable[int]) -> Iterator[Any]:
    """Each run's value, repeated for each of its rows."""
    return chain.from_iterable(map(repeat, values, lengths))


class _Columns:
    """The per-file memos and the rows read so far."""

    def __init__(self, header: list[str], filters: _Filters, source: str) -> None:
        position = {name: index for index, name in enumerate(header)}  # last wins
        self.width = len(header)
        self.run_at = [
            position["venue"],
            position["symbol"],
            position.get("venue_symbol"),
            position.get("contract_multiplier"),
            position["interval_hours"],
        ]
        self.at_time = position["funding_time"]
        self.at_rate = position["rate"]
        self.at_mark = position.get("mark_price")
        self.filters = filters
        self.source = source
        self.runs: dict[tuple[str, ...], _Run] = {}
        self.times: dict[str, Any] = {}
        self.marks: dict[str, Decimal | None] = {}
        self.rows: list[HistoryRow] = []

    def _run(self, texts: tuple[str, ...]) -> _Run:
        """What the cell path makes of a row's venue, symbol, venue_symbol,
        contract_multiplier and interval_hours texts (a row the venue filter drops is not
        parsed further)."""
        venue_text, symbol_text, venue_symbol_text, multiplier_text, interval_text = texts
        venue = venue_text.strip().lower()
        if not venue:  # the cell path refuses the row ("venue is empty")
            raise Unvouched
        if not self.filters.keep_venue(venue):
            return venue, None, "", None, None, False, False
        symbol, venue_symbol, multiplier = instrument(
            symbol_text, venue_symbol_text, multiplier_text
        )
        interval = interval_of(interval_text)
        keep = self.filters.keep_symbol(symbol)
        return venue, symbol, venue_symbol, multiplier, interval, True, keep

    def _mark(self, text: str) -> Decimal | None:
        """:func:`~adapters.history.format.parse_decimal` of a non-blank mark, > 0."""
        stripped = text.strip()
        if not stripped:
            return None
        value = Decimal(stripped)
        if not value.is_finite() or value <= 0:
            raise Unvouched
        return value

    def add(self, text: str) -> None:
        """Read the rows of whole lines of the file."""
        width = self.width
        lines = _plain_lines(text, width - 1)
        if not lines:
            return
        cells = ",".join(lines).split(",")
        starts = _run_starts([cells[at::width] for at in self.run_at if at is not None])
        run_keys = list(
            zip(
                *(
                    repeat("") if at is None else [cells[width * s + at] for s in starts]
                    for at in self.run_at
                ),
                strict=False,  # repeat(""): a column the file does not have
            )
        )
        _learn(self.runs, run_keys, self._run)
        runs = list(map(self.runs.__getitem__, run_keys))
        lengths = list(map(sub, [*starts[1:], len(lines)], starts))

        def column(at: int) -> list[str]:
            return cells[at::width]

        if not all(map(itemgetter(5), runs)):  # the venue filter drops rows: unparsed
            kept_rows = list(_spread(map(itemgetter(5), runs), lengths))
            lengths = list(compress(lengths, map(itemgetter(5), runs)))
            runs = list(compress(runs, map(itemgetter(5), runs)))

            def column(at: int) -> list[str]:
                return list(compress(cells[at::width], kept_rows))

        time_texts = column(self.at_time)
        times = list(map(self.times.get, time_texts))
        if not all(times):  # a time not seen yet (a datetime is never false)
            _learn(self.times, time_texts, parse_time)
            times = list(map(self.times.__getitem__, time_texts))
        rates = list(map(Decimal, map(str.strip, column(self.at_rate))))
        if not all(map(Decimal.is_finite, rates)):
            raise Unvouched
        marks: list[Decimal | None] | None = None
        if self.at_mark is not None:
            mark_texts = column(self.at_mark)
            _learn(self.marks, mark_texts, self._mark)
            marks = list(map(self.marks.__getitem__, mark_texts))
        self._build(runs, lengths, times, rates, marks)

    def _build(
        self,
        runs: list[_Run],
        lengths: list[int],
        times: list[Any],
        rates: list[Decimal],
        marks: list[Decimal | None] | None,
    ) -> None:
        """The rows of a block from its runs and parsed columns."""
        source = repeat(self.source)
        if len(runs) * RUN_ROWS <= len(times):  # long runs: run by run
            start = 0
            for run, length in zip(runs, lengths, strict=True):
                end = start + length
                if run[6]:  # else the symbol filter drops the run (parsed, as before)
                    venue, symbol, venue_symbol, multiplier, interval, _, _ = run
                    self.rows.extend(
                        map(
                            _new_row,
                            zip(
                                repeat(venue),
                                repeat(symbol),
                                repeat(venue_symbol),
                                repeat(multiplier),
                                times[start:end],
                                rates[start:end],
                                repeat(interval),
                                repeat(None) if marks is None else marks[start:end],
                                source,
                                strict=False,  # the repeats: as long as the slices
                            ),
                        )
                    )
                start = end
            return
        rows = map(
            _new_row,
            zip(
                *(_spread(map(itemgetter(field), runs), lengths) for field in range(4)),
                times,
                rates,
                _spread(map(itemgetter(4), runs), lengths),
                repeat(None) if marks is None else marks,
                source,
                strict=False,
            ),
        )
        if all(map(itemgetter(6), runs)):
            self.rows.extend(rows)
        else:  # the symbol filter drops rows (parsed: the cell path parsed them too)
            self.rows.extend(compress(rows, _spread(map(itemgetter(6), runs), lengths)))


def read_columns(path: Path, filters: _Filters) -> tuple[HistoryRow, ...] | None:
    """Every row of a funding-history CSV, or ``None`` when this reader does not vouch
    for the answer (see the module's docstring): the caller then reads the file by the
    cell path, which loads or refuses it exactly as before.

    Only a regular file is read here: a pipe (``--data <(...)``, ``/dev/fd/N``) can be
    read once, and the cell path, reading it after a hand-back, found it drained (review:
    a file that loaded was refused as ``unrecognised columns []``). A line longer than
    ``csv.field_size_limit()`` is handed back as soon as it is seen, before it is read
    to its end (a file of ``\r``-only lines cost CPU quadratic in its size)."""
    try:
        if not path.is_file():
            return None
        limit = csv.field_size_limit()
        with collector_paused(), path.open(newline="", encoding="utf-8") as handle:
            header = _cells_of_line(handle.readline())
            if header is None or not all(column in header for column in COLUMNS):
                return None
            columns = _Columns(header, filters, str(path))
            carry = ""
            while chunk := handle.read(BLOCK_CHARS):
                text = carry + chunk
                cut = text.rfind("\n") + 1
                carry = text[cut:]
                if len(carry) >= limit:
                    return None  # a line this long: handed back, the cell path decides
                if cut:
                    columns.add(text[:cut])
            if carry:
                columns.add(carry)
            return tuple(columns.rows)
    except Exception:  # anything unusual: the cell path decides
        return None


__all__ = ["BLOCK_CHARS", "RUN_ROWS", "collector_paused", "read_columns"]
