"""One strategy cycle's decision, in order of urgency, as one pure function.

Safety first (reduce/close on liquidation risk or an exposure-cap breach), then rebalance
(net exposure over one lot), then the funding hedge (open/close). An OPEN signal must
also pass the opening gate: no reconciliation problem (``open_blocked``), no leg on a
venue whose positions are unverified (``blocked_venues``), and
:meth:`SafetyDecision.may_open` over the legs' own venues (a venue the decision already
left out must not block trading elsewhere), and the margin check
(:func:`~atomic_fp.decisions.opening_margin.opening_margin_check`: each leg's venue stays
twice the liquidation buffer away from liquidation after the trade, so a hedge safety just
closed is not re-opened into the buffer; ``margins`` missing for a leg's venue refuses
it). Reducing signals are never gated.

``contradicted`` names venues whose reading of the symbol reconciliation flagged in the
same run (journal and venue disagree): their positions are treated as unknown
(:class:`~atomic_fp.errors.ContradictsJournal`), never as what the venue said. So
rebalance and close, which need every position, do nothing, and no signal has a leg
there (fail closed: a venue reporting "-0" while the journal holds a short must not make
the decision close the good leg).

The live orchestrator, ``execute --dry-run`` and the backtester all call this, so they
cannot disagree about what a cycle decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs
from returns.result import Failure, Success

from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.opening_margin import opening_margin_check
from atomic_fp.decisions.rebalance import RebalanceDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.decisions.types import (
    BookInputs,
    MarginInputs,
    MarketInputs,
    PositionInputs,
    RateInputs,
)
from atomic_fp.errors import ContradictsJournal
from atomic_fp.models import ArbitrageConfig, SignalKind, TradingSignal
from atomic_fp.models.identifiers import ExchangeIdentifier


@attrs.frozen
class CycleDecision:
    """``action`` is ``safety``, ``rebalance``, ``funding`` or ``none``. ``refused`` says
    why an opening ``signal`` must not run (then nothing is executed)."""

    action: str
    signal: TradingSignal | None
    no_trade: tuple[str, ...]
    refused: str | None = None

    @property
    def to_execute(self) -> TradingSignal | None:
        return self.signal if self.refused is None else None


def decide_cycle(
    *,
    rates: RateInputs,
    positions: PositionInputs,
    markets: MarketInputs,
    margins: MarginInputs,
    config: ArbitrageConfig,
    now: datetime,
    books: BookInputs | None = None,
    open_blocked: tuple[str, ...] = (),
    blocked_venues: Mapping[ExchangeIdentifier, str] | None = None,
    contradicted: Mapping[ExchangeIdentifier, str] | None = None,
) -> CycleDecision:
    no_trade: list[str] = []
    if contradicted:
        positions = distrust(positions, contradicted)
    safety = SafetyDecision.analyze(positions=positions, markets=markets, config=config, now=now)
    if isinstance(safety, Success):
        return CycleDecision("safety", safety.unwrap(), ())
    no_trade.append(f"safety: {safety.failure()}")

    rebalance = RebalanceDecision.analyze(
        positions=positions, markets=markets, config=config, now=now
    )
    if isinstance(rebalance, Success):
        return CycleDecision("rebalance", rebalance.unwrap(), tuple(no_trade))
    no_trade.append(f"rebalance: {rebalance.failure()}")

    funding = FundingArbitrageDecision.analyze_opportunity(
        rates=rates, positions=positions, config=config, markets=markets, books=books, now=now
    )
    if isinstance(funding, Failure):
        no_trade.append(f"funding: {funding.failure()}")
        if open_blocked:  # say so even when no opening was found to refuse
            no_trade.append(f"funding: opening refused: {'; '.join(open_blocked)}")
        return CycleDecision("none", None, tuple(no_trade))
    signal = funding.unwrap()
    if signal.kind is SignalKind.OPEN:
        refusal = _refuse_open(
            signal, rates, positions, config, now, open_blocked, blocked_venues or {}
        ) or _thin_margin(signal, margins, markets, config, now)
        if refusal is not None:
            no_trade.append(f"funding: opening refused: {refusal}")
            return CycleDecision("none", signal, tuple(no_trade), refused=refusal)
    return CycleDecision("funding", signal, tuple(no_trade))


def distrust(
    positions: PositionInputs, contradicted: Mapping[ExchangeIdentifier, str]
) -> PositionInputs:
    """``positions`` with each contradicted venue's reading replaced by why it is not
    believed (a venue missing from ``positions`` stays missing: unknown either way)."""
    return {
        venue: Failure(
            ContradictsJournal(str(venue), f"reading not acted on: {contradicted[venue]}")
        )
        if venue in contradicted
        else result
        for venue, result in positions.items()
    }


def _thin_margin(
    signal: TradingSignal,
    margins: MarginInputs,
    markets: MarketInputs,
    config: ArbitrageConfig,
    now: datetime,
) -> str | None:
    check = opening_margin_check(
        signal=signal, margins=margins, markets=markets, config=config, now=now
    )
    if isinstance(check, Failure):
        return f"margin gate: {check.failure()}"
    return None


def _refuse_open(
    signal: TradingSignal,
    rates: RateInputs,
    positions: PositionInputs,
    config: ArbitrageConfig,
    now: datetime,
    open_blocked: tuple[str, ...],
    blocked_venues: Mapping[ExchangeIdentifier, str],
) -> str | None:
    if open_blocked:
        return "; ".join(open_blocked)
    venues = {leg.exchange for leg in signal.legs}
    if hit := sorted(str(venue) for venue in venues if venue in blocked_venues):
        return f"positions of {', '.join(hit)} not verified since start"
    gate = SafetyDecision.may_open(
        rates={venue: rate for venue, rate in rates.items() if venue in venues},
        positions={venue: held for venue, held in positions.items() if venue in venues},
        config=config,
        now=now,
    )
    if isinstance(gate, Failure):
        return f"safety gate: {gate.failure()}"
    return None
