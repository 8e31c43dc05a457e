"""``scan --offline`` without an event loop (issue 20, target 4): the same bytes as on anyio.

The offline scan asks its replayed venues through :func:`atomic_fp.concurrency.run_inline`
(``scripts.scan_run.LOOP_FREE_OFFLINE``). Here the anyio run, forced by switching that off,
is the oracle: over generated option combinations (formats, venue subsets with unknown
names, symbols with unknown ones, ``--all-pairs``, ``--min-apr`` with bad values, bases,
log levels) and configs (none, broken, missing, fees, GRVT options, a disk cache), stdout,
stderr and the exit code must be identical, and the loop-free run must really have been
used (counted), never refused. A Binance budget that must wait is refused loop-free and
the scan is asked again on anyio, with the same output.

In a fresh process (``sys.modules``), the offline scan imports neither asyncio, anyio's
asyncio backend nor ssl; a live scan still does (the switch is the offline scan's alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scripts.scan_run
from atomic_fp import concurrency
from scripts.cli import cli
from tests.cli.fresh_process import environment, run_atomic_fp

CONFIGS: dict[str, str | None] = {
    "none": None,
    "broken toml": "[venues.binance\nkind = 'binance'\n",
    "fees": '[venues.binance]\nkind = "binance"\nfees = { maker = "0.0001", taker = "0.0003" }\n',
    "grvt one at a time": '[venues.grvt]\nkind = "grvt"\noptions = { concurrency = "1" }\n',
    "grvt disk cache": '[venues.grvt]\nkind = "grvt"\n'
    'options = { instrument_cache = "grvt-list.json" }\n',
    "unknown kind": '[venues.binance]\nkind = "nosuchvenue"\n',
    "strategy": '[strategy]\nholding_horizon = "30d"\nbasis = "avg24h"\n',
    "bad strategy": '[strategy]\nholding_horizon = "soon"\n',
}

VENUES = [None, "binance", "binance,hyperliquid", "grvt,lighter"]
VENUES += ["lighter,binance,grvt,hyperliquid", "nope", "binance,nope"]
SYMBOLS = [None, "BTC", "BTC,ETH", "NOPE", "BTC,NOPE", "eth", "BTC,,"]
MIN_APR = [None, "1%", "0.05", "-5%", "abc", "nan", "inf", ""]
TAILS: list[tuple[str, ...]] = [
    (),
    ("--basis", "predicted"),
    ("--basis", "avg7d"),
    ("--basis", "avg24h", "--limit", "3"),
    ("--limit", "1"),
    ("--both-directions",),
    ("--alert-above", "1%"),
    ("--min-oi", "5M", "--min-volume", "250k"),
    ("--min-oi", "-1"),
]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each loop-free run ended: ``"done"`` or ``"refused"``."""
    ends: list[str] = []
    real = concurrency.run_inline

    def spy(func: Callable[[], Any]) -> Any:
        try:
            value = real(func)
        except concurrency.InlineRefused:
            ends.append("refused")
            raise
        ends.append("done")
        return value

    monkeypatch.setattr(concurrency, "run_inline", spy)
    return ends


def _scan(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, loop_free: bool, args: list[str]
) -> Result:
    monkeypatch.setattr(scripts.scan_run, "LOOP_FREE_OFFLINE", loop_free)
    Path("grvt-list.json").unlink(missing_ok=True)  # each run starts without GRVT's disk cache
    return runner.invoke(cli, args)


def _timeless(stderr: str) -> str:
    """``--log-json`` lines carry the wall-clock time they were logged at: not compared."""
    return re.sub(r'^\{"time": "[^"]*", ', '{"time": "T", ', stderr, flags=re.MULTILINE)


