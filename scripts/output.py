"""Rendering command results: tables on a terminal, plain text when piped, JSON and CSV.

Numbers leave as decimal strings (never floats): APRs and rates as fractions
(``"0.1095"`` for 10.95 %). Tables show percentages for people. Colours only on a
terminal and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal, getcontext
from typing import Any, TextIO

import click

FORMATS = ("table", "json", "csv")
_MAX_PLACES = Decimal("1e-12")


def dec(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string: no exponent, no trailing zeros, at most 12
    decimal places (``Decimal("0.10950000")`` -> ``"0.1095"``).

    A scan's JSON writes ~30 numbers per opportunity (issue 20, the cold tail), so the
    common case is read off ``str(value)`` (cheaper than ``as_tuple()`` and ``format``):
    without an exponent it has exactly ``-exponent`` digits after the point, and when its
    significant digits fit the context's precision (so ``normalize`` rounds nothing),
    dropping the fraction's trailing zeros is what ``normalize`` then ``format(..., "f")``
    give. Anything else (an exponent in the text, NaN, infinities, more digits than the
    precision, a subclass) takes the full path. Equality with the full path:
    tests/cli/test_output_dec.py (hypothesis)."""
    if value is None:
        return None
    if type(value) is Decimal:
        text = str(value)
        point = text.find(".")
        if point >= 0 and len(text) - point > 13 and "E" not in text:  # exponent < -12
            value = value.quantize(_MAX_PLACES)
            text = str(value)
            point = text.find(".")
        if "E" not in text and "N" not in text and "n" not in text:  # NaN, Infinity
            if len(text) > getcontext().prec:  # maybe more digits than normalize keeps
                digits = text.replace("-", "").replace(".", "").strip("0")
                if len(digits) > getcontext().prec:
                    return _dec_in_full(value)
            if point >= 0:
                text = text.rstrip("0").removesuffix(".")
            return "0" if text in ("-0", "0") else text
    return _dec_in_full(value)


def _dec_in_full(value: Decimal) -> str:
    if value.as_tuple().exponent < -12:  # type: ignore[operator]
        value = value.quantize(_MAX_PLACES)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def pct(value: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage for tables: ``0.1095`` -> ``10.95%``."""
    if value is None:
        return "-"
    return f"{(value * 100).quantize(Decimal(1).scaleb(-places)):f}%"


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def hours(value: timedelta) -> str:
    total = Decimal(value // timedelta(seconds=1)) / 3600
    return f"{dec(total)}h"


def age(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 120:
        return f"{sign}{seconds}s"
    if seconds < 7200:
        return f"{sign}{seconds // 60}m"
    if seconds < 172800:
        return f"{sign}{seconds // 3600}h"
    return f"{sign}{seconds // 86400}d"


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_colour(stream: TextIO | None = None) -> bool:
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


def resolve_format(requested: str | None) -> str:
    """``table`` on a terminal, else plain ``table`` too (without colours or borders);
    an explicit ``--format`` always wins."""
    return requested or "table"


def render_json(payload: Any) -> str:
    return json.dumps(payload, indent=2, default=_json_default) + "\n"


def render_json_of_models(payload: Any) -> str:
    """:func:`render_json`'s very text, written by orjson: for a report built only of
    strings, ints, bools, None, Decimals, datetimes, timedeltas, lists and dicts with string
    keys (``scan``'s). ``json.dumps`` with ``indent`` runs its pure-Python encoder, ~0.1 s
    for a 900-symbol scan's 400 KB (issue 20, the cold tail); orjson writes the same bytes
    for these types in a few ms. What it writes otherwise (floats, enums) would differ, so
    it is used only where none can appear; what it refuses (non-string keys, integers
    beyond 64 bits, lone surrogates, anything ``_json_default`` refuses) is written by
    :func:`render_json`. Equality: tests/cli/test_scan_json_output.py (hypothesis)."""
    import orjson  # only the JSON output pays for loading it

    from scripts.json_lines import _NON_ASCII, _escape

    # subclasses, datetimes and dataclasses go to ``_json_default`` as with ``json.dumps``
    options = (
        orjson.OPT_INDENT_2
        | orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )
    try:
        text = orjson.dumps(payload, default=_json_default, option=options).decode()
    except orjson.JSONEncodeError:
        return render_json(payload)
    if not text.isascii() or "\x7f" in text:
        text = _NON_ASCII.sub(_escape, text)  # json.dumps's ensure_ascii escapes
    return text + "\n"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return dec(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, timedelta):
        return dec(Decimal(value // timedelta(microseconds=1)) / 1_000_000)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def render_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    colour: bool = False,
    right: Sequence[bool] | None = None,
    styles: Sequence[Mapping[int, str]] | None = None,
    priority: Sequence[int] | None = None,
    width: int | None = None,
) -> str:
    """Aligned columns. ``right[i]``: right-align column ``i``. ``styles[row][col]``: a
    click colour name applied (only when ``colour``) after padding, so widths stay right.
    With ``priority`` the table is fitted to ``width`` (default: the terminal's) by
    dropping the columns of highest priority number first (see :mod:`scripts.table_fit`)."""
    if not rows:
        return ""
    if priority is not None:
        from scripts.table_fit import fit_table

        headers, fitted, kept = fit_table(headers, rows, priority, width)
        rows = fitted
        right = [right[i] for i in kept] if right else None
        if styles:
            position = {old: new for new, old in enumerate(kept)}
            styles = [{position[c]: s for c, s in row.items() if c in position} for row in styles]
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    align = right or [False] * len(headers)

    def line(cells: Sequence[str], row_styles: Mapping[int, str] | None = None) -> str:
        parts = []
        for i, cell in enumerate(cells):
            padded = cell.rjust(widths[i]) if align[i] else cell.ljust(widths[i])
            if colour and row_styles and i in row_styles:
                padded = click.style(padded, fg=row_styles[i])
            parts.append(padded)
        return "  ".join(parts).rstrip()

    header = line(headers)
    if colour:
        header = click.style(header, bold=True)
    out = [header]
    for index, row in enumerate(rows):
        out.append(line(row, styles[index] if styles else None))
    return "\n".join(out) + "\n"
