"""``scripts.startup.warm_imports``: imports in a worker thread once a connection starts
(:mod:`adapters.connection_events`), only fills ``sys.modules`` early, never hides an
import error, and never delays an exception leaving the block (issue 20)."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from adapters.connection_events import connection_starting, listening
from scripts.startup import warm_imports


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throw-away package whose modules record the thread that imported them."""
    name = f"warm_probe_{abs(hash(tmp_path)) % 10**8}"
    root = tmp_path / name
    root.mkdir()
    (root / "__init__.py").write_text("import threading\nTHREADS = []\n")
    (root / "fine.py").write_text(
        f"import threading\nfrom {name} import THREADS\n"
        "THREADS.append(threading.current_thread() is threading.main_thread())\n"
    )
    (root / "broken.py").write_text("raise RuntimeError('broken on purpose')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for worker in threading.enumerate():  # a worker left running (the exception test)
        if worker.name == "atomic-fp-imports":
            worker.join()
    for module in [m for m in list(sys.modules) if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def test_a_connection_starting_imports_the_modules_in_a_worker_thread(package: str) -> None:
    async def main() -> None:
        async with warm_imports([f"{package}.fine"]):
            assert f"{package}.fine" not in sys.modules  # nothing before a connection
            connection_starting()
            connection_starting()  # a second connection starts no second worker
        assert f"{package}.fine" in sys.modules  # leaving the block waited for it

    anyio.run(main)
    assert importlib.import_module(package).THREADS == [False]  # imported once, off main
    assert not listening()  # the listener is gone with the block


def test_without_a_connection_nothing_is_imported_and_the_caller_imports_itself(
    package: str,
) -> None:
    async def main() -> None:
        async with warm_imports([f"{package}.fine"]):
            await anyio.lowlevel.checkpoint()

    anyio.run(main)
    assert f"{package}.fine" not in sys.modules
    assert {t.name for t in threading.enumerate()}.isdisjoint({"atomic-fp-imports"})


def test_a_failing_import_is_raised_by_the_callers_own_import(package: str) -> None:
    async def main() -> None:
        async with warm_imports([f"{package}.broken", f"{package}.fine", f"{package}.absent"]):
            connection_starting()

    anyio.run(main)  # the worker's failures end neither it nor the block
    assert f"{package}.fine" in sys.modules  # a failure does not stop the others
    with pytest.raises(RuntimeError, match="broken on purpose"):
        importlib.import_module(f"{package}.broken")
    with pytest.raises(ModuleNotFoundError, match="absent"):
        importlib.import_module(f"{package}.absent")


def test_an_exception_leaving_the_block_goes_on_unchanged(package: str) -> None:
    """A cancellation or Ctrl-C in the scan is not wrapped, nor held for the imports."""

    async def main() -> None:
        async with warm_imports([f"{package}.fine"]):
            connection_starting()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        anyio.run(main)
    assert not listening()
