"""The backtest paper venue's position reads: each held leg's position (memoised, copied
when only the clock or its mark moved), the open positions of one settle asset, and one
symbol's position with its liquidation price.

Split from :mod:`adapters.paper.backtest_account` (the cross-margin account), which builds
on :class:`BacktestPositionReads`. ``tests/backtest/test_paper_venue_memos.py`` compares
every read with the plain paper venue's, ``tests/adapters/test_paper_venue_equals_old_code.py``
with the old code's, and ``tests/adapters/test_paper_position_mark_copy.py`` each built or
copied position with what ``Position(...)`` builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from operator import is_
from typing import Any

from adapters.paper.restamp import copier, restamped, retimed, slot_builder, utc_instant
from adapters.paper.venue import PaperMarketState, PaperPosition, PaperVenue
from atomic_fp.models import Market, Position, Symbol
from atomic_fp.models._validators import (
    finite_decimal,
    optional_finite_decimal,
    optional_non_negative,
    positive,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import estimate_liquidation_price


class BacktestPositionReads(PaperVenue):
    """The paper venue's position reads, each position built once (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._raw_memo: dict[Symbol, tuple[tuple[object, ...], Position]] = {}

    def _raw_positions(self, asset: str | None = None) -> list[Position]:
        """:meth:`PaperVenue._raw_positions`, each position built once per size, entry,
        mark, market and leverage (compared by identity) and copied with the new time:
        the account's margin is rebuilt whenever its wallet or any mark moved (every
        funding settlement), and building every held leg's ``Position`` again with all
        its validators was most of that."""
        now = self.now()
        if not utc_instant(now):
            return super()._raw_positions(asset)
        positions = []
        markets = self._markets
        for symbol, pos in self._positions.items():
            if pos.size == 0:  # a flat leg's market is not looked up (listed: every leg's is)
                continue
            state = markets[symbol]
            if asset is not None and state.market.settle_asset != asset:
                continue
            positions.append(self._raw_position(symbol, pos, state, now))
        return positions

    def _raw_position(
        self, symbol: Symbol, pos: PaperPosition, state: PaperMarketState, now: datetime
    ) -> Position:
        """One held leg's position without liquidation price, built once per size,
        entry, mark, market and leverage (compared by identity) and copied with the new
        time ``now`` (an aware UTC datetime).

        When only the mark moved (a held leg's mark moves every simulated hour, and the
        decisions read the leg after it) and the leg is asked for with the symbol object
        the last position holds (equal symbols of another quote print differently), the
        last position is copied with the new mark,
        unrealized PnL and time (:data:`_POSITION_MARKED`), each first checked as the
        constructor would accept it unchanged (``exact_decimal`` and the
        ``optional_non_negative``/``optional_finite_decimal`` validators: an exact,
        finite ``Decimal``, the mark >= 0); anything else is built by ``Position(...)``,
        which refuses it with its own error. Every other field is the same object the
        constructor was given for the last one (the key), so the copy equals what the
        constructor builds (``tests/adapters/test_paper_position_mark_copy.py``)."""
        market = state.market
        leverage = market.max_leverage or self.leverage
        mark = state.mark_price
        key = (pos.size, pos.entry_price, mark, market, leverage)
        memo = self._raw_memo
        cached = memo.get(symbol)
        if cached is not None:
            known = cached[0]
            position = cached[1]
            if _same_objects(known, key):
                if position.observed_at != now:
                    position = (
                        _POSITION_RETIMED(position, now)
                        if type(position) is Position and utc_instant(now)
                        else retimed(position, observed_at=now)
                    )
                    memo[symbol] = (key, position)
                return position
            if (
                position.symbol is symbol  # Symbol's equality ignores the quote
                and known[0] is pos.size
                and known[1] is pos.entry_price
                and known[3] is market
                and known[4] is leverage
                and type(position) is Position
                and utc_instant(now)
            ):
                pnl = (mark - pos.entry_price) * pos.size  # first, as the constructor call
                if (
                    type(mark) is Decimal
                    and mark.is_finite()
                    and mark >= 0
                    and type(pnl) is Decimal
                    and pnl.is_finite()
                ):
                    position = _POSITION_MARKED(position, now, mark, pnl)
                    memo[symbol] = (key, position)
                    return position
        position = self._built_position(symbol, pos, market, mark, leverage, now)
        memo[symbol] = (key, position)
        return position

    def _built_position(
        self,
        symbol: Symbol,
        pos: PaperPosition,
        market: Market,
        mark: Decimal,
        leverage: Decimal | None,
        now: datetime,
    ) -> Position:
        """What ``Position(...)`` builds of a held leg (the plain venue's
        ``_raw_positions``), from its slots when every value is what the constructor
        keeps unchanged and its validators accept: exact finite ``Decimal`` size and
        PnL, a multiplier > 0, an entry, mark and leverage (or ``None``) >= 0, an aware
        UTC time. Otherwise the constructor builds it or refuses it, with its error."""
        size = pos.size
        entry = pos.entry_price
        multiplier = market.contract_multiplier
        pnl = (mark - entry) * size  # first, as the constructor call's arguments
        if (
            _POSITION is not None
            and type(self._exchange) is ExchangeIdentifier
            and type(size) is Decimal
            and size.is_finite()
            and utc_instant(now)
            and type(multiplier) is Decimal
            and multiplier.is_finite()
            and multiplier > 0
            and type(entry) is Decimal
            and entry.is_finite()
            and entry >= 0
            and type(mark) is Decimal
            and mark.is_finite()
            and mark >= 0
            and type(pnl) is Decimal
            and pnl.is_finite()
            and (
                leverage is None
                or (type(leverage) is Decimal and leverage.is_finite() and leverage >= 0)
            )
        ):
            return _POSITION(
                self._exchange, symbol, size, now, multiplier, entry, mark, None, pnl, None,
                leverage,
            )  # fmt: skip
        return Position(
            exchange=self._exchange,
            symbol=symbol,
            size=size,
            observed_at=now,
            contract_multiplier=multiplier,
            entry_price=entry,
            mark_price=mark,
            unrealized_pnl=pnl,
            leverage=leverage,
        )

    def _held_position(self, symbol: Symbol) -> Position | None:
        """What ``fetch_positions()`` answers for ``symbol`` (``None``: flat), without
        building the other legs' liquidation estimates: the account's equity and
        maintenance margin are the sums :func:`adapters.paper.margin.account_margin`
        makes, over the same positions in the same order, and this leg's liquidation
        price is the same :func:`estimate_liquidation_price` of them
        (:func:`atomic_fp.models.margin.build_account_margin`'s estimated branch; a
        paper position never carries a venue price)."""
        pos = self._positions.get(symbol)
        if pos is None or pos.size == 0:
            return None
        now = self.now()
        if not utc_instant(now):
            held = {p.symbol: p for p in self._positions_now().unwrap()}
            return held.get(symbol)
        markets = self._markets
        asset = markets[symbol].market.settle_asset
        rate = self.margin_rules.maintenance_rate
        # account_margin's two sums, each in the same order: unrealized PnL over the
        # legs with a mark and an entry, maintenance over every leg
        unrealized = Decimal(0)
        maintenance = Decimal(0)
        own_maintenance = Decimal(0)
        for other, held_pos in self._positions.items():
            size = held_pos.size
            if size == 0:
                continue
            other_state = markets[other]
            if other_state.market.settle_asset != asset:
                continue
            mark = other_state.mark_price
            if mark and held_pos.entry_price:
                unrealized += (mark - held_pos.entry_price) * size
            leg_maintenance = abs(size) * (mark or 0) * rate
            maintenance += leg_maintenance
            if other is symbol or other == symbol:  # Symbol's equality is Python code
                own_maintenance = leg_maintenance
        equity = self._balances.get(asset, Decimal(0)) + unrealized
        mine = self._raw_position(symbol, pos, markets[symbol], now)
        estimate = (
            estimate_liquidation_price(
                size=mine.size,
                mark=mine.mark_price,
                equity=equity,
                maintenance_margin=maintenance,
                leg_maintenance_margin=own_maintenance,
            )
            if mine.mark_price
            else None
        )
        # the estimate is None or > 0, which the field's validator (optional_non_negative)
        # accepts, as it accepts the margin path's copy of the same value
        if type(mine) is Position:
            return _POSITION_WITH_LIQUIDATION(mine, estimate)
        return restamped(mine, liquidation_price=estimate)


