"""attrs' own classes taken from the ``scan``'s code cache while attrs is imported.

Why (issue 20): :mod:`scripts.attrs_code_cache` gives attrs its generated methods from
the cache by replacing ``attr._make._compile_and_eval``, which it can do only once attrs
is imported; but importing attrs defines attrs' own classes first (``Attribute``,
``Factory``, ``Converter``, the validators ...: 28 methods), each compiled again in every
process, ~4 ms of CPU, ~2 % of ``scan --offline``.

How: ``attr._make`` compiles through the name ``compile``, which Python looks up in the
module's globals before the builtins. When attrs is not imported yet, ``attr._make`` is
loaded by :class:`_SeedingLoader` (a ``SourceFileLoader`` for that one module, which
puts a ``compile`` of its own in the module's namespace before running the module's
code, as the standard loader runs it) and attrs is imported. That ``compile`` hands the
call attrs makes, ``compile(script, filename, "exec")`` from attrs' code (whose
``__future__`` flags ``compile`` would inherit), to :meth:`CodeCache.compile`, which
returns what ``compile`` returns for it; any other call goes to the builtin with the
flags it would have inherited. :func:`scripts.attrs_code_cache.install` removes the name
once attrs is imported, then replaces ``_compile_and_eval`` as before, so after the import
attrs runs exactly as before. The finder is in ``sys.meta_path`` only during that import.
If attrs is already imported, or is not loaded from a source file, nothing of this runs.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

from scripts.dataclass_code_cache import FUTURE_FLAGS

if TYPE_CHECKING:
    from scripts.attrs_code_cache import CodeCache

MODULE = "attr._make"


def seeded_compile(cache: CodeCache) -> Callable[..., Any]:
    """The ``compile`` put in ``attr._make``'s namespace (see the module's doc)."""

    def compile(  # the name attrs looks up
        source: Any,
        filename: Any,
        mode: Any,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **more: Any,
    ) -> CodeType:
        inherited = sys._getframe(1).f_code.co_flags & FUTURE_FLAGS
        if (
            type(source) is str
            and type(filename) is str
            and mode == "exec"
            and flags == 0
            and dont_inherit is False
            and optimize == -1
            and not more
            and inherited == cache.flags
        ):
            return cache.compile(source, filename)
        merged = flags if dont_inherit else flags | inherited
        code: CodeType = builtins.compile(source, filename, mode, merged, True, optimize, **more)
        return code

    compile.seeded = True  # type: ignore[attr-defined]
    return compile


class _SeedingLoader(importlib.machinery.SourceFileLoader):
    """``attr._make``'s loader: the standard one, with :func:`seeded_compile` put in the
    module's namespace before its code runs."""

    cache: CodeCache

    def exec_module(self, module: ModuleType) -> None:
        code = self.get_code(module.__name__)
        if code is None:  # the standard loader's refusal
            super().exec_module(module)
            return
        cache, self.cache = self.cache, None  # type: ignore[assignment]
        # (the loader stays the module's __loader__: it keeps no cache once the module ran)
        cache.flags = code.co_flags & FUTURE_FLAGS
        namespace = vars(module)
        namespace["compile"] = seeded_compile(cache)
        exec(code, namespace)  # noqa: S102  (what the standard loader runs)


class _SeedingFinder:
    """Finds ``attr._make`` (only) as the standard path finder does, with
    :class:`_SeedingLoader` for a source file."""

    def __init__(self, cache: CodeCache) -> None:
        self.cache = cache

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return None  # anything else is found and loaded as before
        loader = _SeedingLoader(spec.loader.name, spec.loader.path)
        loader.cache = self.cache
        spec.loader = loader
        return spec


def attrs_make_file() -> str | None:
    """The file ``attr._make`` would be loaded from, without importing attrs (the spec
    of the top-level package only: it is not run)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("attr")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.has_location:
        return None
    return os.path.join(os.path.dirname(spec.origin), "_make.py")


def import_attrs_through(environ: Mapping[str, str], command: str) -> CodeCache | None:
    """Import attrs with its own classes' code from the cache file of ``command`` (the
    file :func:`scripts.attrs_code_cache.install` then keeps using); ``None``, and nothing
    imported, when attrs is imported already or its file is not found."""
    if "attr" in sys.modules or MODULE in sys.modules:
        return None
    from scripts.attrs_code_cache import CodeCache, build_id, cache_file
    from scripts.cache_dir import cache_dir

    build = build_id(attrs_make_file())
    if build is None:
        return None
    path, superseded = cache_file(cache_dir(environ), sys.prefix, build, command)
    cache = CodeCache(path, 0, superseded=superseded)
    finder = _SeedingFinder(cache)
    sys.meta_path.insert(0, finder)
    try:
        import attr  # noqa: F401  (its classes are defined now)
    finally:
        sys.meta_path.remove(finder)
    return cache


def unseed(module: ModuleType) -> None:
    """Remove the seeded ``compile`` from attrs' namespace (attrs then looks the builtin
    up, as before)."""
    namespace = vars(module)
    if getattr(namespace.get("compile"), "seeded", False):
        del namespace["compile"]


__all__ = ["import_attrs_through", "seeded_compile", "unseed"]
