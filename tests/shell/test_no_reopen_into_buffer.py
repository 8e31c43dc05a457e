"""Issue 21: after a safety close the strategy does not re-open into the liquidation buffer.

The price path of ``test_margin_safety_paper.py`` (the short venue b has thin collateral;
the price runs up until safety closes both legs at 53,000). Funding still favours the
hedge, so the funding decision wants it back every cycle; the opening check on margin
(:mod:`atomic_fp.decisions.opening_margin`) refuses it while b's account, after the trade,
would be less than twice the buffer from liquidation, and the report says why. A deposit
that restores the margin lets it open again (the check is not a blanket refusal).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import anyio
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from returns.result import Success

from adapters.paper import ManualClock, PaperVenue
from atomic_fp.decisions import opening_margin
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.models import SignalKind
from atomic_fp.orchestration import ArbitrageOrchestrator, CycleReport
from tests.shell.helpers import BTC, PRICE, T0, orchestrator, paper
from tests.shell.test_margin_safety_paper import BUFFERED, RISING, THIN, _move, _open

BUFFER = BUFFERED.liquidation_buffer  # 5 %: an opening needs 10 % after the trade


def _pair(clock: ManualClock, balance: Decimal = THIN["USD"]) -> tuple[PaperVenue, PaperVenue]:
    """The venues of ``test_margin_safety_paper`` on one clock (each cycle a minute later,
    so a re-opened hedge is a new signal, not the journaled first one)."""
    b = paper("b", rate=Decimal("0.0005"), balances={"USD": balance}, clock=clock)
    return paper("a", clock=clock), b


async def _cycle(orch: ArbitrageOrchestrator, clock: ManualClock) -> CycleReport:
    clock.advance(timedelta(minutes=1))
    return await orch.run_strategy_cycle()


async def _closed_by_safety() -> tuple[PaperVenue, PaperVenue, ArbitrageOrchestrator, ManualClock]:
    """The hedge of ``test_margin_safety_paper`` opened, and closed by safety at 53,000."""
    clock = ManualClock(T0)
    a, b = _pair(clock)
    orch = orchestrator([a, b], config=BUFFERED, clock=clock)
    await _open(a, b, orch)
    for price in RISING:
        _move([a, b], price)
        report = await _cycle(orch, clock)
        if report.action == "safety":
            break
    assert report.action == "safety" and price == Decimal(53_000), report.describe()
    assert a.position_size(BTC) == 0 and b.position_size(BTC) == 0
    return a, b, orch, clock


def _refused_for_margin(report: CycleReport) -> str:
    """The report's reason for not opening; asserts nothing was sent."""
    assert report.action == "none" and len(report) == 0, report.describe()
    assert report.signal is not None and report.signal.kind is SignalKind.OPEN  # wanted
    (why,) = [line for line in report.no_trade if "opening refused" in line]
    assert "margin gate: margin too thin to open" in why
    return why


@pytest.mark.anyio
async def test_after_a_safety_close_the_next_cycles_refuse_to_reopen_and_say_why() -> None:
    a, b, orch, clock = await _closed_by_safety()
    for price in (Decimal(53_000), Decimal(54_000), Decimal(56_000), Decimal(50_000)):
        _move([a, b], price)
        report = await _cycle(orch, clock)
        why = _refused_for_margin(report)
        assert "b: sell 1.000 BTC would be" in why, why
        assert "opening needs 10.00% (2 x buffer 5.00%)" in why, why
        assert "a:" not in why  # a's ample margin is not what stops it
        assert "margin too thin to open" in report.describe()
        assert a.position_size(BTC) == 0 and b.position_size(BTC) == 0
    assert a.liquidations == [] and b.liquidations == []


@pytest.mark.anyio
async def test_the_position_gate_alone_would_have_reopened() -> None:
    """The hazard is real: flat positions pass the old position-based gate, so without
    the margin check the hedge re-opens straight into the buffer."""
    *_, orch, _clock = await _closed_by_safety()
    inputs = await orch.gather_inputs()
    gate = SafetyDecision.may_open(
        rates=inputs.rates, positions=inputs.positions, config=BUFFERED, now=inputs.at
    )
    assert gate == Success(None)
    decision = orch.decide(inputs)
    assert decision.refused is not None and decision.refused.startswith("margin gate")


@pytest.mark.anyio
async def test_hand_check_of_the_refused_figure() -> None:
    """b after the close holds equity E (wallet; flat). Selling 1 BTC at price m with the
    default slippage cap s = 0.5 % and paper maintenance r = 0.5 %: E' = E - s m,
    MM' = r m, liquidation p = (m + E') / (1 + r) (the margin model's formula with
    q = -1), distance (p - m) / m."""
    a, b, orch, clock = await _closed_by_safety()
    _move([a, b], Decimal(54_000))
    report = await _cycle(orch, clock)
    why = _refused_for_margin(report)
    m = next(leg.reference_price for leg in report.signal.legs if str(leg.exchange) == "b")  # type: ignore[union-attr]
    assert m is not None
    equity = b.balance() - Decimal("0.005") * m
    p = (m + equity) / Decimal("1.005")
    assert f"would be {(p - m) / m * 100:.2f}% from liquidation" in why
    assert f"est. {p:.2f}" in why
    assert (p - m) / m < 2 * BUFFER


