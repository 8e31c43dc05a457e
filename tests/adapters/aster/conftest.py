"""Aster adapter tests: the network guard that makes "no test touches the internet"
checkable (:func:`tests.harness.block_internet`): every socket connection and name lookup
outside the loopback interface fails inside these tests, so a test that tried to reach
fapi.asterdex.com could not pass."""

from __future__ import annotations

import pytest

from tests.harness import block_internet


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    block_internet(monkeypatch)
