"""Loading recorded Lighter responses for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from adapters._http import loads
from adapters.lighter.parsers import LighterMarket, parse_markets
from atomic_fp.errors import VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

FIXTURES = Path(__file__).parent / "fixtures"
LIGHTER = ExchangeIdentifier("lighter")
T = TypeVar("T")
NAUTILUS = "nautilus_trader/crates/adapters/lighter/test_data/"


def ccxt(method: str, number: int = 0) -> Any:
    """The ``httpResponse`` of ccxt's recorded Lighter fixture ``method`` (JSON floats as
    Decimal, the way the client's HTTP layer reads them)."""
    data = loads((FIXTURES / "ccxt_lighter_http_responses.json").read_bytes())
    return data[method][number]["httpResponse"]


def ccxt_plain(method: str, number: int = 0) -> Any:
    """The same response as plain JSON (floats stay floats), for serving it again."""
    data = json.loads((FIXTURES / "ccxt_lighter_http_responses.json").read_text())
    return data[method][number]["httpResponse"]


def nautilus(name: str) -> Any:
    """A nautilus_trader Lighter fixture (LGPL: read in place, never copied)."""
    return loads(research_file(NAUTILUS + name).read_bytes())


def eth_market() -> LighterMarket:
    return parse_markets(ccxt("fetchMarkets"), LIGHTER).unwrap()[0]


async def res(future: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """Await a client call and unwrap its IO layer: the plain ``Result``."""
    outcome: Any = await future
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result