@pytest.mark.anyio
async def test_a_deposit_that_restores_the_margin_lets_it_reopen() -> None:
    a, b, orch, clock = await _closed_by_safety()
    _move([a, b], Decimal(53_000))
    _refused_for_margin(await _cycle(orch, clock))
    b.deposit(THIN["USD"] * 2)  # what `atomic-fp collateral` would suggest
    report = await _cycle(orch, clock)
    assert report.action == "funding" and report.execution is not None, report.describe()
    assert report.execution.hedged
    assert (a.position_size(BTC), b.position_size(BTC)) == (Decimal(1), Decimal(-1)), (
        report.describe()
    )
    (leg,) = b.margin().legs
    assert leg.liquidation_distance is not None and leg.liquidation_distance >= 2 * BUFFER


# --- property: no close -> open -> close flapping within the buffer ---------------------

MOVES = st.lists(
    st.one_of(
        st.integers(min_value=-200, max_value=300).map(lambda bp: ("price", Decimal(bp))),
        st.integers(min_value=0, max_value=8_000).map(lambda usd: ("deposit", Decimal(usd))),
    ),
    min_size=1,
    max_size=40,
)  # a price step moves the mark by -2 % to +3 % (up: towards b's liquidation); a deposit
# adds collateral to b, so closed hedges can be re-opened and closed again
UP, DOWN = ("price", Decimal(300)), ("price", Decimal(-200))
CLOSE_REOPEN_CLOSE = [UP] * 5 + [("deposit", Decimal(8_000))] + [UP] * 8


def _flap_events(
    moves: list[tuple[str, Decimal]], balance: Decimal
) -> list[tuple[str, Decimal, Decimal | None]]:
    """Run cycles from flat along ``moves``; ``(action, mark, b's distance after)``."""
    clock = ManualClock(T0)
    a, b = _pair(clock, balance)
    events: list[tuple[str, Decimal, Decimal | None]] = []

    async def run() -> None:
        orch = orchestrator([a, b], config=BUFFERED, clock=clock)
        price = PRICE
        for kind, value in [("price", Decimal(0)), *moves]:
            if kind == "price":
                price = (price * (1 + value / 10_000)).quantize(Decimal("0.1"))
                _move([a, b], price)
            else:
                b.deposit(value)
            report = await _cycle(orch, clock)
            if report.execution is not None:
                legs = b.margin().legs
                distance = legs[0].liquidation_distance if legs else None
                events.append((report.action, price, distance))

    anyio.run(run)
    assert a.liquidations == [] and b.liquidations == []
    return events


def _assert_no_flapping(events: list[tuple[str, Decimal, Decimal | None]]) -> None:
    """Every opening leaves b at least 2 x buffer from liquidation (less what the fill
    cost beyond the estimate: at most a few basis points), and a later safety close
    needs the mark to have moved about ``b / (1 + b)`` (4.8 %) since that opening."""
    least_move = BUFFER / (1 + BUFFER) * Decimal("0.9")
    opened_at: Decimal | None = None
    for action, price, distance in events:
        if action == "funding" and distance is not None:
            assert distance >= 2 * BUFFER - Decimal("0.002"), events
            opened_at = price
        elif action == "safety":
            if opened_at is not None:
                assert abs(price / opened_at - 1) >= least_move, events
            opened_at = None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=MOVES, balance=st.integers(min_value=3_000, max_value=15_000))
@example(moves=CLOSE_REOPEN_CLOSE, balance=6_000)
@example(moves=[UP] * 4 + [DOWN] * 6 + [UP] * 4, balance=6_000)
def test_property_no_close_open_close_flapping_within_the_buffer(
    moves: list[tuple[str, Decimal]], balance: int
) -> None:
    _assert_no_flapping(_flap_events(moves, Decimal(balance)))


def test_without_room_to_spare_the_same_path_flaps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property can fail: with no headroom required, the hedge is re-opened at the
    close price and safety closes it again on the next cycle, the mark unchanged."""
    monkeypatch.setattr(opening_margin, "OPEN_HEADROOM", Decimal(0))
    moves = [("price", Decimal(200))] * 3 + [("price", Decimal(0))] * 3
    events = _flap_events(moves, Decimal(5_000))
    actions = [action for action, _, _ in events]
    assert actions.count("safety") >= 2 and "funding" in actions, events
    with pytest.raises(AssertionError):
        _assert_no_flapping(events)
