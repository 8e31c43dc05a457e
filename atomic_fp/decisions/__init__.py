"""Layer 4: pure decisions. Data in, signal out; no I/O, no clock reads (time is an argument).

Each decision returns ``Result[TradingSignal, NoTrade]``: ``Success`` carries the signal to
execute, ``Failure`` carries *why* there is nothing to do (which is not an error, but must
always say its reasons, including every venue that was left out and why).
"""

from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.ranking import best_per_symbol, rank_opportunities
from atomic_fp.decisions.rebalance import RebalanceDecision
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.decisions.types import NoTrade, Opportunity, VenueInputs

__all__ = [
    "FundingArbitrageDecision",
    "NoTrade",
    "Opportunity",
    "RebalanceDecision",
    "SafetyDecision",
    "VenueInputs",
    "best_per_symbol",
    "rank_opportunities",
]
