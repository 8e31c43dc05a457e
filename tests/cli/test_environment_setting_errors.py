"""A broken connection setting in the environment, alone or with another venue problem:
each named as what it is.

``scan``, ``collect`` and ``watch`` exit 2 when the environment's proxy setting, or the
default CA store it names (``SSL_CERT_FILE``), cannot work (``scripts/
environment_settings.py``). Before, they printed the *first unbuilt venue's* message
whatever it was: with a venue whose ``ca_bundle`` is a readable file that holds no
certificate (the config's check only asks for a readable file) listed first, the exit-2
message was that venue's CA problem, without the proxy and without the "invalid
configuration" ``scan`` gives it. Now the environment's problem is the error the command
exits with, and each other venue it could not build is named as the command names it
without one (``scan``: ``invalid configuration: <file>: venues.<id>: ...``).

``SSL_CERT_FILE`` naming a missing file (httpx loads it for every client without a CA
bundle of its own): before, every command named it ``ca_bundle None: [Errno 2] No such
file or directory`` (no file named), ``scan`` as an invalid configuration of the config
file, ``collect`` exited 1 ("no venue answered") and ``watch`` watched nothing and exited 0.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from adapters import tls
from scripts.cli import cli

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
MALFORMED = "http://user:s3cret@proxy corp:3128"
PROXY_PROBLEM = (
    "proxy for 'https://' (HTTPS_PROXY) from the environment (http://proxy%20corp:3128): "
    "its host is not a host name or an IP address"
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def _config(tmp_path: Path, broken: tuple[str, ...]) -> tuple[Path, Path]:
    """Binance then Hyperliquid; those in ``broken`` given a CA bundle without a
    certificate. The config file and that bundle."""
    bundle = tmp_path / "empty.pem"
    bundle.write_text("no certificate here\n")
    text = ""
    for venue in ("binance", "hyperliquid"):
        text += f'[venues.{venue}]\nkind = "{venue}"\n'
        if venue in broken:
            text += f'ca_bundle = "{bundle}"\n'
    config = tmp_path / "atomic-fp.toml"
    config.write_text(text)
    return config, bundle


def _run(config: Path, command: list[str], tmp_path: Path) -> Result:
    if command == ["collect"]:
        command = [*command, "--store", str(tmp_path / "funding.sqlite")]
    if command == ["record"]:
        command = [*command, "--out", str(tmp_path / "snapshot.json")]
    return CliRunner().invoke(cli, ["--config", str(config), *command])


def _errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("atomic-fp: error:")]


COMMANDS = [["scan"], ["collect"], ["watch", "--duration", "5"]]


def _other_problem(command: list[str], config: Path, bundle: Path, venue: str) -> str:
    """How ``command`` names a venue whose CA bundle holds no certificate."""
    problem = f"venue {venue}: ca_bundle '{bundle}': [X509: NO_CERTIFICATE_OR_CRL_FOUND]"
    if command == ["scan"]:
        return f"atomic-fp: error: invalid configuration: {config}: venues.{venue}: {problem}"
    return f"atomic-fp: error: {problem}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_malformed_proxy_is_named_though_another_venue_failed_first(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    config, bundle = _config(tmp_path, broken=("binance",))
    env.setenv("HTTPS_PROXY", MALFORMED)
    result = _run(config, command, tmp_path)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(_other_problem(command, config, bundle, "binance")), errors
    assert errors[1] == f"atomic-fp: error: venue hyperliquid: {PROXY_PROBLEM}", errors
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_malformed_proxy_is_named_when_no_venue_got_as_far_as_the_proxy(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    config, bundle = _config(tmp_path, broken=("binance", "hyperliquid"))
    env.setenv("HTTPS_PROXY", MALFORMED)
    result = _run(config, command, tmp_path)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 3, result.stderr
    for line, venue in zip(errors, ("binance", "hyperliquid"), strict=False):
        assert line.startswith(_other_problem(command, config, bundle, venue)), errors
    assert errors[2] == f"atomic-fp: error: {PROXY_PROBLEM}", errors
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_with_a_usable_proxy_the_venue_problem_alone_is_named_as_before(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """(nothing is fetched: the scan stops at the venue it cannot build)"""
    config, bundle = _config(tmp_path, broken=("binance",))
    env.setenv("HTTPS_PROXY", "http://user:s3cret@127.0.0.1:9")
    result = _run(config, ["scan"], tmp_path)
    assert result.exit_code == 2, result.output
    errors = _errors(result)
    assert len(errors) == 1 and "HTTPS_PROXY" not in errors[0], errors
    assert errors[0].startswith(_other_problem(["scan"], config, bundle, "binance")), errors


def test_a_malformed_proxy_alone_is_named_through_the_first_venue(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config, _ = _config(tmp_path, broken=())
    env.setenv("HTTPS_PROXY", MALFORMED)
    result = _run(config, ["scan"], tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [f"atomic-fp: error: venue binance: {PROXY_PROBLEM}"]


# -- the default CA store named by SSL_CERT_FILE -----------------------------------------


def _store_problem(path: Path) -> str:
    return (
        f"the default CA store (SSL_CERT_FILE '{path}' from the environment): "
        "[Errno 2] No such file or directory"
    )


@pytest.mark.parametrize("command", [*COMMANDS, ["positions"], ["record"]], ids=lambda c: c[0])
def test_a_missing_ssl_cert_file_is_named_as_the_environment_s(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    config, _ = _config(tmp_path, broken=())
    missing = tmp_path / "nowhere" / "ca.pem"
    env.setenv("SSL_CERT_FILE", str(missing))
    env.setattr(tls, "_contexts", {})  # (the default context is loaded afresh)
    result = _run(config, command, tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [f"atomic-fp: error: venue binance: {_store_problem(missing)}"]
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (tmp_path / "snapshot.json").exists()


def test_a_missing_ssl_cert_file_no_venue_loads_is_not_a_problem(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every venue trusts its own bundle (which holds no certificate here): the default
    store is never loaded, so only the venues' own problem is named."""
    config, bundle = _config(tmp_path, broken=("binance", "hyperliquid"))
    env.setenv("SSL_CERT_FILE", str(tmp_path / "nowhere.pem"))
    env.setattr(tls, "_contexts", {})
    result = _run(config, ["scan"], tmp_path)
    assert result.exit_code == 2, result.output
    (line,) = _errors(result)
    assert line.startswith(_other_problem(["scan"], config, bundle, "binance")), line


