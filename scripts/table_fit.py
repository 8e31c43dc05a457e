"""Making a table fit the terminal: drop the least important columns first, then cut
the last column's cells (with ``…``), never wrap a row.

``priority[i]`` ranks column ``i``: 0 is essential (never dropped); the highest number
goes first, and columns of equal priority go together (a long leg's APR without the short
leg's would mislead). The width is ``$COLUMNS`` when set (as for most Unix tools), else
the terminal's; output to a file or a pipe is not fitted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

GAP = 2
"""Spaces between two columns (as :func:`scripts.output.render_table` joins them)."""
MIN_CELL = 8


NOT_A_TERMINAL = 10_000
"""The width when output goes to a file or a pipe and ``$COLUMNS`` is unset: there is no
terminal to fit, so nothing is dropped or wrapped (a script reads every column)."""


def terminal_width() -> int:
    """``$COLUMNS`` when set, else the terminal's width, else :data:`NOT_A_TERMINAL`."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(20, int(columns))
    stream = sys.__stdout__
    if stream is None:
        return NOT_A_TERMINAL
    try:
        return max(20, os.get_terminal_size(stream.fileno()).columns)
    except (AttributeError, OSError, ValueError):
        return NOT_A_TERMINAL


def table_width(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    return sum(widths) + GAP * max(0, len(widths) - 1)


def fit_columns(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    priority: Sequence[int],
    width: int,
) -> list[int]:
    """The indices of the columns to keep, in their order, so the table is at most
    ``width`` wide (or as narrow as dropping allows: essential columns always stay)."""
    kept = list(range(len(headers)))
    for level in sorted({p for p in priority if p > 0}, reverse=True):
        if table_width([headers[i] for i in kept], [[r[i] for i in kept] for r in rows]) <= width:
            break
        kept = [i for i in kept if priority[i] != level]
    return kept


def fit_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    priority: Sequence[int] | None = None,
    width: int | None = None,
) -> tuple[list[str], list[list[str]], list[int]]:
    """``headers`` and ``rows`` narrowed to ``width`` (default: the terminal's), and the
    kept column indices (to select alignment and styles with)."""
    limit = terminal_width() if width is None else width
    kept = fit_columns(headers, rows, priority or [0] * len(headers), limit)
    new_headers = [headers[i] for i in kept]
    new_rows = [[row[i] for i in kept] for row in rows]
    overflow = table_width(new_headers, new_rows) - limit
    if overflow > 0 and new_headers:
        last = len(new_headers) - 1
        current = max([len(new_headers[last]), *(len(r[last]) for r in new_rows)])
        allowed = max(MIN_CELL, len(new_headers[last]), current - overflow)
        for row in new_rows:
            if len(row[last]) > allowed:
                row[last] = row[last][: allowed - 1] + "…"
    return new_headers, new_rows, kept
