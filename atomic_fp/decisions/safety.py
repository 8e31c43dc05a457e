"""SafetyDecision: reduce or close on liquidation risk or an exposure cap breach; refuse
to open on stale data. (Interface; the implementation lands with issue 2.)"""

from __future__ import annotations

from datetime import datetime

from returns.result import Result

from atomic_fp.decisions.types import MarketInputs, NoTrade, PositionInputs, RateInputs
from atomic_fp.models import ArbitrageConfig, TradingSignal


class SafetyDecision:
    @staticmethod
    def analyze(
        *,
        positions: PositionInputs,
        markets: MarketInputs,
        config: ArbitrageConfig,
        now: datetime,
    ) -> Result[TradingSignal, NoTrade]:
        """A REDUCE/CLOSE signal when a position is too close to liquidation or exposure
        exceeds ``config.max_total_exposure``; ``Failure(NoTrade)`` when all is safe."""
        raise NotImplementedError

    @staticmethod
    def may_open(
        *,
        rates: RateInputs,
        positions: PositionInputs,
        config: ArbitrageConfig,
        now: datetime,
    ) -> Result[None, NoTrade]:
        """``Success(None)`` when opening is allowed; otherwise why not (stale rate,
        unknown position, ...)."""
        raise NotImplementedError
