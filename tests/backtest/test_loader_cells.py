"""The funding-history CSV read by cell position (``adapters/history/cell_rows.py``) loads
exactly what the record path loaded, and refuses exactly what it refused, with the same
``path:line: message``.

Reference: the record path itself (``csv.DictReader``'s records through
``row_from_record`` and the loader's collector, as ``load_csv`` read this format before),
on random files: columns in any order, with or without the optional
``contract_multiplier``, a duplicated column, cells valid and invalid (NaN, negative or
zero marks, naive times, empty venues, unknown intervals), short and long rows, blank
lines, and venue/symbol filters (hypothesis).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.history.format import COLUMNS, row_from_record
from adapters.history.loaders import Filters, _collect, _read_csv_records, load_csv
from atomic_fp.models import Symbol

_CELLS = {  # (valid, invalid) texts per column
    "venue": (["binance", " Bybit ", "hyperliquid", "okx"], [""]),
    "symbol": (["BTC/USD", "eth/usd", "1000PEPE/USD"], ["", "BTC-USD-X/"]),
    "venue_symbol": (["BTCUSDT", "", "1000PEPEUSDT", "ETH", " kPEPE "], []),
    "funding_time": (
        ["2025-01-01T00:00:00Z", "2025-01-01T08:00:00.000Z", "2025-01-01T08:00:00+02:00"],
        ["2025-01-01T00:00:00", "yesterday"],
    ),
    "rate": (["0.0001", "-0.00025", "0E-8", " 1e-4 "], ["NaN", "x"]),
    "interval_hours": (["8", "1", "4.0"], ["0", "-1", "eight"]),
    "mark_price": (["", "65000.5", "1E+3", "  "], ["0", "-1", "NaN"]),
    "contract_multiplier": (["", "1", "1000"], ["0", "-5", "abc"]),
}
_OPTIONAL = ["contract_multiplier", "extra"]


def _cell(draw: st.DrawFn, column: str) -> str:
    valid, invalid = _CELLS.get(column, (["", "z"], []))
    if invalid and draw(st.integers(0, 19)) == 0:  # about one bad cell in a row
        return draw(st.sampled_from(invalid))
    return draw(st.sampled_from(valid))


@st.composite
def _files(draw: st.DrawFn) -> str:
    header = list(COLUMNS) + draw(st.lists(st.sampled_from(_OPTIONAL), unique=True))
    header = draw(st.permutations(header))
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(header)))  # a duplicated column: the last wins
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        shape = draw(st.sampled_from(["full"] * 6 + ["short", "long", "blank"]))
        if shape == "blank":
            out.write("\n")
            continue
        cells = [_cell(draw, name) for name in header]
        if shape == "short":
            cells = cells[: draw(st.integers(1, len(cells) - 1))]
        elif shape == "long":
            cells += draw(st.lists(st.sampled_from(["", "9"]), min_size=1, max_size=2))
        writer.writerow(cells)
    return out.getvalue()


_filters = st.builds(
    Filters,
    venues=st.one_of(st.none(), st.sets(st.sampled_from(["binance", "bybit", "okx"]))),
    symbols=st.one_of(st.none(), st.sets(st.sampled_from([Symbol("BTC"), Symbol("ETH")]))),
)


def _by_records(path: Path, filters: Filters) -> object:
    _, records = _read_csv_records(path)
    return _collect(path, records, lambda r: row_from_record(r, str(path)), filters)


def _outcome(load: Callable[[], object]) -> object:
    """A loader's answer, comparable: the rows or the refusal, or the exception raised
    (the same type and text is the point)."""
    try:
        return ("result", load())
    except Exception as error:
        return ("raised", type(error), str(error))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_files(), filters=_filters)
def test_cells_load_and_refuse_what_records_did(
    tmp_path: Path, text: str, filters: Filters
) -> None:
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    by_cells = _outcome(lambda: load_csv(path, filters))
    by_records = _outcome(lambda: _by_records(path, filters))
    assert by_cells == by_records
    assert repr(by_cells) == repr(by_records)  # Decimals of the same exponent


def test_a_well_formed_file_is_read_and_a_bad_cell_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n"
        "binance,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,0.0001,8,65000\n"
        "\n"
        "bybit,BTC/USD,BTCUSDT,2025-01-01T00:00:00Z,NaN,8,\n",
        encoding="utf-8",
    )
    refused = load_csv(path)
    assert refused.failure() == f"{path}:3: rate must be finite, got 'NaN'"
    rows = load_csv(path, Filters(venues=["binance"])).unwrap()
    assert [(r.venue, r.symbol.base, str(r.rate), str(r.mark_price)) for r in rows] == [
        ("binance", "BTC", "0.0001", "65000")
    ]
