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
        if entry.kind is LedgerKind.FEE:
            return attrs.evolve(self, fees=self.fees - entry.amount, trades=self.trades + 1)
        if entry.kind is LedgerKind.LIQUIDATION_FEE:
            return attrs.evolve(
                self,
                liquidation_fees=self.liquidation_fees - entry.amount,
                liquidations=self.liquidations + 1,
            )
        if entry.kind is LedgerKind.FUNDING:
            return attrs.evolve(self, funding=self.funding + entry.amount)
        return attrs.evolve(self, realized_pnl=self.realized_pnl + entry.amount)


__all__ = ["LedgerEntry", "LedgerKind", "SymbolLedger"]
