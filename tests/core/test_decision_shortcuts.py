"""Shortcuts in the pure decisions (issue 20, the backtest asks them ~4,600 times a
year) decide exactly what the code before them decided.

Each oracle below is the function as it was before the shortcut, kept verbatim; the
shortcut must give the same answer (equal and the same ``repr``, so the same reason text
to the character) over generated inputs, edge cases included:

- :func:`atomic_fp.decisions.liquidity.liquidity_problem` returns at once when no floor
  applies (neither given nor in the config: the usual case), instead of reading both
  figures of the rate and market;
- :func:`atomic_fp.decisions.hedge_close.consider_close` finds whether the held legs
  include a long and a short in its one pass over the positions, and formats the legs'
  APRs only for a CLOSE (a kept hedge never reads them);
- :func:`atomic_fp.decisions._common.duration` is remembered per value;
- the pair evaluation's private ``_Venue``, ``_Leg`` and ``_Plan`` are named tuples, no
  longer frozen attrs classes: the decision with the old classes put back is the oracle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from atomic_fp.decisions import funding_arbitrage, funding_pairs
from atomic_fp.decisions._common import (
    closing_leg,
    describe_positions,
    duration,
    pct,
    read,
    untimely,
    venue_order,
)
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.decisions.hedge_close import _hedge_carry, carry_keeps_hedge, consider_close
from atomic_fp.decisions.liquidity import liquidity_problem
from atomic_fp.decisions.types import PositionInputs, RateInputs
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    ArbitrageConfig,
    FundingRate,
    Market,
    OrderBook,
    Position,
    Side,
    SignalKind,
    Symbol,
    TradingSignal,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.core.builders import BTC, NOW, PEPE, book, config, down, ex, market, position, rate
from tests.core.test_decision_properties import scenarios

# ----------------------------------------------------------------------------- the oracles


def old_liquidity_problem(
    rate: FundingRate,
    config: ArbitrageConfig,
    market: Market | None = None,
    *,
    min_open_interest: Decimal | None = None,
    min_volume_24h: Decimal | None = None,
) -> str | None:
    """``liquidity_problem`` before the shortcut (with its ``_known``), verbatim."""

    def _known(market: Market | None, rate: FundingRate, name: str) -> Decimal | None:
        value: Decimal | None = getattr(market, name, None) if market is not None else None
        return value if value is not None else getattr(rate, name)

    floors = (
        ("open interest", "open_interest", min_open_interest or config.min_open_interest),
        ("24 h volume", "volume_24h", min_volume_24h or config.min_volume_24h),
    )
    for label, name, floor in floors:
        value = _known(market, rate, name)
        if floor is not None and value is not None and value < floor:
            return f"{label} {value:,.0f} below the floor {floor:,.0f}"
    return None


def old_consider_close(
    *,
    symbol: Symbol,
    rates: RateInputs,
    positions: PositionInputs,
    config: ArbitrageConfig,
    as_of: datetime,
) -> TradingSignal | str | None:
    """``consider_close`` before the shortcut, verbatim."""
    hedge: dict[ExchangeIdentifier, Position] = {}
    for venue in sorted(positions, key=venue_order):
        position, _ = read(positions[venue])
        if position is not None and not position.is_flat and position.symbol == symbol:
            hedge[venue] = position
    if not any(p.size > 0 for p in hedge.values()) or not any(p.size < 0 for p in hedge.values()):
        return None
    aprs: dict[ExchangeIdentifier, Decimal] = {}
    for venue in hedge:
        rate, error = read(rates[venue]) if venue in rates else (None, None)
        if rate is None:
            why = f"failed ({error})" if error else "missing"
            return f"existing hedge not judged: {venue} rate {why}"
        if problem := untimely(rate.observed_at, as_of, config.max_data_age):
            return f"existing hedge not judged: {venue} rate {problem}"
        aprs[venue] = rate.apr
    carry = _hedge_carry(hedge, aprs)
    legs_text = ", ".join(f"{v} {pct(a)}" for v, a in aprs.items())
    if carry_keeps_hedge(carry, config):
        return None
    why = (
        "flipped negative" if carry < 0 else f"below close threshold {pct(config.close_threshold)}"
    )
    return TradingSignal(
        kind=SignalKind.CLOSE,
        symbol=symbol,
        legs=tuple(closing_leg(p) for p in hedge.values()),
        reason=(
            f"hedge carry {pct(carry)} APR {why} (APRs: {legs_text}); close "
            f"{describe_positions(hedge.values())} reduce-only"
        ),
        created_at=as_of,
        expected_net_apr=carry,
    )


def old_duration(value: timedelta) -> str:
    """``duration`` before it was remembered, verbatim."""
    if value % timedelta(days=1) == timedelta(0):
        return f"{value // timedelta(days=1)}d"
    if value % timedelta(hours=1) == timedelta(0):
        return f"{value // timedelta(hours=1)}h"
    return str(value)


# ----------------------------------------------------------------------------- inputs

_figure = st.none() | st.sampled_from(["0", "1", "999.5", "1000", "1000000", "2e9"]).map(Decimal)
_floor = st.none() | st.sampled_from(["1", "1000", "1000.4", "5e8"]).map(Decimal)
# explicit floors as ``scan --min-oi`` passes them: a zero falls back to the config's
_given_floor = st.none() | st.sampled_from(["0", "1", "1000", "3e9"]).map(Decimal)


@st.composite
def _liquidity_case(
    draw: st.DrawFn,
) -> tuple[FundingRate, ArbitrageConfig, Market | None, Decimal | None, Decimal | None]:
    observed = attrs.evolve(
        rate("a", "0.0001"), open_interest=draw(_figure), volume_24h=draw(_figure)
    )
    cfg = config(min_open_interest=draw(_floor), min_volume_24h=draw(_floor))
    venue_market = draw(st.none() | st.just(market("a")))
    return observed, cfg, venue_market, draw(_given_floor), draw(_given_floor)


@given(_liquidity_case())
@example((rate("a", "0.0001"), config(), None, None, None))  # no floor at all
@example(
    (attrs.evolve(rate("a", "0.0001"), open_interest=Decimal(5)), config(), None, Decimal(0), None)
)  # a zero floor given, none in the config: nothing applies
def test_liquidity_problem_equals_the_old_code(
    case: tuple[FundingRate, ArbitrageConfig, Market | None, Decimal | None, Decimal | None],
) -> None:
    observed, cfg, venue_market, oi_floor, volume_floor = case
    for on_market in (None, venue_market):
        assert liquidity_problem(
            observed, cfg, on_market, min_open_interest=oi_floor, min_volume_24h=volume_floor
        ) == old_liquidity_problem(
            observed, cfg, on_market, min_open_interest=oi_floor, min_volume_24h=volume_floor
        )
        assert liquidity_problem(observed, cfg, on_market) == old_liquidity_problem(
            observed, cfg, on_market
        )
    assert liquidity_problem(observed, cfg) == old_liquidity_problem(observed, cfg)


def test_a_floor_still_refuses_a_thin_market() -> None:
    """The shortcut only skips when no floor applies: each floor alone still refuses."""
    thin = attrs.evolve(rate("a", "0.0001"), open_interest=Decimal(10), volume_24h=Decimal(10))
    assert liquidity_problem(thin, config(min_open_interest=Decimal(100))) == (
        "open interest 10 below the floor 100"
    )
    assert liquidity_problem(thin, config(min_volume_24h=Decimal(100))) == (
        "24 h volume 10 below the floor 100"
    )
    assert liquidity_problem(thin, config(), min_volume_24h=Decimal(100)) == (
        "24 h volume 10 below the floor 100"
    )
    assert liquidity_problem(thin, config()) is None


VENUES = ("a", "b", "c")
_size = st.sampled_from(["-2", "-1", "-0.5", "0", "0.5", "1", "2"])
_age = st.sampled_from(
    [timedelta(0), timedelta(seconds=30), timedelta(minutes=10), -timedelta(minutes=10)]
)


@st.composite
def _position_input(draw: st.DrawFn, venue: str) -> Result[Position | None, VenueError] | None:
    """One venue's position reading: missing (``None`` here), failed, flat or held (of
    the decided symbol or another, with or without a mark)."""
    kind = draw(st.sampled_from(["missing", "failed", "flat", "held", "held", "held"]))
    if kind == "missing":
        return None
    if kind == "failed":
        return down(venue)
    if kind == "flat":
        return Success(None)
    return Success(
        position(
            venue,
            draw(_size),
            symbol=draw(st.sampled_from([BTC, BTC, BTC, PEPE])),
            mark=draw(st.sampled_from([None, "100", "50000.5"])),
        )
    )


@st.composite
def _rate_input(draw: st.DrawFn, venue: str) -> Result[FundingRate, VenueError] | None:
    kind = draw(st.sampled_from(["missing", "failed", "known", "known", "known"]))
    if kind == "missing":
        return None
    if kind == "failed":
        return down(venue, "timed out")
    value = draw(st.decimals(min_value=Decimal("-0.003"), max_value=Decimal("0.003"), places=6))
    interval = draw(st.sampled_from([timedelta(hours=1), timedelta(hours=4), timedelta(hours=8)]))
    return Success(rate(venue, str(value), interval, observed_at=NOW - draw(_age)))


@st.composite
def _close_case(
    draw: st.DrawFn,
) -> tuple[RateInputs, PositionInputs, ArbitrageConfig]:
    positions: dict[ExchangeIdentifier, Result[Position | None, VenueError]] = {}
    rates: dict[ExchangeIdentifier, Result[FundingRate, VenueError]] = {}
    for venue in draw(st.permutations(VENUES)):  # any insertion order
        held = draw(_position_input(venue))
        if held is not None:
            positions[ex(venue)] = held
        known = draw(_rate_input(venue))
        if known is not None:
            rates[ex(venue)] = known
    threshold = draw(st.sampled_from(["0", "0.01", "0.049", "0.02"]))
    return rates, positions, config(close_threshold=Decimal(threshold))


def _hedged(*sizes: str) -> PositionInputs:
    return {
        ex(v): Success(position(v, s, mark="100"))
        for v, s in zip(VENUES[: len(sizes)], sizes, strict=True)
    }


def _rates(*values: str) -> RateInputs:
    return {ex(v): Success(rate(v, x)) for v, x in zip(VENUES[: len(values)], values, strict=True)}


@given(_close_case())
@example((_rates("0.0001", "0.0001"), _hedged("1", "-1"), config()))  # kept: carry 0 >= 0
@example((_rates("0.0003", "0.0001"), _hedged("1", "-1"), config()))  # flipped: closed
@example((_rates("0.0001", "0.0002"), _hedged("1", "-1"), config(close_threshold=Decimal("0.04"))))
@example((_rates("0.0001", "0.0002"), _hedged("1", "1", "-2"), config()))  # two longs
@example((_rates("0.0001", "0.0002"), _hedged("1", "2"), config()))  # two longs, no short
@example((_rates("0.0001"), _hedged("1", "-1"), config()))  # a held leg's rate missing
@example(({ex("a"): down("a"), **_rates("0", "0.0002")}, _hedged("1", "-1"), config()))
def test_consider_close_equals_the_old_code(
    case: tuple[RateInputs, PositionInputs, ArbitrageConfig],
) -> None:
    rates, positions, cfg = case
    for symbol in (BTC, PEPE):
        kwargs = {
            "symbol": symbol,
            "rates": rates,
            "positions": positions,
            "config": cfg,
            "as_of": NOW,
        }
        new = consider_close(**kwargs)  # type: ignore[arg-type]
        old = old_consider_close(**kwargs)  # type: ignore[arg-type]
        assert new == old
        assert repr(new) == repr(old)


def test_the_close_reason_still_names_every_legs_apr() -> None:
    """The legs' APRs, now formatted only for a CLOSE, are still in its reason."""
    closed = consider_close(
        symbol=BTC,
        rates=_rates("0.0003", "0.0001"),
        positions=_hedged("1", "-1"),
        config=config(),
        as_of=NOW,
    )
    assert isinstance(closed, TradingSignal)
    assert "(APRs: a 32.85%, b 10.95%)" in closed.reason


