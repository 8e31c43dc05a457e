"""The paper venue: an in-process :class:`~atomic_fp.venue.VenueClient` with order
matching, fees, positions, balances, funding accrual and fault knobs."""

from adapters.paper.client import PaperClient
from adapters.paper.clock import ManualClock
from adapters.paper.config import PaperConfig
from adapters.paper.faults import OrderFault, PaperFaults
from adapters.paper.ledger import LedgerEntry, LedgerKind, SymbolLedger
from adapters.paper.venue import (
    CallEvent,
    PaperMarketState,
    PaperMarketView,
    PaperVenue,
    SubmitRecord,
)

__all__ = [
    "CallEvent",
    "LedgerEntry",
    "LedgerKind",
    "ManualClock",
    "OrderFault",
    "PaperClient",
    "PaperConfig",
    "PaperFaults",
    "PaperMarketState",
    "PaperMarketView",
    "PaperVenue",
    "SubmitRecord",
    "SymbolLedger",
]
