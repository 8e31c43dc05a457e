"""GRVT with 80 instruments at 100 ms latency: the stream's first full set of rates comes
one round trip after connecting; REST needs 11 (instrument list + 80 tickers, 8 at a time).

The figures come from :mod:`bench.bench_grvt_stream` (``python -m bench.bench_grvt_stream``
prints them). The assertions count requests and messages (what the design changes), use
the latency only as a lower bound, and compare the two durations loosely: a loaded machine
slows both."""

from __future__ import annotations

import pytest

from bench.bench_grvt_stream import measure_rest, measure_stream, ticker_feed
from tests.streams.venues import grvt_server

LATENCY = 0.1
INSTRUMENTS = 80


@pytest.mark.anyio
async def test_grvt_first_full_set_in_one_round_trip_instead_of_eleven(
    anyio_backend: str,
) -> None:
    rest = await measure_rest(INSTRUMENTS, LATENCY)
    with grvt_server(lambda name: ticker_feed(name), delay=LATENCY) as server:
        stream, feed = await measure_stream(server.url, INSTRUMENTS)

    assert rest.rates == stream.rates == INSTRUMENTS
    assert rest.requests == 1 + INSTRUMENTS  # the instrument list, then one ticker each
    # 8 tickers at a time: 1 + 80 / 8 = 11 sequential waits of the latency at least
    assert rest.seconds >= (1 + INSTRUMENTS // 8) * LATENCY
    # the stream: ONE subscribe naming all 80 selectors, answered by one delayed batch
    (subscribe,) = server.received
    assert len(subscribe["params"]["selectors"]) == INSTRUMENTS
    assert server.replies_sent == 1 + INSTRUMENTS  # the answer, then 80 snapshots
    assert feed.health.connects == 1
    assert stream.seconds < rest.seconds / 3  # about 1 round trip vs 11
