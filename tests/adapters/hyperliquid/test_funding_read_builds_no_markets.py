"""The client's funding read (what every scan asks Hyperliquid) builds no markets after
its first read of a universe; its market read still builds every one.

``tests/adapters/hyperliquid/test_ctx_fast_path.py`` counts this on the parser given a
memo; here the count is taken through :class:`HyperliquidClient` over replayed HTTP, so a
client that stopped passing ``with_markets=False`` or kept no memo between reads (review
of the warm-scan work: nothing at client level pinned either) fails. The rates are those
of the full read.
"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from returns.result import Success

from adapters._http import RetryPolicy
from adapters.hyperliquid.client import HyperliquidClient
from adapters.registry import VenueSettings
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid._data import count_markets_built, run
from tests.adapters.hyperliquid.fake_venue import FakeHyperliquid

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 3, 1, 9, 15, 30, tzinfo=timezone.utc)


def _client() -> HyperliquidClient:
    settings = VenueSettings(
        id=HL,
        kind="hyperliquid",
        credentials={},
        transport=httpx.MockTransport(FakeHyperliquid().mock_handler),
    )
    return HyperliquidClient(
        settings, clock=lambda: NOW, retry=RetryPolicy(attempts=1, base_delay=0, max_delay=0)
    )


@pytest.mark.anyio
async def test_the_clients_funding_reads_build_markets_once_then_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = count_markets_built(monkeypatch)
    client = _client()
    reads = []
    for _ in range(3):
        rates = await run(client.fetch_funding_rates(None))
        assert isinstance(rates, Success), rates
        reads.append((rates.unwrap(), len(built)))
    first, checked = reads[0]
    assert first and checked >= len(first)  # the first read checks each asset once
    assert [count for _, count in reads] == [checked] * 3  # later reads build none
    assert all(rates == first for rates, _ in reads)

    built.clear()
    markets = await run(client.fetch_markets())
    assert isinstance(markets, Success), markets
    assert len(built) == len(markets.unwrap()) > 0  # the market read builds them all

    fresh = await run(_client().fetch_funding_rates(None))
    assert fresh == Success(first)
