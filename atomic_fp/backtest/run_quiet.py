"""Held symbols whose cycle provably executes nothing, certified without asking the
decisions.

A symbol with an open hedge has its inputs change at almost every step (its marks move,
funding moves each venue's collateral), so the engine's fingerprint (unchanged inputs:
the same answer) rarely spares it; yet most of those cycles trade nothing. The decision
cycle (:func:`atomic_fp.decisions.cycle.decide_cycle`) can act on a held symbol in four
ways only, and each reads a few inputs:

1. **safety** closes when a position's liquidation distance is below
   ``liquidation_buffer``, or reduces when the gross base exposure exceeds
   ``max_total_exposure``;
2. **rebalance** trims when the net base exposure exceeds the largest held venue's base
   lot (positions and market rules only);
3. **close**: the hedge's carry (exposure-weighted short APR - long APR) is below
   ``close_threshold`` or negative, judged only when every held venue's rate is known;
4. **open** (scale in, or another pair): some ordered pair of venues with known rates has
   ``spread - fees >= build_threshold`` *and* room under ``max_position``
   (:func:`~atomic_fp.decisions.funding_arbitrage.open_capacity` > 0); everything else the
   decision checks for an opening (books, minimums, the entry gap, the margin and safety
   gates) can only refuse it.

The certificate, :meth:`QuietRun._quiet`, is taken only after a full decision of the symbol
executed nothing (:meth:`QuietRun._remember_quiet`, which keeps what that decision read
of positions and markets), and holds while:

- no fill and no liquidation touched the symbol since (its positions are the ones that
  decision read) and every venue's market rules are the same objects: then (2) and the
  exposure cap of (1) answer as they did, i.e. nothing;
- every venue holding the symbol bounds its liquidation distances from below by at least
  ``liquidation_buffer`` (:class:`~atomic_fp.backtest.venue.LiquidationFloor`): (1);
- the carry, from the same function and inputs the decision uses, keeps the hedge
  (:func:`~atomic_fp.decisions.hedge_close.carry_keeps_hedge`), or a held venue's
  rate is unknown (the decision then does not judge it): (3);
- no ordered pair of the venues with known rates clears both tests of (4) (the decision's
  own fee function and capacity, over a superset of the venues it would find usable).

Right after a fill or a liquidation there is no record: then safety and rebalance are
asked for real (they come first in the cycle, on the same positions and markets) and,
when both answer no trade, the funding rules are certified as above
(:meth:`QuietRun._quiet_after_change`), which also starts the record.

Time is read by the decisions only to judge staleness, and the backtest's inputs are all
observed at the instant decided. A certified cycle counts as a decision run, since it is
the decision's answer; anything the certificate does not cover is decided in full.
``tests/backtest/test_quiet_holds.py`` runs the full decision at every certified cycle
(it must execute nothing) and compares every booking with the engine without
certificates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from returns.result import Result, Success

from atomic_fp import costs
from atomic_fp.backtest.replay_state import ZERO, SeriesState, SymbolState
from atomic_fp.backtest.run_setup import RunBase
from atomic_fp.decisions.funding_arbitrage import open_capacity
from atomic_fp.decisions.hedge_close import carry_keeps_hedge, hedge_carry
from atomic_fp.decisions.rebalance import RebalanceDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.errors import VenueError
from atomic_fp.models import Market, Position
from atomic_fp.models.identifiers import ExchangeIdentifier


class QuietHold(NamedTuple):
    """What the last full decision of a held symbol read, the symbol's series in order."""

    positions: tuple[Decimal, ...]
    """The engine's base position per series then (a later one differing: not quiet)."""
    markets: tuple[Market | None, ...]
    """Each venue's market rules then (compared by identity; ``None``: not listed)."""
    bases: dict[str, Decimal]
    """Base position per venue, as the decision read it (0 when flat)."""
    held: tuple[tuple[str, Decimal], ...]
    """``(venue, base size)`` of each non-flat position, in venue order."""
    hedged: bool
    """The positions include a long and a short (a hedge the decision judges)."""
    assets: tuple[tuple[int, str], ...]
    """``(series position in the symbol, settle asset)`` of each held venue."""


