"""A live scan of the four native venues imports none of their order, signing or margin-rule
code, and ``import atomic_fp.models`` none of the order, signal, book and account models
(issue 20: a cold scan's critical path is its main thread's imports). Checked in fresh
interpreters via ``sys.modules``; the order paths that import them on first use are
exercised by each venue's execution tests (``tests/adapters/<venue>/``).

The scan runs against the replayed venues on 127.0.0.1 (``bench.replay_server``), so each
client parses real answers and the scan ranks opportunities: the modules listed here are the
ones an actual scan still does not need, not ones a failed request skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.replay_server import Servers, serving
from tests.cli.fresh_process import environment, run_atomic_fp

ORDER_CODE = (
    "adapters.lighter.orders",
    "adapters.lighter.nonces",
    "adapters.lighter.signer",
    "adapters.hyperliquid.signing",
    "adapters.hyperliquid.actions",
    "adapters.grvt.parsing_margin_rules",
    "atomic_fp.models.risk_brackets",
)
"""Loaded by every scan before (main at f47b108); now only by an order, a signed read or a
GRVT margin read: Lighter's order encoding, nonce book and signer wrapper, Hyperliquid's
agent signing and ``/exchange`` payloads, GRVT's margin rules and their risk brackets."""

LAZY_MODELS = (
    "atomic_fp.models.order",
    "atomic_fp.models.signal",
    "atomic_fp.models.book",
    "atomic_fp.models.account",
)

MODULES_REPORT = """
report = {
    "code": code,
    "modules": sorted(name for name, module in _sys.modules.items() if module is not None),
}
"""


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with serving(0.0) as running:
        yield running


def test_a_live_scan_of_the_four_venues_imports_no_order_or_signing_code(
    servers: Servers, tmp_path: Path
) -> None:
    urls = servers.urls()
    venues = ("binance", "hyperliquid", "grvt", "lighter")
    config = tmp_path / "atomic-fp.toml"
    config.write_text(
        "".join(f'[venues.{v}]\nkind = "{v}"\nbase_url = "{urls[v]}"\n\n' for v in venues)
    )
    env = environment(ATOMIC_FP_CONFIG=str(config), ATOMIC_FP_CACHE_DIR=str(tmp_path / "cache"))
    report, stdout = run_atomic_fp(
        "scan", "--format", "json", probe="", report_code=MODULES_REPORT, env=env
    )
    assert report["code"] == 0
    answer = json.loads(stdout)
    assert answer["opportunities"]  # it did scan
    # every venue answered with its rates
    assert {v: answer["venues"][v]["ok"] for v in venues} == dict.fromkeys(venues, True)
    assert all(answer["venues"][v]["rates"] > 0 for v in venues)
    loaded = set(report["modules"])
    # every venue's client was built and asked
    assert {f"adapters.{v}.factory" for v in venues} <= loaded
    assert {f"adapters.{v}.market_data" for v in venues} <= loaded
    assert not loaded & set(ORDER_CODE), sorted(loaded & set(ORDER_CODE))


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def test_importing_the_models_loads_no_order_signal_book_or_account_model() -> None:
    out = _fresh(
        "import sys, json\n"
        "import atomic_fp.models, atomic_fp\n"
        "from atomic_fp.models import FundingRate, Symbol, Market\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = set(json.loads(out))
    assert "atomic_fp.models.funding" in loaded
    assert not loaded & set(LAZY_MODELS), sorted(loaded & set(LAZY_MODELS))


EVERY_NAME = """
import importlib, json, sys
import atomic_fp, atomic_fp.models as models
names = {}
for name in models.__all__:
    via_from = getattr(importlib.import_module("atomic_fp.models"), name)
    names[name] = [id(via_from), id(getattr(models, name))]
star = {}
exec("from atomic_fp.models import *", star)
defining = {}
for name, module in [
    *[(n, "account") for n in ("Balance", "FundingPayment", "Position", "PositionSide")],
    *[(n, "book") for n in ("BookLevel", "OrderBook", "Side")],
    *[(n, "order") for n in ("Order", "OrderRequest", "OrderStatus", "OrderType", "TimeInForce")],
    *[(n, "signal") for n in ("SignalKind", "TradeLeg", "TradingSignal")],
]:
    defining[name] = id(getattr(importlib.import_module("atomic_fp.models." + module), name))
top = {name: id(getattr(atomic_fp, name)) for name in models.__all__ if name in atomic_fp.__all__}
print(json.dumps({
    "names": names,
    "star": {n: id(star[n]) for n in models.__all__},
    "defining": defining,
    "top": top,
    "dir": sorted(set(models.__all__) - set(dir(models))),
    "missing": [n for n in ("NoSuchModel",) if hasattr(models, n)],
}))
"""


def test_every_public_model_name_resolves_to_its_defining_modules_object() -> None:
    """``from atomic_fp.models import X``, ``atomic_fp.models.X``, ``import *``, and
    ``atomic_fp.X`` give the object the model's own module defines, for every name in
    ``__all__``; ``dir()`` lists them all; an unknown name is still an AttributeError."""
    got = json.loads(_fresh(EVERY_NAME))
    assert len(got["names"]) == 29
    for name, (via_from, via_attribute) in got["names"].items():
        assert via_from == via_attribute == got["star"][name], name
        if name in got["defining"]:
            assert via_from == got["defining"][name], name
        if name in got["top"]:
            assert got["top"][name] == via_from, name
    assert len(got["defining"]) == 15
    assert got["dir"] == [] and got["missing"] == []


TYPED_USE = """
from decimal import Decimal

import atomic_fp.models as models
from atomic_fp.models import Order, OrderBook, Position, TradeLeg

leg = TradeLeg(exchange_id="grvt", side="buy", quantity=[0.1])
book: OrderBook = models.Order
missing = models.Ordr
"""


def test_type_checkers_still_see_each_lazy_model_and_flag_unknown_names(tmp_path: Path) -> None:
    """``mypy --strict`` on a user's file: a model imported on first use keeps its type
    (misuse is an error), and a misspelt name is an error, not ``Any`` (the package's
    ``__getattr__`` is hidden from type checkers)."""
    from tests.core.test_seed_style_types import run_mypy

    done = run_mypy(tmp_path, TYPED_USE)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'Argument "quantity" to "TradeLeg" has incompatible type "list[float]"' in done.stdout
    assert 'Incompatible types in assignment (expression has type "type[Order]"' in done.stdout
    assert 'has no attribute "Ordr"' in done.stdout
