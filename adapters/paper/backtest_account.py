"""The backtest paper venue's account reads: the cross-margin account (memoised), the
positions with their liquidation prices, and the liquidation floor the backtest
certifies held symbols with (one symbol's position and each held leg's:
:mod:`adapters.paper.backtest_positions`, which this builds on).

Split from :mod:`adapters.paper.backtest` (the synchronous direct calls), which builds on
:class:`BacktestAccountReads`. The margin is a function of the clock and of the account:
the wallet, the leverage and margin rules (objects compared by identity: all immutable,
and an equal Decimal of another exponent prints differently, so it counts as a change)
and the held legs and listed markets, which the venue's
:attr:`~adapters.paper.state.PaperVenueState._holdings_version` moves with. With the
account unchanged, the margin is given again, copied with the new time when only the
clock moved (:mod:`adapters.paper.restamp`). One symbol's position and the floor are not
memoised: in a backtest the held legs' marks move between any two reads of them.
``tests/backtest/test_paper_venue_memos.py`` compares every read with the plain paper
venue's, and ``tests/adapters/test_paper_venue_equals_old_code.py`` with the old code's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from returns.result import Result, Success

from adapters.paper.backtest_positions import BacktestPositionReads
from adapters.paper.margin import PaperMarginRules, liquidation_floor
from adapters.paper.restamp import restamped, retimed, slot_builder, utc_instant
from adapters.paper.venue import PaperMarketState
from atomic_fp.errors import VenueError
from atomic_fp.models import Position, Symbol
from atomic_fp.models._validators import (
    finite_decimal,
    non_empty_str,
    optional_non_negative,
    to_utc,
    utc_datetime,
)
from atomic_fp.models.margin import (
    AccountMargin,
    LegMargin,
    LiquidationSource,
    _rates,
    _reasons,
    estimate_liquidation_price,
)

AccountKey = tuple[Decimal | None, Decimal, PaperMarginRules, int]
"""The wallet, leverage and rules objects and the holdings version an answer read."""


class BacktestAccountReads(BacktestPositionReads):
    """The paper venue's account reads, each built once per account (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._listings = 0  # before the constructor lists its markets
        super().__init__(*args, **kwargs)
        self._margin_memo: dict[str, tuple[AccountKey, AccountMargin]] = {}
        self._positions_memo: tuple[tuple[AccountMargin, ...], tuple[Position, ...]] | None = None
        self._rates_by_asset: dict[str, tuple[int, Decimal, dict[Symbol, Decimal]]] = {}

    def _account_key(self, asset: str) -> AccountKey:
        """Everything an account read of ``asset`` depends on except the clock: the
        wallet, leverage and rules objects and the holdings version (which moves with
        every position, held mark, listing and market change)."""
        return (self._balances.get(asset), self.leverage, self.margin_rules, self._holdings_version)

    def margin(self, asset: str | None = None) -> AccountMargin:
        """:meth:`PaperVenue.margin`; with the account unchanged since the last call, the
        same answer observed now (the clock is the only input left out of the key: the
        models are copied with the new time, :mod:`adapters.paper.restamp`); else built
        by :meth:`_built_margin`."""
        if asset is None:
            return super().margin(asset)
        memo = self._margin_memo
        key = self._account_key(asset)
        cached = memo.get(asset)
        now = self.now()
        if cached is not None and _same_account(cached[0], key) and utc_instant(now):
            margin = cached[1]
            if margin.observed_at == now:
                return margin
            margin = retimed_margin(margin, now)
            memo[asset] = (key, margin)
            return margin
        computed = self._built_margin(asset, now) if utc_instant(now) else super().margin(asset)
        memo[asset] = (key, computed)
        return computed

    def add_market(self, state: PaperMarketState) -> None:
        """:meth:`PaperVenueState.add_market`, counted: the listed symbols of each settle
        asset (:meth:`_listed_rates`) change only here."""
        super().add_market(state)
        self._listings += 1

    def _listed_rates(self, asset: str, rate: Decimal) -> dict[Symbol, Decimal]:
        """``{symbol: rate}`` over the symbols listed in ``asset``, in listing order: the
        ``maintenance_rates`` :func:`adapters.paper.margin.account_margin` builds, kept per
        asset with the listing count and the rate object (the memo holds it, so no id is
        reused; the account model copies the mapping it is given)."""
        cached = self._rates_by_asset.get(asset)
        if cached is not None and cached[0] == self._listings and cached[1] is rate:
            return cached[2]
        rates = {
            symbol: rate
            for symbol, state in self._markets.items()
            if state.market.settle_asset == asset
        }
        self._rates_by_asset[asset] = (self._listings, rate, rates)
        return rates

    def _built_margin(self, asset: str, now: datetime) -> AccountMargin:
        """What :meth:`PaperMarginAccount.margin` builds for ``asset`` at ``now`` (an aware
        UTC datetime): :func:`adapters.paper.margin.account_margin` of the held legs, its
        sums and :func:`~atomic_fp.models.margin.build_account_margin`'s estimated branch
        in one pass, each in the same order with the same operations (a paper position
        never carries a liquidation price, and every held leg has its own maintenance
        margin, so the notional shares ``build_account_margin`` would fall back on are
        never read; a flat leg is in neither). ``tests/adapters/
        test_paper_venue_equals_old_code.py`` compares it with the old code after every
        random event."""
        rules = self.margin_rules
        rate = rules.maintenance_rate
        markets = self._markets
        held: list[Position] = []
        unrealized = Decimal(0)
        per_leg: dict[Symbol, Decimal] = {}
        for symbol, pos in self._positions.items():
            if pos.size == 0:
                continue
            state = markets[symbol]
            if state.market.settle_asset != asset:
                continue
            position = self._raw_position(symbol, pos, state, now)
            held.append(position)
        for p in held:  # account_margin's sums, each over the legs in the same order
            if p.mark_price and p.entry_price:
                unrealized += (p.mark_price - p.entry_price) * p.size
        for p in held:
            per_leg[p.symbol] = abs(p.size) * (p.mark_price or 0) * rate
        equity = self._balances.get(asset, Decimal(0)) + unrealized
        maintenance = sum(per_leg.values(), Decimal(0))
        # build_account_margin's notional total, never read here, but summed as it was
        # (a sum of huge notionals overflows there, and so here)
        sum((abs(p.size) * p.mark_price for p in held if p.mark_price is not None), Decimal(0))
        legs: list[LegMargin] = []
        for position in held:
            leg_mm = per_leg[position.symbol]
            estimate = None
            if position.mark_price:
                estimate = estimate_liquidation_price(
                    size=position.size,
                    mark=position.mark_price,
                    equity=equity,
                    maintenance_margin=maintenance,
                    leg_maintenance_margin=leg_mm,
                )
            source = LiquidationSource.ESTIMATED if estimate is not None else None
            # from its slots when the validators accept the values unchanged (both
            # optional_non_negative), else by the constructor, which refuses them
            if (
                _LEG is not None
                and (
                    estimate is None
                    or (type(estimate) is Decimal and estimate.is_finite() and estimate >= 0)
                )
                and type(leg_mm) is Decimal
                and leg_mm.is_finite()
                and leg_mm >= 0
            ):
                legs.append(_LEG(position, estimate, source, leg_mm))
            else:
                legs.append(LegMargin(position, estimate, source, leg_mm))
        rates = self._listed_rates(asset, rate) or {}
        if (
            _MARGIN is not None
            and type(asset) is str
            and asset
            and not asset.isspace()
            and type(equity) is Decimal
            and equity.is_finite()
            and type(maintenance) is Decimal
            and maintenance.is_finite()
            and maintenance >= 0
            and type(rates) is dict
            and utc_instant(now)
        ):
            # the converters' copies: _rates copies the mapping, the problems are a new {}
            return _MARGIN(
                self._exchange, asset, equity, maintenance, now, tuple(legs), dict(rates), {}
            )
        return AccountMargin(
            exchange=self._exchange,
            asset=asset,
            equity=equity,
            maintenance_margin=maintenance,
            observed_at=now,
            legs=tuple(legs),
            maintenance_rates=rates,
        )

    def _positions_now(self) -> Result[tuple[Position, ...], VenueError]:
        """:meth:`PaperVenue._positions_now`, rebuilt only when a margin it reads is a new
        object (:meth:`margin` returns the same object while nothing changed)."""
        margins = tuple(
            self.margin(asset)
            for asset in sorted({self._markets[s].market.settle_asset for s in self._positions})
        )
        cached = self._positions_memo
        if (
            cached is not None
            and len(cached[0]) == len(margins)
            and all(a is b for a, b in zip(cached[0], margins, strict=True))
        ):
            return Success(cached[1])
        positions = tuple(
            restamped(leg.position, liquidation_price=leg.liquidation_price)
            for margin in margins
            for leg in margin.legs
        )
        self._positions_memo = (margins, positions)
        return Success(positions)

    def liquidation_floor(self, asset: str) -> Decimal | None:
        """A lower bound on the liquidation distance of every position of ``asset`` that
        :meth:`positions_now` reports now (:func:`adapters.paper.margin.liquidation_floor`
        of the same wallet, sizes, entries and marks :meth:`margin` reads); ``None``: no
        bound. The backtest's held symbols are certified safe with it without building
        the account (:mod:`atomic_fp.backtest.run_quiet`)."""
        markets = self._markets
        return liquidation_floor(
            wallet=self._balances.get(asset, Decimal(0)),
            legs=[
                (pos.size, pos.entry_price, markets[symbol].mark_price)
                for symbol, pos in self._positions.items()
                if pos.size != 0 and markets[symbol].market.settle_asset == asset
            ],
            rules=self.margin_rules,
        )


