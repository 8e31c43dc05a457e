"""A broken proxy setting and another venue problem at once: each named as what it is.

``scan``, ``collect`` and ``watch`` exit 2 when the environment's proxy setting cannot
work (``scripts/proxy_setting.py``). Before, they printed the *first unbuilt venue's*
message whatever it was: with a venue whose ``ca_bundle`` is a readable file that holds no
certificate (the config's check only asks for a readable file) listed first, the exit-2
message was that venue's CA problem, without the proxy and without the "invalid
configuration" ``scan`` gives it. Now the proxy problem is the error the command exits
with, and each other venue it could not build is named as the command names it without a
proxy problem (``scan``: ``invalid configuration: <file>: venues.<id>: ...``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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


@pytest.mark.parametrize("command", COMMANDS)
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


@pytest.mark.parametrize("command", COMMANDS)
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
