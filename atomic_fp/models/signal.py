"""Decisions' output: legs and the signal that groups them."""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import attrs

from atomic_fp.models._validators import (
    Number,
    exact_decimal,
    non_empty_str,
    optional_finite_decimal,
    optional_positive,
    positive,
    to_utc,
    utc_datetime,
    utc_now,
)
from atomic_fp.models.book import Side
from atomic_fp.models.identifiers import ExchangeIdentifier, Symbol, venue_id

V = TypeVar("V")


class SignalKind(enum.Enum):
    OPEN = "open"
    CLOSE = "close"
    REBALANCE = "rebalance"
    REDUCE = "reduce"


def _one_of(name: str, value: V | None, seed_name: str, seed_value: V | None) -> V:
    """The seed's spelling (``exchange_id``, ``quantity``) or ours (``exchange``, ``size``):
    either one, or both when they agree."""
    if value is None:
        if seed_value is None:
            raise TypeError(f"TradeLeg needs {name} (or {seed_name})")
        return seed_value
    if seed_value is not None and seed_value != value:
        raise TypeError(f"TradeLeg: {name}={value!r} contradicts {seed_name}={seed_value!r}")
    return value


@attrs.frozen(init=False)
class TradeLeg:
    """One order-to-be on one venue. ``size`` is in venue units, valid for the venue's lot
    step; ``base_size`` (size x multiplier) is the base-asset exposure it moves.
    ``reference_price`` is the price the decision expected (book VWAP or mark), from which
    the slippage-capped limit price is derived.

    The seed design's spelling works too, converted exactly:
    ``TradeLeg(exchange_id="grvt", side="buy", quantity=0.1)`` is
    ``TradeLeg(ExchangeIdentifier("grvt"), None, Side.BUY, Decimal("0.1"))``. A leg without a
    symbol takes its signal's (see :class:`TradingSignal`).
    """

    exchange: ExchangeIdentifier
    symbol: Symbol | None
    side: Side
    size: Decimal = attrs.field(validator=positive)
    contract_multiplier: Decimal = attrs.field(default=Decimal(1), validator=positive)
    reduce_only: bool = False
    reference_price: Decimal | None = attrs.field(default=None, validator=optional_positive)

    def __init__(
        self,
        exchange: ExchangeIdentifier | str | None = None,
        symbol: Symbol | None = None,
        side: Side | str | None = None,
        size: Number | None = None,
        contract_multiplier: Number = Decimal(1),
        reduce_only: bool = False,
        reference_price: Number | None = None,
        *,
        exchange_id: ExchangeIdentifier | str | None = None,
        quantity: Number | None = None,
    ) -> None:
        venue = _one_of(
            "exchange",
            None if exchange is None else venue_id(exchange),
            "exchange_id",
            None if exchange_id is None else venue_id(exchange_id),
        )
        if side is None:
            raise TypeError("TradeLeg needs side ('buy' or 'sell')")
        amount = _one_of(
            "size",
            None if size is None else exact_decimal(size, "size"),
            "quantity",
            None if quantity is None else exact_decimal(quantity, "quantity"),
        )
        if not isinstance(reduce_only, bool):
            raise TypeError(f"reduce_only must be a bool, got {reduce_only!r}")
        self.__attrs_init__(
            venue,
            symbol,
            Side.parse(side),
            amount,
            exact_decimal(contract_multiplier, "contract_multiplier"),
            reduce_only,
            None if reference_price is None else exact_decimal(reference_price, "reference_price"),
        )

    @property
    def bound_symbol(self) -> Symbol:
        """The symbol, for code that runs after a signal was bound (``ValueError`` if not)."""
        if self.symbol is None:
            raise ValueError(f"leg on {self.exchange} names no symbol and its signal none")
        return self.symbol

    @property
    def exchange_id(self) -> ExchangeIdentifier:
        """The seed's name for :attr:`exchange`."""
        return self.exchange

    @property
    def quantity(self) -> Decimal:
        """The seed's name for :attr:`size`."""
        return self.size

    @property
    def base_size(self) -> Decimal:
        return self.size * self.contract_multiplier

    @property
    def signed_base_size(self) -> Decimal:
        return self.base_size * self.side.sign


def _non_empty_legs(
    _: object, attribute: attrs.Attribute[tuple[TradeLeg, ...]], value: tuple[TradeLeg, ...]
) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must hold at least one leg")


