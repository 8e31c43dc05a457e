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

from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    cannot be read raises :class:`adapters.store.StoreError`: only a path where nothing
    exists is "no store yet" (a directory, say, is refused, as ``collect`` refuses it)."""
    if bundled:
        return History(_BundledHistory(now - window, now, _bundled_text()), _BUNDLED)
    if not store_path.exists():  # no store: no database driver to import (issue 20)
        return History({}, f"no funding store at {store_path} (run: atomic-fp collect)")
    from adapters.store import FundingStore

    with FundingStore(store_path) as store:
        settled = store.settled(since=now - window, until=now)
    return History(settled, f"funding store {store_path}")


_BUNDLED = "bundled history (funding_rate_data, MIT; adapters/snapshot/history.csv)"


def _bundled_text() -> str:
    from adapters import snapshot

    # beside the package's modules (importlib.resources would import tempfile and
    # zipfile for it, issue 20), as adapters.snapshot.history finds it
    return (Path(snapshot.__file__).parent / "history.csv").read_text("utf-8")


class _BundledHistory(Mapping[tuple[str, Symbol], Sequence[FundingRate]]):
    """The bundled ``history.csv`` rows of ``(since, until]``, read as text once and
    turned into :class:`FundingRate` models per (venue, symbol) only when asked for (a
    ``scan --offline`` shows a handful of pairs; start-up time matters).

    The text is grouped by (venue, symbol) as lines, split into fields only for the pairs
    asked for (issue 20: ``csv.reader`` over all ~3,900 rows was ~3x the cost): a line
    holding no quote character is what ``csv.reader`` reads as ``line.split(",")`` (the
    default dialect quotes with ``"`` only; ``splitlines`` already took every line end).
    A text with a quote or a NUL is read by ``csv.reader`` as before
    (tests/cli/test_scan_carry_history.py compares both with the earlier reading)."""

    def __init__(self, since: datetime, until: datetime, text: str) -> None:
        import csv

        lines = text.splitlines()
        plain = '"' not in text and "\0" not in text
        reader = csv.reader(lines[:1] if plain else lines)
        header = next(reader)
        self._index = {name: i for i, name in enumerate(header)}
        self._since, self._until = since, until
        venue, symbol = self._index["venue"], self._index["symbol"]
        self._lines = _lines_by_pair(lines, venue, symbol) if plain else None
        self._rows: dict[tuple[str, str], list[list[str]]] = {}
        if self._lines is None:
            for row in reader:
                self._rows.setdefault((row[venue], row[symbol].partition("/")[0]), []).append(row)
        self._raw: Mapping[tuple[str, str], object] = (
            self._rows if self._lines is None else self._lines
        )
        self._built: dict[tuple[str, str], tuple[FundingRate, ...]] = {}
        self._intervals: dict[str, timedelta] = {}
        """``interval_hours`` text -> its interval (``hours_to_interval`` once per text)."""

    def _rows_of(self, key: tuple[str, str]) -> list[list[str]]:
        if self._lines is None:
            return self._rows.get(key, [])
        return [line.split(",") for line in self._lines.get(key, ())]

    def _build(self, key: tuple[str, str], symbol: Symbol) -> tuple[FundingRate, ...]:
        from adapters.history.format import hours_to_interval, parse_time
        from atomic_fp.models import FundingKind
        from atomic_fp.models.funding import checked_funding_rate
        from atomic_fp.models.identifiers import ExchangeIdentifier

        at = self._index
        venue = ExchangeIdentifier(key[0])
        time_at, rate_at, hours_at = at["funding_time"], at["rate"], at["interval_hours"]
        mark_at, name_at = at["mark_price"], at["venue_symbol"]
        since, until, intervals = self._since, self._until, self._intervals
        out = []
        for row in self._rows_of(key):
            when = parse_time(row[time_at])
            if not since < when <= until:
                continue
            hours = row[hours_at]
            interval = intervals.get(hours)
            if interval is None:  # a pure function of the text: a handful of distinct ones
                interval = intervals[hours] = hours_to_interval(Decimal(hours))
            mark = row[mark_at]
            out.append(
                checked_funding_rate(  # FundingRate(...) at about half its cost
                    exchange=venue,
                    symbol=symbol,
                    rate=Decimal(row[rate_at]),
                    interval=interval,
                    kind=FundingKind.SETTLED,
                    observed_at=when,
                    funding_time=when,
                    mark_price=Decimal(mark) if mark else None,
                    venue_symbol=row[name_at],
                )
            )
        return tuple(out)

    def __getitem__(self, key: tuple[str, Symbol]) -> tuple[FundingRate, ...]:
        raw_key = (key[0], key[1].base)
        if raw_key not in self._raw:
            raise KeyError(key)
        built = self._built.get(raw_key)
        if built is None:
            built = self._built[raw_key] = self._build(raw_key, key[1])
        return built

    def __iter__(self) -> Iterator[tuple[str, Symbol]]:
        return iter((venue, Symbol(base)) for venue, base in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _lines_by_pair(lines: list[str], venue: int, symbol: int) -> dict[tuple[str, str], list[str]]:
    """The data lines (after the header) by (venue, base), in the order of their first
    line. A line with too few fields (an empty one: ``csv.reader`` reads no field) raises
    the ``IndexError`` that indexing ``csv.reader``'s row raised."""
    fields = max(venue, symbol) + 1
    out: dict[tuple[str, str], list[str]] = {}
    prefix: str | None = None
    """The previous line's first ``fields`` fields and their comma: a line starting with
    it has the same venue and symbol fields (a file's rows come grouped by pair), so it
    joins the same group without being split (issue 20)."""
    group: list[str] = []
    for line in lines[1:]:
        if prefix is not None and line.startswith(prefix):
            group.append(line)
            continue
        parts = line.split(",", fields)
        group = out.setdefault((parts[venue], parts[symbol].partition("/")[0]), [])
        group.append(line)
        prefix = line[: len(line) - len(parts[fields])] if len(parts) > fields else None
    return out


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
