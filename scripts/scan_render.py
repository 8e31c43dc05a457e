"""How ``scan`` prints: JSON (one object), CSV, an aligned table on a terminal, and
tab-separated plain text when piped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from returns.result import Success

from atomic_fp import costs
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import FeeQuote, FundingRate
from scripts.json_contract import versioned
from scripts.output import (
    age,
    dec,
    hours,
    is_terminal,
    iso,
    pct,
    render_csv,
    render_json_of_models,
    render_table,
    use_colour,
)
from scripts.scan_report import ScanReport

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


def _seconds(delta: timedelta) -> str | None:
    return dec(Decimal(delta // timedelta(microseconds=1)) / 1_000_000)


def fee_json(quote: FeeQuote | None) -> dict[str, Any] | None:
    if quote is None:
        return None
    return {
        "maker": dec(quote.fees.maker),
        "taker": dec(quote.fees.taker),
        "source": quote.source.value,
        "detail": quote.detail,
    }


def opportunity_json(
    o: Opportunity, now: datetime, report: ScanReport | None = None
) -> dict[str, Any]:
    return _opportunity_json_of(o, now, report, None if report is None else _Shared(report))


class _Shared:
    """What every opportunity of one report writes alike, computed once per render
    instead of once per opportunity (issue 20, the cold tail): each venue's fee object, the
    estimator's name, and the ISO text of each instant (one venue's rates share their
    ``observed_at`` and next funding instants). The text is the same as computed each
    time; each opportunity still gets its own dicts."""

    def __init__(self, report: ScanReport) -> None:
        self.report = report
        self.basis: str = report.basis.value
        self._fees: dict[str, dict[str, Any] | None] = {}
        self._instants: dict[datetime, str] = {}

    def fees(self, venue: str) -> dict[str, Any] | None:
        if venue not in self._fees:
            self._fees[venue] = fee_json(self.report.fees.get(venue))
        found = self._fees[venue]
        return None if found is None else dict(found)

    def iso(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        # keyed by the instant: equal aware datetimes are one instant, whose UTC text
        # (what iso writes, converting) is the same whatever zone each is in
        found = self._instants.get(value)
        if found is None:
            found = iso(value)
            if found is not None:
                self._instants[value] = found
        return found


def _opportunity_json_of(
    o: Opportunity, now: datetime, report: ScanReport | None, shared: _Shared | None
) -> dict[str, Any]:
    data = _opportunity_json(o, now, iso if shared is None else shared.iso)
    if report is None or shared is None:
        return data
    data["long"]["fees"] = shared.fees(str(o.long_venue))
    data["short"]["fees"] = shared.fees(str(o.short_venue))
    basis = shared.basis
    data["estimator"] = basis
    for side, rate in (("long", o.long_rate), ("short", o.short_rate)):
        found = report.estimates.get((rate.exchange.name, rate.symbol))
        data[side]["estimator"] = basis
        if found is not None:
            data[side]["current_rate"] = dec(found.current.rate)
            data[side]["current_apr"] = dec(found.current.apr)
            data[side]["settlements"] = found.settlements
    carry = report.carry(o)
    if carry is not None:
        held = carry.persistence
        data["persistence"] = (
            None
            if held is None
            else {
                "share": dec(held.share),
                "held": held.held,
                "samples": held.samples,
                "window_hours": dec(Decimal(carry.window // timedelta(hours=1))),
                "estimator": basis,
            }
        )
        data["break_even_days"] = dec(carry.break_even_days)
        data["break_even_estimator"] = basis
    return data


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


def _opportunity_json(
    o: Opportunity, now: datetime, iso_of: Callable[[datetime | None], str | None] = iso
) -> dict[str, Any]:
    long_leg = _leg(o.long_rate, now, iso_of)
    short_leg = _leg(o.short_rate, now, iso_of)
    long_leg["fees"] = short_leg["fees"] = None
    return {
        "symbol": o.symbol.base,
        "long_venue": str(o.long_venue),
        "short_venue": str(o.short_venue),
        # ``o.long_apr`` is ``o.long_rate.apr``: the leg's own text, not computed again
        "long_apr": long_leg["apr"],
        "short_apr": short_leg["apr"],
        "spread_apr": dec(o.spread_apr),
        "cost_apr": dec(o.cost_apr),
        "net_apr": dec(o.net_apr),
        "long": long_leg,
        "short": short_leg,
        "mark_gap": dec(_mark_gap(o)),
        "data_age_seconds": _age_seconds(o, now),
    }


def _mark_gap(o: Opportunity) -> Decimal | None:
    """Signed mark-price gap long vs short, per base unit (an entry cost when positive)."""
    return costs.mark_gap(o.long_rate.mark_price, o.short_rate.mark_price)


def _age_seconds(o: Opportunity, now: datetime) -> str | None:
    oldest = min(o.long_rate.observed_at, o.short_rate.observed_at)
    return _seconds(now - oldest)


def _leg(
    rate: FundingRate, now: datetime, iso_of: Callable[[datetime | None], str | None] = iso
) -> dict[str, Any]:
    return {
        "venue": str(rate.exchange),
        "venue_symbol": rate.venue_symbol,
        "rate": dec(rate.rate),
        "interval_hours": dec(rate.interval_hours),
        "apr": dec(rate.apr),
        "kind": rate.kind.value,
        "next_funding_time": iso_of(rate.next_funding_time),
        "observed_at": iso_of(rate.observed_at),
        "mark_price": dec(rate.mark_price),
        "open_interest": dec(rate.open_interest),
        "volume_24h": dec(rate.volume_24h),
        "cap": dec(rate.cap),
        "floor": dec(rate.floor),
    }


def report_json(report: ScanReport, opportunities: Sequence[Opportunity]) -> dict[str, Any]:
    shared = _Shared(report)
    venues: dict[str, Any] = {}
    for venue, result in report.venues.items():
        if isinstance(result, Success):
            venues[str(venue)] = {
                "ok": True,
                "kind": report.kinds.get(venue),
                "rates": len(result.unwrap()),
                "fees": fee_json(report.fees.get(str(venue))),
            }
        else:
            error = result.failure()
            venues[str(venue)] = {
                "ok": False,
                "kind": report.kinds.get(venue),
                "error": {"type": error.kind, "code": error.code, "message": error.message},
            }
    return versioned(
        "scan",
        {
            "as_of": iso(report.now),
            "source": report.source,
            "basis": report.basis.value,
            "history": report.history_source,
            "opportunities": [
                _opportunity_json_of(o, report.now, report, shared) for o in opportunities
            ],
            "venues": venues,
            "left_out": list(report.left_out),
            "estimates_unavailable": [
                {"venue": e.venue, "estimator": report.basis.value, "message": e.message}
                for e in report.unavailable
            ],
        },
    )


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
