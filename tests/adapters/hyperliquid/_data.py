"""Shared helpers for the Hyperliquid tests: fixture loading and research-data reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters._http import loads
from tests.conftest import research_file

FIXTURES = Path(__file__).parent / "fixtures"
NAUTILUS_HL = "nautilus_trader/crates/adapters/hyperliquid/test_data"
CCXT_HL = "ccxt-static/hyperliquid/hyperliquid_http_responses.json"


def fixture(name: str) -> Any:
    """A copied (MIT) fixture, decoded the way the client decodes bodies (floats as Decimal)."""
    return loads((FIXTURES / name).read_bytes())


def research(relative: str) -> Any:
    """A research-data file (read in place; skips the test when absent)."""
    return loads(research_file(relative).read_bytes())


def ccxt_bodies(section: str) -> list[Any]:
    data = json.loads(research_file(CCXT_HL).read_text())
    return [loads(json.dumps(entry["httpResponse"])) for entry in data[section]]
