"""What a venue's stream says, in venue-neutral terms (pure data, no effects)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

import attrs

from atomic_fp.models import FundingKind, FundingRate, Market, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.order_update import OrderUpdate


@attrs.frozen
class Listing:
    """What a stream update needs to become a :class:`FundingRate`: which canonical symbol
    a venue symbol is, and its funding interval. From the venue's market list, or (when
    that fails) from a REST funding answer, which names the same instruments."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    venue_symbol: str
    funding_interval: timedelta

    @classmethod
    def of_market(cls, market: Market) -> Listing:
        return cls(market.exchange, market.symbol, market.venue_symbol, market.funding_interval)

    @classmethod
    def of_rate(cls, rate: FundingRate) -> Listing | None:
        if rate.venue_symbol is None:
            return None
        return cls(rate.exchange, rate.symbol, rate.venue_symbol, rate.interval)


@attrs.frozen
class RateUpdate:
    """One instrument's live funding as pushed by a venue.

    ``venue_symbol`` names the instrument as the venue does (``BTCUSDT``, ``BTC``,
    ``BTC_USDT_Perp``, Lighter's market id); ``rate`` is a fraction per ``interval``
    (``None``: the instrument's own interval from its :class:`Market`). ``observed_at`` is
    the venue's event time when it sends one, else the receive time: it is what staleness
    is measured against, so data held while a stream is down ages like any other.
    """

    venue_symbol: str
    rate: Decimal
    observed_at: datetime
    interval: timedelta | None = None
    next_funding_time: datetime | None = None
    mark_price: Decimal | None = None
    index_price: Decimal | None = None

    def to_funding_rate(self, market: Market | Listing) -> FundingRate:
        return FundingRate(
            exchange=market.exchange,
            symbol=market.symbol,
            rate=self.rate,
            interval=self.interval or market.funding_interval,
            kind=FundingKind.CURRENT,
            observed_at=self.observed_at,
            next_funding_time=self.next_funding_time,
            mark_price=self.mark_price,
            index_price=self.index_price,
            venue_symbol=market.venue_symbol,
        )


@attrs.frozen
class SequenceMark:
    """A frame's place in a sequenced channel (GRVT's ``sequence_number`` and
    ``prev_sequence_number`` per selector); ``previous`` None when the venue omits it."""

    channel: str
    number: int
    previous: int | None = None


@attrs.frozen
class Decoded:
    """What one text frame meant.

    ``reply``: a message to send back at once (an application-level pong);
    ``error``: the venue reported an error (subscription refused, rate limited...);
    ``subscribed``: the frame acknowledges a subscription; ``garbage``: the frame could not
    be read (why, as text). Frames that are none of these (e.g. pongs) are simply counted.
    """

    updates: tuple[RateUpdate, ...] = ()
    orders: tuple[OrderUpdate, ...] = ()
    """Order updates of an account stream (fills, cancels), by client order id."""
    reply: object | None = None
    error: str | None = None
    subscribed: bool = False
    garbage: str | None = None
    sequences: tuple[SequenceMark, ...] = ()


class WireFormat(Protocol):
    """A venue's market stream, as data and pure functions (no I/O)."""

    @property
    def venue(self) -> str: ...

    @property
    def url(self) -> str: ...

    def subscriptions(self, venue_symbols: Sequence[str]) -> list[object]:
        """Messages to send after each (re)connect, for these instruments."""
        ...

    def heartbeat(self) -> object | None:
        """An application-level ping to send when quiet (``None``: a websocket ping)."""
        ...

    def decode(self, message: object, received_at: datetime) -> Decoded:
        """A JSON-decoded frame -> what it meant; never raises."""
        ...


class StreamState(enum.Enum):
    """Where a feed stands. ``DOWN``: the last connection attempts failed (or it has been
    disconnected longer than the feed's ``down_after``): callers fall back to REST."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    DOWN = "down"


@attrs.frozen
class Gap:
    """A stretch in which the feed may have missed data: a connection gap (from the drop
    to the first frame after reconnecting) or a sequence gap (``channel`` says where)."""

    venue: str
    started: datetime
    ended: datetime
    reason: str
    channel: str | None = None
    missed: int | None = None

    @property
    def duration(self) -> timedelta:
        return self.ended - self.started

    def describe(self) -> str:
        where = f" on {self.channel}" if self.channel else ""
        missed = f", {self.missed} messages missed" if self.missed else ""
        return (
            f"{self.venue}: gap of {self.duration.total_seconds():.1f}s{where} "
            f"({self.reason}{missed})"
        )


@attrs.frozen
class RatesPushed:
    venue: str
    updates: tuple[RateUpdate, ...]


@attrs.frozen
class OrdersPushed:
    venue: str
    orders: tuple[OrderUpdate, ...]


@attrs.frozen
class StateChanged:
    venue: str
    state: StreamState
    detail: str | None = None


@attrs.frozen
class GapDetected:
    gap: Gap


StreamEvent = RatesPushed | OrdersPushed | StateChanged | GapDetected
