"""What a venue costs in code: logical lines per module and per venue package.

Run: ``python -m bench.venue_sizes [--base af4fca0]`` from the repository (a git checkout).
Prints a table and writes nothing.

A *logical line* here is a physical line that holds code: blank lines, comment-only lines
and docstrings (any statement that is a bare string literal: module, class, function and
attribute docstrings) are not counted; a statement spread over several lines counts each
line that holds part of it (what ``cloc`` calls "code"). Counting is pure: ``tokenize``
finds the lines that carry a token, ``ast`` finds the docstrings.

Compared (issue 17, "what it must show" 1):

- the four venue packages before the venue kit (``adapters/{binance,hyperliquid,grvt,
  lighter}/`` at ``--base``, read with ``git show``) and the same packages now;
- the packages written on the kit (Bybit, OKX, and any other venue package present now) and
  the kit itself;
- the test fake venues: the six hand-written servers at ``--base`` against the harness
  (``tests/harness/``) with the same four venues' ``tests/adapters/<venue>/fake_venue.py``
  and the reliability wire faults now (like for like), and with every venue's fake now.
"""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import sys
import tokenize
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

BASE = "af4fca0"
"""The last commit before the venue kit (issue 17)."""

OLD_VENUES = ("binance", "hyperliquid", "grvt", "lighter")
KIT_VENUES = ("bybit", "okx")

OLD_SERVERS = (
    "tests/adapters/binance/fake_server.py",
    "tests/adapters/grvt/server.py",
    "tests/adapters/hyperliquid/_venue.py",
    "tests/adapters/lighter/_server.py",
    "tests/reliability/wire.py",
    "tests/reliability/wire_hyperliquid.py",
)
"""The six hand-written test servers the harness replaced (1,880 raw lines at the base)."""

_NOT_CODE = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
)


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def logical_lines(source: str) -> int:
    """Lines of ``source`` that hold code (no blanks, comments or docstrings)."""
    docstrings = _docstring_lines(ast.parse(source))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in _NOT_CODE:
            continue
        code.update(range(token.start[0], token.end[0] + 1))
    return len(code - docstrings)


Reader = Callable[[str], str | None]
"""Reads a repository path (at some revision); ``None`` when it is not there."""


def working_tree(root: Path) -> tuple[Callable[[str], list[str]], Reader]:
    def files(prefix: str) -> list[str]:
        base = root / prefix
        if base.is_file():
            return [prefix]
        return sorted(str(p.relative_to(root)) for p in base.rglob("*.py")) if base.is_dir() else []

    def read(path: str) -> str | None:
        full = root / path
        return full.read_text(encoding="utf-8") if full.is_file() else None

    return files, read


def at_revision(root: Path, rev: str) -> tuple[Callable[[str], list[str]], Reader]:
    def git(*args: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return done.stdout if done.returncode == 0 else None

    def files(prefix: str) -> list[str]:
        listed = git("ls-tree", "-r", "--name-only", rev, "--", prefix) or ""
        return sorted(p for p in listed.splitlines() if p.endswith(".py"))

    def read(path: str) -> str | None:
        return git("show", f"{rev}:{path}")

    return files, read


def module_sizes(paths: Iterable[str], read: Reader) -> list[tuple[str, int, int]]:
    """``(path, raw lines, logical lines)`` of each readable module."""
    out: list[tuple[str, int, int]] = []
    for path in paths:
        text = read(path)
        if text is not None:
            out.append((path, len(text.splitlines()), logical_lines(text)))
    return out


def _table(
    title: str, rows: Sequence[tuple[str, int, int]], detail: bool, total: bool = True
) -> list[str]:
    lines = [f"{title:<58} {'raw':>6} {'logical':>8}"]
    if detail:
        lines += [f"  {path:<56} {raw:>6} {logic:>8}" for path, raw, logic in rows]
    if not total:
        return lines
    lines.append(f"  {'total':<56} {sum(r[1] for r in rows):>6} {sum(r[2] for r in rows):>8}")
    return lines


def report(root: Path, base: str, detail: bool = True) -> list[str]:
    now_files, now_read = working_tree(root)
    old_files, old_read = at_revision(root, base)
    out: list[str] = [f"venue code sizes: now (working tree) vs {base}", ""]
    summary: list[tuple[str, int, int]] = []

    def package(label: str, files: Callable[[str], list[str]], read: Reader, prefix: str) -> None:
        rows = module_sizes(files(prefix), read)
        if not rows:
            return
        out.extend([*_table(label, rows, detail), ""])
        summary.append((label, sum(r[1] for r in rows), sum(r[2] for r in rows)))

    for venue in OLD_VENUES:
        package(f"{venue} at {base}", old_files, old_read, f"adapters/{venue}")
    venues = sorted(
        p.name for p in (root / "adapters").iterdir() if p.is_dir() and (p / "factory.py").is_file()
    )
    for venue in venues:
        package(f"{venue} now", now_files, now_read, f"adapters/{venue}")
    package("venue kit now (adapters/kit)", now_files, now_read, "adapters/kit")

    old_servers = module_sizes(OLD_SERVERS, old_read)
    out.extend([*_table(f"hand-written test servers at {base}", old_servers, detail), ""])
    harness = module_sizes(now_files("tests/harness"), now_read)
    harness = [row for row in harness if not Path(row[0]).name.startswith("test_")]
    fakes = module_sizes((f"tests/adapters/{v}/fake_venue.py" for v in venues), now_read)
    out.extend([*_table("test harness + fake venues now", harness + fakes, detail), ""])
    same = {f"tests/adapters/{v}/fake_venue.py" for v in OLD_VENUES}
    like_for_like = harness + [row for row in fakes if row[0] in same]
    like_for_like += module_sizes(OLD_SERVERS[4:], now_read)  # the wire faults, now on it
    summary.append((f"test servers at {base}", *_sums(old_servers)))
    summary.append(("harness + the same servers now", *_sums(like_for_like)))
    summary.append(("harness + every fake venue now", *_sums(harness + fakes)))

    old = [row for row in summary if row[0].endswith(f" at {base}") and "test" not in row[0]]
    if old:
        mean = sum(row[2] for row in old) / len(old)
        out.append(f"mean logical lines of the {len(old)} venues at {base}: {mean:.0f}")
        for venue in KIT_VENUES:
            mine = [row for row in summary if row[0] == f"{venue} now"]
            if mine:
                share = mine[0][2] / mean
                out.append(f"  {venue} now: {mine[0][2]} logical lines = {share:.0%} of that")
        out.append("")
    out.extend(_table("summary", summary, True, total=False))
    return out


def _sums(rows: Sequence[tuple[str, int, int]]) -> tuple[int, int]:
    return sum(r[1] for r in rows), sum(r[2] for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", default=BASE, help="revision before the kit (%(default)s)")
    parser.add_argument("--root", default=".", help="the repository (default: current directory)")
    parser.add_argument("--summary", action="store_true", help="totals only, no modules")
    args = parser.parse_args(argv)
    print("\n".join(report(Path(args.root), args.base, detail=not args.summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
