"""The engine settles each instant's settlements in one call
(:meth:`~atomic_fp.backtest.run_setup.RunBase._settle_all`), not one call per settlement:
a benchmark year has ~220,000 settlements over ~8,800 instants, almost all of flat series
(issue 20, backtest). Counted with a profile hook: the calls ``_apply`` makes into
:mod:`atomic_fp.backtest.run_setup` other than a mark move (``_ensure_listed``). Before
(main eec4b55) it called ``_settle`` once per settlement. That the results are the
per-settlement code's, exactly, is ``test_settle_and_apply_are_cfc1849.py``'s comparison
with cfc1849's ``_settle`` kept verbatim."""

from __future__ import annotations

import random
import sys
from collections import Counter
from types import FrameType
from typing import Any

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import _Run
from tests.backtest.test_cross_margin_accounts import _random_history


def _calls_from_apply(seed: int) -> tuple[Counter[str], int, int]:
    """(run_setup functions ``_apply`` called directly, by name; ``_apply`` calls;
    settlements) over the random cross-margin history of ``seed``."""
    series, run_settings = _random_history(random.Random(seed))
    run = _Run(series, run_settings, None, backtest_venue)
    called: Counter[str] = Counter()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        caller = frame.f_back
        code = frame.f_code
        if (
            caller is not None
            and caller.f_code.co_name == "_apply"
            and code.co_filename.endswith("run_setup.py")
        ):
            called[code.co_name] += 1

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        result = run.run()
    finally:
        sys.setprofile(previous)
    settling_at, _ = run._timeline()
    settlements = sum(len(settling) for settling in settling_at.values())
    return called, result.steps, settlements


def test_each_instant_settles_in_one_call() -> None:
    for seed in range(5):
        called, steps, settlements = _calls_from_apply(seed)
        called.pop("_ensure_listed", None)  # a mark move, not a settlement
        assert settlements > steps  # several settlements an instant: a per-settlement
        # call would be counted more often than the instants
        assert called == Counter({"_settle_all": steps}), (seed, called, steps, settlements)
