"""``scripts.regex_code_cache``: the regular expressions a ``scan`` compiles are built by
the next process from what ``re`` stored in the code cache file, not compiled again
(issue 20: ~110 patterns, ~20 ms of CPU in a live scan). A pattern built from the cache is
the one ``re`` compiles (``Pattern.__eq__`` compares flags, pattern and program; the groups
and the matches are compared too), for listed and generated patterns, ``str`` and
``bytes``; a pattern ``re`` refuses raises the same error and is never stored; a damaged
entry is ignored; in real processes the second ``scan --offline`` parses no pattern after
the cache is installed and prints the same bytes. Counts and equality, never timings."""

from __future__ import annotations

import importlib
import marshal
import re
import tempfile
from pathlib import Path
from typing import Any

import attr._make
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.attrs_code_cache import CodeCache, _future_flags
from scripts.regex_code_cache import _key, install_for_re
from tests.cli.fresh_process import environment, run_atomic_fp

COMPILER = importlib.import_module("re._compiler")
ORIGINAL = COMPILER.compile
REAL_SRE = COMPILER._sre

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?:[Tt ](\d\d):(\d\d))?", 0),
    (r"(?P<key>[A-Za-z_][\w-]*)\s*=\s*(?P<value>.+?)\s*$", int(re.MULTILINE)),
    (
        r"""0(?:x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*)   # hex
         |[+-]?(?:0|[1-9](?:_?[0-9])*)""",
        int(re.VERBOSE),
    ),
    (r"(?i)straße|ǅ|\bword\b", 0),
    (r"(?<=a)b(?!c)(?=d)|(?<!x)y", int(re.IGNORECASE | re.ASCII)),
    (r"(?>a+)b|c++d|e*+", 0),
    (r"(a)|(?P<b>b)(?(b)c|d)", 0),
    (rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", 0),
    (rb"(?P<name>[^\x00-\x1f:]+):[ \t]*(?P<value>.*?)[ \t]*\r?\n", int(re.IGNORECASE)),
    ("", 0),
    ("[\ud800-\udfff]|\udc80", 0),  # lone surrogates (re.escape of a surrogateescape'd name)
]
"""Dates and numbers (tomllib's kind), named groups, verbose and case-folded text, look
arounds, atomic and possessive repeats, conditionals, ``bytes`` grammars (h11's kind)."""

SAMPLES = ["2025-12-03T15:12", "key = value\nother=2", "0x1F_2 -42", "STRASSE word ǆ", "abd y",
           "aaab cccd", "abc bd", "ok", ""]  # fmt: skip


def _matches(pattern: re.Pattern[Any]) -> list[object]:
    texts: list[Any] = SAMPLES if isinstance(pattern.pattern, str) else [
        s.encode("utf-8") for s in SAMPLES
    ] + [b"Host: example\r\n"]  # fmt: skip
    return [[m.span() for m in pattern.finditer(t)] for t in texts]


def _same(built: re.Pattern[Any], reference: re.Pattern[Any]) -> None:
    assert built == reference  # flags, pattern and program
    assert (built.groups, dict(built.groupindex), built.flags) == (
        reference.groups,
        dict(reference.groupindex),
        reference.flags,
    )
    assert _matches(built) == _matches(reference)


def _cache(tmp_path: Path) -> CodeCache:
    return CodeCache(tmp_path / "attrs-code-test.marshal", _future_flags(attr._make))


