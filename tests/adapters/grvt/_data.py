"""Recorded GRVT responses for the tests: real ones (ccxt fixture, MIT, copied here) and
the official API docs examples (api-spec, MIT, read from shared/research-data)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from adapters._http import loads
from adapters.grvt.parsers import GrvtInstrument
from atomic_fp.errors import VenueError
from atomic_fp.models import Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.conftest import research_file

FIXTURES = Path(__file__).parent / "fixtures"
VENUE = ExchangeIdentifier("grvt")
T = TypeVar("T")


def real() -> dict[str, Any]:
    """The ccxt fixture, JSON floats as Decimal (as the adapter reads bodies)."""
    data: dict[str, Any] = loads((FIXTURES / "grvt_http_responses.json").read_bytes())
    return data


def real_response(method: str, index: int = 0) -> Any:
    return real()[method][index]["httpResponse"]


def docs_sections(document: str) -> dict[str, dict[str, Any]]:
    """``{endpoint: {"request": ..., "response": ...}}`` from an api-spec docs page."""
    path = research_file(f"grvt-api-spec/artifacts/apidocs/{document}")
    text = path.read_text()
    found: dict[str, dict[str, Any]] = {}
    for part in re.split(r"^### ", text, flags=re.M)[1:]:
        endpoint = re.search(r"FULL ENDPOINT: (\S+)", part)
        response = re.search(r"\*\*Full Response\*\*\s*```[^\n]*\n(.*?)```", part, re.S)
        request = re.search(r"\*\*Full Request\*\*\s*```[^\n]*\n(.*?)```", part, re.S)
        if endpoint is None or response is None:
            continue
        found[endpoint.group(1)] = {
            "request": loads(request.group(1)) if request else None,
            "response": loads(response.group(1)),
        }
    return found


def btc_instrument(interval_hours: int = 8, base_decimals: int = 9) -> GrvtInstrument:
    """BTC_USDT_Perp with the real mainnet rules (ccxt grvt.ts parseMarket comment)."""
    market = Market(
        exchange=VENUE,
        symbol=Symbol("BTC"),
        venue_symbol="BTC_USDT_Perp",
        tick_size=Decimal("0.1"),
        lot_size=Decimal("0.001"),
        min_size=Decimal("0.001"),
        min_notional=Decimal("100.0"),
        funding_interval=timedelta(hours=interval_hours),
        settle_asset="USDT",
    )
    return GrvtInstrument(
        name="BTC_USDT_Perp",
        instrument_hash="0x030501",
        base="BTC",
        quote="USDT",
        base_decimals=base_decimals,
        market=market,
    )


def instrument_row(
    name: str = "BTC_USDT_Perp",
    instrument_hash: str = "0x030501",
    tick: str = "0.1",
    min_size: str = "0.001",
    interval: int = 8,
) -> dict[str, Any]:
    base, quote, _ = name.split("_")
    return {
        "instrument": name,
        "instrument_hash": instrument_hash,
        "base": base,
        "quote": quote,
        "kind": "PERPETUAL",
        "venues": ["ORDERBOOK"],
        "settlement_period": "PERPETUAL",
        "base_decimals": 9,
        "quote_decimals": 6,
        "tick_size": tick,
        "min_size": min_size,
        "create_time": "1697788800000000000",
        "funding_interval_hours": interval,
        "min_notional": "100.0",
    }


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=str).encode()


async def run(call: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    """A client call's outcome as a plain ``Result`` (it awaits to an ``IOResult``)."""
    outcome: Any = await call
    result: Result[T, VenueError] = unsafe_perform_io(outcome)
    return result
