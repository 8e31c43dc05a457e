"""What the ``atomic-fp`` process imports and keeps for ``--help`` and ``scan --offline``
(issue 20: start-up is paid by every cron scan), checked in a fresh interpreter running
the console script's entry point (``scripts.cli:main``), via ``sys.modules``.

``scan --offline`` replays the recorded responses through each venue's own client, and
the clients are built on httpx (and Lighter's module imports its websocket stream at
import time), so httpx and websockets are still loaded there; rich (httpx's optional
command-line client), eth_account and ccxt are not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scripts.startup import QuietResult

NEVER = ("rich", "pygments", "eth_account", "ccxt")


def _run(*args: str) -> dict[str, object]:
    code = (
        "import gc, json, sys\n"
        "from scripts.cli import main\n"
        f"sys.argv = ['atomic-fp', *{list(args)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "else:\n"
        "    code = 0\n"
        "sys.stdout.flush()\n"
        "loaded = sorted(name for name, module in sys.modules.items() if module is not None)\n"
        "sys.stderr.write('\\n@@' + json.dumps({'code': code, 'modules': loaded,"
        " 'frozen': gc.get_freeze_count()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    report: dict[str, object] = json.loads(done.stderr.rsplit("@@", 1)[1])
    report["stdout"] = done.stdout
    return report


def test_help_imports_no_network_terminal_or_signing_library() -> None:
    report = _run("--help")
    assert report["code"] == 0
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert not loaded & {*NEVER, "httpx", "websockets", "anyio"}
    assert "scan" in str(report["stdout"])


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_scan_offline_loads_no_terminal_or_signing_library(fmt: str) -> None:
    report = _run("scan", "--offline", "--format", fmt)
    assert report["code"] == 0
    assert "BTC" in str(report["stdout"])  # it did scan
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert not loaded & set(NEVER), sorted(loaded & set(NEVER))
    assert "httpx" in loaded  # the clients' transport (see the module's doc)
    assert "httpx._main" not in loaded
    # the start-up objects were moved out of the collector's reach (scripts.startup)
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000


def test_quiet_result_never_formats_its_value() -> None:
    class Loud:
        def __repr__(self) -> str:
            raise AssertionError("repr of the result was computed")

    held = QuietResult(Loud())
    assert repr(held) == "<QuietResult>"
    assert isinstance(held.value, Loud)
