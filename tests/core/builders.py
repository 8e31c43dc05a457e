"""Builders for decision inputs: terse, explicit, all Decimals from strings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Protocol, TypeVar

from returns.result import Failure, Result, Success

from atomic_fp.errors import NetworkError, VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    BookLevel,
    ExchangeIdentifier,
    FundingKind,
    FundingRate,
    Market,
    OrderBook,
    Position,
    Symbol,
)
from atomic_fp.models.margin import AccountMargin, build_account_margin

NOW = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
BTC = Symbol("BTC")
PEPE = Symbol("PEPE")


def ex(name: str) -> ExchangeIdentifier:
    return ExchangeIdentifier(name)


def rate(
    venue: str,
    value: str,
    interval: timedelta = timedelta(hours=8),
    *,
    symbol: Symbol = BTC,
    observed_at: datetime = NOW,
    mark: str | None = None,
) -> FundingRate:
    return FundingRate(
        exchange=ex(venue),
        symbol=symbol,
        rate=Decimal(value),
        interval=interval,
        kind=FundingKind.CURRENT,
        observed_at=observed_at,
        mark_price=None if mark is None else Decimal(mark),
    )


def config(**overrides: object) -> ArbitrageConfig:
    values: dict[str, object] = {
        "build_threshold": Decimal("0.05"),
        "close_threshold": Decimal("0.01"),
        "max_position": Decimal(10),
        "trade_size": Decimal(1),
    }
    values.update(overrides)
    return ArbitrageConfig(**values)  # type: ignore[arg-type]


def position(
    venue: str,
    size: str,
    *,
    symbol: Symbol = BTC,
    multiplier: str = "1",
    observed_at: datetime = NOW,
    mark: str | None = None,
    liquidation: str | None = None,
) -> Position:
    return Position(
        exchange=ex(venue),
        symbol=symbol,
        size=Decimal(size),
        observed_at=observed_at,
        contract_multiplier=Decimal(multiplier),
        mark_price=None if mark is None else Decimal(mark),
        liquidation_price=None if liquidation is None else Decimal(liquidation),
    )


def market(
    venue: str,
    *,
    symbol: Symbol = BTC,
    lot: str = "0.001",
    min_size: str = "0",
    min_notional: str = "0",
    multiplier: str = "1",
    venue_symbol: str | None = None,
) -> Market:
    return Market(
        exchange=ex(venue),
        symbol=symbol,
        venue_symbol=venue_symbol or f"{symbol.base}USDT",
        tick_size=Decimal("0.1"),
        lot_size=Decimal(lot),
        min_size=Decimal(min_size),
        min_notional=Decimal(min_notional),
        contract_multiplier=Decimal(multiplier),
    )


def book(
    venue: str,
    bids: list[tuple[str, str]],
    asks: list[tuple[str, str]],
    *,
    symbol: Symbol = BTC,
    at: datetime = NOW,
) -> OrderBook:
    return OrderBook(
        exchange=ex(venue),
        symbol=symbol,
        bids=[BookLevel(Decimal(p), Decimal(s)) for p, s in bids],
        asks=[BookLevel(Decimal(p), Decimal(s)) for p, s in asks],
        timestamp=at,
    )


class _OnVenue(Protocol):
    @property
    def exchange(self) -> ExchangeIdentifier: ...


V = TypeVar("V", bound=_OnVenue)


def by_venue(*values: V) -> dict[ExchangeIdentifier, Result[V, VenueError]]:
    """Success-wrapped inputs keyed by each value's ``exchange``."""
    return {v.exchange: Success(v) for v in values}


def flat(*venues: str) -> dict[ExchangeIdentifier, Result[Position | None, VenueError]]:
    return {ex(v): Success(None) for v in venues}


def down(venue: str, message: str = "connection reset") -> Failure[VenueError]:
    return Failure(NetworkError(venue=venue, message=message))


def account(
    venue: str,
    equity: str = "1000000",
    *,
    maintenance: str = "0",
    rate: str = "0.005",
    symbol: Symbol = BTC,
    observed_at: datetime = NOW,
    positions: tuple[Position, ...] = (),
) -> AccountMargin:
    """A venue account's margin: ample by default (a million of collateral, flat), new
    ``symbol`` positions at maintenance ``rate`` (0.5 %: Binance's first BTCUSDT bracket)."""
    return build_account_margin(
        exchange=ex(venue),
        asset="USDT",
        equity=Decimal(equity),
        maintenance_margin=Decimal(maintenance),
        observed_at=observed_at,
        positions=positions,
        maintenance_rates={symbol: Decimal(rate)},
    )


def ample(*venues: str) -> dict[ExchangeIdentifier, Result[AccountMargin, VenueError]]:
    """Margin no opening of the tests' sizes comes near: the opening check passes."""
    return by_venue(*(account(v) for v in venues))
