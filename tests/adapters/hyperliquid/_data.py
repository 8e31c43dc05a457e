"""Shared helpers for the Hyperliquid tests: fixture loading and research-data reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from adapters._http import loads
from atomic_fp.errors import VenueError
from tests.conftest import research_file

T = TypeVar("T")

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


async def run(call: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """Await a client call and take the plain ``Result`` out of its ``IOResult``."""
    outcome: Any = await call
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result


def count_markets_built(monkeypatch: Any) -> list[str]:
    """The names of the assets whose market the Hyperliquid parser builds from now on
    (``parsing._market`` counted, through ``monkeypatch``)."""
    from adapters.hyperliquid import parsing

    built: list[str] = []
    original = parsing._market

    def counting(exchange: Any, asset: Any, *args: Any) -> Any:
        built.append(asset.name)
        return original(exchange, asset, *args)

    monkeypatch.setattr(parsing, "_market", counting)
    return built
