"""How ``scan`` prints: JSON (one object), CSV, an aligned table on a terminal, and
tab-separated plain text when piped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from returns.result import Success

from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import FeeQuote, FundingRate
from scripts.output import (
    age,
    hours,
    is_terminal,
    pct,
    render_csv,
    render_json_of_models,
    render_table,
    use_colour,
)
from scripts.scan_json import _mark_gap, fee_json, opportunity_json, report_json
from scripts.scan_report import ScanReport

# scan's JSON objects live in scripts.scan_json; importable from here as before
__all__ = [
    "CSV_COLUMNS",
    "SPREAD_HEADERS",
    "fee_json",
    "opportunity_json",
    "render",
    "report_json",
    "spread_cells",
]

CSV_COLUMNS = (
    "symbol",
    "long_venue",
    "short_venue",
    "long_apr",
    "short_apr",
    "spread_apr",
    "cost_apr",
    "net_apr",
    "long_rate",
    "short_rate",
    "long_interval_hours",
    "short_interval_hours",
    "long_next_funding",
    "short_next_funding",
    "data_age_seconds",
    "long_taker_fee",
    "short_taker_fee",
    "long_fee_source",
    "short_fee_source",
    "mark_gap",
    "basis",
    "persistence",
    "persistence_samples",
    "break_even_days",
    "long_current_apr",
    "short_current_apr",
)


def _persist_text(report: ScanReport, o: Opportunity) -> str:
    carry = report.carry(o)
    if carry is None or carry.persistence is None:
        return "-"
    return f"{carry.persistence.share * 100:.0f}%/{carry.persistence.samples}"


def _break_even_text(report: ScanReport, o: Opportunity) -> str:
    carry = report.carry(o)
    if carry is None:
        return "-"
    days = carry.break_even_days
    return "never" if days is None else f"{days:.1f}d"


def _next(rate: FundingRate, now: datetime) -> str:
    if rate.next_funding_time is None:
        return "-"
    return age(rate.next_funding_time - now)


SPREAD_HEADERS = (
    "SYMBOL",
    "LONG",
    "SHORT",
    "LONG APR",
    "SHORT APR",
    "SPREAD",
    "NET APR",
    "INTERVALS",
    "NEXT FUNDING",
    "AGE",
)
"""The columns every spread table starts with (``scan``'s, and ``watch``'s live view)."""


def spread_cells(o: Opportunity, now: datetime) -> list[str]:
    """One opportunity's cells under :data:`SPREAD_HEADERS`."""
    return [
        o.symbol.base,
        str(o.long_venue),
        str(o.short_venue),
        pct(o.long_apr),
        pct(o.short_apr),
        pct(o.spread_apr),
        pct(o.net_apr),
        f"{hours(o.long_rate.interval)}/{hours(o.short_rate.interval)}",
        f"{_next(o.long_rate, now)}/{_next(o.short_rate, now)}",
        age(now - min(o.long_rate.observed_at, o.short_rate.observed_at)),
    ]


def _fee_pair(fees: Mapping[str, FeeQuote], o: Opportunity, show: Callable[[FeeQuote], str]) -> str:
    def one(venue: object) -> str:
        quote = fees.get(str(venue))
        return "-" if quote is None else show(quote)

    return f"{one(o.long_venue)}/{one(o.short_venue)}"


def render(fmt: str | None, report: ScanReport, opportunities: Sequence[Opportunity]) -> str:
    from scripts.context import REDACTOR

    if fmt == "json":
        return REDACTOR.scrub(render_json_of_models(report_json(report, opportunities)))
    if fmt == "csv":
        rows = []
        for o in opportunities:
            data = opportunity_json(o, report.now, report)
            long_fees, short_fees = data["long"]["fees"] or {}, data["short"]["fees"] or {}
            persist = data.get("persistence") or {}
            rows.append(
                [
                    data["symbol"],
                    data["long_venue"],
                    data["short_venue"],
                    data["long_apr"],
                    data["short_apr"],
                    data["spread_apr"],
                    data["cost_apr"],
                    data["net_apr"],
                    data["long"]["rate"],
                    data["short"]["rate"],
                    data["long"]["interval_hours"],
                    data["short"]["interval_hours"],
                    data["long"]["next_funding_time"],
                    data["short"]["next_funding_time"],
                    data["data_age_seconds"],
                    long_fees.get("taker"),
                    short_fees.get("taker"),
                    long_fees.get("source"),
                    short_fees.get("source"),
                    data["mark_gap"],
                    data["estimator"],
                    persist.get("share"),
                    persist.get("samples"),
                    data.get("break_even_days"),
                    data["long"].get("current_apr"),
                    data["short"].get("current_apr"),
                ]
            )
        return render_csv(CSV_COLUMNS, rows)
    headers = (
        *SPREAD_HEADERS,
        "TAKER FEES",
        "FEE SOURCES",
        "MARK GAP",
        "PERSIST",
        "BREAK-EVEN",
    )
    rows = [
        [
            *spread_cells(o, report.now),
            _fee_pair(report.fees, o, lambda q: pct(q.fees.taker, 3)),
            _fee_pair(report.fees, o, lambda q: q.source.value),
            pct(_mark_gap(o), 3),
            _persist_text(report, o),
            _break_even_text(report, o),
        ]
        for o in opportunities
    ]
    if fmt is None and not is_terminal():
        lines = ["\t".join(h.lower().replace(" ", "_") for h in headers)]
        lines += ["\t".join(row) for row in rows]
        return "\n".join(lines) + "\n"
    colour = use_colour()
    styles = [{6: "green" if o.net_apr > 0 else "red"} for o in opportunities]
    table = render_table(
        headers,
        rows,
        colour=colour,
        right=[
            False,
            False,
            False,
            True,
            True,
            True,
            True,
            False,
            False,
            True,
            False,
            False,
            True,
            True,
            True,
        ],
        styles=styles,
        # what goes first when the terminal is narrow: fee sources, age, mark gap, taker
        # fees, intervals, next funding, the legs' APRs (together), persistence and
        # break-even (together), the gross spread; symbol, venues and net APR always stay
        priority=[0, 0, 0, 3, 3, 1, 0, 5, 4, 8, 6, 9, 7, 2, 2],
    )
    ok = sum(1 for r in report.venues.values() if isinstance(r, Success))
    import textwrap

    from scripts.table_fit import terminal_width

    footer = (
        textwrap.fill(
            f"{len(opportunities)} opportunit{'y' if len(opportunities) == 1 else 'ies'}; "
            f"{ok}/{len(report.venues)} venues answered; {report.source}",
            terminal_width(),
        )
        + "\n"
        + textwrap.fill(
            f"rates: {report.basis.value}; persistence: share of the last 7 d of settlements "
            f"with the spread's sign / samples; {report.history_source or 'no history'}",
            terminal_width(),
        )
        + "\n"
    )
    if not rows:
        return "no opportunities\n" + footer
    return table + footer
