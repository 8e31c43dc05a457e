"""The paper venue's cross-margin account and liquidations: positions as the venue reports
them (with liquidation prices), balances net of the margin in use, and every position of a
settle asset closed at its mark (with the liquidation fee booked) once equity falls to the
maintenance margin, by the rules of :mod:`adapters.paper.margin`."""

from __future__ import annotations

from decimal import Decimal

import attrs
from returns.result import Result, Success

from adapters.paper.accounts import PaperAccounts
from adapters.paper.ledger import LedgerEntry, LedgerKind
from adapters.paper.margin import (
    PaperLiquidation,
    PaperMarginRules,
    account_margin,
    liquidation_due,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import Balance, Position
from atomic_fp.models.margin import AccountMargin


class PaperMarginAccount(PaperAccounts):
    """The margin account, its liquidations, and the position and balance reads."""

    def _raw_positions(self, asset: str | None = None) -> list[Position]:
        """Open positions (of one settle asset), without liquidation prices."""
        now = self.now()
        positions = []
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if pos.size == 0 or (asset is not None and state.market.settle_asset != asset):
                continue
            positions.append(
                Position(
                    exchange=self._exchange,
                    symbol=symbol,
                    size=pos.size,
                    observed_at=now,
                    contract_multiplier=state.market.contract_multiplier,
                    entry_price=pos.entry_price,
                    mark_price=state.mark_price,
                    unrealized_pnl=(state.mark_price - pos.entry_price) * pos.size,
                    leverage=state.market.max_leverage or self.leverage,
                )
            )
        return positions

    def margin(self, asset: str | None = None) -> AccountMargin:
        """The cross-margin account of ``asset`` (default: the first market's settle
        asset), by :mod:`adapters.paper.margin`."""
        if asset is None:
            first = next(iter(self._markets.values()), None)
            asset = first.market.settle_asset if first is not None else "USD"
        return account_margin(
            exchange=self._exchange,
            asset=asset,
            wallet=self._balances.get(asset, Decimal(0)),
            positions=self._raw_positions(asset),
            rules=self.margin_rules,
            now=self.now(),
            listed=[
                symbol
                for symbol, state in self._markets.items()
                if state.market.settle_asset == asset
            ],
        )

    def _positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        positions = []
        for asset in sorted({self._markets[s].market.settle_asset for s in self._positions}):
            for leg in self.margin(asset).legs:
                positions.append(
                    attrs.evolve(leg.position, liquidation_price=leg.liquidation_price)
                )
        return Success(tuple(positions))

    def _may_be_due(self, asset: str) -> bool:
        """:func:`liquidation_due` of :meth:`margin`, by the same sums in the same order
        but without building a ``Position`` per leg (every mark move and settlement asks
        this; building the account's models each time was most of a backtest's run).
        The sums over the held legs are :meth:`_due_sums` (kept while the account's
        legs are unchanged); the wallet is added here, as before."""
        rules = self.margin_rules
        if not rules.liquidate:
            return False
        held, unrealized, maintenance = self._due_sums(asset, rules)
        if not held or maintenance <= 0:
            return False
        return self._balances.get(asset, Decimal(0)) + unrealized <= maintenance

    def _due_sums(self, asset: str, rules: PaperMarginRules) -> tuple[bool, Decimal, Decimal]:
        """Whether ``asset`` has a held leg, the unrealized PnL and the maintenance margin
        over its held legs, summed as :meth:`margin` sums them.

        A function of the rules and the held legs (size, entry, mark, settle asset)
        alone, so kept per asset with the rules object (compared by identity; the memo
        holds it, so no id is reused) and :attr:`_holdings_version`, and given again
        while neither changed: a flat symbol's mark move (most of a backtest's marks) or
        a settlement (the wallet alone moves) then costs no pass over every position.
        ``tests/adapters/test_paper_venue_equals_old_code.py`` drives this and the old
        unmemoised check through the same random events."""
        version = self._holdings_version
        known = self._due_memo.get(asset)
        if known is not None and known[0] is rules and known[1] == version:
            return known[2]
        sums = self._account_sums(asset, rules)
        self._due_memo[asset] = (rules, version, sums)
        return sums

    def _account_sums(self, asset: str, rules: PaperMarginRules) -> tuple[bool, Decimal, Decimal]:
        """:meth:`_due_sums` computed."""
        unrealized = Decimal(0)
        maintenance = Decimal(0)
        held = False
        for symbol, pos in self._positions.items():
            if pos.size == 0:
                continue
            state = self._markets[symbol]
            if state.market.settle_asset != asset:
                continue
            held = True
            mark = state.mark_price
            if mark and pos.entry_price:
                unrealized += (mark - pos.entry_price) * pos.size
            maintenance += abs(pos.size) * mark * rules.maintenance_rate
        return held, unrealized, maintenance

    def _liquidate_if_due(self, asset: str) -> None:
        """Close every position of ``asset`` at its mark when equity <= maintenance."""
        if not self._may_be_due(asset):
            return
        margin = self.margin(asset)
        if not liquidation_due(margin, self.margin_rules):
            return
        assert margin.maintenance_margin is not None
        now = self.now()
        for leg in margin.legs:
            position = leg.position
            pos = self._positions[position.symbol]
            price = self._markets[position.symbol].mark_price
            realized = (price - pos.entry_price) * pos.size
            fee = abs(pos.size) * price * self.margin_rules.liquidation_fee
            reference = f"liquidation-{now.isoformat()}"
            pos.size, pos.entry_price = Decimal(0), Decimal(0)
            self._holdings_changed()
            if realized != 0:
                self._book_entry(
                    LedgerEntry(
                        now, position.symbol, LedgerKind.REALIZED_PNL, realized, asset, reference
                    )
                )
            self._book_entry(
                LedgerEntry(
                    now, position.symbol, LedgerKind.LIQUIDATION_FEE, -fee, asset, reference
                )
            )
            self.liquidations.append(
                PaperLiquidation(
                    time=now,
                    exchange=self._exchange,
                    position=position,
                    price=price,
                    realized_pnl=realized,
                    fee=fee,
                    equity=margin.equity,
                    maintenance_margin=margin.maintenance_margin,
                )
            )

    def _margin_used(self, asset: str) -> Decimal:
        used = Decimal(0)
        for symbol, pos in self._positions.items():
            state = self._markets[symbol]
            if state.market.settle_asset == asset:
                used += (
                    abs(pos.size) * state.mark_price / (state.market.max_leverage or self.leverage)
                )
        return used

    def _balances_now(self) -> Result[tuple[Balance, ...], VenueError]:
        now = self.now()
        return Success(
            tuple(
                Balance(
                    exchange=self._exchange,
                    asset=asset,
                    total=total,
                    available=total - self._margin_used(asset),
                    observed_at=now,
                )
                for asset, total in self._balances.items()
            )
        )


__all__ = ["PaperMarginAccount"]
