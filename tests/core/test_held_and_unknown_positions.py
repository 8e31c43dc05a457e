"""Safety reads a symbol's positions in one pass (issue 20):
``held_and_unknown_positions`` answers what ``open_positions`` and
``unknown_positions`` answered (the oracles, kept verbatim), reading each venue once
instead of twice.

Over generated position inputs (flat, long, short, zero-size, another symbol, failed,
in any insertion order) both give the same held positions (the same objects, in the same
venue order) and the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given
from hypothesis import strategies as st
from returns.result import Result, Success

from atomic_fp.decisions._common import held_and_unknown_positions, read, venue_order
from atomic_fp.decisions.safety import SafetyDecision
from atomic_fp.errors import VenueError
from atomic_fp.models import Position, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.core.builders import NOW, by_venue, config, down, ex, market, position

_Inputs = Mapping[ExchangeIdentifier, Result[Position | None, VenueError]]


def old_open_positions(
    positions: Mapping[ExchangeIdentifier, Result[Position | None, VenueError]],
) -> dict[ExchangeIdentifier, Position]:
    """``open_positions`` before the change, verbatim."""
    found: dict[ExchangeIdentifier, Position] = {}
    for venue in sorted(positions, key=venue_order):
        position, _ = read(positions[venue])
        if position is not None and not position.is_flat:
            found[venue] = position
    return found


def old_unknown_positions(
    positions: Mapping[ExchangeIdentifier, Result[Position | None, VenueError]],
) -> list[str]:
    """``unknown_positions`` before the change, verbatim."""
    out = []
    for venue in sorted(positions, key=venue_order):
        _, error = read(positions[venue])
        if error is not None:
            out.append(f"{venue}: position unknown ({error})")
    return out


def _reading(venue: str) -> st.SearchStrategy[Result[Position | None, VenueError]]:
    sizes = st.sampled_from(["0", "1", "-1", "0.5", "-2.25", "0.000"])
    return st.one_of(
        st.just(Success(None)),
        sizes.map(lambda size: Success(position(venue, size))),
        sizes.map(lambda size: Success(position(venue, size, symbol=Symbol("ETH")))),
        st.text(max_size=5).map(lambda why: down(venue, why)),
    )


_inputs = st.lists(st.sampled_from("dcbae"), unique=True, max_size=5).flatmap(
    lambda venues: st.fixed_dictionaries({ex(v): _reading(v) for v in venues})
)


@given(_inputs)
def test_one_pass_answers_what_the_two_passes_answered(positions: _Inputs) -> None:
    held, unknown = held_and_unknown_positions(positions)
    old_held = old_open_positions(positions)
    assert list(held) == list(old_held)
    assert all(held[venue] is old_held[venue] for venue in held)
    assert unknown == old_unknown_positions(positions)


class _CountedReads(dict[ExchangeIdentifier, Result[Position | None, VenueError]]):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.reads: list[ExchangeIdentifier] = []

    def __getitem__(self, key: ExchangeIdentifier) -> Result[Position | None, VenueError]:
        self.reads.append(key)
        return super().__getitem__(key)


def test_safety_reads_each_position_once() -> None:
    positions = _CountedReads(
        {
            **by_venue(position("a", "1", mark="100"), position("b", "-1", mark="100")),
            ex("c"): down("c"),
        }
    )
    markets = by_venue(market("a"), market("b"), market("c"))
    answer = SafetyDecision.analyze(positions=positions, markets=markets, config=config(), now=NOW)
    assert "positions within liquidation buffer" in str(answer.failure())
    assert sorted(positions.reads, key=venue_order) == [ex("a"), ex("b"), ex("c")]
