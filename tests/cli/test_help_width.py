"""``atomic-fp --help`` is as wide as click makes it, without importing ``shutil``
(``scripts/help_width.py``; issue 20 target 4: ``shutil`` loads ``bz2``, ``lzma`` and
``zlib``, ~2 ms of the 60). The width is checked against ``shutil.get_terminal_size()``
and click's own ``HelpFormatter`` under the same environment and terminal (hypothesis), and
the help text of a real process against the text click writes through ``shutil``."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

import click
import pytest
from click.formatting import HelpFormatter
from hypothesis import given
from hypothesis import strategies as st

from scripts.cli import cli
from scripts.help_width import help_width, terminal_columns
from tests.cli.fresh_process import environment, run_atomic_fp

SETTINGS = st.one_of(
    st.none(),
    st.sampled_from(["", "0", "-5", "abc", " 90 ", "1", "49", "52", "100", "101", "3000"]),
    st.integers(-10, 400).map(str),
)
"""``$COLUMNS`` / ``$LINES``: unset, or any text (shutil reads positive integers only)."""

TERMINALS = st.one_of(
    st.tuples(st.integers(0, 400), st.integers(0, 100)),
    st.sampled_from([OSError, ValueError, AttributeError]),
)
"""What ``os.get_terminal_size`` answers: a size (0 columns included), or its failures."""


def _answer(terminal: Any) -> Any:
    def get_terminal_size(fd: int = 1) -> os.terminal_size:
        if isinstance(terminal, tuple):
            return os.terminal_size(terminal)
        raise terminal("no terminal")

    return get_terminal_size


@given(SETTINGS, SETTINGS, TERMINALS, st.sampled_from([None, 40, 80, 100, 200]))
def test_the_width_is_the_one_shutil_and_click_compute(
    columns: str | None, lines: str | None, terminal: Any, max_width: int | None
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("COLUMNS", columns), ("LINES", lines)):
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setattr(os, "get_terminal_size", _answer(terminal))
        assert terminal_columns() == shutil.get_terminal_size().columns
        assert help_width(max_width) == HelpFormatter(max_width=max_width).width


def test_without_standard_output_the_width_is_shutils_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "__stdout__", None)
    assert terminal_columns() == shutil.get_terminal_size().columns == 80


HELP_REPORT = """
report = {"code": code, "shutil": "shutil" in _sys.modules}
"""


@pytest.mark.parametrize("columns", [None, "45", "90", "140", "abc"])
def test_help_is_the_text_click_writes_and_loads_no_shutil(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = environment()
    env.pop("COLUMNS", None)
    monkeypatch.delenv("COLUMNS", raising=False)
    if columns is not None:
        env["COLUMNS"] = columns
        monkeypatch.setenv("COLUMNS", columns)
    report, stdout = run_atomic_fp("--help", probe="", report_code=HELP_REPORT, env=env)
    assert report == {"code": 0, "shutil": False}
    # click's own text: the group's help formatted through shutil's width, as for the
    # child, whose output is a pipe (not a terminal: os.get_terminal_size fails)
    monkeypatch.setattr(os, "get_terminal_size", _answer(OSError))
    with cli.make_context("atomic-fp", [], resilient_parsing=True) as ctx:
        expected = click.Group.get_help(cli, ctx)
    assert stdout == expected + "\n"
