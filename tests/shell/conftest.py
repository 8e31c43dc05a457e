from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from adapters.journal import SqliteJournal
from atomic_fp.orchestration import ExecutionJournal, MemoryJournal


@pytest.fixture(params=["memory", "sqlite"])
async def journal(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ExecutionJournal]:
    """Each journal implementation (the in-memory reference and SQLite)."""
    if request.param == "memory":
        yield MemoryJournal()
        return
    opened = SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL")
    sqlite = opened.unwrap()
    yield sqlite
    await sqlite.close()


@pytest.fixture
def sqlite_journal_factory(tmp_path: Path) -> Callable[[], SqliteJournal]:
    def make() -> SqliteJournal:
        return SqliteJournal.open(tmp_path / "journal.db", synchronous="NORMAL").unwrap()

    return make
