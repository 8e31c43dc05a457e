"""Lighter account margin from ``GET /api/v1/account``.

Equity is the account's ``total_asset_value`` (collateral plus unrealised PnL). Lighter
publishes each position's ``liquidation_price`` (``"0"`` = none) but no account
maintenance margin: it is derived from the documented rule, position value times the
market's ``maintenance_margin_fraction`` (``/orderBookDetails``), summed over positions.
When a market's fraction is unknown the account's maintenance margin is unknown too.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from returns.result import Result

from adapters._parse import arr, dec_field, int_field, obj, opt_dec, parse_guard
from adapters.lighter.parsing import VENUE, LighterMarket
from adapters.lighter.parsing_account import _select_account, parse_positions
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin


def parse_account_margin(
    payload: object,
    exchange: ExchangeIdentifier,
    account_index: int,
    markets: Collection[LighterMarket],
    observed_at: datetime,
) -> Result[AccountMargin, MalformedResponse]:
    """The ``account_index`` account of an ``/account`` answer -> :class:`AccountMargin`."""

    def parse() -> AccountMargin:
        account = _select_account(payload, account_index)
        positions = parse_positions(payload, exchange, account_index, markets, observed_at).unwrap()
        by_id = {m.market_id: m for m in markets}
        legs: dict[Symbol, Decimal] = {}
        complete = True
        for i, raw in enumerate(arr(account.get("positions") or [], "$.positions")):
            path = f"$.positions[{i}]"
            row = obj(raw, path)
            if dec_field(row, "position", path) == 0:
                continue
            market = by_id.get(int_field(row, "market_id", path))
            value = opt_dec(row, "position_value", path)
            if market is None or market.maintenance_margin_fraction is None or value is None:
                complete = False
                continue
            symbol = market.market.symbol
            legs[symbol] = abs(value) * market.maintenance_margin_fraction
        return build_account_margin(
            exchange=exchange,
            asset="USDC",
            equity=dec_field(account, "total_asset_value", "$.account"),
            maintenance_margin=sum(legs.values(), Decimal(0)) if complete else None,
            observed_at=observed_at,
            positions=positions,
            leg_maintenance=legs,
        )

    return parse_guard(VENUE, parse)
