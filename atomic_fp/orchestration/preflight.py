"""Step 1 of a signal's execution, the preflight (see :mod:`~atomic_fp.orchestration.execution`):
every leg gets its venue's market, a reference price and slippage-capped IOC limit prices
rounded to the tick in the safe direction, as a :class:`LegState` that then carries the
leg's progress. Any leg that cannot be priced or sized refuses the whole signal before
anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import anyio
import attrs
from returns.result import Failure, Result, Success

from atomic_fp.models import (
    ArbitrageConfig,
    Market,
    Side,
    TradeLeg,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.pricing import capped_limit_price
from atomic_fp.orchestration.report import (
    UNWIND_ATTEMPTS,
    LegOutcome,
    LegSummary,
)


@attrs.define
class LegState:
    """Mutable progress of one leg during one execution."""

    index: int
    leg: TradeLeg
    market: Market
    trader: AtomicTrader
    limit_price: Decimal
    unwind_price: Decimal
    filled: Decimal = Decimal(0)
    unwound: Decimal = Decimal(0)
    next_attempt: int = 0
    next_unwind: int = UNWIND_ATTEMPTS.start
    last_outcome: LegOutcome | None = None
    unresolved: list[str] = attrs.field(factory=list)
    not_before: datetime | None = None
    """The execution clock's time before which the venue asked not to be sent anything."""

    @property
    def target(self) -> Decimal:
        return self.leg.size

    @property
    def held(self) -> Decimal:
        return self.filled - self.unwound

    @property
    def fraction(self) -> Decimal:
        return self.held / self.target

    @property
    def net_base(self) -> Decimal:
        return self.held * self.leg.side.sign * self.market.contract_multiplier

    def summary(self) -> LegSummary:
        return LegSummary(
            leg_index=self.index,
            exchange=self.leg.exchange,
            target_size=self.target,
            filled_size=self.filled,
            unwound_size=self.unwound,
            net_base=self.net_base,
            unresolved=tuple(self.unresolved),
        )


async def prepare_legs(
    signal: TradingSignal,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
) -> Result[list[LegState], str]:
    """Preflight: market, reference and limit price for every leg, concurrently. Any
    problem refuses the whole signal before anything is sent."""
    problems: list[str] = []
    states: dict[int, LegState] = {}

    async def one(index: int, leg: TradeLeg) -> None:
        trader = traders.get(leg.exchange)
        queryer = queryers.get(leg.exchange)
        if trader is None or queryer is None:
            problems.append(f"leg {index}: no trader/queryer for venue {leg.exchange}")
            return
        if leg.symbol != trader.symbol:
            problems.append(f"leg {index}: symbol {leg.symbol} but trader trades {trader.symbol}")
            return
        market_result = await queryer.get_market()
        if isinstance(market_result, Failure):
            problems.append(f"leg {index}: market unknown: {market_result.failure()}")
            return
        market = market_result.unwrap()
        if leg.contract_multiplier != market.contract_multiplier:
            problems.append(
                f"leg {index}: multiplier {leg.contract_multiplier} != venue's "
                f"{market.contract_multiplier}"
            )
            return
        if leg.size % market.lot_size != 0 or leg.size < market.min_size:
            problems.append(
                f"leg {index}: size {leg.size} invalid on {leg.exchange} "
                f"(lot {market.lot_size}, min {market.min_size})"
            )
            return
        reference = leg.reference_price
        if reference is None:
            book = await queryer.get_order_book(depth=1)
            if isinstance(book, Failure):
                problems.append(f"leg {index}: no reference price: {book.failure()}")
                return
            reference = book.unwrap().best_ask if leg.side is Side.BUY else book.unwrap().best_bid
            if reference is None:
                problems.append(f"leg {index}: no reference price: empty book side")
                return
        limit = capped_limit_price(leg.side, reference, config.slippage_cap, market.tick_size)
        unwind_cap = config.slippage_cap * policy.unwind_slippage_factor
        unwind = capped_limit_price(leg.side.opposite, reference, unwind_cap, market.tick_size)
        if limit is None or unwind is None:
            problems.append(f"leg {index}: no positive limit price from {reference}")
            return
        states[index] = LegState(index, leg, market, trader, limit, unwind)

    async def bounded(index: int, leg: TradeLeg) -> None:
        with anyio.move_on_after(policy.order_timeout):
            await one(index, leg)
            return
        problems.append(
            f"leg {index}: {leg.exchange} did not answer within {policy.order_timeout} s"
        )

    async with anyio.create_task_group() as group:
        for index, leg in enumerate(signal.legs):
            group.start_soon(bounded, index, leg)
    if problems:
        return Failure("; ".join(sorted(problems)))
    return Success([states[i] for i in range(len(signal.legs))])


__all__ = ["LegState", "prepare_legs"]
