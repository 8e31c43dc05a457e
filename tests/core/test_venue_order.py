"""The decisions' fast helpers equal what they replace: sorting venues by
``venue_order`` (their name) is ``sorted(venues)`` (attrs ``order=True`` on
:class:`ExchangeIdentifier`), and ``read`` answers what ``is_successful`` tells apart."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from returns.io import IOFailure, IOSuccess
from returns.result import Failure, Success

from atomic_fp.decisions._common import read, venue_order
from atomic_fp.errors import VenueError
from atomic_fp.models.identifiers import ExchangeIdentifier

_names = st.text(alphabet="abcxyz019-_.", min_size=1, max_size=6).filter(
    lambda name: name[0].isalnum()
)


@given(st.sets(_names, max_size=8))
def test_sorting_by_venue_order_is_sorting_the_identifiers(names: set[str]) -> None:
    venues = {ExchangeIdentifier(name) for name in names}
    assert sorted(venues, key=venue_order) == sorted(venues)


def test_read_tells_success_from_failure_like_is_successful() -> None:
    error = VenueError("v", "down")
    assert read(Success(3)) == (3, None)
    assert read(Failure(error)) == (None, error)
    # other unwrappable containers take the generic path, with the same answers
    generic: Any = read
    assert generic(IOSuccess(3)) == (IOSuccess(3).unwrap(), None)
    assert generic(IOFailure(error)) == (None, IOFailure(error).failure())
