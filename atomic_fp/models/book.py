"""Order books and what a market order of a given size would cost on them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

import attrs

from atomic_fp.models._validators import positive, to_utc, utc_datetime
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol


class Side(enum.Enum):
    BUY = "buy"
    SELL = "sell"

    @classmethod
    def parse(cls, value: Side | str, name: str = "side") -> Side:
        """``Side.BUY``, ``"buy"``/``"BUY"`` or ``"sell"`` (the seed's spelling); anything
        else is a ``ValueError`` naming the field."""
        if isinstance(value, Side):
            return value
        if isinstance(value, str):
            for side in cls:
                if value.strip().lower() == side.value:
                    return side
        raise ValueError(f"{name} must be 'buy' or 'sell', got {value!r}")

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


@attrs.frozen
class BookLevel:
    price: Decimal = attrs.field(validator=positive)
    size: Decimal = attrs.field(validator=positive)


def _levels(value: Sequence[BookLevel]) -> tuple[BookLevel, ...]:
    return tuple(value)


@attrs.frozen
class OrderBook:
    """Bids best (highest) first, asks best (lowest) first; sizes in venue units."""

    exchange: ExchangeIdentifier
    symbol: Symbol
    bids: tuple[BookLevel, ...] = attrs.field(converter=_levels)
    asks: tuple[BookLevel, ...] = attrs.field(converter=_levels)
    timestamp: datetime = attrs.field(converter=to_utc, validator=utc_datetime)

    @bids.validator
    def _bids_sorted(
        self, _: attrs.Attribute[tuple[BookLevel, ...]], value: tuple[BookLevel, ...]
    ) -> None:
        if any(a.price <= b.price for a, b in pairwise(value)):
            raise ValueError("bids must be strictly descending by price")

    @asks.validator
    def _asks_sorted(
        self, _: attrs.Attribute[tuple[BookLevel, ...]], value: tuple[BookLevel, ...]
    ) -> None:
        if any(a.price >= b.price for a, b in pairwise(value)):
            raise ValueError("asks must be strictly ascending by price")

    def __attrs_post_init__(self) -> None:
        """A crossed (best bid above best ask) or locked (equal) book is bad data: on a
        real venue's own book a bid at or above the best ask would have matched it, so such
        a snapshot is stale, torn between updates, or mis-parsed. It is refused here, so
        no parser can hand it on and nothing is priced or traded on it."""
        if self.bids and self.asks and self.bids[0].price >= self.asks[0].price:
            state = "locked" if self.bids[0].price == self.asks[0].price else "crossed"
            raise ValueError(
                f"{state} book: best bid {self.bids[0].price} >= best ask {self.asks[0].price}"
            )

    @property
    def best_bid(self) -> Decimal | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.asks[0].price if self.asks else None

    @property
    def mid(self) -> Decimal | None:
        if self.best_bid is None or self.best_ask is None:
            return None
        return (self.best_bid + self.best_ask) / 2

    def average_fill_price(self, side: Side, size: Decimal) -> Decimal | None:
        """VWAP of taking ``size`` (venue units) with a market order on ``side``.

        ``None`` when the book is too thin to fill it: a missing price is never guessed.
        """
        if size <= 0:
            return None
        levels = self.asks if side is Side.BUY else self.bids
        remaining = size
        cost = Decimal(0)
        for level in levels:
            take = min(remaining, level.size)
            cost += take * level.price
            remaining -= take
            if remaining == 0:
                return cost / size
        return None
