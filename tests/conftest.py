"""Shared test fixtures.

``research_data`` points at ``../shared/research-data`` (beside the repository); tests that
read it skip cleanly where it is absent. Async tests run on both anyio backends (asyncio
and trio) via the ``anyio_backend`` fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Tests never depend on wall-clock speed: hypothesis' per-example deadline (200 ms by default)
# and its "too slow" health check both time the machine, and a loaded CI machine fails them
# at random. A test's own @settings still overrides anything else it names.
settings.register_profile("atomic-fp", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("atomic-fp")

pytest_plugins = ["tests.local_venues"]  # tls_venues / plain_venues


REPO_ROOT = Path(__file__).resolve().parents[1]
RESEARCH_DATA = REPO_ROOT.parent / "shared" / "research-data"


def research_file(relative: str) -> Path:
    """Path of a file under ``shared/research-data``; skips the test when it is absent."""
    path = RESEARCH_DATA / relative
    if not path.exists():
        pytest.skip(f"research data not available: {relative}")
    return path


@pytest.fixture
def research_data() -> Path:
    if not RESEARCH_DATA.is_dir():
        pytest.skip("shared/research-data is not available")
    return RESEARCH_DATA


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _private_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live CLI scans keep GRVT's instrument list under ``$ATOMIC_FP_CACHE_DIR``
    (``scripts.runtime.cache_dir``): every test gets its own, so none writes into the real
    home and none sees another's (child processes inherit the variable)."""
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path_factory.mktemp("atomic-fp-cache")))


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are fitted to ``$COLUMNS`` (:mod:`scripts.table_fit`), and pytest-xdist
    workers inherit ``COLUMNS`` from the terminal that started them: without this, a
    test's output would depend on where the suite was run. Tests that want a width set
    it themselves."""
    monkeypatch.delenv("COLUMNS", raising=False)