@given(st.timedeltas())
@example(timedelta(days=7))
@example(timedelta(hours=36))
@example(timedelta(hours=-5))
@example(timedelta(minutes=90))
@example(timedelta(0))
def test_duration_equals_the_old_code(value: timedelta) -> None:
    assert duration(value) == old_duration(value)
    assert duration(value) == old_duration(value)  # remembered: the same text again
    # an equal value built another way gets the same text
    assert duration(timedelta(microseconds=value // timedelta(microseconds=1))) == old_duration(
        value
    )


# ----------------------------------------------------- the pair evaluation's named tuples


@attrs.frozen
class OldVenue:
    """``funding_pairs._Venue`` as it was (a frozen attrs class), verbatim."""

    id: ExchangeIdentifier
    rate: FundingRate
    apr: Decimal
    position: Position | None
    market: Market | None
    book: OrderBook | None

    @property
    def base_position(self) -> Decimal:
        return Decimal(0) if self.position is None else self.position.base_size

    @property
    def mark_price(self) -> Decimal | None:
        """The rate's mark price, else the position's (both per venue size unit)."""
        if self.rate.mark_price is not None:
            return self.rate.mark_price
        if self.position is not None and self.position.mark_price:
            return self.position.mark_price
        return None

    @property
    def multiplier(self) -> Decimal:
        if self.market is not None:
            return self.market.contract_multiplier
        if self.position is not None:
            return self.position.contract_multiplier
        return Decimal(1)


@attrs.frozen
class OldLeg:
    venue: OldVenue
    side: Side
    size: Decimal
    price: Decimal | None


@attrs.frozen
class OldPlan:
    """A tradable pair: what the signal will carry."""

    long: OldLeg
    short: OldLeg
    base_size: Decimal
    spread: Decimal
    fees: Decimal
    gap: Decimal

    @property
    def net(self) -> Decimal:
        return self.spread - self.fees - self.gap


@contextmanager
def _attrs_classes_put_back() -> Iterator[None]:
    """The decision with its old attrs classes in place of the named tuples (the
    functions look the classes up in their modules when called)."""
    replaced = [
        (funding_pairs, "_Venue", OldVenue),
        (funding_pairs, "_Leg", OldLeg),
        (funding_pairs, "_Plan", OldPlan),
        (funding_arbitrage, "_Venue", OldVenue),
        (funding_arbitrage, "_Plan", OldPlan),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in replaced]
    for module, name, old in replaced:
        setattr(module, name, old)
    try:
        yield
    finally:
        for module, name, new in saved:
            setattr(module, name, new)


_BOOK_KINDS = ["deep", "deep", "thin", "wide", "stale", "crossed_gap"]


@st.composite
def _with_books(draw: st.DrawFn) -> dict[str, object]:
    """A scenario of ``test_decision_properties`` (2-4 venues, real lot shapes, held
    positions, some with a mark, min sizes and notionals), with or without books: deep,
    thin (the size does not fill), wide (slips past the cap), stale, or priced so the
    legs' entry gap costs."""
    scenario = draw(scenarios())
    positions = scenario["positions"]
    assert isinstance(positions, dict)
    for venue, held in positions.items():  # some held legs know their mark (a fallback price)
        if held.unwrap() is not None and draw(st.booleans()):
            marked = held.unwrap()
            mark = Decimal("0.00001") * marked.contract_multiplier
            positions[venue] = Success(attrs.evolve(marked, mark_price=mark))
    if draw(st.booleans()):
        return {**scenario, "books": None}
    books: dict[ExchangeIdentifier, Result[OrderBook, VenueError]] = {}
    markets = scenario["markets"]
    assert isinstance(markets, dict)
    for venue, known in markets.items():
        multiplier = known.unwrap().contract_multiplier
        mid = Decimal("0.00001") * multiplier
        kind = draw(st.sampled_from(_BOOK_KINDS))
        if kind == "crossed_gap":
            mid = mid * draw(st.sampled_from([Decimal("0.98"), Decimal("1.02")]))
        spread = Decimal("0.05") if kind == "wide" else Decimal("0.0005")
        depth = "0.5" if kind == "thin" else "1e12"
        at = NOW - timedelta(hours=1) if kind == "stale" else NOW
        books[venue] = Success(
            book(
                venue.name,
                [(str(mid * (1 - spread)), depth), (str(mid * (1 - 3 * spread)), depth)],
                [(str(mid * (1 + spread)), depth), (str(mid * (1 + 3 * spread)), depth)],
                symbol=PEPE,
                at=at,
            )
        )
    return {**scenario, "books": books}


@settings(max_examples=300, deadline=None)
@given(_with_books())
def test_pairs_decide_as_with_the_old_attrs_classes(scenario: dict[str, object]) -> None:
    kwargs = {**scenario, "now": NOW}
    new = FundingArbitrageDecision.analyze_opportunity(**kwargs)  # type: ignore[arg-type]
    with _attrs_classes_put_back():
        old = FundingArbitrageDecision.analyze_opportunity(**kwargs)  # type: ignore[arg-type]
    assert new == old
    assert repr(new) == repr(old)
