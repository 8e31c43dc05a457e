"""Compiled regular expressions kept in the ``scan``'s code cache file
(:mod:`scripts.attrs_code_cache`), so that the next process does not compile them again.

Why (issue 20): ``re`` compiles a pattern in pure Python (``re._parser`` then
``re._compiler``) and keeps it for the process only. A live ``scan`` compiles ~110
patterns after its start (h11's and httpx's grammars, tomllib's date-time, logging's
formats, the venues' own), ~20 ms of CPU on this machine, mostly before its requests
leave; ``scan --offline`` ~25.

What is kept is what ``re._compiler.compile`` hands to ``_sre.compile`` to build the
pattern object: the final flags, the pattern program (a list of integers), the group count,
the group names and their index. A later process builds its pattern with the same call on
the same values, which is how ``re`` builds it: the pattern is the same object
(``Pattern.__eq__`` compares the flags, the pattern and the program;
``tests/cli/test_regex_code_cache.py``). ``_sre.compile`` checks a program before
accepting it; a stored entry it refuses, or that is not of the expected shape, is ignored
and the pattern compiled as before. Only ``str`` and ``bytes`` patterns (not their
subclasses) without ``re.DEBUG`` are kept; a
pattern ``re`` refuses raises as before and is never stored. The file is keyed by
interpreter (its bytecode magic number) and each entry by ``_sre.MAGIC``, the version of
the program format. One difference remains: a pattern whose parsing warns (``re._parser``'s
``FutureWarning`` for a possible nested set) warns in the process that compiles it, not in
the later ones that build it from the file; none of the scan's patterns does.

How: ``re._compile`` calls ``re._compiler.compile`` for a pattern not in its own cache;
that function is replaced by one that asks the file first and otherwise calls the original,
recording the arguments the original passes to ``_sre.compile`` (``re._compiler`` looks
``_sre`` up as its own global, which is given a stand-in module holding the real module's
names, whose ``compile`` remembers, per thread, its last call's arguments).
Installed with the attrs cache, in the ``atomic-fp`` process's ``scan`` only; if ``re``'s
internals are not as described (another Python), nothing is installed.
"""

from __future__ import annotations

import marshal
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scripts.attrs_code_cache import CodeCache

_KIND = "re"


class _RecordingSre(ModuleType):
    """``_sre`` as ``re._compiler`` sees it: a module holding every name of the real one
    (copied into its own namespace, so each lookup is a plain module attribute, as fast as
    the real module's: a ``__getattr__`` forwarding each name made a compilation the cache
    misses ~28 % slower than none, as ``re._compiler`` reads ``_sre``'s names per
    character); only ``compile`` is its own, which also remembers its arguments, per
    thread."""

    def __init__(self, real: ModuleType) -> None:
        super().__init__(real.__name__, real.__doc__)
        vars(self).update(vars(real))
        self._real = real
        self._last = threading.local()
        self.compile = self._recording_compile

    def _recording_compile(self, *args: Any) -> Any:
        self._last.args = args
        return self._real.compile(*args)

    def take(self) -> tuple[Any, ...] | None:
        args: tuple[Any, ...] | None = getattr(self._last, "args", None)
        self._last.args = None
        return args


def _key(pattern: str | bytes, flags: int, magic: int) -> str:
    if isinstance(pattern, bytes):  # h11's grammar: latin-1 maps each byte to one character
        return f"{magic}/{flags}/b/{pattern.decode('latin-1')}"
    return f"{magic}/{flags}/s/{pattern}"


_INT = frozenset({int})
_STR = frozenset({str})
_NAME = frozenset({str, type(None)})


def _valid(found: object) -> bool:
    """The shape ``_sre.compile`` takes after the pattern: flags, program, groups,
    group index, index group. (The element types are read with ``map``, not a Python
    loop per element: this runs on every miss, whose cost should not grow with the
    program.)"""
    if not (isinstance(found, tuple) and len(found) == 5):
        return False
    flags, program, groups, groupindex, indexgroup = found
    return (
        type(flags) is int
        and isinstance(program, list)
        and set(map(type, program)) <= _INT
        and type(groups) is int
        and isinstance(groupindex, dict)
        and set(map(type, groupindex)) <= _STR
        and set(map(type, groupindex.values())) <= _INT
        and isinstance(indexgroup, tuple)
        and set(map(type, indexgroup)) <= _NAME
    )


def install_for_re(cache: CodeCache) -> bool:
    """Route ``re``'s compilations through ``cache`` (see the module's doc); whether it was
    installed."""
    import importlib
    import inspect
    import re

    compiler = importlib.import_module("re._compiler")
    real = getattr(compiler, "_sre", None)
    original = getattr(compiler, "compile", None)
    if isinstance(real, _RecordingSre):
        return True
    if not isinstance(real, ModuleType) or not callable(original):
        return False
    try:
        parameters = tuple(inspect.signature(original).parameters)
    except (TypeError, ValueError):
        return False
    magic = getattr(real, "MAGIC", None)
    if parameters != ("p", "flags") or type(magic) is not int:
        return False
    recording = _RecordingSre(real)
    debug = int(re.DEBUG)

    def compile_through_cache(p: Any, flags: int = 0) -> Any:
        if type(p) not in (str, bytes) or type(flags) is not int or flags & debug:
            return original(p, flags)
        key = _key(p, flags, magic)
        data = cache.stored(_KIND, key)
        if data is not None:
            try:
                found = marshal.loads(data)  # noqa: S302  (our own file, see CodeCache)
                if _valid(found):
                    return real.compile(p, *found)
            except Exception:  # noqa: S110  (damaged data: see CodeCache._load)
                pass  # not a program _sre accepts: compiled as before
        recording.take()
        pattern = original(p, flags)
        made = recording.take()
        if made is not None and len(made) == 6 and made[0] is p:
            # the program's opcodes are int subclasses (re._constants): stored as the ints
            found = (made[1], list(map(int, made[2])), made[3], dict(made[4]), tuple(made[5]))
            if _valid(found):
                cache.store(_KIND, key, marshal.dumps(found))
        return pattern

    setattr(compiler, "_sre", recording)  # noqa: B010  (a module's global, as re reads it)
    setattr(compiler, "compile", compile_through_cache)  # noqa: B010
    return True


__all__ = ["install_for_re"]
