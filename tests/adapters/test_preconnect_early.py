"""The console script's first step (``scripts/early_preconnect.py``, issue 20 target 1):
a live ``scan``'s connections begun from the raw config file before click and the
config's parser are imported, and nothing else.

References from outside the step itself: click's own parse of the command line (the
step acts only on lines click reads as a live scan with the same ``--config`` and
``--venues``), the config's own parser (:func:`scripts.config.load`: the raw file plans
exactly the connections the validated config plans, and every file it refuses for a
value the plan reads is refused here too), and connections counted by local servers
(idempotent :func:`adapters.preconnect.start`; nothing opened for a broken file).
No durations are asserted.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import preconnect
from adapters.tls import shared_ssl_context
from scripts import early_preconnect
from scripts.config import ConfigError, load
from scripts.early_preconnect import raw_venues, scan_line
from scripts.list_option import split_list
from tests.adapters.tls_server import TlsServer

ROOT = Path(__file__).resolve().parents[2]
OFF = {"ATOMIC_FP_PRECONNECT": "0"}


@pytest.fixture(autouse=True)
def _forget_preconnections(forget_preconnections: None) -> None:
    """Every test here starts and ends with no pre-made connection (tests/adapters/conftest.py)."""


# --- the command line, as click reads it ---------------------------------------------


def _click_reads(argv: list[str]) -> tuple[str | None, list[str] | None] | None:
    """``(--config, --venues)`` of a live scan as click's parse of ``argv`` gives them
    (the command is not run), else ``None`` (another command, a usage error, help)."""
    from scripts.cli import cli

    try:
        with cli.make_context("atomic-fp", list(argv)) as ctx:
            words = [*ctx._protected_args, *ctx.args]  # as click.Group.invoke reads them
            name, command, rest = cli.resolve_command(ctx, words)
            if name != "scan" or command is None:
                return None
            with command.make_context(name, rest, parent=ctx) as sub:
                if sub.params["offline"] or sub.params["snapshot_dir"] is not None:
                    return None
                return ctx.params["config_path"], split_list(sub.params["venues"])
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        return None


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["scan"], (None, None)),
        (["--config", "a.toml", "scan", "--format", "json"], ("a.toml", None)),
        (["--config=a.toml", "-vv", "--log-json", "-q", "scan"], ("a.toml", None)),
        (["--config", "a.toml", "--config", "b.toml", "scan"], ("b.toml", None)),
        (["scan", "--venues", "binance, grvt", "--all-pairs", "--limit", "3"],
         (None, ["binance", "grvt"])),
        (["scan", "--venues=lighter", "--venues", "okx"], (None, ["okx"])),
        (["scan", "--venues="], (None, None)),
        (["-v", "--verbose", "scan", "--symbols", "BTC", "--min-apr", "10%", "--basis", "avg24h",
          "--store", "s.sqlite", "--min-oi", "5M", "--min-volume", "1M", "--alert-above",
          "0.5", "--both-directions"], (None, None)),
        (["--config", "scan", "scan"], ("scan", None)),  # the option's value, then the command
        (["scan", "--basis", "AVG7D", "--limit", " 2", "--format=csv"], (None, None)),
    ],
)  # fmt: skip
def test_a_live_scan_line_is_read_as_click_reads_it(
    argv: list[str], expected: tuple[str | None, list[str] | None]
) -> None:
    assert scan_line(argv) == expected
    assert _click_reads(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [], ["--help"], ["-h"], ["--version"], ["scan", "--help"], ["scan", "-h"],
        ["scan", "--offline"], ["scan", "--snapshot", "snap.json"], ["scan", "--snapshot=x"],
        ["execute"], ["execute", "--dry-run"], ["run"], ["watch"], ["record"], ["positions"],
        ["scan", "BTC"], ["scan", "--"], ["--", "scan"], ["scan", "--venues"], ["--config"],
        ["--config", "a.toml"], ["-x", "scan"], ["scan", "--unknown"], ["-vq", "scan"],
        ["--log-json=1", "scan"], ["scan", "--all-pairs=yes"], ["scan", "--offline=1"],
        ["scans"], ["--verbose", "execute", "scan"], ["scan", "--format", "scan"],
        ["scan", "--format", "JSON"], ["scan", "--basis", "mean"], ["scan", "--limit", "0"],
        ["scan", "--limit", "x"], ["scan", "--limit=-1"],
    ],
)  # fmt: skip
def test_any_other_command_line_is_left_alone(argv: list[str]) -> None:
    assert scan_line(argv) is None


WORDS = st.sampled_from(
    ["scan", "execute", "--config", "--config=c.toml", "c.toml", "-v", "-vv", "-q", "--quiet",
     "--log-json", "--verbose", "--help", "--version", "--venues", "--venues=binance,okx",
     "binance", "--symbols", "BTC", "--format", "json", "--limit", "2", "--basis", "current",
     "0", "-3", "Avg24H", "csv", "TABLE",
     "--all-pairs", "--both-directions", "--offline", "--snapshot", "--min-apr", "5%",
     "--store", "--", "-x", "--unknown", "grvt,lighter"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(WORDS, max_size=3), st.booleans(), st.lists(WORDS, max_size=6))
def test_a_line_the_step_recognises_is_a_live_scan_to_click(
    head: list[str], scan: bool, tail: list[str]
) -> None:
    """Whatever the step acts on, click reads as a live scan with the same config file and
    venues (the converse need not hold: the step may leave a scan line alone)."""
    argv = [*head, *(["scan"] if scan else []), *tail]
    recognised = scan_line(argv)
    if recognised is not None:
        assert _click_reads(argv) == recognised


def test_the_options_known_are_the_commands_own() -> None:
    """Every option of ``scan`` and of the group is either recognised or refused on
    purpose: a new option leaves the step's lines unrecognised until it is listed here."""
    from scripts.cli import cli
    from scripts.scan_command import scan

    def names(command: click.Command) -> set[str]:
        return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}

    scan_known = early_preconnect.SCAN_VALUES | early_preconnect.SCAN_FLAGS
    assert names(scan) == scan_known | {"--offline", "--snapshot"}
    global_known = early_preconnect.GLOBAL_FLAGS | {"--config", "-v"}
    assert names(cli) == global_known | {"--version"}
    choices = {p.opts[0]: p.type for p in scan.params if isinstance(p.type, click.Choice)}
    assert set(choices) == set(early_preconnect.CHOICES)
    for option, kind in choices.items():
        assert isinstance(kind, click.Choice)
        assert tuple(kind.choices) == early_preconnect.CHOICES[option]
        assert kind.case_sensitive == (option != "--basis")
    from scripts.config_venues import MAX_TIMEOUT_SECONDS

    assert early_preconnect.MAX_TIMEOUT_SECONDS == MAX_TIMEOUT_SECONDS


