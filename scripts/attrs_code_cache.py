"""The compiled methods of attrs classes, kept on disk between ``atomic-fp`` runs.

Why (issue 20): attrs writes each class's ``__init__``, ``__eq__``, ``__hash__``,
``__repr__`` ... as Python source when the class is defined and compiles it
(``attr._make._compile_and_eval``). Python caches the bytecode of modules
(``__pycache__``), not of such generated source, so every process compiled it again:
measured 110 ms of CPU for the ~140 classes a ``scan --offline`` defines (a quarter of
the command), and most of it before a live scan's first connection. This module keeps
the code objects, ``marshal``-ed (the format of ``.pyc`` files), in the cache directory
(:func:`scripts.cache_dir.cache_dir`), one file per interpreter (``cache_tag``, bytecode
magic number and exact build: :func:`build_id`), installed attrs (its ``_make.py``'s size
and time, as a ``.pyc`` records its source) and command, and hands attrs the stored
code instead of compiling when it is asked the same source again.

Exactness: ``compile`` is a function of the source, the file name, the mode and the
compiler flags; an entry's key is a hash of the source and the file name, the flags are
those attrs' own module compiles with (its ``__future__`` imports, as ``compile``
inherits them), and the file is per interpreter version, so a stored code object is the
one ``compile`` would return (``tests/cli/test_attrs_code_cache.py`` compares them).

The same file keeps the code ``dataclasses`` compiles (:mod:`scripts.dataclass_code_cache`)
and compiled regular expressions (:mod:`scripts.regex_code_cache`).

Safety: a missing, unreadable or corrupt file is ignored (everything compiles as
before); the file is used only when it is owned by this user and writable by no one
else (it holds code this process runs, like ``__pycache__``); it is rewritten atomically
(temporary file + rename) at exit when new entries were compiled. Only the ``atomic-fp``
process installs it (:func:`install`), never a library import of ``atomic_fp``. If
attrs no longer has the function replaced, nothing is installed.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import marshal
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

from scripts.code_cache_file import build_id, cache_file
from scripts.dataclass_code_cache import FUTURE_FLAGS, cached_exec, install_for_dataclasses

MAX_ENTRIES = 2000
"""Entries kept at most (a ``scan`` defines ~140 classes; a class whose ``__hash__`` is
generated has an entry per length of its number, two or three in practice)."""

KEPT_WRITES = 8
"""An entry no process used in this many writes of the file is dropped: a live and an
offline ``scan`` (another set of classes, patterns and dataclasses each) share the file
without each rewriting it for the other's entries, and what no run uses any more (a class
since changed) goes after a few writes instead of growing the file for good."""

_GENERATIONS = b""
"""The key of the file's bookkeeping entry: ``("<generations>", n, marshal(last))``, the
number of writes so far and, by entry key, the write that last kept it as used (a key
never made by :meth:`CodeCache._key`, whose digests are 20 bytes)."""


HASH_LENGTHS = (17, 18, 19, 20)
"""Lengths of the number in a generated ``__hash__`` (``hash()`` of a str, a 64-bit
integer, uniform over its range): 19 (45 % of classes: 19 digits, or a minus and 18),
20 (45 %), 18 (9.8 %), 17 (0.54 %). A scan defines ~115 classes with a ``__hash__``:
without 17, 46 % of processes met such a class, compiled it and rewrote the whole file at
exit (issue 20). A length of 16 (0.054 % of classes, 6 % of processes) still compiles and
is stored."""

Entry = tuple[str, int | None, bytes]
"""The file name, the type hash it was compiled with (see :func:`_type_hash`) and the
``marshal``-ed code object (turned back into code only when it is asked for: a run
uses fewer entries than the file holds)."""


def _type_hash(filename: str) -> int | None:
    """The number attrs writes into a generated ``__hash__``: ``hash()`` of a string
    naming the class (``attr._make._make_hash_script``), so it changes with every
    process's hash seed. The class is read from ``filename``
    (``<attrs generated methods mod.Class>``); ``None`` when it does not have that form."""
    if not filename.startswith("<attrs generated ") or not filename.endswith(">"):
        return None
    _, _, rest = filename[len("<attrs generated ") :].partition(" ")
    return hash(f"<attrs generated hash {rest}") if rest else None


def _with_constant(code: CodeType, old: int, new: int) -> CodeType:
    """``code`` (a generated module) with its ``__hash__`` function's integer constant
    ``old`` replaced by ``new``: where attrs writes the number (the script's only line
    that holds it, see :meth:`CodeCache.compile`), and nowhere else, so no other constant
    that happens to equal a stand-in number is touched. Only that one function is
    rebuilt (issue 20: walking every constant of every method cost ~30 us a class)."""

    def number(c: object) -> object:
        return new if type(c) is int and c == old else c

    def swapped(function: CodeType) -> CodeType:
        # a class without fields hashes ``(number,)``, which the compiler folds into one
        # tuple constant: the number is replaced inside it too
        return function.replace(
            co_consts=tuple(
                tuple(map(number, c)) if type(c) is tuple else number(c) for c in function.co_consts
            )
        )

    return code.replace(
        co_consts=tuple(
            swapped(c) if isinstance(c, CodeType) and c.co_name == "__hash__" else c
            for c in code.co_consts
        )
    )


class CodeCache:
    """Code objects by key, loaded from and saved to one file; counts hits and misses.

    A generated ``__hash__`` holds a number that differs per process (:func:`_type_hash`):
    its source is keyed with the number taken out (its length kept: the code's column
    positions depend on it), and a stored code object gets this process's number put
    back into its constants."""

    def __init__(self, path: Path, flags: int, superseded: str | None = None) -> None:
        self.path = path
        self.flags = flags
        self.superseded = superseded
        """A glob of the files this one replaces (the same command's cache for another
        interpreter or attrs install, e.g. before an upgrade): removed when this is written."""
        self.codes: dict[bytes, Entry] = {}
        self.hits = 0
        self.misses = 0
        self.rebased = 0
        """Hits whose stored code was given this process's type hash."""
        self.used: set[str] = set()
        """File names (classes) compiled or found in this process."""
        self.source_hits = 0
        self.source_misses = 0
        """:meth:`compile_source` found / compiled (the ``exec`` of ``dataclasses``)."""
        self.stores = 0
        """Entries :meth:`store` added (another kind of compiled thing, e.g. patterns)."""
        self.unusual_lengths = 0
        """Misses of a generated ``__hash__`` whose number's length is not one of
        :data:`HASH_LENGTHS` (no stand-in is stored for it: ~6 % of processes meet one)."""
        self._used_sources: set[bytes] = set()
        """Keys of the sources compiled or found in this process (kept by :meth:`save`)."""
        self.generation = 0
        """Writes of the file so far (see :data:`KEPT_WRITES`)."""
        self.last_used: dict[bytes, int] = {}
        """By entry key, the write that last found the entry used (0: not recorded)."""
        self.writes = 0
        """Times this cache wrote its file."""
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as file:
                info = os.fstat(file.fileno())
                if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                    return  # not ours alone: never run code from it
                # one read, then loads: marshal.load on a file object reads it in ~2 small
                # reads per object (a 1.4 MB file: ~7 ms against ~0.5 ms, issue 20)
                loaded = marshal.loads(file.read())  # noqa: S302  (our own file, checked above)
        except Exception:
            # any exception means "not in the cache" (compiled as without one), here and
            # at every decoding of an entry: marshal.loads of damaged data raises not only
            # EOFError/ValueError/TypeError but SystemError (a code object with a bad
            # field), MemoryError or RecursionError, and a cache that cannot be read must
            # never stop a scan (tests/cli/test_code_cache_damaged.py)
            return
        if isinstance(loaded, dict):
            self.codes = {
                key: (entry[0], entry[1], entry[2])
                for key, entry in loaded.items()
                if isinstance(key, bytes)
                and isinstance(entry, tuple)
                and len(entry) == 3
                and isinstance(entry[0], str)
                and (entry[1] is None or type(entry[1]) is int)
                and isinstance(entry[2], bytes)
            }
            self._load_generations(self.codes.pop(_GENERATIONS, None))

    def _load_generations(self, entry: Entry | None) -> None:
        if entry is None or entry[0] != "<generations>" or entry[1] is None:
            return
        try:
            last = marshal.loads(entry[2])  # noqa: S302  (our own file, see _load)
        except Exception:  # damaged: see _load
            return
        if isinstance(last, dict):
            self.generation = entry[1]
            self.last_used = {k: v for k, v in last.items() if type(v) is int}

    @staticmethod
    def _key(filename: str, template: str) -> bytes:
        return hashlib.blake2b(
            # surrogatepass: a regular expression may hold a lone surrogate ("[\ud800-\udfff]"),
            # which plain UTF-8 refuses; every other text gives the same bytes as before
            filename.encode("utf-8", "surrogatepass")
            + b"\0"
            + template.encode("utf-8", "surrogatepass"),
            digest_size=20,
        ).digest()

    def compile(self, script: str, filename: str) -> CodeType:
        """What ``compile(script, filename, "exec")`` in attrs' module returns."""
        self.used.add(filename)
        type_hash = _type_hash(filename)
        line = f"        {type_hash},\n"
        if type_hash is not None and line in script:
            # the number's length stays in the key: the code's column positions depend on it
            template = script.replace(line, f"        TYPE_HASH/{len(str(type_hash))},\n")
        else:
            template, type_hash = script, None
        key = self._key(filename, template)
        entry = self.codes.get(key)
        if entry is not None and entry[0] == filename:
            stored_hash = entry[1]
            try:
                stored = marshal.loads(entry[2])  # noqa: S302  (our own file, see _load)
            except Exception:  # damaged: see _load
                stored = None
            if isinstance(stored, CodeType) and stored.co_filename == filename:
                if stored_hash == type_hash:
                    self.hits += 1
                    return stored
                if stored_hash is not None and type_hash is not None:
                    self.hits += 1
                    self.rebased += 1
                    return _with_constant(stored, stored_hash, type_hash)
        self.misses += 1
        if type_hash is not None and len(str(type_hash)) not in HASH_LENGTHS:
            self.unusual_lengths += 1
        code: CodeType = compile(script, filename, "exec", flags=self.flags, dont_inherit=True)
        self.codes[key] = (filename, type_hash, marshal.dumps(code))
        if type_hash is not None:
            self._store_other_lengths(script, filename, line, len(str(type_hash)))
        return code

    def compile_source(self, source: str, flags: int) -> CodeType:
        """What ``compile(source, "<string>", "exec", flags=flags, dont_inherit=True)``
        returns: the code ``exec(source)`` runs when called from code with the
        ``__future__`` ``flags``."""
        key = self._key(f"<string>/{flags}", source)
        self._used_sources.add(key)
        entry = self.codes.get(key)
        if entry is not None and entry[0] == "<string>" and entry[1] is None:
            try:
                stored = marshal.loads(entry[2])  # noqa: S302  (our own file, see _load)
            except Exception:  # damaged: see _load
                stored = None
            if isinstance(stored, CodeType) and stored.co_filename == "<string>":
                self.source_hits += 1
                return stored
        self.source_misses += 1
        code: CodeType = compile(source, "<string>", "exec", flags=flags, dont_inherit=True)
        self.codes[key] = ("<string>", None, marshal.dumps(code))
        return code

    def stored(self, kind: str, text: str) -> bytes | None:
        """The bytes :meth:`store` kept for ``(kind, text)`` (another kind of compiled
        thing, e.g. :mod:`scripts.regex_code_cache`'s), or ``None``."""
        key = self._key(f"<{kind}>", text)
        self._used_sources.add(key)
        entry = self.codes.get(key)
        if entry is None or entry[0] != f"<{kind}>" or entry[1] is not None:
            return None
        return entry[2]

    def store(self, kind: str, text: str, data: bytes) -> None:
        """Keep ``data`` for ``(kind, text)``: written at exit like a compiled source."""
        key = self._key(f"<{kind}>", text)
        self._used_sources.add(key)
        self.codes[key] = (f"<{kind}>", None, data)
        self.stores += 1

    def _store_other_lengths(self, script: str, filename: str, line: str, length: int) -> None:
        """Also store the code for the other usual lengths of the number (a stand-in number
        of that length, replaced when used): the next processes, whose numbers differ,
        find theirs at once instead of after a few runs."""
        for other in HASH_LENGTHS:
            if other == length:
                continue
            stand_in = 10 ** (other - 1) if other <= 19 else -(10 ** (other - 2))
            variant = script.replace(line, f"        {stand_in},\n")
            template = script.replace(line, f"        TYPE_HASH/{other},\n")
            key = self._key(filename, template)
            if key not in self.codes:
                code = compile(variant, filename, "exec", flags=self.flags, dont_inherit=True)
                self.codes[key] = (filename, stand_in, marshal.dumps(code))

    def save(self) -> None:
        """Write the file if anything was compiled (atomically; errors are ignored),
        keeping the entries this process used and those a process used in the last
        :data:`KEPT_WRITES` writes (newest first when more than :data:`MAX_ENTRIES`), so
        that commands of one file with other entries (a live and an offline ``scan``) do
        not rewrite it for each other, and the file stays the size of their entries."""
        if not self.misses and not self.source_misses and not self.stores:
            return
        # a copy taken at once: a daemon thread may still be defining classes (an import
        # worker, when the command ended by an error)
        entries = list(self.codes.items())
        sources = set(self._used_sources)
        used, generation = self.used, self.generation + 1
        last = {
            key: generation if entry[0] in used or key in sources else self.last_used.get(key, 0)
            for key, entry in entries
        }
        kept = [(k, e) for k, e in entries if generation - last[k] < KEPT_WRITES]
        kept.sort(key=lambda item: last[item[0]])  # stable: the most recently used last
        codes: dict[bytes, Entry] = dict(kept[-MAX_ENTRIES:])
        recorded = marshal.dumps({key: last[key] for key in codes})
        codes[_GENERATIONS] = ("<generations>", generation, recorded)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # only when writing (it imports shutil, lzma, bz2, random)

            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".attrs-code-")
            try:
                with os.fdopen(handle, "wb") as file:
                    marshal.dump(codes, file)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
        self.writes += 1
        self._remove_superseded()

    def _remove_superseded(self) -> None:
        """Without this, every reinstall of attrs (a new ``_make.py`` time) or of Python
        would leave its ~1 MB file behind for good."""
        if self.superseded is None:
            return
        with contextlib.suppress(OSError):  # a file we may not remove stays, harmlessly
            for stale in self.path.parent.glob(self.superseded):
                if stale != self.path:
                    stale.unlink(missing_ok=True)