_LEG = slot_builder(
    LegMargin,
    (
        ("position", None, None),
        ("liquidation_price", optional_non_negative, None),
        ("source", None, None),
        ("maintenance_margin", optional_non_negative, None),
    ),
)
_MARGIN = slot_builder(
    AccountMargin,
    (
        ("exchange", None, None),
        ("asset", non_empty_str, None),
        ("equity", finite_decimal, None),
        ("maintenance_margin", optional_non_negative, None),
        ("observed_at", utc_datetime, to_utc),
        ("legs", None, None),
        ("maintenance_rates", None, _rates),
        ("maintenance_rate_problems", None, _reasons),
    ),
)
"""Built for :meth:`BacktestAccountReads._built_margin`'s checks; ``None`` if the models'
fields, validators or converters changed since."""


def _same_account(first: AccountKey, second: AccountKey) -> bool:
    """The same wallet, leverage and rules objects and the same holdings version (the
    memo holds the first key's objects, so none of their ids can be reused)."""
    return (
        first[0] is second[0]
        and first[1] is second[1]
        and first[2] is second[2]
        and first[3] == second[3]
    )


def retimed_margin(margin: AccountMargin, now: datetime) -> AccountMargin:
    """``margin`` (and each leg's position) observed at ``now``, which must be an aware
    UTC datetime: what :func:`adapters.paper.margin.account_margin` builds from the same
    account at ``now`` (nothing in it but the observation times depends on the clock)."""
    legs = tuple(
        restamped(leg, position=retimed(leg.position, observed_at=now)) for leg in margin.legs
    )
    return restamped(retimed(margin, observed_at=now), legs=legs)


__all__ = ["BacktestAccountReads", "retimed_margin"]
