"""The width of ``atomic-fp --help``, without importing :mod:`shutil`.

click's help formatter asks ``shutil.get_terminal_size()`` for the terminal's width when
no width is given (``click.formatting.HelpFormatter``), and importing :mod:`shutil` loads
``bz2``, ``lzma`` and ``zlib`` with it: ~2 ms of the ~60 that ``--help`` may take (issue 20,
target 4), for one number. :func:`terminal_columns` is ``shutil.get_terminal_size()``'s
``columns`` computed the same way (CPython 3.11-3.13 ``Lib/shutil.py``): ``$COLUMNS`` when
it is a positive integer, else the width of the terminal on ``sys.__stdout__``, else 80
(also when the terminal reports 0); ``$LINES`` does not change the columns.
:func:`help_width` is then the width the formatter computes from it.
``tests/cli/test_help_width.py`` holds both to ``shutil``'s answer and the help text to the
one click writes with ``shutil``."""

from __future__ import annotations

import os
import sys

FALLBACK_COLUMNS = 80
"""``shutil.get_terminal_size``'s default fallback width."""


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (see the module's doc)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return FALLBACK_COLUMNS
    return size.columns or FALLBACK_COLUMNS


def help_width(max_width: int | None) -> int:
    """What ``click.formatting.HelpFormatter(width=None, max_width=max_width)`` takes as its
    width when click's ``FORCED_WIDTH`` is not set."""
    return max(min(terminal_columns(), 80 if max_width is None else max_width) - 2, 50)


__all__ = ["FALLBACK_COLUMNS", "help_width", "terminal_columns"]
