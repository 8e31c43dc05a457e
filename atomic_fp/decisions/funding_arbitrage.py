"""FundingArbitrageDecision: open or close a cross-venue funding hedge. (Interface; the
implementation lands with issue 2.)"""

from __future__ import annotations

from datetime import datetime

from returns.result import Result

from atomic_fp.decisions.types import BookInputs, MarketInputs, NoTrade, PositionInputs, RateInputs
from atomic_fp.models import ArbitrageConfig, TradingSignal


class FundingArbitrageDecision:
    """Finds the best ordered venue pair for one symbol among *all* venues given."""

    @staticmethod
    def analyze_opportunity(
        *,
        rates: RateInputs,
        positions: PositionInputs,
        config: ArbitrageConfig,
        markets: MarketInputs | None = None,
        books: BookInputs | None = None,
        now: datetime | None = None,
    ) -> Result[TradingSignal, NoTrade]:
        raise NotImplementedError
