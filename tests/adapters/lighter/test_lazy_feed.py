"""``LighterClient.feed`` (the ``market_stats`` stream) is built on first use (issue 20: a
scan never runs it, and building it imported the stream engine, ~4 % of ``scan
--offline``'s CPU). A client whose feed was never built answers exactly as one whose feed
was built and never ran; a feed that did receive stats still prices the rates; the feed is
built with the URL, clock and CA bundle the client was given. Checked on Lighter's
recorded responses (the bundled snapshot, replayed through the client)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import anyio
from returns.result import Result, Success

from adapters.lighter.factory import LighterClient
from adapters.lighter.parsing import MarketStats
from adapters.lighter.stream import DEFAULT_WS_URL
from adapters.snapshot import bundled_snapshot
from atomic_fp.errors import VenueError
from atomic_fp.models import FundingRate
from atomic_fp.operations import to_result
from scripts.runtime import build_offline


class _NoConfig:
    """A config without a ``[venues.lighter]`` section (all ``build_offline`` asks)."""

    def venue(self, name: str) -> None:
        return None


def _client() -> LighterClient:
    (venue,) = build_offline(bundled_snapshot(), ["lighter"], cast(Any, _NoConfig()))
    client = venue.client.unwrap()
    assert isinstance(client, LighterClient)
    return client


def _rates(client: LighterClient) -> tuple[FundingRate, ...]:
    async def read() -> Result[tuple[FundingRate, ...], VenueError]:
        return to_result(await client.fetch_funding_rates(None))

    result = anyio.run(read)
    assert isinstance(result, Success), result
    rates: tuple[FundingRate, ...] = result.unwrap()
    return rates


def test_rates_without_the_feed_are_the_rates_with_a_feed_that_never_ran() -> None:
    lazy = _client()
    without = _rates(lazy)
    assert lazy._feed is None  # reading rates did not build it
    built = _client()
    assert built.feed is built.feed  # built once
    assert built.feed.snapshot() == {}
    assert _rates(built) == without and without


def test_a_built_feed_with_fresh_stats_still_prices_the_rates() -> None:
    client = _client()
    (rate, *_) = _rates(client)
    assert rate.venue_symbol is not None
    now = client.clock()
    stats = MarketStats(
        market_id=int(rate.venue_symbol),
        mark_price=Decimal("1234.5"),
        index_price=Decimal("1234.25"),
        current_funding_hourly=None,
        last_funding_hourly=None,
        funding_timestamp=None,
        observed_at=now,
    )
    client.feed._keep(stats, now)
    priced = next(r for r in _rates(client) if r.venue_symbol == rate.venue_symbol)
    assert (priced.mark_price, priced.index_price) == (Decimal("1234.5"), Decimal("1234.25"))
    assert priced.rate == rate.rate


def test_the_feed_is_built_with_the_client_s_url_clock_and_ca_bundle() -> None:
    client = _client()
    clock = client.clock
    client.clock = lambda: datetime(2030, 1, 1)  # a later change does not reach the feed
    feed = client.feed
    assert feed.url == DEFAULT_WS_URL  # the snapshot's settings name no ws_url
    assert feed.clock is clock
    assert feed.ca_bundle is None
    replaced = type(feed)(url="wss://127.0.0.1:1/stream", clock=clock)
    client.feed = replaced
    assert client.feed is replaced
    assert client.ws_max_age == timedelta(seconds=30)


def test_importing_the_client_imports_no_stream_module() -> None:
    import subprocess

    code = (
        "import sys\n"
        "import adapters.lighter.factory\n"
        "print(sorted(m for m in sys.modules if m.startswith(('adapters.streams', "
        "'adapters.lighter.ws', 'adapters.lighter.stream'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
