"""``build_series`` groups, orders and de-duplicates exactly as its straightforward
definition does (each instrument's rows sorted by ``(funding time, order read)``, the
first of equal times kept), whatever the rows' order, duplicates, conflicts, instruments
and filters: a hypothesis property against that definition, compared by ``repr``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from atomic_fp.backtest.series import (
    FundingSeries,
    HistoryRow,
    SeriesSet,
    _preference,
    build_series,
)
from atomic_fp.models import Symbol

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _reference(rows: list[HistoryRow], start: datetime | None) -> SeriesSet:
    """The definition: rows tagged with their read order, sorted per instrument by
    (time, order), a repeated time keeps its first row (a different rate warns)."""
    grouped: dict[tuple[str, str], dict[str, list[tuple[int, HistoryRow]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for order, row in enumerate(rows):
        if start is not None and row.funding_time < start:
            continue
        grouped[(row.venue, row.symbol.base)][row.venue_symbol].append((order, row))
    warnings: list[str] = []
    built: list[FundingSeries] = []
    for (venue, base), instruments in sorted(grouped.items()):
        ranked = sorted(
            instruments, key=lambda name: _preference(name, len(instruments[name])), reverse=True
        )
        chosen = ranked[0]
        if len(ranked) > 1:
            warnings.append(
                f"{venue} {base}: several instruments ({', '.join(sorted(ranked))}); "
                f"using {chosen}, ignoring {', '.join(sorted(ranked[1:]))}"
            )
        entries = sorted(instruments[chosen], key=lambda item: (item[1].funding_time, item[0]))
        kept: list[HistoryRow] = []
        conflicts = 0
        for _, row in entries:
            if kept and kept[-1].funding_time == row.funding_time:
                if kept[-1].rate != row.rate:
                    conflicts += 1
                continue
            kept.append(row)
        if conflicts:
            warnings.append(
                f"{venue} {base}: {conflicts} settlement(s) given twice with different rates; "
                "kept the first file's value"
            )
        multiplier = kept[0].contract_multiplier
        built.append(
            FundingSeries(
                venue=venue, symbol=kept[0].symbol, venue_symbol=chosen,
                contract_multiplier=multiplier,
                times=tuple(r.funding_time for r in kept), rates=tuple(r.rate for r in kept),
                intervals=tuple(r.interval for r in kept),
                marks=tuple(None if r.mark_price is None else r.mark_price / multiplier
                            for r in kept),
            )
        )  # fmt: skip
    built.sort(key=lambda s: (s.symbol, s.venue))
    return SeriesSet(series=tuple(built), warnings=tuple(warnings))


_row = st.builds(
    lambda venue, base, instrument, hour, rate, mark: HistoryRow(
        venue,
        Symbol(base),
        f"{base}{instrument}",
        Decimal(1),
        START + timedelta(hours=hour),
        rate,
        timedelta(hours=1),
        mark,
        "test",
    ),
    st.sampled_from(["binance", "hyperliquid"]),
    st.sampled_from(["BTC", "ETH"]),
    st.sampled_from(["USDT", "USDC"]),
    st.integers(0, 12),
    st.sampled_from(["0.0001", "0.00010", "-0.0002", "0"]).map(Decimal),
    st.sampled_from([None, Decimal("100"), Decimal("100.0")]),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(_row, max_size=40), start=st.sampled_from([None, START + timedelta(hours=4)]))
def test_build_series_is_its_definition(rows: list[HistoryRow], start: datetime | None) -> None:
    assert repr(build_series(rows, start=start)) == repr(_reference(rows, start))


def test_rows_in_order_without_repeats_are_kept_as_read() -> None:
    rows = [
        HistoryRow("binance", Symbol("BTC"), "BTCUSDT", Decimal(1), START + timedelta(hours=h),
                   Decimal("0.0001"), timedelta(hours=1), None, "test")
        for h in range(5)
    ]  # fmt: skip
    (series,) = build_series(rows).series
    assert series.times == tuple(r.funding_time for r in rows)
