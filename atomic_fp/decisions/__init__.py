"""Layer 4: pure decisions. Data in, signal out; no I/O, no clock reads (time is an argument).

Each decision returns ``Result[TradingSignal, NoTrade]``: ``Success`` carries the signal to
execute, ``Failure`` carries *why* there is nothing to do (which is not an error, but must
always say its reasons, including every venue that was left out and why).
"""

from atomic_fp.decisions.types import NoTrade, Opportunity, VenueInputs

__all__ = ["NoTrade", "Opportunity", "VenueInputs"]
