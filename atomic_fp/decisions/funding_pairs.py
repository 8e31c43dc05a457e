"""Funding arbitrage, one ordered venue pair: a venue's usable inputs, whether a pair can
be opened and at what size and prices (:func:`_evaluate`), and how much a pair may still
add (:func:`open_capacity`). Moved out of :mod:`atomic_fp.decisions.funding_arbitrage`
unchanged (its module docstring states the rules), which re-exports these names."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from atomic_fp import costs, sizing
from atomic_fp.decisions._common import pct
from atomic_fp.models import (
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    Position,
    Side,
)
from atomic_fp.models.identifiers import ExchangeIdentifier

_ZERO = Decimal(0)


class _Venue(NamedTuple):
    """One venue's usable inputs for the symbol.

    ``_Venue``, ``_Leg`` and ``_Plan`` are plain named tuples (they were frozen attrs
    classes): a decision builds one per usable venue, two per priced pair and one per
    tradable pair, never compares or exposes them, and the attrs constructor cost twice
    a tuple's (``tests/core/test_decision_shortcuts.py`` decides with the attrs classes
    put back and finds the same)."""

    id: ExchangeIdentifier
    rate: FundingRate
    apr: Decimal
    position: Position | None
    market: Market | None
    book: OrderBook | None

    @property
    def base_position(self) -> Decimal:
        return _ZERO if self.position is None else self.position.base_size

    @property
    def mark_price(self) -> Decimal | None:
        """The rate's mark price, else the position's (both per venue size unit)."""
        if self.rate.mark_price is not None:
            return self.rate.mark_price
        if self.position is not None and self.position.mark_price:
            return self.position.mark_price
        return None

    @property
    def multiplier(self) -> Decimal:
        if self.market is not None:
            return self.market.contract_multiplier
        if self.position is not None:
            return self.position.contract_multiplier
        return Decimal(1)


class _Leg(NamedTuple):
    venue: _Venue
    side: Side
    size: Decimal
    price: Decimal | None


class _Plan(NamedTuple):
    """A tradable pair: what the signal will carry."""

    long: _Leg
    short: _Leg
    base_size: Decimal
    spread: Decimal
    fees: Decimal
    gap: Decimal

    @property
    def net(self) -> Decimal:
        return self.spread - self.fees - self.gap


class _Rejected(NamedTuple):
    """A pair that cannot be opened. A plain tuple: every decision rejects most of its
    pairs (six per symbol on three venues), and only the best rejection's reason is ever
    read, so the common one ("net ... below build threshold", ``detail`` ``None``) is
    formatted only when read (:attr:`why`)."""

    long: _Venue
    short: _Venue
    spread: Decimal
    fees: Decimal
    detail: str | None

    @property
    def why(self) -> str:
        if self.detail is None:
            return f"net {pct(self.spread - self.fees)} below build threshold"
        return self.detail


def _priced(venue: _Venue, side: Side, size: Decimal, config: ArbitrageConfig) -> _Leg | str:
    """The leg with its reference price, or why it cannot be priced/traded."""
    if venue.book is None:
        return _Leg(venue, side, size, venue.mark_price)
    vwap = venue.book.average_fill_price(side, size)
    if vwap is None:
        return f"{venue.id} book too thin to {side.value} {size}"
    touch = venue.book.best_ask if side is Side.BUY else venue.book.best_bid
    assert touch is not None  # a fill price exists, so the side has levels
    slippage = abs(vwap - touch) / touch
    if slippage > config.slippage_cap:
        return (
            f"{venue.id} {side.value} {size} would slip {pct(slippage)} "
            f"> cap {pct(config.slippage_cap)}"
        )
    return _Leg(venue, side, size, vwap)


def _check_minimums(leg: _Leg) -> str | None:
    market = leg.venue.market
    if market is None:
        return None
    if leg.size < market.min_size:
        return f"{leg.venue.id} size {leg.size} below min_size {market.min_size}"
    if market.min_notional > 0:
        if leg.price is None:
            return (
                f"{leg.venue.id} has min_notional {market.min_notional} but no price is "
                "known (no book, no mark price)"
            )
        notional = leg.size * leg.price
        if notional < market.min_notional:
            return f"{leg.venue.id} notional {notional} below min_notional {market.min_notional}"
    return None


_LotSizes = tuple[Decimal, Decimal, tuple[Decimal, Decimal] | None]
_LOT_SIZES: dict[tuple[Decimal, int, int], tuple[Market, Market, _LotSizes]] = {}
""":func:`_lot_sizes` per (base size, long market, short market), the markets by identity
(the entry holds them, so their ids cannot be reused while it is here)."""
_LOT_SIZES_KEPT = 4096


def _lot_sizes(base_size: Decimal, long: Market, short: Market) -> _LotSizes:
    """The pair's common base step, ``base_size`` rounded down to it, and each venue's
    size for that base (``None`` when the rounded base is not positive), by
    :mod:`atomic_fp.sizing`.

    Remembered per base size and market objects: every one of these is a pure function of
    the markets and of ``base_size``'s value (the results take their exponents from the
    lots, never from ``base_size``), and a backtest asks it for the same few markets and
    ``trade_size`` thousands of times (``tests/core/test_funding_pairs_memo.py`` compares
    with the sizing functions called afresh)."""
    key = (base_size, id(long), id(short))
    kept = _LOT_SIZES.get(key)
    if kept is not None and kept[0] is long and kept[1] is short:
        return kept[2]
    step = sizing.common_base_step([long, short])
    floored = sizing.floor_to_step(base_size, step)
    sizes = (
        (sizing.venue_size(floored, long), sizing.venue_size(floored, short))
        if floored > 0
        else None
    )
    if len(_LOT_SIZES) >= _LOT_SIZES_KEPT:
        _LOT_SIZES.clear()
    _LOT_SIZES[key] = (long, short, (step, floored, sizes))
    return step, floored, sizes


def _evaluate(
    long: _Venue, short: _Venue, config: ArbitrageConfig, fees: Decimal
) -> _Plan | _Rejected:
    spread = short.apr - long.apr

    def rejected(why: str) -> _Rejected:
        return _Rejected(long, short, spread, fees, why)

    if spread - fees < config.build_threshold:
        return _Rejected(long, short, spread, fees, None)  # its reason formatted when read
    capacity = open_capacity(config, long.base_position, short.base_position)
    if capacity <= 0:
        return rejected(f"max_position {config.max_position} reached")
    base_size = min(config.trade_size, capacity)
    if long.market is not None and short.market is not None:
        step, base_size, sizes = _lot_sizes(base_size, long.market, short.market)
        if sizes is None:
            return rejected(
                f"{min(config.trade_size, capacity)} is below one common lot ({step} base)"
            )
        long_size, short_size = sizes
    else:
        long_size = base_size / long.multiplier
        short_size = base_size / short.multiplier
    legs: list[_Leg] = []
    for venue, side, size in ((long, Side.BUY, long_size), (short, Side.SELL, short_size)):
        leg = _priced(venue, side, size, config)
        if isinstance(leg, str):
            return rejected(leg)
        if problem := _check_minimums(leg):
            return rejected(problem)
        legs.append(leg)
    long_leg, short_leg = legs
    gap = _ZERO
    if long_leg.price is not None and short_leg.price is not None and long.book and short.book:
        gap = costs.entry_gap_apr(
            long_leg.price / long.multiplier,
            short_leg.price / short.multiplier,
            config.holding_horizon,
        )
    plan = _Plan(long_leg, short_leg, base_size, spread, fees, gap)
    if plan.net < config.build_threshold:
        return rejected(f"net {pct(plan.net)} after entry gap {pct(gap)} below build threshold")
    return plan


def open_capacity(config: ArbitrageConfig, long_base: Decimal, short_base: Decimal) -> Decimal:
    """How much base a pair may add: neither venue's absolute base position may exceed
    ``max_position`` (``long_base``/``short_base``: what the long and the short venue hold
    now, signed). A pair with capacity <= 0 is never opened."""
    return min(config.max_position - long_base, config.max_position + short_base)


__all__ = ["open_capacity"]
