"""The backtest paper venue's mark moves: :meth:`PaperVenue.set_mark_price` with the
liquidation check's "not due" answer kept, and the clock's tick without the late-order
pass when no order is late.

A backtest moves a mark about 69,000 times a simulated year (every listed symbol, every
hour it has a new price), almost always of a symbol the account does not hold, and each
move asks whether its settle asset's account is due for liquidation. That answer
(:meth:`~adapters.paper.margin_account.PaperMarginAccount._may_be_due`) is a function of
the margin rules, the held legs (:attr:`~adapters.paper.state.PaperVenueState.
_holdings_version` moves with every size, entry and held mark) and the wallet; "not due"
is kept per settle asset with those three (the rules and wallet objects compared by
identity: the memo holds them, so no id is reused; an equal Decimal of another exponent
counts as a change) and given again while none changed. A "due" answer is never kept:
it liquidates, which changes the holdings. So a flat symbol's mark move is the mark set
and two lookups.

Split from :mod:`adapters.paper.backtest` (the synchronous direct calls), which builds
on :class:`BacktestMarkMoves`. ``tests/adapters/test_paper_venue_equals_old_code.py``
drives these and the plain paper venue's code through the same random events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adapters.paper.backtest_account import BacktestAccountReads
from adapters.paper.margin import PaperMarginRules
from atomic_fp.models import Symbol

NotDue = tuple[PaperMarginRules, int, Decimal | None]
"""The rules object, the holdings version and the wallet object a "not due" answer read."""


class BacktestMarkMoves(BacktestAccountReads):
    """Mark moves and the liquidation check, each "not due" kept (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._not_due: dict[str, NotDue] = {}

    def _known_not_due(self, asset: str) -> bool:
        """The last check of ``asset`` answered "not due" and nothing it read changed."""
        known = self._not_due.get(asset)
        return (
            known is not None
            and known[0] is self.margin_rules
            and known[1] == self._holdings_version
            and known[2] is self._balances.get(asset)
        )

    def _may_be_due(self, asset: str) -> bool:
        """:meth:`PaperMarginAccount._may_be_due`, its "not due" kept (see the module)."""
        if self._known_not_due(asset):
            return False
        # read before the check: it reads these and changes none of them
        key = (self.margin_rules, self._holdings_version, self._balances.get(asset))
        due = super()._may_be_due(asset)
        if not due:
            self._not_due[asset] = key
        return due

    def set_mark_price(self, symbol: Symbol, price: Decimal) -> None:
        """:meth:`PaperVenue.set_mark_price`: the same steps in the same order, the resting
        orders matched only when some order rests (``_match_resting`` returns at once
        otherwise), the liquidation check skipped while its last "not due" holds, and the
        state file written only when the venue has one (``_save`` returns at once
        otherwise)."""
        state = self._markets[symbol]
        state.mark_price = price
        held = self._positions.get(symbol)
        if held is not None and held.size != 0:
            self._holdings_changed()
        if self._resting:
            self._match_resting(symbol)
        asset = state.market.settle_asset
        known = self._not_due.get(asset)  # _known_not_due, inline: ~69,000 calls a year
        if not (
            known is not None
            and known[0] is self.margin_rules
            and known[1] == self._holdings_version
            and known[2] is self._balances.get(asset)
        ):
            self._liquidate_if_due(asset)
        if self._state_path is not None:
            self._save()

    def _tick(self) -> None:
        """:meth:`PaperVenueCalls._tick`; the late-order pass only when an order is late
        (with none it reads the clock and does nothing else)."""
        if self.auto_funding:
            self.settle_due()
        if self._late:
            self._execute_late()


__all__ = ["BacktestMarkMoves"]
