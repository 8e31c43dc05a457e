"""Our scan, repeated with the same clients in one process (a long-running bot or ``run``).

    python -m bench.warm_scan CONFIG ROUNDS

Builds the configured venues' clients once (as the CLI does, without credentials) and
gathers every venue's funding rates ``ROUNDS`` times. The first round is cold (market
lists not yet cached); later rounds show the steady-state cost of one scan. Prints one
JSON object: per round its ``time.perf_counter`` start and end, the process CPU time it
used (``cpu``: parsing and ranking inputs, TLS records, the event loop; the part of a warm
scan that is not network), and which venues answered.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import anyio
from returns.result import Success

from atomic_fp.aggregators import FundingRateAggregator
from scripts.config import load
from scripts.runtime import aggregator, build_live, close_all, in_venue_order


def main(argv: Sequence[str]) -> int:
    # As the long-running commands start (``scripts.cli.LazyGroup.get_command``: the
    # objects alive once the command's modules are imported are frozen, then the clients
    # are built), so the collections a round triggers traverse what ``watch``/``run``'s
    # would, no more and no less.
    gc.freeze()
    config = load(argv[1])
    rounds = int(argv[2])
    # the environment only places the cache directory (no credentials are read)
    venues = build_live(config.venues, os.environ, with_credentials=False)

    async def work() -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = []
        try:
            for _ in range(rounds):
                start = time.perf_counter()
                cpu = time.process_time()
                rates = aggregator(venues, FundingRateAggregator)
                results = in_venue_order(venues, await rates.get_rates(None))
                end = time.perf_counter()
                done.append(
                    {
                        "start": start,
                        "end": end,
                        "cpu": time.process_time() - cpu,
                        "answered": {
                            str(v): isinstance(r, Success) and len(r.unwrap()) > 0
                            for v, r in results.items()
                        },
                    }
                )
        finally:
            await close_all(venues)
        return done

    print(json.dumps({"rounds": anyio.run(work)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
