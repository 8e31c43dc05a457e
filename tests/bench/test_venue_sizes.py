"""The size report's line counter (bench/venue_sizes.py) on snippets whose count is known."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.venue_sizes import logical_lines, module_sizes, report

SNIPPET = '''"""Module docstring,
over two lines."""

# a comment

import os  # code with a comment counts


class Thing:
    """Class docstring."""

    limit = 3
    """Attribute docstring."""

    def method(
        self,
        value: int,
    ) -> str:
        """Method docstring."""

        text = """not a docstring:
an assigned string counts, every line"""
        return text + str(value)
'''


def test_counts_code_lines_only() -> None:
    # import, class, limit, def (4 lines), text (2 lines), return
    assert logical_lines(SNIPPET) == 10


def test_blank_comment_and_docstring_only_source_is_zero() -> None:
    assert logical_lines('"""Only a docstring."""\n\n# and a comment\n') == 0


def test_a_statement_over_several_lines_counts_each_line() -> None:
    assert logical_lines("x = (\n    1,\n    2,\n)\n") == 4


def test_module_sizes_skips_missing_files() -> None:
    sources = {"a.py": "x = 1\n\ny = 2\n"}
    assert module_sizes(["a.py", "gone.py"], sources.get) == [("a.py", 3, 2)]


def test_report_reads_the_base_revision_from_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    old = tmp_path / "adapters" / "binance"
    old.mkdir(parents=True)
    (old / "client.py").write_text('"""Doc."""\n\nA = 1\nB = 2\nC = 3\n')
    git("add", ".")
    git("commit", "-q", "-m", "base")
    (old / "client.py").write_text("A = 1\n")
    (old / "factory.py").write_text("def create() -> None:\n    pass\n")
    lines = report(tmp_path, "HEAD")
    assert any(line.split()[:3] == ["binance", "at", "HEAD"] for line in lines)
    summary = lines[lines.index(next(line for line in lines if line.startswith("summary"))) :]
    assert "binance at HEAD" in summary[1] and summary[1].split()[-2:] == ["5", "3"]
    assert "binance now" in summary[2] and summary[2].split()[-2:] == ["3", "3"]
