"""The decisions answer "nothing wrong" with the one shared ``SUCCESS_NONE`` (issue 20),
not a new ``Success(None)`` per answer: the opening gates (the margin check and
``SafetyDecision.may_open``) and the backtest's reading of a flat position.

Sharing is safe because a ``Success`` is immutable and equal to every other
``Success(None)``; these tests pin that the answer is that one object (a fresh
construction per call fails them) and still equal to ``Success(None)``.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import pytest
from returns.primitives.exceptions import ImmutableStateError
from returns.result import Success

from atomic_fp.backtest.run_decide import DecidingRun
from atomic_fp.decisions._common import SUCCESS_NONE
from atomic_fp.decisions.opening_margin import opening_margin_check
from atomic_fp.decisions.safety import SafetyDecision
from tests.core.builders import NOW, ample, by_venue, config, flat, rate
from tests.core.test_opening_margin import MARKETS, _open


def test_the_shared_answer_is_success_none_and_cannot_be_changed() -> None:
    assert Success(None) == SUCCESS_NONE
    assert type(SUCCESS_NONE) is Success
    with pytest.raises(ImmutableStateError):
        cast(Any, SUCCESS_NONE)._inner_value = 1
    assert SUCCESS_NONE.unwrap() is None


def test_the_margin_check_passes_with_the_shared_answer() -> None:
    answers = [
        opening_margin_check(
            signal=_open(), margins=ample("a", "b"), markets=MARKETS, config=config(), now=NOW
        )
        for _ in range(2)
    ]
    assert answers[0] is SUCCESS_NONE and answers[1] is SUCCESS_NONE


def test_may_open_allows_with_the_shared_answer() -> None:
    fresh = by_venue(rate("a", "0.0001"), rate("b", "0.0005"))
    answers = [
        SafetyDecision.may_open(rates=fresh, positions=flat("a", "b"), config=config(), now=NOW)
        for _ in range(2)
    ]
    assert answers[0] is SUCCESS_NONE and answers[1] is SUCCESS_NONE


def test_the_backtest_reads_a_flat_position_as_the_shared_answer() -> None:
    state = SimpleNamespace(position=Decimal(0))
    read = DecidingRun._position(cast(Any, object()), cast(Any, state))
    assert read is SUCCESS_NONE
