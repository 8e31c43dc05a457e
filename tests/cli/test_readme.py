"""The README's promises: the two set-up commands verbatim, the seed design's quick start
opening the library section and the embedding example, both runnable as printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
INSTALL_AND_RUN = (
    "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/atomic-fp scan --offline"
)
TESTS = (
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" && .venv/bin/python -m pytest'
)


def test_the_two_setup_commands_are_verbatim_and_ci_runs_the_test_one() -> None:
    text = README.read_text()
    assert INSTALL_AND_RUN in text
    assert TESTS in text
    assert TESTS in (REPO_ROOT / ".ci" / "run").read_text()


def test_the_embedding_example_runs(tmp_path: Path) -> None:
    text = README.read_text()
    match = re.search(r"<!-- embed-example -->\s*```python\n(.*?)```", text, re.S)
    assert match is not None, "README lost its embedding example"
    script = tmp_path / "bot.py"
    script.write_text(match.group(1))
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout
    assert "venue-a buy" in done.stdout and "venue-b sell" in done.stdout


def readme_block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", README.read_text(), re.S)
    assert match is not None, f"README lost its {marker} block"
    return match.group(1)


def test_the_library_section_opens_with_the_seeds_quick_start(tmp_path: Path) -> None:
    text = README.read_text()
    library = text.index("## The library")
    assert text.index("<!-- seed-quick-start -->", library) < text.index("```python", library)
    block = readme_block("seed-quick-start")
    # the seed's own steps and spellings, with atomic -> atomic_fp
    for seed_line in (
        "from atomic_fp import ArbitrageConfig, ArbitrageOrchestrator, AtomicQueryer",
        'symbol = Symbol(base="BTC", quote="USDT", contract_type="PERP")',
        '"grvt": AtomicQueryer(grvt_client, symbol)',
        "orders = await orchestrator.run_strategy_cycle()",
        'queryers["binance"] = AtomicQueryer(binance_client, symbol)',
    ):
        assert seed_line in block
    script = tmp_path / "quick_start.py"
    script.write_text(block)
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # as a user would run it: from their own directory
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["grvt buy 0.100 filled", "lighter sell 0.100 filled"]
    assert lines[-2:] == ["binance buy 0.100 filled", "lighter sell 0.100 filled"]
    assert "complete; executed 1.0000 of the signal; residual 0.000 BTC" in done.stdout
