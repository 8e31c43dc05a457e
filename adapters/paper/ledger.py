"""What the paper venue booked: fees, funding and realised PnL, per symbol."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import attrs

from atomic_fp.models import Symbol


class LedgerKind(enum.Enum):
    FEE = "fee"
    FUNDING = "funding"
    REALIZED_PNL = "realized_pnl"
    LIQUIDATION_FEE = "liquidation_fee"


@attrs.frozen
class LedgerEntry:
    """One booking. ``amount`` is what the account gained (negative = paid), in the
    market's settle asset; a fee is therefore negative (a maker rebate positive)."""

    time: datetime
    symbol: Symbol
    kind: LedgerKind
    amount: Decimal
    asset: str
    reference: str | None = None
    """The client order id of a fee or PnL booking; the settlement time of funding."""


@attrs.frozen
class SymbolLedger:
    """Totals for one symbol. ``fees`` is the net fee *paid* (positive = cost);
    ``funding`` what was received (negative = paid)."""

    funding: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)
    trades: int = 0
    liquidation_fees: Decimal = Decimal(0)
    """What liquidations charged beyond the price move (positive = cost)."""
    liquidations: int = 0

    @property
    def net(self) -> Decimal:
        return self.funding + self.realized_pnl - self.fees - self.liquidation_fees

    def book(self, entry: LedgerEntry) -> SymbolLedger:
        """The totals after ``entry``. Built by the constructor with every field given,
        which is what ``attrs.evolve`` does, without its per-field lookup (once per fill,
        fee and settlement)."""
        kind = entry.kind
        amount = entry.amount
        funding, fees, realized = self.funding, self.fees, self.realized_pnl
        trades, liquidation_fees, liquidations = (
            self.trades,
            self.liquidation_fees,
            self.liquidations,
        )
        if kind is LedgerKind.FEE:
            fees, trades = fees - amount, trades + 1
        elif kind is LedgerKind.LIQUIDATION_FEE:
            liquidation_fees, liquidations = liquidation_fees - amount, liquidations + 1
        elif kind is LedgerKind.FUNDING:
            funding = funding + amount
        else:
            realized = realized + amount
        return SymbolLedger(funding, fees, realized, trades, liquidation_fees, liquidations)


__all__ = ["LedgerEntry", "LedgerKind", "SymbolLedger"]
