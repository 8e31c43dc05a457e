"""No secret in any output or log; ``atomic-fp --help`` imports nothing heavy."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from scripts.context import REDACTOR

FAKE = {
    "T_BINANCE_KEY": "fakeBinanceKey0123456789",
    "T_BINANCE_SECRET": "fakeBinanceSecretABCDEFGH",
    "T_HL_KEY": "0x" + "ab" * 32,
    "T_HL_ADDR": "0x" + "cd" * 20,
    "T_GRVT_KEY": "fakeGrvtApiKeyZYXWVU",
    "T_GRVT_PK": "0x" + "ef" * 32,
}

CONFIG = """
[venues.binance]
api_key_env = "T_BINANCE_KEY"
api_secret_env = "T_BINANCE_SECRET"
[venues.hyperliquid]
account_address_env = "T_HL_ADDR"
agent_private_key_env = "T_HL_KEY"
[venues.grvt]
api_key_env = "T_GRVT_KEY"
private_key_env = "T_GRVT_PK"
sub_account_id_env = "T_GRVT_SUB"
[venues.lighter]
[venues.paper-x]
kind = "tests.cli.external_venue:create"
token_env = "T_GRVT_KEY"
[strategy]
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]
"""


@pytest.fixture
def with_secrets(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in FAKE.items():
        monkeypatch.setenv(name, value)
    (isolated / "atomic-fp.toml").write_text(CONFIG)
    return isolated


def _assert_clean(text: str) -> None:
    for name, value in FAKE.items():
        if name == "T_HL_ADDR":  # an account address is public, not a secret
            continue
        assert value not in text, f"{name} leaked"


@pytest.mark.parametrize(
    "args",
    [
        ["-vv", "--log-json", "scan", "--offline", "--format", "json"],
        ["-vv", "scan", "--offline", "--all-pairs"],
        ["venues"],
        ["-vv", "--log-json", "execute", "--dry-run", "--venues", "paper-x", "--format", "json"],
        ["-vv", "positions", "--venues", "paper-x"],
        ["venues", "--format", "json"],
        ["-vv", "--config", "atomic-fp.toml", "scan", "--offline", "--alert-above", "0"],
    ],
)
def test_no_secret_in_output_or_logs(with_secrets: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 3), result.output
    _assert_clean(result.stdout)
    _assert_clean(result.stderr)


def test_log_records_are_scrubbed(with_secrets: Path, caplog: pytest.LogCaptureFixture) -> None:
    CliRunner().invoke(cli, ["venues"])  # loads the config, registering the secrets
    record = logging.LogRecord(
        "adapters.x", logging.ERROR, __file__, 1, "bad key %s", (FAKE["T_BINANCE_SECRET"],), None
    )
    REDACTOR.filter(record)
    assert FAKE["T_BINANCE_SECRET"] not in record.getMessage()
    assert "***" in record.getMessage()


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, scripts.cli\n"
        "from click.testing import CliRunner\n"
        "r = CliRunner().invoke(scripts.cli.cli, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('httpx', 'anyio', 'returns.future', 'adapters.registry',"
        " 'adapters.binance', 'atomic_fp.models', 'cattrs') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print(r.output)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for name in ("scan", "execute", "positions", "funding-history", "venues", "record", "run"):
        assert name in done.stdout


def test_backtest_shown_only_when_importable() -> None:
    from scripts.cli import COMMANDS, _available

    assert "backtest" in COMMANDS
    shown = CliRunner().invoke(cli, ["--help"]).output
    assert ("backtest" in shown) == _available(COMMANDS["backtest"][0])


def test_a_command_whose_module_cannot_import_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scripts import cli as cli_module

    lazy = dict(cli_module.COMMANDS)
    lazy["broken"] = ("scripts.no_such_module_here:cmd", "A command whose module is missing.")
    monkeypatch.setattr(cli_module.cli, "_lazy", lazy)
    monkeypatch.setattr(cli_module, "_available", lambda path: True)
    result = CliRunner().invoke(cli, ["broken"])
    assert result.exit_code == 2
    assert "unavailable" in result.stderr
