"""Fuzz of every Aster response the client parses: each endpoint answers arbitrary JSON
(and mutations of the real shapes) and the client answers a ``Result``, never raises, and
never turns garbage into a rate. The parsers are Binance's (``adapters/binance/
parsing*.py``, fuzzed on their own in ``tests/adapters/binance/test_fuzz.py``); this runs
them behind Aster's client, through its transport and guards."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters.aster import AsterClient
from adapters.registry import VenueSettings
from atomic_fp.models import Symbol
from tests.adapters.aster._client import AGENT, AGENT_KEY, USER, VENUE
from tests.harness import run

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.sampled_from(["0.0001", "NaN", "-1", "1e9", "", "BTCUSDT", "ASTERUSDT"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(["symbol", "lastFundingRate", "markPrice", "nextFundingTime",
                         "fundingIntervalHours", "fundingRate", "fundingTime", "bids", "asks",
                         "symbols", "status", "code", "msg", "orderId", "origQty"]),
        inner, max_size=6),
    max_leaves=20,
)  # fmt: skip

ROW = st.fixed_dictionaries(
    {
        "symbol": st.sampled_from(["ASTERUSDT", "BTCUSDT", "", "x"]),
        "lastFundingRate": st.sampled_from(["0.0001", "-0.5", "abc", "1E+2", None]),
        "markPrice": st.sampled_from(["0.15", "0", "-1", None]),
        "nextFundingTime": st.sampled_from([0, 1_765_036_800_000, -5, "soon"]),
        "fundingIntervalHours": st.sampled_from([4, 1, 0, 25, "8", None]),
        "time": st.sampled_from([1_765_000_000_000, None]),
    }
)


def client_answering(payload: Any) -> AsterClient:
    body = json.dumps(payload).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return AsterClient(
        VenueSettings(
            id=VENUE,
            kind="aster",
            credentials={"user": USER, "signer": AGENT, "private_key": AGENT_KEY},
            transport=httpx.MockTransport(handler),
        )
    )


async def every_call(client: AsterClient) -> list[Any]:
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    end = datetime(2025, 1, 2, tzinfo=timezone.utc)
    return [
        await run(client.fetch_markets()),
        await run(client.fetch_funding_rates()),
        await run(client.fetch_order_book(Symbol("ASTER"), 5)),
        await run(client.fetch_funding_history(Symbol("ASTER"), start, end)),
        await run(client.fetch_positions()),
        await run(client.fetch_balances()),
        await run(client.fetch_order(Symbol("ASTER"), "cid-1")),
    ]


async def rates_of(client: AsterClient) -> Any:
    return await run(client.fetch_funding_rates())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_is_a_result_never_an_exception(payload: Any) -> None:
    for result in anyio.run(every_call, client_answering(payload)):
        assert isinstance(result, (Success, Failure))
        if isinstance(result, Failure):
            assert "internal error" not in result.failure().message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=4))
def test_mutated_premium_index_rows_never_become_bad_rates(rows: list[dict[str, Any]]) -> None:
    result = anyio.run(rates_of, client_answering(rows))
    assert isinstance(result, (Success, Failure))
    if isinstance(result, Success):
        for rate in result.unwrap():
            assert rate.interval_hours > 0
            assert abs(rate.rate) < 1
