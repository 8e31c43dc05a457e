"""``scan``'s JSON and CSV write what every opportunity shares (each venue's fee object,
the estimator's name, the ISO text of each instant, a leg's APR text) once per render
(``scripts/scan_json.py``; issue 20, the cold tail: ~13 -> ~8 ms of CPU for a 900-rate
scan's 200 opportunities).
The output is the same: the opportunities of a real ``scan --offline --all-pairs`` are
written by the reference below (the code before the change, kept as the oracle), and by
``scan_render``, to equal dicts in the same key order, hence the same JSON and CSV."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import scripts.scan_render
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import FundingRate
from scripts.output import dec, iso, render_json_of_models
from scripts.scan_json import _mark_gap, _Shared
from scripts.scan_render import fee_json, opportunity_json, report_json
from scripts.scan_report import ScanReport


def _reference_leg(rate: FundingRate) -> dict[str, Any]:
    return {
        "venue": str(rate.exchange),
        "venue_symbol": rate.venue_symbol,
        "rate": dec(rate.rate),
        "interval_hours": dec(rate.interval_hours),
        "apr": dec(rate.apr),
        "kind": rate.kind.value,
        "next_funding_time": iso(rate.next_funding_time),
        "observed_at": iso(rate.observed_at),
        "mark_price": dec(rate.mark_price),
        "open_interest": dec(rate.open_interest),
        "volume_24h": dec(rate.volume_24h),
        "cap": dec(rate.cap),
        "floor": dec(rate.floor),
    }


def _reference(o: Opportunity, now: datetime, report: ScanReport) -> dict[str, Any]:
    """``opportunity_json(o, now, report)`` as written before (the oracle)."""
    long_leg, short_leg = _reference_leg(o.long_rate), _reference_leg(o.short_rate)
    long_leg["fees"] = short_leg["fees"] = None
    oldest = min(o.long_rate.observed_at, o.short_rate.observed_at)
    data: dict[str, Any] = {
        "symbol": o.symbol.base,
        "long_venue": str(o.long_venue),
        "short_venue": str(o.short_venue),
        "long_apr": dec(o.long_apr),
        "short_apr": dec(o.short_apr),
        "spread_apr": dec(o.spread_apr),
        "cost_apr": dec(o.cost_apr),
        "net_apr": dec(o.net_apr),
        "long": long_leg,
        "short": short_leg,
        "mark_gap": dec(_mark_gap(o)),
        "data_age_seconds": dec(Decimal((now - oldest) // timedelta(microseconds=1)) / 1_000_000),
    }
    data["long"]["fees"] = fee_json(report.fees.get(str(o.long_venue)))
    data["short"]["fees"] = fee_json(report.fees.get(str(o.short_venue)))
    basis = report.basis.value
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


@pytest.fixture(scope="module")
def rendered() -> tuple[ScanReport, list[Opportunity]]:
    """The report and opportunities a real ``scan --offline --all-pairs`` renders."""
    seen: list[tuple[ScanReport, list[Opportunity]]] = []
    real = scripts.scan_render.render

    def keep(fmt: str | None, report: ScanReport, opportunities: Any) -> str:
        seen.append((report, list(opportunities)))
        return real(fmt, report, opportunities)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scripts.scan_render, "render", keep)
        from scripts.cli import cli

        done = CliRunner().invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert len(seen) == 1
    return seen[0]


def test_every_opportunity_is_written_as_before(
    rendered: tuple[ScanReport, list[Opportunity]],
) -> None:
    report, opportunities = rendered
    assert len(opportunities) >= 10
    expected = [_reference(o, report.now, report) for o in opportunities]
    written = report_json(report, opportunities)["opportunities"]
    assert written == expected
    # the same keys in the same order, hence the same bytes
    assert render_json_of_models(written) == render_json_of_models(expected)
    # the per-opportunity call (CSV's and watch's) too, each with its own dicts
    one = [opportunity_json(o, report.now, report) for o in opportunities]
    assert one == expected
    fees = [d["long"]["fees"] for d in written if d["long"]["fees"] is not None]
    assert len({id(f) for f in fees}) == len(fees)


_ZONES = st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]
)


@given(
    st.lists(
        st.datetimes(
            min_value=datetime(1971, 1, 2), max_value=datetime(2100, 1, 1),
            timezones=cast(Any, _ZONES),
        ) | st.none(),
        max_size=12,
    )
)  # fmt: skip
def test_an_instant_s_text_is_iso_s_whatever_its_zone(instants: list[datetime | None]) -> None:
    """Equal instants in other zones share one memo entry: their UTC text is one."""
    shared = _Shared(cast(ScanReport, type("R", (), {"basis": _Basis(), "fees": {}})()))
    moved = [None if i is None else i.astimezone(timezone.utc) for i in instants]
    assert [shared.iso(i) for i in instants + moved] == [iso(i) for i in instants + moved]


class _Basis:
    value = "basis"