# --- the raw config file, against the config's own parser -----------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    assert isinstance(value, dict)
    return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"


def _write(path: Path, document: Mapping[str, Mapping[str, object]], venues: Any) -> Path:
    lines = []
    for section, table in document.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
    for name, table in venues.items():
        lines.append(f"[venues.{name}]")
        lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


VALID: dict[str, list[object]] = {
    "kind": ["binance", "hyperliquid", "grvt", "lighter", "bybit", "okx", "aster", "paper"],
    "base_url": ["https://127.0.0.1:8443", "https://venue.example/api", "http://127.0.0.1:8080",
                 "wss://x.example", "https://[::1]:9443"],
    "ws_url": ["wss://ws.example/ws/full", "ws://127.0.0.1:1"],
    "timeout": [3, 2.5, 3600],
    "enabled": [True, False],
    "options": [{}, {"network": "testnet"}],
    "ca_bundle": ["{dir}/ca.pem"],
    "fees": [{"maker": "0.0002", "taker": "0.0005"}],
}  # fmt: skip
"""Values :func:`scripts.config.load` accepts, per venue key."""
INVALID: dict[str, list[object]] = {
    "kind": ["nope", 3, ""],
    "base_url": ["ftp://x", 5, "venue.example"],
    "ws_url": ["x", "wss:/x"],
    "timeout": [0, -1, 3601, True, "10", float("inf"), float("nan")],
    "enabled": ["yes", 1],
    "options": ["x"],
    "ca_bundle": ["{dir}/missing.pem", "{dir}", "", 7],
}
"""Values it refuses, of the keys the plan reads (one per file at most)."""


