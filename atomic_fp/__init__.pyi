"""Type stub of atomic_fp: every public name (the lazy ones included)."""

from atomic_fp.aggregators import (
    ExposureReport as ExposureReport,
)
from atomic_fp.aggregators import (
    FundingRateAggregator as FundingRateAggregator,
)
from atomic_fp.aggregators import (
    IncompleteExposure as IncompleteExposure,
)
from atomic_fp.aggregators import (
    MarketAggregator as MarketAggregator,
)
from atomic_fp.aggregators import (
    OrderAggregator as OrderAggregator,
)
from atomic_fp.aggregators import (
    PositionAggregator as PositionAggregator,
)
from atomic_fp.decisions import (
    FundingArbitrageDecision as FundingArbitrageDecision,
)
from atomic_fp.decisions import (
    NoTrade as NoTrade,
)
from atomic_fp.decisions import (
    Opportunity as Opportunity,
)
from atomic_fp.decisions import (
    RebalanceDecision as RebalanceDecision,
)
from atomic_fp.decisions import (
    SafetyDecision as SafetyDecision,
)
from atomic_fp.errors import (
    Ambiguous as Ambiguous,
)
from atomic_fp.errors import (
    AuthenticationError as AuthenticationError,
)
from atomic_fp.errors import (
    DecisionError as DecisionError,
)
from atomic_fp.errors import (
    InvalidRequest as InvalidRequest,
)
from atomic_fp.errors import (
    MalformedResponse as MalformedResponse,
)
from atomic_fp.errors import (
    NetworkError as NetworkError,
)
from atomic_fp.errors import (
    NotConfigured as NotConfigured,
)
from atomic_fp.errors import (
    NotSent as NotSent,
)
from atomic_fp.errors import (
    NotSupported as NotSupported,
)
from atomic_fp.errors import (
    OrderNotFound as OrderNotFound,
)
from atomic_fp.errors import (
    RateLimited as RateLimited,
)
from atomic_fp.errors import (
    UnknownSymbol as UnknownSymbol,
)
from atomic_fp.errors import (
    VenueError as VenueError,
)
from atomic_fp.errors import (
    VenueRejected as VenueRejected,
)
from atomic_fp.errors import (
    VenueTimeout as VenueTimeout,
)
from atomic_fp.models import (
    ArbitrageConfig as ArbitrageConfig,
)
from atomic_fp.models import (
    Balance as Balance,
)
from atomic_fp.models import (
    BookLevel as BookLevel,
)
from atomic_fp.models import (
    ContractType as ContractType,
)
from atomic_fp.models import (
    ExchangeIdentifier as ExchangeIdentifier,
)
from atomic_fp.models import (
    FundingKind as FundingKind,
)
from atomic_fp.models import (
    FundingPayment as FundingPayment,
)
from atomic_fp.models import (
    FundingRate as FundingRate,
)
from atomic_fp.models import (
    Market as Market,
)
from atomic_fp.models import (
    Order as Order,
)
from atomic_fp.models import (
    OrderBook as OrderBook,
)
from atomic_fp.models import (
    OrderRequest as OrderRequest,
)
from atomic_fp.models import (
    OrderStatus as OrderStatus,
)
from atomic_fp.models import (
    OrderType as OrderType,
)
from atomic_fp.models import (
    Position as Position,
)
from atomic_fp.models import (
    PositionSide as PositionSide,
)
from atomic_fp.models import (
    Side as Side,
)
from atomic_fp.models import (
    SignalKind as SignalKind,
)
from atomic_fp.models import (
    Symbol as Symbol,
)
from atomic_fp.models import (
    TimeInForce as TimeInForce,
)
from atomic_fp.models import (
    TradeLeg as TradeLeg,
)
from atomic_fp.models import (
    TradingSignal as TradingSignal,
)
from atomic_fp.models import (
    VenueFees as VenueFees,
)
from atomic_fp.operations import (
    AtomicQueryer as AtomicQueryer,
)
from atomic_fp.operations import (
    AtomicTrader as AtomicTrader,
)
from atomic_fp.orchestration import (
    ArbitrageOrchestrator as ArbitrageOrchestrator,
)
from atomic_fp.orchestration import (
    CycleReport as CycleReport,
)
from atomic_fp.orchestration import (
    ExecutionReport as ExecutionReport,
)
from atomic_fp.orchestration import (
    ExecutionStatus as ExecutionStatus,
)
from atomic_fp.orchestration import (
    MemoryJournal as MemoryJournal,
)
from atomic_fp.orchestration import (
    ReconciliationReport as ReconciliationReport,
)
from atomic_fp.orchestration import (
    RunSummary as RunSummary,
)
from atomic_fp.orchestration import (
    SimpleStrategyRunner as SimpleStrategyRunner,
)
from atomic_fp.per_venue import (
    ByVenue as ByVenue,
)
from atomic_fp.venue import (
    Capability as Capability,
)
from atomic_fp.venue import (
    VenueClient as VenueClient,
)

__version__: str

__all__ = [
    "Ambiguous",
    "ArbitrageConfig",
    "ArbitrageOrchestrator",
    "AtomicQueryer",
    "AtomicTrader",
    "AuthenticationError",
    "Balance",
    "BookLevel",
    "ByVenue",
    "Capability",
    "ContractType",
    "CycleReport",
    "DecisionError",
    "ExchangeIdentifier",
    "ExecutionReport",
    "ExecutionStatus",
    "ExposureReport",
    "FundingArbitrageDecision",
    "FundingKind",
    "FundingPayment",
    "FundingRate",
    "FundingRateAggregator",
    "IncompleteExposure",
    "InvalidRequest",
    "MalformedResponse",
    "Market",
    "MarketAggregator",
    "MemoryJournal",
    "NetworkError",
    "NoTrade",
    "NotConfigured",
    "NotSent",
    "NotSupported",
    "Opportunity",
    "Order",
    "OrderAggregator",
    "OrderBook",
    "OrderNotFound",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionAggregator",
    "PositionSide",
    "RateLimited",
    "RebalanceDecision",
    "ReconciliationReport",
    "RunSummary",
    "SafetyDecision",
    "Side",
    "SignalKind",
    "SimpleStrategyRunner",
    "Symbol",
    "TimeInForce",
    "TradeLeg",
    "TradingSignal",
    "UnknownSymbol",
    "VenueClient",
    "VenueError",
    "VenueFees",
    "VenueRejected",
    "VenueTimeout",
]
