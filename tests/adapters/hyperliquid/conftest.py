"""No Hyperliquid test touches the internet: every socket connection and DNS lookup to a
host other than the loopback interface fails in these tests (autouse;
:func:`tests.harness.block_internet`)."""

from __future__ import annotations

import pytest

from tests.harness import block_internet


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    block_internet(monkeypatch)
