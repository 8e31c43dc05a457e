"""The settled funding history bundled with the offline snapshot (``history.csv``).

``scan --offline --basis avg24h`` needs the settlements before the snapshot instant, as the
local funding store would hold them. ``history.csv`` (the funding-history file format) holds
the 8 days of Binance (USDT perps) and Hyperliquid settlements up to the snapshot's
``as_of`` (2025-12-03T15:12:10Z; nothing later: no look-ahead) for every symbol the research
dataset has on both venues.

Source: ``ZuShen168/funding_rate_data`` @ ``8040d313236b9220baa7a3576e25a94b6ad81de3`` (MIT,
stated in its README), ``data/funding/venue={binance,hyperliquid}/data.parquet``: REAL
settled rates, copied unchanged (see ``PROVENANCE.md``).

Rebuild (developer tool, needs ``pyarrow``)::

    python -m adapters.snapshot.history ../shared/research-data
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from adapters.history.format import write_csv
from adapters.history.loaders import Filters, load_parquet
from adapters.snapshot.build import AS_OF, FRD
from atomic_fp.backtest.series import HistoryRow
from atomic_fp.models import FundingKind, FundingRate
from atomic_fp.models.identifiers import ExchangeIdentifier

HISTORY_DAYS = 8
FILE_NAME = "history.csv"


def rate_of(row: HistoryRow) -> FundingRate:
    """A history row as the SETTLED :class:`FundingRate` it records."""
    return FundingRate(
        exchange=ExchangeIdentifier(row.venue),
        symbol=row.symbol,
        rate=row.rate,
        interval=row.interval,
        kind=FundingKind.SETTLED,
        observed_at=row.funding_time,
        funding_time=row.funding_time,
        mark_price=row.mark_price,
        venue_symbol=row.venue_symbol,
    )


def build_history(research: Path) -> list[FundingRate]:
    start = AS_OF - timedelta(days=HISTORY_DAYS)
    by_venue: dict[str, list[HistoryRow]] = {}
    for venue in ("binance", "hyperliquid"):
        rows = _rows_since(research / FRD.format(venue=venue), venue, start)
        by_venue[venue] = [
            r
            for r in rows
            if start < r.funding_time <= AS_OF
            and (venue != "binance" or r.venue_symbol.endswith("USDT"))
        ]
    shared = {r.symbol for r in by_venue["binance"]} & {r.symbol for r in by_venue["hyperliquid"]}
    return [rate_of(r) for rows in by_venue.values() for r in rows if r.symbol in shared]


def _rows_since(path: Path, venue: str, start: datetime) -> list[HistoryRow]:
    """The dataset's rows from a day before ``start`` on (pyarrow filters the year first;
    the loaders then read them exactly as ``backtest`` does)."""
    import tempfile

    import pyarrow.parquet as pq

    table = pq.read_table(path, filters=[("settlement_ts", ">=", start - timedelta(days=1))])
    with tempfile.TemporaryDirectory() as directory:
        part = Path(directory) / "part.parquet"
        pq.write_table(table, part)
        return list(load_parquet(part, Filters(venues=[venue])).unwrap())


def bundled_history_path() -> Path:
    return Path(str(resources.files("adapters.snapshot") / FILE_NAME))


def main(argv: list[str]) -> int:
    research = Path(argv[1] if len(argv) > 1 else "../shared/research-data")
    target = Path(__file__).resolve().parent / FILE_NAME
    count = write_csv(target, build_history(research))
    print(f"wrote {count} settlements to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
