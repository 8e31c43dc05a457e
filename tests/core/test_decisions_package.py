"""``atomic_fp.decisions`` exports its names on first use (PEP 562; issue 20: a scan, which
imports the ranking and the estimators, no longer builds the trading decisions' classes).
Every exported name resolves to the object its module defines, ``dir()`` lists them, an
unknown name is an ``AttributeError``, and (in a fresh interpreter) importing one decision
module imports none of the others."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import atomic_fp.decisions as decisions

DEFINED_IN = {
    "FundingArbitrageDecision": "atomic_fp.decisions.funding_arbitrage",
    "NoTrade": "atomic_fp.decisions.types",
    "Opportunity": "atomic_fp.decisions.types",
    "RebalanceDecision": "atomic_fp.decisions.rebalance",
    "SafetyDecision": "atomic_fp.decisions.safety",
    "VenueInputs": "atomic_fp.decisions.types",
    "best_per_symbol": "atomic_fp.decisions.ranking",
    "rank_opportunities": "atomic_fp.decisions.ranking",
}
"""What the package exported before (its eager imports, 1d1297c), and from where."""


@pytest.mark.parametrize(("name", "module"), sorted(DEFINED_IN.items()))
def test_each_name_is_the_object_its_module_defines(name: str, module: str) -> None:
    assert getattr(decisions, name) is getattr(importlib.import_module(module), name)
    namespace: dict[str, object] = {}
    exec(f"from atomic_fp.decisions import {name}", namespace)  # the import statement too
    assert namespace[name] is getattr(importlib.import_module(module), name)


def test_dir_lists_the_exports_and_all_names_them() -> None:
    assert set(decisions.__all__) == set(DEFINED_IN)
    assert set(dir(decisions)) >= set(DEFINED_IN)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchDecision"):
        decisions.NoSuchDecision  # noqa: B018


def test_importing_the_ranking_imports_no_trading_decision() -> None:
    code = (
        "import sys\n"
        "import atomic_fp.decisions.ranking, atomic_fp.decisions.estimators\n"
        "print(sorted(m for m in sys.modules if m.startswith('atomic_fp.decisions.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == str(
        [
            "atomic_fp.decisions.estimators",
            # the ranking and its own modules (split by job: atomic_fp/decisions/ranking.py)
            "atomic_fp.decisions.ranked_opportunities",
            "atomic_fp.decisions.ranking",
            "atomic_fp.decisions.ranking_best",
            "atomic_fp.decisions.ranking_best_pair",
            "atomic_fp.decisions.ranking_eager",
            "atomic_fp.decisions.ranking_exact",
            "atomic_fp.decisions.ranking_lazy",
            "atomic_fp.decisions.ranking_pairs",
            "atomic_fp.decisions.types",
        ]
    )
