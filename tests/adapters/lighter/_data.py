"""Loading recorded Lighter responses for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters._http import loads
from adapters.lighter.parsers import LighterMarket, parse_markets
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

FIXTURES = Path(__file__).parent / "fixtures"
LIGHTER = ExchangeIdentifier("lighter")
NAUTILUS = "nautilus_trader/crates/adapters/lighter/test_data/"


def ccxt(method: str, number: int = 0) -> Any:
    """The ``httpResponse`` of ccxt's recorded Lighter fixture ``method`` (JSON floats as
    Decimal, the way the client's HTTP layer reads them)."""
    data = loads((FIXTURES / "ccxt_lighter_http_responses.json").read_bytes())
    return data[method][number]["httpResponse"]


def ccxt_raw(method: str, number: int = 0) -> Any:
    data = json.loads((FIXTURES / "ccxt_lighter_http_responses.json").read_text())
    return data[method][number]


def nautilus(name: str) -> Any:
    """A nautilus_trader Lighter fixture (LGPL: read in place, never copied)."""
    return loads(research_file(NAUTILUS + name).read_bytes())


def eth_market() -> LighterMarket:
    return parse_markets(ccxt("fetchMarkets"), LIGHTER).unwrap()[0]
