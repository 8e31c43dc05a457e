"""``scan``'s JSON objects: one opportunity (also each CSV row's fields and ``watch``'s
JSON lines) and the whole report. What every opportunity of a report writes alike is
computed once per render (:class:`_Shared`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from returns.result import Success

from atomic_fp import costs
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import FeeQuote, FundingRate
from scripts.json_contract import versioned
from scripts.output import (
    dec,
    iso,
)
from scripts.scan_report import ScanReport


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
    estimator's name, the ISO text of each instant (one venue's rates share their
    ``observed_at`` and next funding instants) and of each funding interval's hours. The
    text is the same as computed each time; each opportunity still gets its own dicts."""

    def __init__(self, report: ScanReport) -> None:
        self.report = report
        self.basis: str = report.basis.value
        self._fees: dict[str, dict[str, Any] | None] = {}
        self._instants: dict[datetime, str] = {}
        self._hours: dict[timedelta, str | None] = {}

    def fees(self, venue: str) -> dict[str, Any] | None:
        if venue not in self._fees:
            self._fees[venue] = fee_json(self.report.fees.get(venue))
        found = self._fees[venue]
        return None if found is None else dict(found)

    def interval_hours(self, rate: FundingRate) -> str | None:
        """``dec(rate.interval_hours)``, once per interval (a pure function of it for a
        :class:`FundingRate` itself; a subclass is asked each time)."""
        if type(rate) is not FundingRate:
            return dec(rate.interval_hours)
        found = self._hours.get(rate.interval, _MISSING)
        if found is _MISSING:
            found = self._hours[rate.interval] = dec(rate.interval_hours)
        return found  # type: ignore[return-value]

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


_MISSING = object()


def _opportunity_json_of(
    o: Opportunity, now: datetime, report: ScanReport | None, shared: _Shared | None
) -> dict[str, Any]:
    if shared is None:
        data = _opportunity_json(o, now)
    else:
        data = _opportunity_json(o, now, shared.iso, shared.interval_hours)
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


def _opportunity_json(
    o: Opportunity,
    now: datetime,
    iso_of: Callable[[datetime | None], str | None] = iso,
    hours_of: Callable[[FundingRate], str | None] | None = None,
) -> dict[str, Any]:
    long_leg = _leg(o.long_rate, now, iso_of, hours_of)
    short_leg = _leg(o.short_rate, now, iso_of, hours_of)
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
    rate: FundingRate,
    now: datetime,
    iso_of: Callable[[datetime | None], str | None] = iso,
    hours_of: Callable[[FundingRate], str | None] | None = None,
) -> dict[str, Any]:
    return {
        "venue": str(rate.exchange),
        "venue_symbol": rate.venue_symbol,
        "rate": dec(rate.rate),
        "interval_hours": dec(rate.interval_hours) if hours_of is None else hours_of(rate),
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