def _same(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> Result:
    on_anyio = _scan(runner, monkeypatch, False, args)
    loop_free = _scan(runner, monkeypatch, True, args)
    assert (loop_free.exit_code, loop_free.stdout, _timeless(loop_free.stderr)) == (
        on_anyio.exit_code,
        on_anyio.stdout,
        _timeless(on_anyio.stderr),
    ), args
    assert loop_free.exception is None or isinstance(loop_free.exception, SystemExit), args
    # an anyio call the loop-free run missed would be a venue's "internal error", quietly
    assert "internal error" not in loop_free.stdout + loop_free.stderr, args
    return loop_free


def _args(
    directory: Path,
    config: str | None,
    fmt: str | None,
    venues: str | None,
    symbols: str | None,
    all_pairs: bool,
    min_apr: str | None,
    global_option: str | None = None,
    tail: tuple[str, ...] = (),
) -> list[str]:
    args: list[str] = []
    if config is not None:
        path = directory / "atomic-fp.toml"
        path.write_text(config)
        args += ["--config", str(path)]
    if global_option is not None:
        args.append(global_option)
    args += ["scan", "--offline"]
    for name, value in (("--format", fmt), ("--venues", venues), ("--symbols", symbols)):
        if value is not None:
            args += [name, value]
    if min_apr is not None:
        args += ["--min-apr", min_apr]
    if all_pairs:
        args.append("--all-pairs")
    return [*args, *tail]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_each_format_is_the_same_bytes_as_on_anyio(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, counted: list[str], fmt: str
) -> None:
    result = _same(runner, monkeypatch, ["scan", "--offline", "--format", fmt])
    assert result.exit_code == 0 and "BTC" in result.stdout
    assert counted == ["done"]  # the loop-free run answered, nothing waited


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_each_config_gives_the_same_bytes_as_on_anyio(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
    isolated: Path,
    config: str,
) -> None:
    args = _args(isolated, CONFIGS[config], "json", None, None, True, None, "-vv")
    result = _same(runner, monkeypatch, args)
    if config in ("broken toml", "unknown kind", "bad strategy"):
        assert result.exit_code == 2 and counted == []  # refused before asking anyone
    else:
        assert result.exit_code == 0 and counted == ["done"]
    if config == "grvt disk cache":  # the list went to disk (in place of a worker thread)
        assert (isolated / "grvt-list.json").exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    config=st.sampled_from(sorted(CONFIGS)),
    fmt=st.sampled_from([None, "table", "json", "csv"]),
    venues=st.sampled_from(VENUES),
    symbols=st.sampled_from(SYMBOLS),
    all_pairs=st.booleans(),
    min_apr=st.sampled_from(MIN_APR),
    global_option=st.sampled_from([None, "-v", "-vv", "--quiet", "--log-json"]),
    tail=st.sampled_from(TAILS),
)
def test_generated_scans_are_the_same_bytes_as_on_anyio(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
    isolated: Path,
    config: str,
    fmt: str | None,
    venues: str | None,
    symbols: str | None,
    all_pairs: bool,
    min_apr: str | None,
    global_option: str | None,
    tail: tuple[str, ...],
) -> None:
    args = _args(
        isolated, CONFIGS[config], fmt, venues, symbols, all_pairs, min_apr, global_option, tail
    )
    counted.clear()
    _same(runner, monkeypatch, args)
    assert "refused" not in counted


