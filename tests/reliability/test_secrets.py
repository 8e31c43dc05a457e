"""No secret anywhere: every CLI command, run with fake credentials in the environment and
a config naming them, against local venue servers (Binance, Hyperliquid, GRVT wire
servers on 127.0.0.1, which check the signatures, so the keys are really used) and a
paper venue, never shows a credential in stdout, stderr (plain and ``--log-json``), a log
record, an error, a journal row (every table of the SQLite file, and its raw bytes with
the WAL) or a file it writes (snapshot, CSV).

The commands: ``venues``, ``scan`` (live and ``--offline``), ``execute --dry-run``,
``execute --yes`` (a real trade: paper long, Binance short over the wire), ``positions``,
``funding-history``, ``record``, ``run --max-cycles 1``, ``backtest`` when it exists, and
failure paths: a venue whose key the server refuses, and a config that wrongly holds a
secret value where an environment-variable name belongs.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from scripts.cli import COMMANDS, _available, cli
from scripts.context import Redactor
from tests.adapters.grvt.server import Exchange
from tests.adapters.grvt.server import serve as serve_grvt
from tests.adapters.hyperliquid.fake_venue import MASTER, FakeHyperliquid
from tests.adapters.hyperliquid.fake_venue import serve as serve_hyperliquid
from tests.reliability.wire import FaultServer, FaultyBinance

BINANCE_KEY = "SECRET-binkey-abc123XYZ"
BINANCE_SECRET = "SECRET-binsecret-def456UVW"
BAD_BINANCE_SECRET = "SECRET-badsecret-ghi789RST"
HL_AGENT_KEY = "0x" + "5ec2e7a1" * 8
GRVT_API_KEY = "SECRET-grvtkey-jkl012OPQ"
GRVT_PRIVATE_KEY = "0x" + "c0ffee5e" * 8
LIGHTER_KEY = "SECRET-lighter-mno345LMN"

SECRETS = {
    "T_BIN_KEY": BINANCE_KEY,
    "T_BIN_SECRET": BINANCE_SECRET,
    "T_BAD_SECRET": BAD_BINANCE_SECRET,
    "T_HL_AGENT": HL_AGENT_KEY,
    "T_GRVT_KEY": GRVT_API_KEY,
    "T_GRVT_PK": GRVT_PRIVATE_KEY,
    "T_LIGHTER_KEY": LIGHTER_KEY,
}
PUBLIC = {
    "T_HL_ACCOUNT": MASTER,  # an account address is public
    "T_GRVT_SUB": "2147050003876484",
    "T_LIGHTER_ACCOUNT": "1",
    "T_LIGHTER_INDEX": "2",
}


def needles() -> list[str]:
    """Each secret, and the forms it could leak in (without 0x, upper/lower case)."""
    found: list[str] = []
    for value in SECRETS.values():
        bare = value.removeprefix("0x")
        found += [value, bare, bare.upper(), bare.lower()]
    return sorted(set(found))


def assert_clean(where: str, text: str | bytes) -> None:
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    for needle in needles():
        assert needle.encode() not in data, f"secret {needle[:12]}... leaked in {where}"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CONFIG = """
[venues.binance]
base_url = "{binance}"
timeout = 2
api_key_env = "T_BIN_KEY"
api_secret_env = "T_BIN_SECRET"

[venues.binance-bad]
kind = "binance"
base_url = "{binance}"
timeout = 2
api_key_env = "T_BIN_KEY"
api_secret_env = "T_BAD_SECRET"

[venues.hyperliquid]
base_url = "{hyperliquid}"
timeout = 2
account_address_env = "T_HL_ACCOUNT"
agent_private_key_env = "T_HL_AGENT"
options = {{ network = "mainnet" }}

[venues.grvt]
base_url = "{grvt_market}"
trading_url = "{grvt_trading}"
auth_url = "{grvt_auth}"
ws_url = "ws://127.0.0.1:{closed}"
timeout = 2
api_key_env = "T_GRVT_KEY"
sub_account_id_env = "T_GRVT_SUB"
private_key_env = "T_GRVT_PK"

[venues.lighter]
base_url = "http://127.0.0.1:{closed}"
ws_url = "ws://127.0.0.1:{closed}"
timeout = 1
account_index_env = "T_LIGHTER_ACCOUNT"
api_key_index_env = "T_LIGHTER_INDEX"
api_private_key_env = "T_LIGHTER_KEY"

[venues.paper]
kind = "paper"
[venues.paper.options]
symbols = "BTC"
"price.BTC" = "65000"
"funding_rate.BTC" = "-0.001"
state_path = "{paper_state}"

[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]

[journal]
path = "journal.sqlite"
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    for name, value in {**SECRETS, **PUBLIC}.items():
        monkeypatch.setenv(name, value)
    binance = FaultServer(FaultyBinance(BINANCE_KEY, BINANCE_SECRET))
    hyperliquid = FakeHyperliquid(mainnet=True)
    hyperliquid.agent = Account.from_key(HL_AGENT_KEY).address
    grvt = Exchange(
        api_key=GRVT_API_KEY,
        sub_account_id=PUBLIC["T_GRVT_SUB"],
        authorised_key=GRVT_PRIVATE_KEY,
    )
    try:
        with serve_hyperliquid(hyperliquid) as hl_url, serve_grvt(grvt) as hosts:
            (tmp_path / "atomic-fp.toml").write_text(
                CONFIG.format(
                    binance=binance.url,
                    hyperliquid=hl_url,
                    grvt_market=hosts.market,
                    grvt_trading=hosts.trading,
                    grvt_auth=hosts.auth,
                    closed=closed_port(),
                    paper_state=tmp_path / "paper.json",
                )
            )
            yield tmp_path
    finally:
        binance.stop()


