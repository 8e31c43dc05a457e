"""What the ``atomic-fp`` process imports and keeps for ``--help``, ``scan --offline`` and
a live ``scan`` (issue 20: start-up is paid by every cron scan), checked in a fresh
interpreter running ``scripts.cli:main`` (what the console script ``scripts.cli:run`` runs), via
``sys.modules``.

Each command is checked against the modules it must NOT load: the websocket library
(``scan`` streams nothing: :mod:`adapters.streams.feed` imports it when a feed connects),
signing libraries (``eth_account``, lighter-sdk's ``lighter``: a scan signs nothing),
GRVT's login (:mod:`adapters.grvt.auth`: only a client with credentials logs in), ccxt,
and rich (httpx's optional command-line client). ``--help`` loads no network library at
all; neither does ``scan --offline``: it replays the recorded responses through each
venue's own client and parser, on an in-process client instead of httpx
(:mod:`adapters.kit.http_client`), so httpx (with ``urllib.request``, ``http.client``,
``email``) is never loaded. A live scan loads httpx, and only the configured venues."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from scripts.startup import QuietResult
from tests.cli.fresh_process import environment, run_atomic_fp

NEVER = ("rich", "pygments", "eth_account", "ccxt")
SCAN_NEVER = (
    *NEVER,
    "websockets",
    "adapters.streams.connection",
    "lighter",
    "eth_keys",
    "adapters.grvt.auth",
    "http.cookies",
    "anyio._backends._trio",
    "trio",
    "h2",
    "ctypes",
    *(
        STREAM_ENGINE := (
            "adapters.streams.feed",
            "adapters.streams.types",
            "adapters.lighter.ws",
            "adapters.lighter.stream",
        )
    ),
    *(
        TRADING_DECISIONS := (
            "atomic_fp.decisions.funding_arbitrage",
            "atomic_fp.decisions.rebalance",
            "atomic_fp.decisions.safety",
            "atomic_fp.sizing",
        )
    ),
    *(
        EXECUTION_PARTS := (
            "adapters.binance.execution",
            "adapters.binance.futures_execution",
            "adapters.binance.income",
            "adapters.binance.orders",
            "adapters.hyperliquid.execution",
            "adapters.hyperliquid.margin",
        )
    ),
)
"""What no ``scan`` loads (``http.cookies``: GRVT's login session; trio: the backend a
scan does not run on; ``ctypes``: lighter-sdk's signer, loaded with a key;
:data:`TRADING_DECISIONS`: the decisions that trade, which ``atomic_fp.decisions``
exports on first use, while a scan only ranks; :data:`STREAM_ENGINE`: the push-stream
engine and Lighter's ``market_stats`` feed, built on first use of ``LighterClient.feed``,
which a scan never runs;
:data:`EXECUTION_PARTS`: a venue's account and order modules, built on first use by the
kit, ``adapters/kit/lazy_part.py``)."""


MODULES_REPORT = """
import gc
report = {
    "code": code,
    "modules": sorted(name for name, module in _sys.modules.items() if module is not None),
    "frozen": gc.get_freeze_count(),
}
"""
"""What each run reports: its exit code, the modules it loaded and the objects frozen."""


def _run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, object]:
    report, stdout = run_atomic_fp(
        *args,
        probe="",
        report_code=MODULES_REPORT,
        env=environment() if env is None else env,
        cwd=cwd,
    )
    report["stdout"] = stdout
    return report


def test_help_imports_no_network_terminal_or_signing_library() -> None:
    report = _run("--help")
    assert report["code"] == 0
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert not loaded & {*SCAN_NEVER, "httpx", "anyio", "ssl"}
    # the help's width is shutil's, computed without it (scripts/help_width.py)
    assert not loaded & {"shutil", "bz2", "lzma"}, sorted(loaded & {"shutil", "bz2", "lzma"})
    assert "scan" in str(report["stdout"])


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_scan_offline_loads_no_terminal_or_signing_library(fmt: str) -> None:
    report = _run("scan", "--offline", "--format", fmt)
    assert report["code"] == 0
    assert "BTC" in str(report["stdout"])  # it did scan
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert not loaded & set(SCAN_NEVER), sorted(loaded & set(SCAN_NEVER))
    assert "adapters.lighter.factory" in loaded and "adapters.grvt.factory" in loaded
    offline_never = {"httpx", "httpcore", "h11", "urllib.request", "http.client", "certifi"}
    # tempfile (with shutil, lzma, bz2): only the attrs code cache's write needs it, and
    # only httpx (urllib.request) otherwise
    offline_never |= {"tempfile", "lzma", "bz2"}
    # the backtest's series (with its package): the bundled history is read without them
    offline_never |= {"atomic_fp.backtest", "atomic_fp.backtest.series"}
    # the TOML reader (its regular expressions compile at import): no config file here
    offline_never |= {"tomllib"}
    # pre-connecting (issue 20) is a live scan's: offline, none of it is loaded
    offline_never |= {
        "adapters.preconnect",
        "adapters.prepared_connection",
        "adapters.preconnected_transport",
        "adapters.connect_race",
        "scripts.scan_preconnect",
    }
    # the reader of a --snapshot directory: the bundled snapshot is not one
    offline_never |= {"scripts.snapshot_input"}
    # importing in a worker while connections start: an offline scan starts none
    offline_never |= {"adapters.background_import", "adapters.connection_events"}
    assert not loaded & offline_never, sorted(loaded & offline_never)
    # the start-up objects were moved out of the collector's reach (scripts.startup)
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000


def test_live_scan_of_binance_alone_loads_no_stream_or_signing_library(tmp_path: Path) -> None:
    """A config naming only Binance, at a local port nothing listens on: the scan reports
    the venue as failed (what it imported is the point, not the answer)."""
    report = _run("scan", "--format", "json", env=_binance_alone(tmp_path))
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert "adapters.binance.factory" in loaded  # it did build the client
    assert "httpx" in loaded  # and asked over HTTP
    others = {m for m in loaded if m.split(".")[:2] in (["adapters", v] for v in OTHER_VENUES)}
    assert not others, sorted(others)  # venues not configured are never imported
    assert not loaded & set(SCAN_NEVER), sorted(loaded & set(SCAN_NEVER))


def test_a_live_scan_without_a_funding_store_loads_no_database_driver(tmp_path: Path) -> None:
    """The scan asks whether the store file (``./atomic-fp-funding.sqlite`` here) exists
    before it reads it: without one, ``sqlite3`` is never imported; with one, it is read."""
    env = _binance_alone(tmp_path)
    report = _run("scan", "--format", "json", env=env, cwd=tmp_path)
    loaded = set(report["modules"])  # type: ignore[call-overload]
    assert "adapters.store" in loaded  # it did look for the store
    assert not loaded & {"sqlite3", "_sqlite3", "adapters.store.sqlite"}
    assert "no funding store" in str(report["stdout"])
    from adapters.store import FundingStore

    FundingStore(tmp_path / "atomic-fp-funding.sqlite").close()  # an empty store
    report = _run("scan", "--format", "json", env=env, cwd=tmp_path)
    assert "sqlite3" in set(report["modules"])  # type: ignore[call-overload]
    assert "funding store " in str(report["stdout"])


def _binance_alone(tmp_path: Path) -> dict[str, str]:
    with socket.socket() as probe:  # a free port on 127.0.0.1, closed again: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "atomic-fp.toml"
    config.write_text(f'[venues.binance]\nkind = "binance"\nbase_url = "http://127.0.0.1:{port}"\n')
    return environment(ATOMIC_FP_CONFIG=str(config))


OTHER_VENUES = ("hyperliquid", "grvt", "lighter", "bybit", "okx", "aster", "paradex")


REPR_PROBE = """
import traceback
from atomic_fp.models import FundingRate
calls = []
def counted(self):
    calls.append(traceback.extract_stack(limit=12))
    return "<FundingRate>"
FundingRate.__repr__ = counted
"""

REPR_REPORT = """
report = {
    "count": len(calls),
    "first": "".join(traceback.format_list(calls[0])) if calls else "",
}
"""


def test_no_funding_rate_is_formatted_with_repr_during_a_scan_or_at_its_exit() -> None:
    """``asyncio.Runner`` formats the finished main task (its result) when it restores
    the SIGINT handler at exit: every rate a scan read, through ``repr``, for nothing
    (``scripts.startup.QuietResult``). Counted in a real ``scan --offline`` process."""
    report, stdout = run_atomic_fp(
        "scan",
        "--offline",
        "--format",
        "json",
        probe=REPR_PROBE,
        report_code=REPR_REPORT,
        env=environment(),
    )
    assert '"opportunities"' in stdout  # it did scan
    count = f"{report['count']}\n{report['first']}"
    assert count.startswith("0"), count


def test_quiet_result_never_formats_its_value() -> None:
    class Loud:
        def __repr__(self) -> str:
            raise AssertionError("repr of the result was computed")

    held = QuietResult(Loud())
    assert repr(held) == "<QuietResult>"
    assert isinstance(held.value, Loud)
