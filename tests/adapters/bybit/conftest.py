"""Bybit adapter tests: no test touches the internet (the harness's guard, autouse), so a
test that tried to reach api.bybit.com could not pass."""

from __future__ import annotations

import pytest

from tests.harness import block_internet


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    block_internet(monkeypatch)
