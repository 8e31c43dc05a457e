"""GRVT account margin from ``full/v1/account_summary``.

The summary carries the account totals (``total_equity``, ``maintenance_margin``,
``settle_currency``) and its open ``positions`` in the same row shape as
``full/v1/positions``, each with the venue's ``est_liquidation_price`` (GRVT names it
an estimate, but it is the venue's own figure: ``source = venue``).
"""

from __future__ import annotations

from datetime import datetime

from returns.result import Result

from adapters._parse import arr, dec_field, obj, parse_guard, str_field, ts_nanos
from adapters.grvt.parsers import InstrumentLookup, Overrides, parse_positions
from atomic_fp.errors import MalformedResponse
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin


def parse_account_margin(
    venue: ExchangeIdentifier,
    payload: object,
    instruments: InstrumentLookup,
    observed_at: datetime,
    overrides: Overrides | None = None,
) -> Result[AccountMargin, MalformedResponse]:
    """``account_summary`` -> :class:`AccountMargin`."""

    def parse() -> AccountMargin:
        row = obj(obj(payload).get("result"), "$.result")
        rows = arr(row.get("positions") or [], "$.result.positions")
        positions = parse_positions(
            venue, {"result": rows}, instruments, observed_at, overrides
        ).unwrap()
        event = row.get("event_time")
        return build_account_margin(
            exchange=venue,
            asset=str_field(row, "settle_currency", "$.result"),
            equity=dec_field(row, "total_equity", "$.result"),
            maintenance_margin=dec_field(row, "maintenance_margin", "$.result"),
            observed_at=ts_nanos(event, "$.result.event_time") if event else observed_at,
            positions=positions,
        )

    return parse_guard(venue.name, parse)
