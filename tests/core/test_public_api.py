"""``atomic_fp`` exports the seed design's names (its "Layers" section and ``__init__.py``:
public API exports), each one importable, and the type stub declares the same ones."""

from __future__ import annotations

import ast

import atomic_fp
from tests.conftest import REPO_ROOT

SEED_NAMES = {
    # layer 5
    "ArbitrageOrchestrator",
    "SimpleStrategyRunner",
    # layer 4
    "FundingArbitrageDecision",
    "RebalanceDecision",
    "SafetyDecision",
    # layer 3
    "PositionAggregator",
    "FundingRateAggregator",
    "MarketAggregator",
    "OrderAggregator",
    # layer 2
    "AtomicQueryer",
    "AtomicTrader",
    # layer 1
    "Position",
    "FundingRate",
    "Order",
    "Market",
    "ExchangeIdentifier",
    "Symbol",
    "TradingSignal",
    "TradeLeg",
    "ArbitrageConfig",
    # what a user handles: failures and results
    "VenueError",
    "NoTrade",
    "CycleReport",
    "ExecutionReport",
    "ByVenue",
    "IncompleteExposure",
}


def test_every_seed_name_is_exported_and_resolves() -> None:
    assert set(atomic_fp.__all__) >= SEED_NAMES
    for name in atomic_fp.__all__:
        assert getattr(atomic_fp, name) is not None, name
    assert set(dir(atomic_fp)) >= set(atomic_fp.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        atomic_fp.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("no AttributeError")


def test_the_type_stub_declares_the_same_names() -> None:
    stub = ast.parse((REPO_ROOT / "atomic_fp" / "__init__.pyi").read_text())
    declared = next(
        node.value
        for node in stub.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    assert isinstance(declared, ast.List)
    names = {element.value for element in declared.elts if isinstance(element, ast.Constant)}
    assert names == set(atomic_fp.__all__)
