"""RebalanceDecision: bring a symbol's net signed exposure across venues back under one lot.
(Interface; the implementation lands with issue 2.)"""

from __future__ import annotations

from datetime import datetime

from returns.result import Result

from atomic_fp.decisions.types import MarketInputs, NoTrade, PositionInputs
from atomic_fp.models import ArbitrageConfig, TradingSignal


class RebalanceDecision:
    @staticmethod
    def analyze(
        *,
        positions: PositionInputs,
        markets: MarketInputs,
        config: ArbitrageConfig,
        now: datetime,
    ) -> Result[TradingSignal, NoTrade]:
        raise NotImplementedError
