"""Bybit in the TOML config and the CLI: ``atomic-fp venues`` lists the kind; a bad option
is a configuration error (exit 2, the file and key named, no traceback, nothing printed on
stdout); a good section with its keys in the environment scans through a Bybit-speaking
server on 127.0.0.1 beside another venue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns.result import Failure, Success

from adapters.bybit import BybitClient, BybitConfig
from atomic_fp.errors import AuthenticationError
from atomic_fp.models import Symbol
from scripts.cli import cli
from scripts.config import CREDENTIAL_KEYS
from tests.adapters.bybit._client import KEY, SECRET
from tests.adapters.bybit.fake_venue import FakeBybit, serve


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def fake_url() -> Iterator[str]:
    with serve(FakeBybit(KEY, SECRET)) as url:
        yield url


def test_venues_lists_bybit_with_its_keys(isolated: Path) -> None:
    result = CliRunner().invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.stdout)["kinds"]}
    assert "bybit" in kinds
    assert kinds["bybit"]["config_keys"] == ["base_url", "ws_url"]
    assert kinds["bybit"]["credential_keys"] == ["api_key_env", "api_secret_env"]
    assert "funding_rates" in kinds["bybit"]["capabilities"]
    assert CREDENTIAL_KEYS["bybit"] == ("api_key", "api_secret")


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            'options = { recv_window_ms = "soon" }',
            "bybit option recv_window_ms='soon' is not a number",
        ),
        ('options = { recv_window_ms = "90000" }', "recv_window_ms must be at most 60000"),
        ('options = { recv_windw_ms = "5000" }', "unknown bybit option 'recv_windw_ms'"),
        ('options = { markets_ttl_seconds = "-1" }', "markets_ttl_seconds='-1' must be > 0"),
        ('private_key_env = "BYBIT_KEY"', "private_key_env"),
    ],
)
def test_a_bad_bybit_section_is_a_configuration_error(
    isolated: Path, section: str, expected: str
) -> None:
    (isolated / "atomic-fp.toml").write_text(f'[venues.bb]\nkind = "bybit"\n{section}\n')
    result = CliRunner().invoke(cli, ["scan"])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert "invalid configuration" in result.stderr
    assert "venues.bb" in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""


def test_scan_reads_bybit_beside_another_venue(
    isolated: Path, fake_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYBIT_API_KEY", KEY)
    monkeypatch.setenv("BYBIT_API_SECRET", SECRET)
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.bybit]\nkind = "bybit"\nbase_url = "{fake_url}"\n'
        'api_key_env = "BYBIT_API_KEY"\napi_secret_env = "BYBIT_API_SECRET"\n'
        '[venues.paper]\nkind = "paper"\n'
        'options = { symbols = "BTC,ETH", "funding_rate.BTC" = "0.001" }\n'
    )
    result = CliRunner().invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["venues"]["bybit"]["ok"] is True
    assert report["venues"]["bybit"]["kind"] == "bybit"
    assert report["venues"]["bybit"]["fees"]["source"] == "account"  # read with the keys
    pairs = {(o["long_venue"], o["short_venue"], o["symbol"]) for o in report["opportunities"]}
    assert ("bybit", "paper", "BTC") in pairs
    assert SECRET not in result.output


def test_the_config_class_builds_the_seed_style_client() -> None:
    client = BybitClient(BybitConfig(api_key="k", api_secret="s"))
    assert repr(client) == "BybitClient(bybit, https://api.bybit.com, with credentials)"
    assert "s" not in repr(BybitConfig(api_key="k", api_secret="s")).split("id=")[0]
    with pytest.raises(TypeError):
        BybitClient(object())  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_connect_loads_markets_once_and_checks_the_keys(fake_url: str) -> None:
    """The seed's client shape: ``BybitClient(BybitConfig(...))``, ``await connect()``
    (markets, then one signed balance read when keys are given), ``async with``."""
    async with BybitClient(BybitConfig(base_url=fake_url)) as public:
        first = public.connection
        assert first is not None
        assert Symbol("BTC") in {m.symbol for m in first.unwrap()}
        again = await public.connect()  # idempotent
        assert again.unwrap() == first.unwrap()
    keyed = BybitClient(BybitConfig(base_url=fake_url, api_key=KEY, api_secret=SECRET))
    assert isinstance(await keyed.connect(), Success)
    await keyed.aclose()
    wrong = BybitClient(BybitConfig(base_url=fake_url, api_key=KEY, api_secret="x" * 40))
    refused = await wrong.connect()  # markets load (public); the signed balance read fails
    assert isinstance(refused, Failure) and isinstance(refused.failure(), AuthenticationError)
    assert "x" * 40 not in refused.failure().describe()
    assert isinstance(await wrong.connect(), Failure)  # retried, not cached
    await wrong.aclose()
