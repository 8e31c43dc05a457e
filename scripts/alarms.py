"""Bad states are loud: what a trading command found that a person must look at.

Each :class:`Alarm` is one line on stderr (one JSON record with ``--log-json``, carrying
the venue, symbol, sizes and what to do) and makes the command exit 1
(:data:`~scripts.exitcodes.NOTHING_USABLE`). The states:

- ``unresolved_order``: an order's fate is unknown; trading is halted until it is resolved;
- ``position_mismatch``: the journal and a venue disagree about a position; openings are
  blocked and that venue's reading is not acted on (``atomic-fp reconcile``);
- ``residual``: an execution (or the recovery of an interrupted one) left unhedged
  exposure or an unresolved order;
- ``journal_failed``: the journal could not record part of an execution.

An unreadable venue alone is *not* an alarm: it is a partial venue failure, warned about
and excluded (exit 0), as every command treats one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs

from atomic_fp.orchestration import CycleReport, ExecutionReport
from scripts.context import error
from scripts.output import dec

_ORDER_TEXT = re.compile(r"^(?P<cid>\S+) on (?P<venue>\S+)")
"""How reconciliation names an unresolved order: ``"<client id> on <venue> (<why>)"``."""

RECONCILE_HINT = (
    "check the venue, then run `atomic-fp reconcile` to compare and "
    "`atomic-fp reconcile --accept-venue --yes` to adopt the venue's figures"
)


@attrs.frozen
class Alarm:
    event: str
    symbol: str
    message: str
    todo: str
    venue: str | None = None
    details: dict[str, Any] = attrs.field(factory=dict)

    def line(self) -> str:
        return f"{self.message}; to do: {self.todo}"


def _execution_alarm(symbol: str, report: ExecutionReport, *, recovered: bool) -> Alarm:
    what = "recovered signal" if recovered else "execution of signal"
    legs = {str(leg.exchange): dec(leg.net_base) for leg in report.legs}
    details: dict[str, Any] = {
        "signal_id": report.signal_id,
        "status": report.status.value,
        "residual_base": dec(report.residual_base),
        "net_base_by_venue": legs,
        "unresolved_client_order_ids": list(report.unresolved),
    }
    if report.journal_error is not None:
        details["journal_error"] = report.journal_error
        return Alarm(
            "journal_failed",
            symbol,
            f"{symbol}: {what} {report.signal_id}: {report.message}",
            "free the journal (disk space, permissions, the other writer), then start "
            "again: the next start looks the orders up by client id",
            details=details,
        )
    if report.unresolved:
        return Alarm(
            "unresolved_order",
            symbol,
            f"{symbol}: {what} {report.signal_id} left order(s) "
            f"{', '.join(report.unresolved)} unresolved; trading halted",
            "the next run looks them up again; if it persists, find these client order "
            "ids in the venue's order history",
            details=details,
        )
    return Alarm(
        "residual",
        symbol,
        f"{symbol}: {what} {report.signal_id} {report.status.value}: unhedged residual "
        f"{report.residual_base} {symbol} (net by venue: "
        + ", ".join(f"{v} {n}" for v, n in legs.items())
        + ")",
        "the next cycle rebalances it when it can; otherwise reduce it by hand on the venue "
        "and " + RECONCILE_HINT.removeprefix("check the venue, then "),
        details=details,
    )


def cycle_alarms(cycle: CycleReport) -> list[Alarm]:
    """Every bad state one cycle met (its reconciliation and its execution)."""
    symbol = cycle.symbol.base
    alarms: list[Alarm] = []
    recon = cycle.reconciliation
    if recon is not None:
        for text in recon.unresolved:
            named = _ORDER_TEXT.match(text)
            details: dict[str, Any] = {"order": text}
            if named is not None:
                details["client_order_id"] = named["cid"]
            alarms.append(
                Alarm(
                    "unresolved_order",
                    symbol,
                    f"{symbol}: unresolved order {text}; trading halted until resolved",
                    "the next run looks it up again; if it persists, find the client order "
                    "id in the venue's order history",
                    venue=named["venue"] if named is not None else None,
                    details=details,
                )
            )
        for difference in recon.differences:
            alarms.append(
                Alarm(
                    "position_mismatch",
                    symbol,
                    f"{symbol}: position mismatch on {difference.exchange}: venue holds "
                    f"{difference.venue_base}, journal says {difference.journal_base}; "
                    "openings blocked and this reading is not acted on",
                    RECONCILE_HINT,
                    venue=str(difference.exchange),
                    details={
                        "journal_base": dec(difference.journal_base),
                        "venue_base": dec(difference.venue_base),
                        "difference": dec(difference.difference),
                    },
                )
            )
        for report in recon.recovered:
            if not report.hedged:
                alarms.append(_execution_alarm(symbol, report, recovered=True))
    if cycle.execution is not None and not cycle.execution.hedged:
        alarms.append(_execution_alarm(symbol, cycle.execution, recovered=False))
    return alarms


class AlarmLog:
    """Emits each distinct alarm once per process (a loop that meets the same mismatch
    every cycle says so once) and remembers whether any was raised."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self.raised = False

    def emit(self, alarms: Iterable[Alarm]) -> None:
        for alarm in alarms:
            self.raised = True
            if alarm.line() in self._seen:
                continue
            self._seen.add(alarm.line())
            fields: dict[str, object] = {
                "event": alarm.event,
                "symbol": alarm.symbol,
                "todo": alarm.todo,
                "details": alarm.details,
            }
            if alarm.venue is not None:
                fields["venue"] = alarm.venue
            error(alarm.line(), **fields)


__all__ = ["Alarm", "AlarmLog", "cycle_alarms"]