COMMAND_LINES: list[list[str]] = [
    ["-vv", "venues"],
    ["--log-json", "venues", "--format", "json"],
    ["-vv", "scan", "--all-pairs"],
    ["-vv", "--log-json", "scan", "--format", "json"],
    ["-vv", "scan", "--offline"],
    ["-vv", "execute", "--dry-run"],
    ["-vv", "--log-json", "execute", "--dry-run", "--format", "json"],
    ["-vv", "--log-json", "execute", "--yes", "--format", "json"],
    ["-vv", "positions"],
    ["-vv", "--log-json", "positions", "--format", "json"],
    [
        "-vv",
        "--log-json",
        "funding-history",
        "binance",
        "BTC",
        "--since",
        "2024-01-01",
        "--until",
        "2024-01-20",
        "--out",
        "history.csv",
    ],
    ["-vv", "--log-json", "record", "--out", "snapshot.json"],
    ["-vv", "--log-json", "run", "--yes", "--max-cycles", "1", "--interval", "1s"],
    ["-vv", "execute", "--yes", "--venues", "binance-bad,paper"],
    ["-vv", "--log-json", "positions", "--venues", "binance-bad,grvt,lighter"],
]


def written_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def journal_rows(path: Path) -> str:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in db.execute(f'SELECT * FROM "{table}"')
        )
    finally:
        db.close()


@pytest.mark.parametrize(
    "redaction",
    # "off" is the stronger check (nothing is masked, so nothing may reach an output);
    # the production setting adds only masking, so CI runs "off" and -m long both.
    [pytest.param("on", marks=pytest.mark.long), "off"],
)
def test_every_command_keeps_every_secret(
    world: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, redaction: str
) -> None:
    """With the output redactor ``off`` the test shows no secret even *reaches* an output
    (the redactor is a last line of defence, not what keeps them out)."""
    if redaction == "off":
        monkeypatch.setattr(Redactor, "scrub", lambda self, text: text)
        monkeypatch.setattr(Redactor, "filter", lambda self, record: True)
    lines = list(COMMAND_LINES)
    if _available(COMMANDS["backtest"][0]):
        lines.append(
            [
                "-vv",
                "--log-json",
                "backtest",
                "--data",
                "history.csv",
                "--config",
                "atomic-fp.toml",
                "--price",
                "BTC=65000",
                "--format",
                "json",
                "--out-dir",
                "backtest-out",
            ]
        )
    runner = CliRunner()
    outcomes: dict[str, int] = {}
    traded = False
    for args in lines:
        result = runner.invoke(cli, args)
        name = " ".join(args)
        outcomes[name] = result.exit_code
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{name}: escaped {result.exception!r}\n{result.stderr}")
        assert_clean(f"stdout of {name}", result.stdout)
        assert_clean(f"stderr of {name}", result.stderr)
        if args[:4] == ["-vv", "--log-json", "execute", "--yes"]:
            traded = '"filled"' in result.stdout or "complete" in result.stdout
        if "binance-bad" in args[-1]:
            # the refused key produced errors (the failure path ran, and was checked)
            assert "binance-bad" in result.stderr + result.stdout, result.stderr
    assert_clean("log records", caplog.text)
    for record in caplog.records:
        assert_clean("log record args", repr(record.args))
    # The live trade really went over the wire with the keys (else this proves little).
    assert traded, outcomes
    journal = world / "journal.sqlite"
    assert journal.exists()
    rows = journal_rows(journal)
    assert "binance" in rows and "paper" in rows
    assert_clean("journal rows", rows)
    for path in written_files(world):
        if path.name == "atomic-fp.toml":
            continue
        assert_clean(f"file {path.name}", path.read_bytes())
    assert (world / "history.csv").exists() and (world / "snapshot.json").exists()


def test_a_secret_value_written_where_a_name_belongs_is_not_echoed(
    world: Path,
) -> None:
    config = world / "atomic-fp.toml"
    text = config.read_text().replace('api_secret_env = "T_BIN_SECRET"', "XX", 1)
    config.write_text(text.replace("XX", f'api_secret_env = "{BINANCE_SECRET}"'))
    runner = CliRunner()
    for args in (["venues"], ["--log-json", "scan"], ["execute", "--dry-run"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "api_secret_env" in result.stderr
        assert_clean(f"stderr of {args}", result.stderr)
        assert_clean(f"stdout of {args}", result.stdout)
    inline = text.replace("XX", f'api_secret = "{BINANCE_SECRET}"')
    config.write_text(inline)
    result = runner.invoke(cli, ["venues"])
    assert result.exit_code == 2 and "api_secret_env" in result.stderr
    assert_clean("stderr of an inline secret", result.stderr)
