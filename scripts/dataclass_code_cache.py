"""The code the standard library's ``dataclasses`` compiles, kept in the ``scan``'s code
cache file (:mod:`scripts.attrs_code_cache`; split from it, issue 20).

The same file keeps the code of the standard library's ``dataclasses`` (anyio's
streams and locks, h11's events, websockets' frames: ~20 classes in ``scan --offline``,
~30 in a live scan), which write each method as source and ``exec`` it
(``dataclasses._create_fn``), ~1 ms of CPU per class, every process: the ``exec`` that
module calls is given the stored code of the same source (:func:`cached_exec`, installed
as the module's own global ``exec``, which its functions look up before the builtin).
``exec`` of a string compiles it as ``compile(source, "<string>", "exec")`` with the
caller's ``__future__`` flags, in the caller's scope when no namespace is given; the
stored code is that compilation (keyed by the source and those flags) and is run in the
same namespaces, so what ``dataclasses`` builds is unchanged
(``tests/cli/test_dataclass_code_cache.py``).
"""

from __future__ import annotations
import __future__

import builtins
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scripts.attrs_code_cache import CodeCache

FUTURE_FLAGS = 0
"""The ``__future__`` features' compiler flags: the flags ``exec`` and ``compile`` take
from the calling code (CPython's ``PyCF_MASK``; not ``nested_scopes``' ``CO_NESTED``, a
flag every nested function's code has and ``compile`` ignores)."""
for _feature in __future__.all_feature_names:
    if _feature != "nested_scopes":
        FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def cached_exec(cache: CodeCache) -> Callable[..., None]:
    """An ``exec`` for the ``dataclasses`` module (see the module's doc): a source string
    is compiled through ``cache`` with the calling code's ``__future__`` flags, and run in
    the namespaces ``exec`` would use (the caller's, when none is given); anything else
    (a code object, a ``closure``) goes to the builtin ``exec`` unchanged."""

    def exec_through_cache(
        source: object,
        globals: dict[str, Any] | None = None,
        locals: Mapping[str, object] | None = None,
        **options: Any,
    ) -> None:
        caller = sys._getframe(1)
        if globals is None:  # exec's "current scope": the caller's, not this function's
            globals = caller.f_globals
            if locals is None:
                locals = caller.f_locals
        if type(source) is str and not options:
            code = cache.compile_source(source, caller.f_code.co_flags & FUTURE_FLAGS)
            builtins.exec(code, globals, locals)  # noqa: S102  (as dataclasses does)
            return
        builtins.exec(source, globals, locals, **options)  # type: ignore[arg-type]  # noqa: S102

    return exec_through_cache


def install_for_dataclasses(cache: CodeCache) -> None:
    """``dataclasses`` looks ``exec`` up in its own globals first: give it
    :func:`cached_exec` there (only if the module defines no ``exec`` of its own)."""
    import dataclasses

    if "exec" not in vars(dataclasses):
        dataclasses.exec = cached_exec(cache)  # type: ignore[attr-defined]


__all__ = ["FUTURE_FLAGS", "cached_exec", "install_for_dataclasses"]
