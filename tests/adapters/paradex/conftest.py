"""Paradex adapter tests: the harness's loopback-only network guard, so a test that tried to
reach api.prod.paradex.trade could not pass."""

from __future__ import annotations

import pytest

from tests.harness import block_internet


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    block_internet(monkeypatch)