_POSITION = slot_builder(
    Position,
    (
        ("exchange", None, None),
        ("symbol", None, None),
        ("size", finite_decimal, None),
        ("observed_at", utc_datetime, to_utc),
        ("contract_multiplier", positive, None),
        ("entry_price", optional_non_negative, None),
        ("mark_price", optional_non_negative, None),
        ("liquidation_price", optional_non_negative, None),
        ("unrealized_pnl", optional_finite_decimal, None),
        ("cumulative_funding", optional_finite_decimal, None),
        ("leverage", optional_non_negative, None),
    ),
)
"""Built for :meth:`BacktestPositionReads._built_position`'s checks (``Position``'s own
``__init__`` converts each number by ``exact_decimal``, which returns an exact finite
``Decimal`` unchanged); ``None`` if the model's fields or validators changed since."""
_POSITION_RETIMED = copier(Position, "observed_at")
_POSITION_MARKED = copier(Position, "observed_at", "mark_price", "unrealized_pnl")
_POSITION_WITH_LIQUIDATION = copier(Position, "liquidation_price")


def _same_objects(first: Sequence[object], second: Sequence[object]) -> bool:
    """The same objects in the same order (identity, not equality: an equal Decimal of
    another exponent prints differently). The memo holds the first sequence, so none of
    its objects' ids can be reused."""
    return len(first) == len(second) and all(map(is_, first, second))


__all__ = ["BacktestPositionReads"]