class QuietRun(RunBase):
    certify = True
    """Certify held symbols' quiet cycles. Off, every changed held symbol is decided in
    full: the same bookings (``tests/backtest/test_quiet_holds.py``)."""

    certified = 0
    """Cycles certified quiet in this run (each also counted in ``decision_runs``)."""

    positions_read: (
        tuple[
            SymbolState,
            datetime,
            dict[ExchangeIdentifier, Result[Position | None, VenueError]],
        ]
        | None
    ) = None
    """The positions :meth:`_quiet_after_change` read for a symbol at an instant when it
    answered False (the full decision that follows takes them; also reset by the engine
    before each symbol's certificate is asked)."""

    def _remember_quiet(
        self,
        sym: SymbolState,
        positions: Mapping[ExchangeIdentifier, Result[Position | None, VenueError]],
    ) -> None:
        """After a full decision of ``sym`` that executed nothing: keep what it read, if
        every venue can bound its liquidation distances and every position was read."""
        sym.quiet = None
        if not self.certify:
            return
        bases: dict[str, Decimal] = {}
        held: list[tuple[str, Decimal]] = []
        sides: set[bool] = set()
        markets: list[Market | None] = []
        assets: list[tuple[int, str]] = []
        for index, state in enumerate(sym.series):
            if state.floor is None:
                return
            read = positions.get(state.venue_id)
            if type(read) is not Success:
                return
            position = read.unwrap()
            market = state.venue.market_state(state.data.symbol).market if state.listed else None
            markets.append(market)
            if position is None or position.is_flat:
                bases[state.venue_name] = ZERO
                continue
            if position.symbol != sym.symbol or market is None:
                return
            bases[state.venue_name] = position.base_size
            held.append((state.venue_name, position.base_size))
            sides.add(position.size > 0)
            assets.append((index, market.settle_asset))
        if not held:
            return  # flat: the screening's business
        sym.quiet = QuietHold(
            positions=tuple(state.position for state in sym.series),
            markets=tuple(markets),
            bases=bases,
            held=tuple(held),
            hedged=len(sides) == 2,
            assets=tuple(assets),
        )

    # the decisions' inputs, as DecidingRun reads them from the venues
    def _position(self, state: SeriesState) -> Result[Position | None, VenueError]:
        raise NotImplementedError

    def _market(self, state: SeriesState) -> Result[Market, VenueError]:
        raise NotImplementedError

    def _quiet(self, sym: SymbolState, now: datetime, aprs: list[tuple[str, Decimal]]) -> bool:
        """Whether the decision cycle of held ``sym`` at ``now`` provably executes
        nothing (module docstring); ``aprs``: ``(venue, APR)`` of every venue whose rate
        is known now, in venue order."""
        record = sym.quiet
        if record is None:
            return self._quiet_after_change(sym, now, aprs)
        series = sym.series
        for state, position, market in zip(series, record.positions, record.markets, strict=True):
            if state.position != position:
                return False
            now_market = (
                state.venue.market_state(state.data.symbol).market if state.listed else None
            )
            if now_market is not market:
                return False
        config = self.config
        buffer = config.liquidation_buffer
        for index, asset in record.assets:
            floor = self._floor(series[index], asset)
            if floor is None or floor < buffer:
                return False
        return self._funding_quiet(record, aprs)

    def _floor(self, state: SeriesState, asset: str) -> Decimal | None:
        """``state``'s venue's liquidation floor for ``asset``, asked once per account
        epoch: the floor reads the wallet, the open positions and their marks, and each
        of those moves the venue's epoch (:meth:`RunBase._account_changed`) before the
        next certificate is asked (``tests/backtest/test_fingerprint_layout.py`` asks
        the venue at every certificate and finds the same)."""
        name = state.venue_name
        epoch = self.account_epoch[name]
        key = (name, asset)
        kept = self.floors.get(key)
        if kept is not None and kept[0] == epoch:
            return kept[1]
        floor_of = state.floor
        assert floor_of is not None  # remembered only with every venue's floor
        floor = floor_of.liquidation_floor(asset)
        self.floors[key] = (epoch, floor)
        return floor

    def _quiet_after_change(
        self, sym: SymbolState, now: datetime, aprs: list[tuple[str, Decimal]]
    ) -> bool:
        """:meth:`_quiet` without a record (the first cycle after a fill or a
        liquidation): safety and rebalance are asked for real, on the positions and
        markets the decision cycle would read (they come first in it, so a Success of
        either is the cycle's answer, and then the cycle is decided in full); quiet when
        both answer no trade and the funding rules are certified as above. What was
        read is kept for the following cycles."""
        if any(state.floor is None for state in sym.series):
            return False
        positions = {state.venue_id: self._position(state) for state in sym.series}
        # What the full decision reads when this answers False (it is decided next, at
        # this instant, with nothing changed in between): DecidingRun._outcome takes it
        # instead of reading again. Kept only on the False answers, so a certified
        # cycle leaves nothing a later cycle could take.
        self.positions_read = (sym, now, positions)
        # the cheap funding rules first (before safety and rebalance: the cycle one
        # minute after an opening usually scales in); the record they read is replaced
        # by the full decision's whenever this answers False
        self._remember_quiet(sym, positions)
        record = sym.quiet
        if record is None or not self._funding_quiet(record, aprs):
            return False
        markets = {state.venue_id: self._market(state) for state in sym.series}
        config = self.config
        quiet = not isinstance(
            SafetyDecision.analyze(positions=positions, markets=markets, config=config, now=now),
            Success,
        ) and not isinstance(
            RebalanceDecision.analyze(positions=positions, markets=markets, config=config, now=now),
            Success,
        )
        if quiet:
            self.positions_read = None
        return quiet

    def _funding_quiet(self, record: QuietHold, aprs: list[tuple[str, Decimal]]) -> bool:
        """The funding decision cannot close the hedge ``record`` holds nor open a pair.

        The hedge is judged in one pass over its legs, stopping at the first whose rate
        is unknown (then the decision does not judge it): it built the legs and then the
        judged legs as two lists, ~9,800 times a benchmark year
        (``tests/backtest/test_funding_quiet_one_pass.py``)."""
        config = self.config
        if record.hedged:
            known = dict(aprs)
            judged: list[tuple[Decimal, Decimal]] = []
            for name, base in record.held:
                apr = known.get(name)
                if apr is None:
                    break
                judged.append((base, apr))
            else:
                if not carry_keeps_hedge(hedge_carry(judged), config):
                    return False
        threshold = config.build_threshold
        bases = record.bases
        fees = self.fee_apr
        for long_venue, long_apr in aprs:
            for short_venue, short_apr in aprs:
                if long_venue == short_venue or short_apr - long_apr < threshold:
                    continue
                pair = (long_venue, short_venue)
                fee = fees.get(pair)
                if fee is None:
                    fee = fees[pair] = costs.fee_apr(config, *pair)
                if short_apr - long_apr - fee < threshold:
                    continue
                if open_capacity(config, bases[long_venue], bases[short_venue]) > 0:
                    return False
        return True
