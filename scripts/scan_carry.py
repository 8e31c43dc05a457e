"""``scan --basis``: estimated rates, persistence and break-even days for the ranking.

Where the settled history comes from (no request at scan time):

- ``--offline`` (the bundled snapshot): the settlements bundled beside it
  (``adapters/snapshot/history.csv``, MIT research data up to the snapshot instant), in an
  in-memory store;
- otherwise the local funding store (``--store PATH``, else ``[store] path``, else
  ``./atomic-fp-funding.sqlite``), read-only; a store that does not exist yet gives no
  history (each estimate that needs it is left out with that reason, never zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from atomic_fp import costs
from atomic_fp.decisions.carry import Persistence, break_even_days, persistence
from atomic_fp.decisions.estimators import (
    PERSISTENCE_WINDOW,
    Basis,
    Estimate,
    EstimateUnavailable,
    estimate_all,
)
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import ArbitrageConfig, FundingRate, Symbol

Settled = Mapping[tuple[str, Symbol], Sequence[FundingRate]]
PairKey = tuple[Symbol, str, str]


@attrs.frozen
class Carry:
    """What ``scan`` shows beside a pair's net APR."""

    persistence: Persistence | None
    break_even_days: Decimal | None
    window: timedelta


@attrs.frozen
class History:
    """Settled rates for the scan, and a sentence saying where they came from."""

    settled: Settled
    source: str


def lookback(basis: Basis) -> timedelta:
    return max(basis.window or timedelta(0), PERSISTENCE_WINDOW)


def load_history(
    *,
    bundled: bool,
    store_path: Path,
    now: datetime,
    window: timedelta,
) -> History:
    """The settlements of ``(now - window, now]`` (see the module's doc). A store that
    cannot be read raises :class:`adapters.store.StoreError`."""
    from adapters.store import FundingStore, load_history_file

    if bundled:
        from adapters.snapshot.history import bundled_history_path

        with FundingStore(":memory:") as store:
            load_history_file(store, bundled_history_path())
            settled = store.settled(since=now - window, until=now)
        return History(settled, "bundled history (funding_rate_data, MIT)")
    if not store_path.is_file():
        return History({}, f"no funding store at {store_path} (run: atomic-fp collect)")
    with FundingStore(store_path) as store:
        settled = store.settled(since=now - window, until=now)
    return History(settled, f"funding store {store_path}")


def apply_basis(
    basis: Basis,
    rates: Iterable[FundingRate],
    *,
    now: datetime,
    settled: Settled,
    predicted: Mapping[tuple[str, Symbol], FundingRate] | None = None,
) -> tuple[list[FundingRate], dict[tuple[str, Symbol], Estimate], list[EstimateUnavailable]]:
    """The rates to rank (estimated), each estimate by (venue, symbol), and the venues
    and symbols left out with their reason."""
    estimates, missing = estimate_all(basis, rates, now=now, settled=settled, predicted=predicted)
    by_key = {(e.rate.exchange.name, e.rate.symbol): e for e in estimates}
    return [e.rate for e in estimates], by_key, missing


def carry_of(
    opportunities: Iterable[Opportunity],
    *,
    settled: Settled,
    config: ArbitrageConfig,
    now: datetime,
    window: timedelta = PERSISTENCE_WINDOW,
) -> dict[PairKey, Carry]:
    out: dict[PairKey, Carry] = {}
    for o in opportunities:
        long_name, short_name = o.long_venue.name, o.short_venue.name
        fee = costs.round_trip_fee_fraction(config, long_name, short_name)
        out[(o.symbol, long_name, short_name)] = Carry(
            persistence=persistence(
                settled.get((long_name, o.symbol), ()),
                settled.get((short_name, o.symbol), ()),
                spread_apr=o.spread_apr,
                now=now,
                window=window,
            ),
            break_even_days=break_even_days(fee, o.spread_apr),
            window=window,
        )
    return out


def pair_key(o: Opportunity) -> PairKey:
    return (o.symbol, o.long_venue.name, o.short_venue.name)


__all__ = [
    "Carry",
    "History",
    "apply_basis",
    "carry_of",
    "load_history",
    "lookback",
    "pair_key",
]