def _value(value: object, directory: Path) -> object:
    return value.format(dir=directory) if isinstance(value, str) else value


@settings(max_examples=300)
@given(data=st.data())
def test_the_raw_file_plans_what_the_validated_config_plans(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """For random files: where :func:`scripts.config.load` accepts the file, the raw view
    plans the same connections (same hosts, ports, CA bundle strings, so the same shared
    context objects, timeouts, counts, websockets) for every venue choice; where it
    refuses one value the plan reads (a kind, a URL, a timeout, ``enabled``, options, a
    CA bundle, a section), the raw view refuses the file too: the early step begins
    nothing, and the scan reports the parser's error."""
    directory = tmp_path_factory.mktemp("config")
    (directory / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    ids = st.sampled_from(["binance", "grvt", "lighter", "hyperliquid", "okx", "b2"])
    names = data.draw(st.lists(ids, unique=True, max_size=4))
    venues: dict[str, dict[str, object]] = {}
    for name in names:
        keys = data.draw(st.sets(st.sampled_from(sorted(VALID))))
        if name == "b2":
            keys.add("kind")  # (not a kind's name: a kind of its own is required)
        venues[name] = {
            key: _value(data.draw(st.sampled_from(VALID[key])), directory) for key in sorted(keys)
        }
    document: dict[str, dict[str, object]] = {}
    if data.draw(st.booleans()):
        document["tls"] = {"ca_bundle": str(directory / "ca.pem")}
    if data.draw(st.booleans()):
        document[data.draw(st.sampled_from(["strategy", "journal"]))] = {}
    if not venues and data.draw(st.booleans()):
        document["venues"] = {}
    defect = data.draw(st.sampled_from(["none", "venue", "tls", "section"]))
    if defect == "venue" and venues:
        name = data.draw(st.sampled_from(sorted(venues)))
        key = data.draw(st.sampled_from(sorted(INVALID)))
        venues[name][key] = _value(data.draw(st.sampled_from(INVALID[key])), directory)
    elif defect == "tls":
        document["tls"] = {"ca_bundle": str(directory / "missing.pem")}
    elif defect == "section":
        document["tsl"] = {}
    else:
        defect = "none"
    path = _write(directory / "atomic-fp.toml", document, venues)
    try:
        config = load(str(path), {})
    except ConfigError:
        assert defect != "none"
        with pytest.raises(early_preconnect.Refused):
            raw_venues(str(path), {})
        return
    raw = raw_venues(str(path), {})
    assert [v.id for v in raw] == [str(v.id) for v in config.venues]
    for stale in (True, False):
        for choose in (None, [v.id for v in raw][:1]):
            planned = _plan(raw, choose, stale)
            assert planned == _plan(list(config.venues), choose, stale)


def _plan(venues: list[Any], names: list[str] | None, stale: bool) -> Any:
    known = {str(v.id): v for v in venues}
    chosen = [known[n] for n in names] if names else [v for v in venues if v.enabled]
    return preconnect.plan(chosen, lists_needed=lambda venue: stale)


def test_without_a_file_the_built_in_venues_are_planned(tmp_path: Path) -> None:
    """No ``--config``, no ``$ATOMIC_FP_CONFIG``, no ``./atomic-fp.toml``: ``load``'s
    defaults, found by the same :func:`scripts.config_location.locate`."""
    raw = raw_venues(None, {}, str(tmp_path))
    config = load(None, {}, tmp_path)
    assert config.source == "<defaults>"
    assert _plan(raw, None, True) == _plan(list(config.venues), None, True)
    assert len(_plan(raw, None, True)) == 5  # four venues, GRVT's websocket and list host
    (tmp_path / "elsewhere.toml").write_text('[venues.okx]\nkind = "okx"\n')
    environ = {"ATOMIC_FP_CONFIG": str(tmp_path / "elsewhere.toml")}
    assert [v.kind for v in raw_venues(None, environ, str(tmp_path))] == ["okx"]


# --- connections counted on a local TLS server ---------------------------------------


def _ready() -> None:
    assert all(c.ready(30) for c in list(preconnect._begun))


def test_a_plan_started_twice_opens_its_connections_once(server: TlsServer, bundle: str) -> None:
    targets = [preconnect.Target("127.0.0.1", server.port, bundle, 5.0, 2)]
    assert preconnect.start(targets, {}) == 2
    assert preconnect.start(targets, {}) == 0  # the scan's own call, after the early one
    _ready()
    assert server.accepted == 2
    # the same host in one plan twice (two venue ids on one host): each its own
    assert preconnect.start([*targets, *targets], {}) == 2
    _ready()
    assert server.accepted == 4


def test_a_plan_that_differs_begins_only_what_is_missing_and_the_unused_are_closed(
    server: TlsServer, bundle: str, tmp_path: Path
) -> None:
    early = [preconnect.Target("127.0.0.1", server.port, bundle, 5.0, 1)]
    assert preconnect.start(early, {}) == 1
    other_bundle = tmp_path / "other.pem"  # the same CA, another file: another context
    other_bundle.write_bytes(Path(bundle).read_bytes())
    validated = [
        preconnect.Target("127.0.0.1", server.port, bundle, 5.0, 2),
        preconnect.Target("127.0.0.1", server.port, str(other_bundle), 5.0, 1),
    ]
    assert preconnect.start(validated, {}) == 2
    _ready()
    assert server.accepted == 3
    claimed = preconnect.claim("127.0.0.1", server.port)
    assert claimed is not None
    preconnect.discard_unused()  # what the scan does when it is done
    assert server.wait_closed(2)  # the two never claimed
    claimed.abandon()
    assert server.wait_closed(3)


def test_the_connects_do_not_wait_for_the_ssl_context(
    server: TlsServer, bundle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the context (the CA store; without a bundle, httpx's import) overlaps
    the TCP connects: every call for the context finds the server's accept already made
    (a context that waited for nothing would be built before any connect: the wait for
    the accept would end at its bound instead, and the test fail). The connection is
    still made, with that context."""
    import adapters.tls

    built = adapters.tls.shared_ssl_context
    seen: list[bool] = []
    accepted = threading.Event()

    def watch() -> None:
        while not preconnect._begun or server.accepted == 0:
            if accepted.wait(0.01):
                return
        accepted.set()

    def context_after_an_accept(ca_bundle: str | None = None) -> Any:
        seen.append(accepted.wait(10))
        return built(ca_bundle)

    monkeypatch.setattr(adapters.tls, "shared_ssl_context", context_after_an_accept)
    threading.Thread(target=watch, daemon=True).start()
    assert preconnect.start([preconnect.Target("127.0.0.1", server.port, bundle, 30.0, 1)], {})
    _ready()
    [connection] = preconnect._begun
    assert connection.problem is None
    assert connection.context is built(bundle)
    assert seen and all(seen)


def _raw_config(directory: Path, url: str, bundle: str, extra: str = "") -> Path:
    path = directory / "atomic-fp.toml"
    path.write_text(
        f'[tls]\nca_bundle = "{bundle}"\n\n[venues.hyperliquid]\nkind = "hyperliquid"\n'
        f'base_url = "{url}"\n{extra}'
    )
    return path


def test_the_early_connection_is_claimed_with_the_clients_own_context(
    server: TlsServer, bundle: str, tmp_path: Path
) -> None:
    """Begun from the raw file, planned again from the validated config: one connection,
    taken by a caller with ``shared_ssl_context(bundle)``, the object the clients use."""
    import anyio

    from scripts.scan_preconnect import begin

    path = _raw_config(tmp_path, server.url, bundle)
    assert early_preconnect.begin(["--config", str(path), "scan"], {}) == 1
    assert begin(load(str(path), {}).venues, None, {}) == 0
    _ready()
    assert server.accepted == 1
    claimed = preconnect.claim("127.0.0.1", server.port)
    assert claimed is not None

    async def take() -> bool:
        stream = await claimed.take(shared_ssl_context(bundle), "127.0.0.1")
        if stream is None:
            return False
        await stream.aclose()
        return True

    assert anyio.run(take)


@pytest.mark.parametrize(
    ("problem", "environ"),
    [
        ("a TOML syntax error", {}),
        ("a CA bundle that is not a file", {}),
        ("a URL that is not one", {}),
        ("a timeout out of range", {}),
        ("no such file", {}),
        ("an unknown section", {}),
        (None, {"HTTPS_PROXY": "http://127.0.0.1:9"}),
        (None, OFF),
        (None, {"ATOMIC_FP_PRECONNECT": " 0 "}),
    ],
)
def test_nothing_is_begun_for_a_broken_file_a_proxy_or_when_turned_off(
    server: TlsServer, bundle: str, tmp_path: Path, problem: str | None, environ: dict[str, str]
) -> None:
    path = _broken(tmp_path, server.url, bundle, problem)
    assert early_preconnect.begin(["--config", str(path), "scan"], environ) == 0
    assert not preconnect._begun
    assert server.accepted == 0


def _broken(directory: Path, url: str, bundle: str, problem: str | None) -> Path:
    extra = {
        None: "",
        "a TOML syntax error": "timeout = \n",
        "a CA bundle that is not a file": f'ca_bundle = "{directory}"\n',
        "a URL that is not one": '[venues.okx]\nbase_url = "okx.com"\n',
        "a timeout out of range": "timeout = 0\n",
        "no such file": "",
        "an unknown section": "[tsl]\n",
    }[problem]
    path = _raw_config(directory, url, bundle, extra)
    if problem == "no such file":
        path.unlink()
    return path


# --- the console script, in a fresh process -------------------------------------------


def test_the_console_script_takes_the_early_step() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"]["atomic-fp"] == "scripts.console:run"


class Listener:
    """A TCP listener on 127.0.0.1 counting the connections it accepts (never answering)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def _console(
    argv: list[str], environ: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_PRECONNECT"}
    env.update(environ)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "scripts.console", *argv],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "problem",
    ["a TOML syntax error", "a CA bundle that is not a file", "a URL that is not one",
     "no such file", "an unknown section"],
)  # fmt: skip
def test_a_broken_config_is_reported_exactly_as_without_the_early_step_and_nothing_opened(
    listener: Listener, bundle: str, tmp_path: Path, problem: str
) -> None:
    path = _broken(tmp_path, f"https://127.0.0.1:{listener.port}", bundle, problem)
    argv = ["--config", str(path), "scan", "--format", "json"]
    environ = {"ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}
    with_step = _console(argv, environ, tmp_path)
    without = _console(argv, {**environ, **OFF}, tmp_path)
    assert with_step.returncode == without.returncode == 2
    assert with_step.stderr == without.stderr
    assert with_step.stdout == without.stdout == ""
    assert "Traceback" not in with_step.stderr
    assert listener.accepted == 0


@pytest.mark.parametrize("problem", ["a fee", "an APR"])
def test_a_value_refused_after_the_step_is_reported_as_before(
    listener: Listener, bundle: str, tmp_path: Path, problem: str
) -> None:
    """A value the plan does not read (a fee in the file, ``--min-apr`` on the command
    line): the early connection is begun, never claimed, and the refusal is the same,
    word for word."""
    extra = 'fees = { maker = "x" }\n' if problem == "a fee" else ""
    path = _raw_config(tmp_path, f"https://127.0.0.1:{listener.port}", bundle, extra)
    argv = ["--config", str(path), "scan", *(["--min-apr", "lots"] if extra == "" else [])]
    environ = {"ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}
    with_step = _console(argv, environ, tmp_path)
    without = _console(argv, {**environ, **OFF}, tmp_path)
    assert with_step.returncode == without.returncode == 2
    assert with_step.stderr == without.stderr
    assert ("fees" if problem == "a fee" else "--min-apr") in with_step.stderr
    assert listener.accepted <= 1


PAPER_CONFIG = '[venues.paperx]\nkind = "paper"\n'


def _venues(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, done.stderr
    return sorted(json.loads(done.stdout)["venues"])


def test_a_config_read_from_a_pipe_is_left_to_the_scan(tmp_path: Path) -> None:
    """``--config /dev/stdin`` (or ``<(...)``): a pipe can be read once. The early step
    must not read it, or the scan would load an empty file, i.e. the built-in venues,
    and scan mainnet instead of the venue configured."""
    argv = ["--config", "/dev/stdin", "scan", "--format", "json"]
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_PRECONNECT"}
    env.update({"PYTHONPATH": str(ROOT), "ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")})
    done = subprocess.run(
        [sys.executable, "-m", "scripts.console", *argv], input=PAPER_CONFIG,
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert _venues(done) == ["paperx"]


def test_a_config_that_is_a_fifo_is_left_to_the_scan(tmp_path: Path) -> None:
    """A named pipe with one writer: read by the early step, the scan's own open would
    wait for a second writer forever (the subprocess's timeout fails the test)."""
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)

    def write_once() -> None:
        with open(fifo, "w", encoding="utf-8") as pipe:  # waits for a reader
            pipe.write(PAPER_CONFIG)

    writer = threading.Thread(target=write_once, daemon=True)
    writer.start()
    argv = ["--config", str(fifo), "scan", "--format", "json"]
    try:
        done = _console(argv, {"ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}, tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("the scan waited for the FIFO's second writer: the early step read it")
    finally:
        if writer.is_alive():  # nobody opened it: let the writer's open return
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert _venues(done) == ["paperx"]


IMPORTS = """
import json, sys
sys.argv = ["atomic-fp", *json.loads(sys.argv[1])]
from scripts.console import begin_early
begin_early()
print(json.dumps(sorted(sys.modules)))
"""

EARLY_MODULES = {
    "adapters.preconnect", "ssl", "socket", "tomllib", "scripts.scan_preconnect",
    "scripts.attrs_code_cache",
}  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["scan", "--offline"], ["scan", "--snapshot", "x"], ["execute", "--dry-run"],
     ["run"], ["positions"], ["venues"]],
)  # fmt: skip
def test_other_command_lines_import_nothing_of_the_step(argv: list[str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_PRECONNECT"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, json.dumps(argv)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=True,
    )  # fmt: skip
    loaded = set(json.loads(done.stdout))
    assert "scripts.early_preconnect" in loaded  # the step ran
    assert not loaded & EARLY_MODULES, sorted(loaded & EARLY_MODULES)


def test_a_live_scan_line_begins_before_click_is_imported(
    listener: Listener, bundle: str, tmp_path: Path
) -> None:
    path = _raw_config(tmp_path, f"https://127.0.0.1:{listener.port}", bundle)
    env = {k: v for k, v in os.environ.items() if k != "ATOMIC_FP_PRECONNECT"}
    env["PYTHONPATH"] = str(ROOT)
    env["ATOMIC_FP_CACHE_DIR"] = str(tmp_path / "cache")
    # (then the scan's code cache: the threads' regular expressions come from it)
    script = IMPORTS.replace(
        "begin_early()",
        "begin_early()\nassert 'click' not in sys.modules, 'click'\n"
        "from scripts import attrs_code_cache\nassert attrs_code_cache._installed",
    ).replace("print(", "from adapters import preconnect\nprint(len(preconnect._begun), ")
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(["--config", str(path), "scan"])],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    begun, _ = done.stdout.split(" ", 1)
    assert begun == "1"
    assert not {"click", "scripts.config"} & set(json.loads(done.stdout.split(" ", 1)[1]))


ENTRY = """
import atexit, runpy, sys
from scripts import early_preconnect
calls = []
early_preconnect.begin = lambda argv, environ, cwd=None: calls.append(list(argv)) or 0
atexit.register(lambda: print("begun", calls, flush=True))
sys.argv = ["atomic-fp", "--version"]
entry = {entry!r}
if ":" in entry:
    module, _, function = entry.partition(":")
    getattr(__import__(module, fromlist=[function]), function)()
else:
    runpy.run_module(entry, run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    "entry", ["scripts.console:run", "scripts.cli:run", "scripts.console", "scripts.cli"]
)
def test_the_step_is_taken_once_whichever_way_the_program_starts(entry: str) -> None:
    """The console script (``scripts.console:run``), one installed before it
    (``scripts.cli:run``), and ``python -m`` of either: the step once, with the line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", ENTRY.format(entry=entry)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "begun [['--version']]"
