"""GRVT: the account's fee tier, mapped onto GRVT's published 9-level futures table.

``POST full/v1/funding_account_summary`` (trading host, session; empty body) answers
``{"result": {...}, "tier": {"tier": <int>, "futures_taker_fee": <int>, ...}}``
(gravity-technologies/api-spec ``ApiFundingAccountSummaryResponse`` / ``ClientTier``; the
docs' example has every tier field ``null``). The fee integers' unit is undocumented, so
only the level number is used, looked up in the published table below.

GRVT publishes two tables that disagree (both checked 2026-12-06): help.grvt.io "How does
GRVT's fee model work?" (level 1: 0.027 % maker / 0.055 % taker ... level 9: -0.003 % /
0.019 %) and the gitbook "Fees" page (level 1: 0.03 % / 0.05 % ... level 9: -0.003 % /
0.01 %). Each level here takes the higher of the two, maker and taker separately: an
overstated fee can hide a spread, an understated one invents it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from returns.result import Result

from adapters._parse import ParseError, field, integer, obj, parse_guard
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeQuote, FeeSource, VenueFees

ACCOUNT_SUMMARY = "funding_account_summary"

_PERCENT = Decimal(100)
# level: (maker %, taker %), the higher of help.grvt.io and the gitbook per column
_LEVELS = {
    1: ("0.030", "0.055"),
    2: ("0.026", "0.049"),
    3: ("0.022", "0.044"),
    4: ("0.018", "0.039"),
    5: ("0.014", "0.034"),
    6: ("0.009", "0.028"),
    7: ("0.005", "0.024"),
    8: ("0.001", "0.020"),
    9: ("-0.003", "0.019"),
}
FUTURES_FEE_LEVELS: Mapping[int, VenueFees] = MappingProxyType(
    {
        level: VenueFees(maker=Decimal(maker) / _PERCENT, taker=Decimal(taker) / _PERCENT)
        for level, (maker, taker) in _LEVELS.items()
    }
)


def _parse(payload: object) -> FeeQuote:
    body = obj(payload)
    tier = obj(field(body, "tier"), "$.tier")
    level = integer(field(tier, "tier", "$.tier"), "$.tier.tier")
    fees = FUTURES_FEE_LEVELS.get(level)
    if fees is None:
        raise ParseError(f"$.tier.tier: {level} is not a published GRVT level (1-9)")
    return FeeQuote(fees, FeeSource.ACCOUNT, f"full/v1/{ACCOUNT_SUMMARY} tier {level}")


def parse_account_tier(venue: str, payload: object) -> Result[FeeQuote, MalformedResponse]:
    """``funding_account_summary`` -> the account's level's fees (source ``account``)."""
    return parse_guard(venue, lambda: _parse(payload))


__all__ = ["ACCOUNT_SUMMARY", "FUTURES_FEE_LEVELS", "parse_account_tier"]
