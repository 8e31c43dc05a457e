"""Benchmark: GRVT's first full set of funding rates, websocket stream vs REST fan-out.

Run: ``python -m bench.bench_grvt_stream [--instruments 80] [--latency-ms 100]``

Both paths answer every request ``latency`` late:

- REST: the real :class:`~adapters.grvt.client.GrvtClient` (``fetch_funding_rates``: one
  instrument list, then one ticker per instrument, 8 at a time) over an httpx transport
  that sleeps ``latency`` before each answer: ``1 + ceil(N / 8)`` round trips.
- Stream: the real :class:`~adapters.streams.feed.StreamFeed` with the GRVT wire format
  against a local websocket server (127.0.0.1) that answers the subscription ``latency``
  late: every instrument's selector in one ``subscribe``, so one round trip after the
  connection is open. The instrument list is what the stream subscribes to; on a real
  machine it comes from the on-disk cache (a list call when the cache is cold).

Reported: seconds from start (REST) or from the open connection (stream) to the last of
the N rates, and the number of round trips each needed.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs
import httpx

from adapters.grvt.client import GrvtClient
from adapters.registry import VenueSettings
from adapters.streams.feed import StreamFeed
from adapters.streams.registry import wire_for
from adapters.streams.types import RatesPushed, StreamEvent, StreamState
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import to_result


def instrument_names(count: int) -> list[str]:
    return [f"C{i:03d}_USDT_Perp" for i in range(count)]


def _instrument_row(name: str, index: int) -> dict[str, Any]:
    base, quote, _ = name.split("_")
    return {
        "instrument": name,
        "instrument_hash": f"0x{index + 1:06x}",
        "base": base,
        "quote": quote,
        "kind": "PERPETUAL",
        "venues": ["ORDERBOOK"],
        "settlement_period": "PERPETUAL",
        "base_decimals": 9,
        "quote_decimals": 6,
        "tick_size": "0.01",
        "min_size": "0.01",
        "create_time": "1697788800000000000",
        "funding_interval_hours": 8,
        "min_notional": "10.0",
    }


def ticker_feed(name: str, sequence: int = 1) -> dict[str, Any]:
    now = time.time_ns()
    return {
        "stream": "v1.ticker.s",
        "selector": name,
        "sequence_number": str(sequence),
        "prev_sequence_number": str(sequence - 1),
        "feed": {
            "event_time": str(now),
            "instrument": name,
            "mark_price": "100.0",
            "index_price": "100.0",
            "funding_rate": "0.01",
            "next_funding_time": str((now // 28_800_000_000_000 + 1) * 28_800_000_000_000),
        },
    }


@attrs.frozen
class Measured:
    seconds: float
    round_trips: int
    """Sequential waves of requests (by the gaps between request starts: indicative)."""
    rates: int
    requests: int = 0


async def measure_rest(count: int, latency: float) -> Measured:
    names = instrument_names(count)
    waves: list[float] = []
    requests: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        started = anyio.current_time()
        if not waves or started - waves[-1] > latency / 2:
            waves.append(started)  # a new sequential wave of requests = one round trip
        await anyio.sleep(latency)
        body = json.loads(request.content or b"{}")
        if request.url.path.endswith("instruments"):
            rows = [_instrument_row(n, i) for i, n in enumerate(names)]
            return httpx.Response(200, json={"result": rows})
        feed = ticker_feed(str(body.get("instrument")))["feed"]
        return httpx.Response(200, json={"result": feed})

    client = GrvtClient(
        VenueSettings(
            id=ExchangeIdentifier("grvt"),
            kind="grvt",
            transport=httpx.MockTransport(answer),
        )
    )
    started = anyio.current_time()
    result = to_result(await client.fetch_funding_rates(None))
    elapsed = anyio.current_time() - started
    await client.aclose()
    return Measured(elapsed, len(waves), len(result.unwrap()), len(requests))


async def measure_stream(url: str, count: int) -> tuple[Measured, StreamFeed]:
    names = instrument_names(count)
    events: list[StreamEvent] = []
    seen: set[str] = set()
    done = anyio.Event()
    connected: list[float] = []
    finished: list[float] = []

    def listen(event: StreamEvent) -> None:
        events.append(event)
        if isinstance(event, RatesPushed):
            seen.update(u.venue_symbol for u in event.updates)
            if len(seen) >= count and not done.is_set():
                finished.append(anyio.current_time())
                done.set()

    wire = wire_for("grvt", "grvt", url)
    assert wire is not None
    feed = StreamFeed(wire=wire, venue_symbols=names, listener=listen, backoff_initial=0.01)
    async with anyio.create_task_group() as group:
        await group.start(feed.run)
        with anyio.fail_after(30):
            while feed.health.connects == 0:  # noqa: ASYNC110 - polling a counter
                await anyio.sleep(0.001)
            connected.append(anyio.current_time())
            await done.wait()
        group.cancel_scope.cancel()
    assert feed.state is StreamState.LIVE
    return Measured(finished[0] - connected[0], 1, len(seen), 1), feed


def main() -> None:
    from tests.streams.venues import grvt_server

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instruments", type=int, default=80)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000

    async def run() -> tuple[Measured, Measured]:
        rest = await measure_rest(args.instruments, latency)
        with grvt_server(lambda name: ticker_feed(name), delay=latency) as server:
            stream, _ = await measure_stream(server.url, args.instruments)
        return rest, stream

    rest, stream = anyio.run(run)
    print(
        f"GRVT, {args.instruments} instruments, {args.latency_ms:g} ms per answer "
        f"({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)"
    )
    print(
        f"  REST fan-out : {rest.seconds:.3f} s, {rest.round_trips} round trips, {rest.rates} rates"
    )
    print(
        f"  stream       : {stream.seconds:.3f} s after connecting, {stream.round_trips} "
        f"round trip, {stream.rates} rates"
    )


if __name__ == "__main__":
    main()
