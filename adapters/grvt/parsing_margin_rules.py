"""GRVT's margin rules (``full/v1/margin_rules``) and the maintenance rate a new
position carries under them (pure).

GRVT reports a maintenance margin only for positions the account holds
(``account_summary``), so a symbol with no position has no rate there. Its published
rules do: per instrument, ``risk_brackets`` of ``notional_floor`` (inclusive) to
``notional_cap`` (exclusive, "omitted for last tier" -- yet the documented example's one
tier carries ``"600000"``, so a capped last tier is accepted and its rate, the highest,
applies above the cap too), each with a
``maintenance_margin_rate`` and a ``cumulative_maintenance_amount`` (spec
``ApiGetMarginRulesResponse`` / ``RiskBracket`` in gravity-technologies/api-spec
``src/codegen/apispec.json``, MIT; docs ``market_data_api.md`` "Get Margin Rules").

Which tier: :func:`maintenance_rate_bound` (the tier covering ``equity x`` the highest
max leverage; why that is an upper bound: :mod:`atomic_fp.models.risk_brackets`).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import attrs
from returns.result import Result

from adapters._parse import ParseError, arr, dec_field, int_field, obj, parse_guard, str_field
from atomic_fp.errors import MalformedResponse
from atomic_fp.models.risk_brackets import RiskBracket
from atomic_fp.models.risk_brackets import maintenance_rate_bound as bracket_rate_bound


@attrs.frozen
class MarginRules:
    instrument: str
    max_position_size: Decimal
    brackets: tuple[RiskBracket, ...]
    """Ordered by ``notional_floor``; contiguous, starting at 0."""


def _bracket(row: object, path: str) -> RiskBracket:
    data = obj(row, path)
    cap = data.get("notional_cap")
    bracket = RiskBracket(
        tier=int_field(data, "tier", path),
        notional_floor=dec_field(data, "notional_floor", path),
        notional_cap=dec_field(data, "notional_cap", path) if cap not in (None, "") else None,
        maintenance_margin_rate=dec_field(data, "maintenance_margin_rate", path),
        max_leverage=Decimal(int_field(data, "max_leverage", path)),
    )
    rate = bracket.maintenance_margin_rate
    if not Decimal(0) < rate < Decimal(1):
        raise ParseError(f"{path}.maintenance_margin_rate: {rate} is not in (0, 1)")
    if bracket.max_leverage < 1:
        raise ParseError(f"{path}.max_leverage: {bracket.max_leverage} < 1")
    if bracket.notional_floor < 0:
        raise ParseError(f"{path}.notional_floor: negative")
    if bracket.notional_cap is not None and bracket.notional_cap <= bracket.notional_floor:
        raise ParseError(f"{path}.notional_cap: not above notional_floor")
    return bracket


def _check_brackets(brackets: list[RiskBracket]) -> None:
    if not brackets:
        raise ParseError("$.risk_brackets: empty")
    if brackets[0].notional_floor != 0:
        raise ParseError("$.risk_brackets: the first tier does not start at notional 0")
    for lower, upper in itertools.pairwise(brackets):
        if lower.notional_cap != upper.notional_floor:
            raise ParseError(
                f"$.risk_brackets: tier {upper.tier} does not follow tier {lower.tier}"
            )
        if upper.maintenance_margin_rate < lower.maintenance_margin_rate:
            raise ParseError(f"$.risk_brackets: tier {upper.tier} has a lower maintenance rate")


def parse_margin_rules(
    venue: str, payload: object, instrument: str
) -> Result[MarginRules, MalformedResponse]:
    """``margin_rules`` body -> :class:`MarginRules` for ``instrument`` (the body names
    the instrument it answers for; another name is refused). The documented body is the
    object itself; a ``result`` wrapper, as on GRVT's other routes, is accepted too."""

    def parse() -> MarginRules:
        body = obj(payload)
        row = obj(body["result"], "$.result") if "result" in body else body
        name = str_field(row, "instrument")
        if name != instrument:
            raise ParseError(f"$.instrument: asked for {instrument}, got {name}")
        rows = arr(row.get("risk_brackets"), "$.risk_brackets")
        brackets = sorted(
            (_bracket(item, f"$.risk_brackets[{i}]") for i, item in enumerate(rows)),
            key=lambda b: b.notional_floor,
        )
        _check_brackets(brackets)
        return MarginRules(
            instrument=name,
            max_position_size=dec_field(row, "max_position_size"),
            brackets=tuple(brackets),
        )

    return parse_guard(venue, parse)


def maintenance_rate_bound(rules: MarginRules, equity: Decimal) -> Decimal:
    """An upper bound of the maintenance rate of any position the account can open under
    ``rules`` (:func:`atomic_fp.models.risk_brackets.maintenance_rate_bound`)."""
    return bracket_rate_bound(rules.brackets, equity)


__all__ = ["MarginRules", "RiskBracket", "maintenance_rate_bound", "parse_margin_rules"]
