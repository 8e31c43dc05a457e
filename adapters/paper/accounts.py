"""The paper venue's accounts: positions (size, average entry), balances, deposits, the
ledger of fees, funding and realised PnL per symbol, and how a fill is booked into them."""

from __future__ import annotations

from decimal import Decimal

from adapters.paper.ledger import LedgerEntry, LedgerKind, SymbolLedger
from adapters.paper.records import PaperPosition
from adapters.paper.state import PaperVenueState
from atomic_fp.models import OrderRequest, Symbol


class PaperAccounts(PaperVenueState):
    """Positions, balances and the ledger, and the booking of fills."""

    def ledger(self, symbol: Symbol | None = None) -> SymbolLedger:
        """Totals for one symbol, or summed over all symbols."""
        if symbol is not None:
            return self._ledger.get(symbol, SymbolLedger())
        total = SymbolLedger()
        for entry in self._ledger.values():
            total = SymbolLedger(
                funding=total.funding + entry.funding,
                fees=total.fees + entry.fees,
                realized_pnl=total.realized_pnl + entry.realized_pnl,
                trades=total.trades + entry.trades,
                liquidation_fees=total.liquidation_fees + entry.liquidation_fees,
                liquidations=total.liquidations + entry.liquidations,
            )
        return total

    def ledger_entries(self) -> tuple[LedgerEntry, ...]:
        return tuple(self._ledger_entries)

    def position_size(self, symbol: Symbol) -> Decimal:
        """Signed position in venue units (0 when flat)."""
        pos = self._positions.get(symbol)  # no PaperPosition built per read
        return pos.size if pos is not None else Decimal(0)

    def position_base(self, symbol: Symbol) -> Decimal:
        return self.position_size(symbol) * self._markets[symbol].market.contract_multiplier

    def balance(self, asset: str = "USD") -> Decimal:
        balance = self._balances.get(asset)  # no Decimal(0) built per read of a known asset
        return balance if balance is not None else Decimal(0)

    def deposit(self, amount: Decimal, asset: str = "USD") -> None:
        """Collateral transferred in (or out, when negative): what a user does after
        ``atomic-fp collateral`` suggests a move. Not a ledger entry (no symbol's PnL)."""
        self._balances[asset] = self._balances.get(asset, Decimal(0)) + amount
        self._save()

    def _book_entry(self, entry: LedgerEntry) -> None:
        self._ledger_entries.append(entry)
        ledger = self._ledger.get(entry.symbol)  # no SymbolLedger built per booking
        self._ledger[entry.symbol] = (ledger if ledger is not None else SymbolLedger()).book(entry)
        self._balances[entry.asset] = self._balances.get(entry.asset, Decimal(0)) + entry.amount

    def _apply_fill(
        self, request: OrderRequest, fill: Decimal, cost: Decimal, fee: Decimal
    ) -> None:
        symbol = request.symbol
        state = self._markets[symbol]
        asset = state.market.settle_asset
        now = self.now()
        price = cost / fill
        pos = self._positions.setdefault(symbol, PaperPosition())
        signed = fill * request.side.sign
        realized = Decimal(0)
        if pos.size == 0 or (pos.size > 0) == (signed > 0):
            total = abs(pos.size) + fill
            pos.entry_price = (abs(pos.size) * pos.entry_price + fill * price) / total
            pos.size += signed
        else:
            closing = min(fill, abs(pos.size))
            direction = 1 if pos.size > 0 else -1
            realized = (price - pos.entry_price) * closing * direction
            pos.size += signed
            if pos.size == 0:
                pos.entry_price = Decimal(0)
            elif (pos.size > 0) != (direction > 0):
                pos.entry_price = price
        self._holdings_changed()  # once the position is what the next check must read
        self._book_entry(
            LedgerEntry(now, symbol, LedgerKind.FEE, fee, asset, request.client_order_id)
        )
        if realized != 0:
            self._book_entry(
                LedgerEntry(
                    now, symbol, LedgerKind.REALIZED_PNL, realized, asset, request.client_order_id
                )
            )


__all__ = ["PaperAccounts"]
