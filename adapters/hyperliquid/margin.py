"""Hyperliquid account margin from one ``clearinghouseState`` body.

Equity is ``marginSummary.accountValue``; maintenance margin is
``crossMaintenanceMarginUsed`` (cross positions; an isolated position carries its own
margin and its ``liquidationPx``). ``liquidationPx`` is the venue's price, ``null`` when no
price liquidates the position. Docs: "Margining" -- liquidation when account value falls
below maintenance margin (half the initial margin at max leverage).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from returns.result import Result

from adapters._parse import dec_field, obj, parse_guard
from adapters.hyperliquid.parsers import SETTLE_ASSET, Overrides, parse_positions
from atomic_fp.errors import MalformedResponse
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin


def parse_account_margin(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides | None = None,
) -> Result[AccountMargin, MalformedResponse]:
    """``clearinghouseState`` -> :class:`AccountMargin` (positions parsed by the same
    parser ``fetch_positions`` uses)."""

    def parse() -> AccountMargin:
        body = obj(payload)
        summary = obj(body.get("marginSummary"), "$.marginSummary")
        positions = parse_positions(exchange, payload, observed_at, overrides).unwrap()
        stamp = positions[0].observed_at if positions else observed_at
        return build_account_margin(
            exchange=exchange,
            asset=SETTLE_ASSET,
            equity=dec_field(summary, "accountValue", "$.marginSummary"),
            maintenance_margin=dec_field(body, "crossMaintenanceMarginUsed"),
            observed_at=stamp,
            positions=positions,
        )

    return parse_guard(str(exchange), parse)