def _installed(cache: CodeCache, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``re._compiler.compile`` through ``cache``; both globals restored after the test."""
    monkeypatch.setattr(COMPILER, "compile", ORIGINAL)
    monkeypatch.setattr(COMPILER, "_sre", REAL_SRE)
    assert install_for_re(cache)
    return COMPILER.compile


def test_patterns_built_from_the_cache_are_the_ones_re_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = [ORIGINAL(pattern, flags) for pattern, flags in PATTERNS]
    first = _cache(tmp_path)
    through = _installed(first, monkeypatch)
    for (pattern, flags), reference in zip(PATTERNS, references, strict=True):
        _same(through(pattern, flags), reference)
    assert first.stores == len(PATTERNS)  # each compiled once and stored
    first.save()
    again = _cache(tmp_path)
    through = _installed(again, monkeypatch)
    parser = importlib.import_module("re._parser")
    real_parse = parser.parse
    parsed: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args[0])
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(parser, "parse", counted)
    built = [through(pattern, flags) for pattern, flags in PATTERNS]
    monkeypatch.setattr(parser, "parse", real_parse)
    assert parsed == []  # every one built from the file, none parsed
    assert again.stores == 0
    for pattern, reference in zip(built, references, strict=True):
        _same(pattern, reference)


PIECES = st.sampled_from(
    [
        "a",
        "b",
        ".",
        r"\d",
        r"\w+",
        "[a-c]",
        "[^x]",
        "x?",
        "y*?",
        "(?:ab)+",
        "(c|d)",
        r"\b",
        "^",
        "$",
        "(?P<n>e)",
        "(?=f)",
        "{2,3}",
    ]
)


@given(st.lists(PIECES, min_size=1, max_size=6), st.sampled_from([0, 2, 8, 16, 64]))
def test_generated_patterns_and_their_refusals_are_the_same(pieces: list[str], flags: int) -> None:
    pattern = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as directory:
        through = _installed(_cache(Path(directory)), patch)

        def outcome(compile_with: Any) -> object:
            try:
                built = compile_with(pattern, flags)
            except re.error as refused:
                return ("error", str(refused), refused.pos)
            return ("ok", built, _matches(built))

        expected = outcome(ORIGINAL)
        assert outcome(through) == expected  # compiled and stored, or refused alike
        assert outcome(through) == expected  # built from what was stored


def test_a_refused_pattern_is_never_stored_and_a_damaged_entry_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _cache(tmp_path)
    through = _installed(cache, monkeypatch)
    with pytest.raises(re.error, match="missing \\)") as refused:
        through("(unclosed", 0)
    with pytest.raises(re.error) as reference:
        ORIGINAL("(unclosed", 0)
    assert (str(refused.value), refused.value.pos) == (str(reference.value), reference.value.pos)
    magic = REAL_SRE.MAGIC
    assert cache.stored("re", _key("(unclosed", 0, magic)) is None  # never stored
    for damaged in (
        b"\x00not marshal",
        marshal.dumps((1, [1, 2, 3], 0, {}, ())),  # a program _sre refuses
        marshal.dumps(("shape", "wrong")),
    ):
        cache.store("re", _key("a+b", 0, magic), damaged)
        _same(through("a+b", 0), ORIGINAL("a+b", 0))


def test_a_debug_pattern_is_compiled_as_before_and_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = _cache(tmp_path)
    through = _installed(cache, monkeypatch)
    through("ab", int(re.DEBUG))
    assert "LITERAL" in capsys.readouterr().out  # re's own listing, printed
    assert cache.stored("re", _key("ab", int(re.DEBUG), REAL_SRE.MAGIC)) is None


COUNTS = """
from scripts import attrs_code_cache as cache_module
cache = cache_module._installed[0]
report = {"code": code, "parsed": parsed["after"], "misses": cache.stores}
"""

PROBE = """
import re._parser as _p
from scripts import attrs_code_cache as _cm
parsed = {"after": 0}
_real_parse = _p.parse
def _counted(*args, **kwargs):
    if _cm._installed:
        parsed["after"] += 1
    return _real_parse(*args, **kwargs)
_p.parse = _counted
"""


def test_a_second_scan_parses_no_pattern_again_and_prints_the_same(tmp_path: Path) -> None:
    def scan() -> tuple[dict[str, Any], str]:
        return run_atomic_fp(
            "scan",
            "--offline",
            "--format",
            "json",
            probe=PROBE,
            report_code=COUNTS,
            env=environment(ATOMIC_FP_CACHE_DIR=str(tmp_path)),
        )

    first, first_output = scan()
    assert first["code"] == 0 and first["parsed"] > 10  # compiled after the install
    second, second_output = scan()
    assert second["code"] == 0
    assert second["parsed"] == 0 and second["misses"] == 0, second
    assert second_output == first_output


def _python_calls(compile_with: Any, pattern: str, flags: int) -> int:
    """Python-level function calls made while ``compile_with(pattern, flags)`` runs."""
    import sys

    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        compile_with(pattern, flags)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("length", [4, 40, 400])
def test_a_miss_costs_a_few_calls_more_than_no_cache_whatever_the_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, length: int
) -> None:
    """Review of issue 20: a pattern the file does not hold was ~28 % slower to compile than
    with no cache, as ``re._compiler`` reads ``_sre``'s names (``MAXREPEAT``, the case
    folding functions ...) per piece of the pattern and each read went through a Python
    ``__getattr__``. The stand-in holds the names itself: a miss adds the same few calls
    (the lookup, the store) whatever the pattern's length, and builds the same pattern."""
    pattern = "".join(f"(?:[a-f{i % 10}]x{i}|y+?)" for i in range(length // 4))
    flags = int(re.IGNORECASE)
    without = _python_calls(ORIGINAL, pattern, flags)
    through = _installed(_cache(tmp_path), monkeypatch)
    with_miss = _python_calls(through, pattern, flags)
    assert without > length  # the compiler's own work grows with the pattern
    assert with_miss - without <= 12, (with_miss, without)
    _same(through(pattern, flags), ORIGINAL(pattern, flags))