def test_a_missing_ssl_cert_file_and_a_malformed_proxy_are_both_named(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The CA store is loaded before the proxies are read, so every venue failed on it;
    the proxy is named as well, bare."""
    config, _ = _config(tmp_path, broken=())
    missing = tmp_path / "nowhere.pem"
    env.setenv("SSL_CERT_FILE", str(missing))
    env.setenv("HTTPS_PROXY", MALFORMED)
    env.setattr(tls, "_contexts", {})
    result = _run(config, ["scan"], tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [
        f"atomic-fp: error: {PROXY_PROBLEM}",
        f"atomic-fp: error: venue binance: {_store_problem(missing)}",
    ]
    assert "s3cret" not in result.output


# -- a SOCKS proxy without httpx's SOCKS support -----------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("socksio") is not None, reason="httpx[socks] is installed here"
)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_socks_proxy_without_socksio_is_named_as_the_environment_s(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    """httpx cannot use it (the oracle: its transport refuses it); before, ``scan`` blamed
    the config file, ``collect`` exited 1 ("no venue answered") and ``watch`` exited 0
    having watched nothing."""
    with pytest.raises(ImportError, match="socksio"):
        httpx.AsyncHTTPTransport(proxy=httpx.Proxy("socks5://127.0.0.1:1080"))
    config, _ = _config(tmp_path, broken=())
    env.setenv("HTTPS_PROXY", "socks5://user:s3cret@127.0.0.1:1080")
    result = _run(config, command, tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [
        "atomic-fp: error: venue binance: proxy for 'https://' (HTTPS_PROXY) from the "
        "environment (socks5://127.0.0.1:1080): a SOCKS proxy needs the 'socksio' package, "
        "which is not installed (pip install 'httpx[socks]')"
    ]
    assert "s3cret" not in result.output and "Traceback" not in result.output


# -- ATOMIC_FP_CACHE_DIR naming a home directory that does not exist ----------------------


@pytest.mark.parametrize("command", [["scan", "--offline"], ["scan", "--help"], ["positions"]])
def test_a_cache_dir_under_an_unknown_user_s_home_exits_2_naming_it(
    tmp_path: Path, command: list[str]
) -> None:
    """``~someone/...`` for a user the system does not know: pathlib cannot expand it
    (``RuntimeError``); before, every command (``--help`` too) ended in a traceback, exit 1,
    at the first look at the cache (the attrs code cache, before the command ran)."""
    import subprocess
    import sys

    setting = "~no-such-user-atomic-fp/cache"
    with pytest.raises(RuntimeError):
        Path(setting).expanduser()  # (the oracle: what pathlib says of it)
    done = subprocess.run(
        [sys.executable, "-m", "scripts.cli", *command],
        env={**os.environ, "ATOMIC_FP_CACHE_DIR": setting},
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"atomic-fp: error: ATOMIC_FP_CACHE_DIR '{setting}' from the environment: "
        "no user 'no-such-user-atomic-fp'\n"
    )
    assert done.stdout == ""


# -- the trading commands name every problem, as scan does ------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["positions"],
        ["collateral"],
        ["execute", "--dry-run", "--symbols", "BTC"],
        ["run", "--yes", "--max-cycles", "1", "--symbols", "BTC"],
        ["record"],
    ],
    ids=lambda c: c[0],
)
def test_the_trading_commands_name_both_problems_at_once(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    """``build_trading_venues`` (positions, collateral, execute, run) and ``record``
    stopped at the first unbuilt venue's message; now a malformed proxy and a missing CA
    store are both named (as ``scan`` names them), exit 2, nothing traded or recorded."""
    config, _ = _config(tmp_path, broken=())
    journal = tmp_path / "journal.sqlite"
    config.write_text(
        config.read_text()
        + '[strategy]\ntrade_size = "0.001"\nmax_position = "0.01"\n'
        + f'[journal]\npath = "{journal}"\n'
    )
    missing = tmp_path / "nowhere.pem"
    env.setenv("SSL_CERT_FILE", str(missing))
    env.setenv("HTTPS_PROXY", MALFORMED)
    env.setattr(tls, "_contexts", {})
    result = _run(config, command, tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [
        f"atomic-fp: error: {PROXY_PROBLEM}",
        f"atomic-fp: error: venue binance: {_store_problem(missing)}",
    ]
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert not journal.exists()  # refused before the journal was opened: nothing traded
    assert not (tmp_path / "snapshot.json").exists()