def test_a_budget_that_must_wait_is_asked_again_on_anyio(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
    isolated: Path,
) -> None:
    """Binance at 10.5 weight a minute: its second request must wait for the refill. The
    loop-free run refuses to wait and the scan is asked again on anyio (whose sleeps are
    recorded here, not slept), with the same output as a scan on anyio alone."""
    slept: list[float] = []

    async def recorded(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(anyio, "sleep", recorded)
    config = '[venues.binance]\nkind = "binance"\noptions = { weight_per_minute = "10.5" }\n'
    args = _args(isolated, config, "json", "binance,hyperliquid", None, True, None, "-vv")
    on_anyio = _scan(runner, monkeypatch, False, args)
    waits_on_anyio = len(slept)
    result = _same(runner, monkeypatch, args)
    assert result.exit_code == 0 and "binance" in result.stdout
    assert waits_on_anyio > 0  # the budget did have to wait
    assert counted == ["refused"]  # the loop-free run did not wait: anyio answered
    assert on_anyio.stdout == result.stdout


# ----------------------------------------------------------------- in a fresh process

EVENT_LOOP_MODULES = ("asyncio", "anyio._backends._asyncio", "ssl", "_ssl")

LOOP_REPORT = """
report = {
    "code": code,
    "loop": sorted(m for m in _sys.modules if m.split(".")[0] in ("asyncio", "ssl", "_ssl")
                   or m.startswith("anyio._backends")),
}
"""


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield environment(ATOMIC_FP_CACHE_DIR=str(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (("scan", "--offline"), "BTC"),
        (("scan", "--offline", "--format", "json", "--all-pairs"), "BTC"),
        (("scan", "--offline", "--format", "csv", "--basis", "predicted"), "net_apr"),
    ],
)
def test_an_offline_scan_imports_no_event_loop_nor_ssl(
    fresh_env: dict[str, str], args: tuple[str, ...], printed: str
) -> None:
    report, stdout = run_atomic_fp(*args, probe="", report_code=LOOP_REPORT, env=fresh_env)
    assert report["code"] == 0 and printed in stdout
    assert report["loop"] == []  # 0 modules of asyncio, anyio's backends, ssl


def test_a_live_scan_still_runs_on_anyios_asyncio_backend(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    """The oracle of the count above: a live scan (Binance at a closed local port) loads
    the event loop, so a test that counts zero there is counting the right modules."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "atomic-fp.toml"
    url = f"http://127.0.0.1:{port}"
    config.write_text(f'[venues.binance]\nkind = "binance"\nbase_url = "{url}"\n')
    env = {**fresh_env, "ATOMIC_FP_CONFIG": str(config)}
    report, _ = run_atomic_fp(
        "scan", "--format", "json", probe="", report_code=LOOP_REPORT, env=env
    )
    assert {"asyncio", "anyio._backends._asyncio", "ssl"} <= set(report["loop"])


def test_a_refused_run_leaves_no_cache_file_for_its_anyio_rerun(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    counted: list[str],
    isolated: Path,
) -> None:
    """GRVT with its instrument list on disk and a Lighter budget whose second request must
    wait: the loop-free run fetches GRVT's list, then is refused. Its disk write is kept
    for the run's end (:func:`atomic_fp.concurrency.side_effect`), so the anyio re-run
    finds no file, as a scan on anyio alone does, and logs the same lines (review of the
    loop-free scan: the refused run's file took ``no instrument cache`` out of ``-vv``)."""

    async def recorded(delay: float) -> None:
        pass

    monkeypatch.setattr(anyio, "sleep", recorded)
    config = (
        '[venues.grvt]\nkind = "grvt"\noptions = { instrument_cache = "grvt-list.json" }\n'
        '[venues.lighter]\nkind = "lighter"\noptions = { requests_per_minute = "1.95" }\n'
    )
    args = _args(isolated, config, "json", None, None, False, None, "-vv")
    result = _same(runner, monkeypatch, args)
    assert counted == ["refused"]
    assert "no instrument cache" in result.stderr
    assert (isolated / "grvt-list.json").exists()  # written once the anyio run finished


def test_an_interrupted_run_leaves_no_coroutine_unawaited(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    """Ctrl-C at the first replayed request, inside the first of two calls awaited
    together (``adapters._future.both``): the second, never started, is closed, so no
    "coroutine ... was never awaited" warning comes before ``Aborted!``, as on anyio
    (review of the loop-free scan)."""
    import gc
    import warnings

    from adapters.kit import http_client

    real = http_client.InProcessClient.send
    sent: list[object] = []

    async def interrupted(self: Any, request: Any, **kw: Any) -> Any:
        sent.append(request)
        if len(sent) == 1:
            raise KeyboardInterrupt
        return await real(self, request, **kw)

    monkeypatch.setattr(http_client.InProcessClient, "send", interrupted)
    args = _args(isolated, None, "json", "binance", None, False, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _scan(runner, monkeypatch, True, args)
        gc.collect()
    assert result.exit_code == 1 and "Aborted!" in result.output
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