def _bind_legs(
    symbol: Symbol | None, legs: Sequence[TradeLeg]
) -> tuple[Symbol | None, tuple[TradeLeg, ...]]:
    """The signal's symbol (given, or the one its legs agree on) and its legs, each carrying
    it. A leg naming another symbol is a ``ValueError``."""
    if not all(isinstance(leg, TradeLeg) for leg in legs):
        raise TypeError("legs must be a sequence of TradeLeg")
    named = {leg.symbol for leg in legs if leg.symbol is not None}
    if symbol is None and len(named) == 1:
        symbol = next(iter(named))
    if symbol is not None and named - {symbol}:
        others = ", ".join(sorted(str(s) for s in named - {symbol}))
        raise ValueError(f"legs are for {others}, not the signal's symbol {symbol}")
    if symbol is None and len(named) > 1:
        raise ValueError("legs name different symbols and the signal names none")
    return symbol, tuple(
        leg if leg.symbol is not None or symbol is None else attrs.evolve(leg, symbol=symbol)
        for leg in legs
    )


@attrs.frozen(init=False)
class TradingSignal:
    """What a decision wants done: any number of legs, why, and what kind of action.

    ``signal_id`` is a content hash, so the same decision on the same data always yields the
    same id, and client order ids derived from it make retries idempotent.

    The seed's ``TradingSignal(legs=[...], reason=...)`` works as written: ``kind`` defaults
    to ``OPEN`` and ``created_at`` to now (UTC). Legs without a symbol take the signal's;
    a signal that names none and whose legs name none is *unbound* (``symbol is None``): an
    orchestrator executes it for its own symbol (:meth:`for_symbol`).
    """

    kind: SignalKind
    symbol: Symbol | None
    legs: tuple[TradeLeg, ...] = attrs.field(validator=_non_empty_legs)
    reason: str = attrs.field(validator=non_empty_str)
    created_at: datetime = attrs.field(converter=to_utc, validator=utc_datetime)
    expected_net_apr: Decimal | None = attrs.field(default=None, validator=optional_finite_decimal)

    def __init__(
        self,
        *,
        legs: Sequence[TradeLeg],
        reason: str,
        kind: SignalKind | str = SignalKind.OPEN,
        symbol: Symbol | None = None,
        created_at: datetime | None = None,
        expected_net_apr: Number | None = None,
    ) -> None:
        bound, bound_legs = _bind_legs(symbol, legs)
        self.__attrs_init__(
            kind if isinstance(kind, SignalKind) else SignalKind(kind),
            bound,
            bound_legs,
            reason,
            utc_now() if created_at is None else created_at,
            None
            if expected_net_apr is None
            else exact_decimal(expected_net_apr, "expected_net_apr"),
        )

    @property
    def bound_symbol(self) -> Symbol:
        """The symbol, for code that runs after binding (``ValueError`` if unbound)."""
        if self.symbol is None:
            raise ValueError("signal names no symbol: bind it with for_symbol() first")
        return self.symbol

    def for_symbol(self, symbol: Symbol) -> TradingSignal:
        """This signal bound to ``symbol`` (itself when it already is; a ``ValueError`` when
        it names another symbol)."""
        if self.symbol == symbol:
            return self
        if self.symbol is not None:
            raise ValueError(f"signal for {self.symbol}, not {symbol}")
        return TradingSignal(
            kind=self.kind,
            symbol=symbol,
            legs=self.legs,
            reason=self.reason,
            created_at=self.created_at,
            expected_net_apr=self.expected_net_apr,
        )

    @functools.cached_property
    def signal_id(self) -> str:
        """A sha256 prefix of the signal's content (kind, symbol, creation time, each leg's
        venue, side, normalised size and ``reduce_only``). The signal is frozen, so it is
        computed once per object (attrs keeps it in a slot of its own, outside the fields:
        equality, hashing, ``repr`` and ``attrs.evolve`` are unchanged); a client order id
        per leg reads it again (``tests/core/test_signal_id_cache.py``)."""
        digest = hashlib.sha256()
        digest.update(
            "|".join(
                [
                    self.kind.value,
                    "-" if self.symbol is None else self.symbol.key,
                    self.created_at.isoformat(),
                    *(
                        f"{leg.exchange}:{leg.side.value}:{leg.size.normalize()}:{leg.reduce_only}"
                        for leg in self.legs
                    ),
                ]
            ).encode()
        )
        return digest.hexdigest()[:16]

    def client_order_id(self, leg_index: int, attempt: int = 0) -> str:
        """Deterministic client order id of one leg (and retry attempt) of this signal."""
        if not 0 <= leg_index < len(self.legs):
            raise IndexError(f"leg index {leg_index} out of range")
        return f"afp{self.signal_id}{leg_index:02d}{attempt:02d}"

    @property
    def net_base_exposure(self) -> Decimal:
        return sum((leg.signed_base_size for leg in self.legs), Decimal(0))


__all__ = ["SignalKind", "TradeLeg", "TradingSignal"]