_installed: list[CodeCache] = []


def _future_flags(module: Any) -> int:
    """The compiler flags of the ``__future__`` imports of ``module`` (what ``compile``
    called from it inherits)."""
    import __future__

    flags = 0
    for value in vars(module).values():
        if isinstance(value, __future__._Feature):
            flags |= value.compiler_flag
    return flags


EXPECTED_PARAMETERS = ("script", "globs", "locs", "filename")
"""``attr._make._compile_and_eval``'s parameters in the attrs versions this was written
for (23.2 to 26.1); any other signature leaves attrs alone."""


def _replaceable(original: object) -> bool:
    import inspect

    try:
        parameters = tuple(inspect.signature(original).parameters)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return parameters == EXPECTED_PARAMETERS


def install(environ: Mapping[str, str], command: str) -> CodeCache | None:
    """Make attrs take its generated methods from the cache (once per process), a file
    per interpreter and ``atomic-fp`` command (each defines its own set of classes)."""
    if _installed:
        return _installed[0]
    from scripts.attrs_import_cache import import_attrs_through, unseed

    seeded = import_attrs_through(environ, command)  # attrs' own classes from the file
    from attr import _make

    unseed(_make)
    original = getattr(_make, "_compile_and_eval", None)
    if original is None or not _replaceable(original):
        return None
    from scripts.cache_dir import cache_dir

    build = build_id(_make.__file__)
    if build is None:
        return None
    path, superseded = cache_file(cache_dir(environ), sys.prefix, build, command)
    flags = _future_flags(_make)
    if seeded is not None and (seeded.path, seeded.flags) == (path, flags):
        cache = seeded  # the file attrs' own classes came from
    else:
        cache = CodeCache(path, flags, superseded=superseded)

    def compile_and_eval(
        script: str,
        globs: dict[str, Any] | None,
        locs: Mapping[str, object] | None = None,
        filename: str = "",
    ) -> None:
        eval(cache.compile(script, filename), globs, locs)  # noqa: S307  (as attrs does)

    _make._compile_and_eval = compile_and_eval
    install_for_dataclasses(cache)
    from scripts.regex_code_cache import install_for_re

    install_for_re(cache)
    atexit.register(cache.save)
    _installed.append(cache)
    return cache


__all__ = ["FUTURE_FLAGS", "CodeCache", "build_id", "cache_file", "cached_exec", "install"]
