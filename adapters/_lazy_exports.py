"""Package attributes imported on first use (a module ``__getattr__``, PEP 562).

A venue package's ``__init__`` re-exports its client class for ``from adapters.binance
import BinanceClient``; importing it eagerly made every import of any of the package's
modules (``adapters.binance.market_data``, for a scan) import the whole client: its
execution, account and signing modules (issue 20). The package names its exports here
instead, each with the module that defines it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def resolve(package: str, exports: Mapping[str, str], name: str) -> object:
    """``name`` of ``package``: imported from ``exports[name]``; any other name is the
    ``AttributeError`` Python raises for a missing module attribute."""
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: Mapping[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The package's module ``__getattr__`` and ``__dir__``: its names imported on first
    use, and listed by ``dir()`` as if they had been imported already."""

    def getattr_(name: str) -> object:
        return resolve(package, exports, name)

    def dir_() -> list[str]:
        return sorted({*namespace, *exports})

    return getattr_, dir_
