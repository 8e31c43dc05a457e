"""How ``watch`` shows what changed: one JSON object per change (``--format jsonl``), or a
live terminal view (``rich``, imported only here and only for the table)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from atomic_fp.decisions.types import Opportunity
from scripts.output import iso
from scripts.scan_render import SPREAD_HEADERS, opportunity_json, spread_cells
from scripts.watch_session import (
    SpreadsChanged,
    VenueChanged,
    VenueStatus,
    WatchChange,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

HEADERS = SPREAD_HEADERS


def status_json(status: VenueStatus) -> dict[str, Any]:
    return {
        "venue": str(status.venue),
        "kind": status.kind,
        "state": status.state,
        "rest_fallback": status.rest_fallback,
        "detail": status.detail,
        "gaps": status.gaps,
        "rates": status.rates,
    }


def change_json(change: WatchChange, limit: int | None = None) -> dict[str, Any]:
    """One line of ``--format jsonl``: ``type`` is ``spreads``, ``venue`` or ``gap``."""
    if isinstance(change, SpreadsChanged):
        shown = change.opportunities[:limit] if limit else change.opportunities
        return {
            "type": "spreads",
            "at": iso(change.at),
            "trigger": change.trigger,
            "opportunities": [opportunity_json(o, change.at) for o in shown],
        }
    if isinstance(change, VenueChanged):
        return {"type": "venue", "at": iso(change.at), **status_json(change.status)}
    gap = change.gap
    return {
        "type": "gap",
        "at": iso(change.at),
        "venue": gap.venue,
        "started": iso(gap.started),
        "ended": iso(gap.ended),
        "seconds": f"{gap.duration.total_seconds():.3f}",
        "reason": gap.reason,
        "channel": gap.channel,
        "missed": gap.missed,
    }


def spread_rows(opportunities: Sequence[Opportunity], now: datetime) -> list[list[str]]:
    """The same cells as ``scan``'s table."""
    return [spread_cells(o, now) for o in opportunities]


_STATE_STYLE = {
    "live": "green",
    "connecting": "yellow",
    "reconnecting": "yellow",
    "down": "red",
    "failed": "red",
    "rest-only": "cyan",
}


def live_view(
    opportunities: Sequence[Opportunity],
    statuses: Sequence[VenueStatus],
    gaps: Sequence[str],
    now: datetime,
    updated: datetime | None,
) -> RenderableType:
    """The terminal view: best spreads, then each venue's stream state, then recent gaps."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    spreads = Table(title="best funding spreads", title_justify="left", expand=False)
    for i, header in enumerate(HEADERS):
        spreads.add_column(header, justify="right" if 3 <= i <= 6 or i == 9 else "left")
    for o, row in zip(opportunities, spread_rows(opportunities, now), strict=True):
        cells: list[Text | str] = list(row)
        cells[6] = Text(row[6], style="green" if o.net_apr > 0 else "red")
        spreads.add_row(*cells)
    venues = Table(title="venues", title_justify="left", expand=False)
    for header in ("VENUE", "KIND", "STREAM", "RATES", "GAPS", "DETAIL"):
        venues.add_column(header)
    for status in statuses:
        venues.add_row(
            str(status.venue),
            status.kind,
            Text(status.describe(), style=_STATE_STYLE.get(status.state, "")),
            str(status.rates),
            str(status.gaps),
            (status.detail or "")[:60],
        )
    stamp = f"updated {iso(updated)}" if updated else "waiting for the first rates"
    footer = Text(f"{stamp}; Ctrl-C to stop", style="dim")
    parts: list[RenderableType] = [spreads, venues]
    parts += [Text(g, style="yellow") for g in gaps[-3:]]
    parts.append(footer)
    return Group(*parts)


__all__ = ["HEADERS", "change_json", "live_view", "spread_rows", "status_json"]
