"""Fixtures for the CLI tests: an isolated environment (no user config, no real keys)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty directory with no ATOMIC_FP_CONFIG, so defaults apply."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield tmp_path


@pytest.fixture
def runner(isolated: Path) -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Live venue clients keep caches under ``$ATOMIC_FP_CACHE_DIR``: a per-test
    directory here, so no CLI test writes into the real home (child processes inherit it)."""
    directory = tmp_path / "atomic-fp-cache"
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(directory))
    return directory
