"""One strategy cycle's decision for one symbol, in the order the live orchestrator runs
them (``ArbitrageOrchestrator.run_strategy_cycle``): safety first (reduce/close on
liquidation risk or an exposure breach), then rebalance (a one-legged residual), then the
funding-arbitrage open/close, an OPEN passing the safety gate (``SafetyDecision.may_open``
on the legs' venues) as the orchestrator's ``_refuse_open`` does. (Its other refusals --
reconciliation problems, unverified venues -- cannot arise against fresh paper venues.)

The backtester calls exactly the pure decision functions live trading calls; nothing here
decides anything on its own.
"""

from __future__ import annotations

from datetime import datetime

from returns.pipeline import is_successful
from returns.result import Failure, Result

from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.rebalance import RebalanceDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.decisions.types import BookInputs, MarketInputs, NoTrade, PositionInputs, RateInputs
from atomic_fp.models import ArbitrageConfig, SignalKind, TradingSignal


def decide_cycle(
    *,
    rates: RateInputs,
    positions: PositionInputs,
    markets: MarketInputs,
    books: BookInputs | None,
    config: ArbitrageConfig,
    now: datetime,
) -> Result[TradingSignal, NoTrade]:
    safety = SafetyDecision.analyze(positions=positions, markets=markets, config=config, now=now)
    if is_successful(safety):
        return safety
    rebalance = RebalanceDecision.analyze(
        positions=positions, markets=markets, config=config, now=now
    )
    if is_successful(rebalance):
        return rebalance
    funding = FundingArbitrageDecision.analyze_opportunity(
        rates=rates, positions=positions, config=config, markets=markets, books=books, now=now
    )
    if not is_successful(funding):
        return funding
    signal = funding.unwrap()
    if signal.kind is SignalKind.OPEN:
        venues = {leg.exchange for leg in signal.legs}
        gate = SafetyDecision.may_open(
            rates={v: r for v, r in rates.items() if v in venues},
            positions={v: p for v, p in positions.items() if v in venues},
            config=config,
            now=now,
        )
        if not is_successful(gate):
            return Failure(NoTrade(f"opening refused by the safety gate: {gate.failure()}"))
    return funding


__all__ = ["decide_cycle"]
