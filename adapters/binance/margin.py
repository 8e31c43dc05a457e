"""Binance USD-M account margin: ``GET /fapi/v2/account`` (v3 has the same totals) plus
the positions from ``/fapi/v3/positionRisk`` (whose ``liquidationPrice`` is the venue's).

Binance documents the margin ratio as ``totalMaintMargin / totalMarginBalance`` and
liquidates when it reaches 100 %; in single-asset mode the ``total*`` fields count USDT
only (multi-assets mode: USD value of all collateral). Per-position ``maintMargin`` rows
give each leg's share; their ``leverage`` (v2 lists flat symbols too) bounds the
maintenance rate of a new position by ``1 / leverage``, the initial margin rate, which
Binance's maintenance rate never exceeds (its brackets' ``maintMarginRatio`` is below
``1 / initialLeverage`` in every bracket).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from returns.result import Result

from adapters._parse import arr, dec_field, obj, opt_dec, parse_guard, str_field
from adapters.binance.parsers import SymbolMap
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, build_account_margin


def parse_account_margin(
    exchange: ExchangeIdentifier,
    account: object,
    positions: Iterable[Position],
    symbols: SymbolMap,
    observed_at: datetime,
) -> Result[AccountMargin, MalformedResponse]:
    """``/fapi/v2/account`` totals + parsed positions -> :class:`AccountMargin`."""

    def parse() -> AccountMargin:
        body = obj(account)
        leg_maintenance: dict[Symbol, Decimal] = {}
        rates: dict[Symbol, Decimal] = {}
        for i, raw in enumerate(arr(body.get("positions", []), "$.positions")):
            path = f"$.positions[{i}]"
            row = obj(raw, path)
            maint = opt_dec(row, "maintMargin", path)
            mapped = symbols.canonical(str_field(row, "symbol", path))
            if maint is not None and maint > 0 and mapped is not None:
                leg_maintenance[mapped[0]] = leg_maintenance.get(mapped[0], Decimal(0)) + maint
            leverage = opt_dec(row, "leverage", path)
            if leverage is not None and leverage > 0 and mapped is not None:
                # v2 lists every symbol, flat ones too, with the account's leverage
                # setting: 1/leverage (the initial rate) bounds the maintenance rate
                rates[mapped[0]] = max(rates.get(mapped[0], Decimal(0)), 1 / leverage)
        multi = body.get("multiAssetsMargin") is True
        return build_account_margin(
            exchange=exchange,
            asset="USD" if multi else "USDT",
            equity=dec_field(body, "totalMarginBalance"),
            maintenance_margin=dec_field(body, "totalMaintMargin"),
            observed_at=observed_at,
            positions=positions,
            leg_maintenance=leg_maintenance,
            maintenance_rates=rates,
        )

    return parse_guard(str(exchange), parse)
