"""Paradex in the TOML config, the registry and the CLI: ``kind = "paradex"`` builds a
client (market data; trading with its two credentials), ``atomic-fp venues`` lists it,
and a bad Paradex option is a clear error (exit code 2, no traceback), never a half-built
client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns.result import Success

from adapters.okx import OkxConfig
from adapters.paradex import ParadexClient, ParadexConfig
from adapters.registry import BUILTIN_KINDS, build_client
from scripts.cli import cli
from scripts.config import CREDENTIAL_KEYS, load
from scripts.runtime import build_live


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path


def test_a_paradex_section_builds_a_paradex_client(tmp_path: Path) -> None:
    path = tmp_path / "atomic-fp.toml"
    path.write_text(
        '[venues.paradex]\nkind = "paradex"\n'
        'base_url = "https://api.testnet.paradex.trade/v1"\n'
        'options = { markets_ttl_seconds = "300" }\n'
    )
    config = load(str(path), environ={})
    venue = config.venue("paradex")
    assert venue is not None and venue.kind == "paradex"
    [built] = build_live(config.venues, {})
    client = built.client.unwrap()
    assert isinstance(client, ParadexClient) and "testnet" in repr(client)


def test_typed_config_and_registry_agree() -> None:
    assert BUILTIN_KINDS["paradex"].credential_keys == CREDENTIAL_KEYS["paradex"]
    assert CREDENTIAL_KEYS["paradex"] == ("account_address", "stark_private_key")
    assert isinstance(build_client(ParadexConfig().settings()), Success)
    with pytest.raises(TypeError, match="cannot build a paradex client"):
        ParadexClient(OkxConfig())  # type: ignore[arg-type]


def test_atomic_fp_venues_lists_paradex_with_market_data_only(isolated: Path) -> None:
    result = CliRunner().invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.stdout)["kinds"]}
    assert "funding_rates" in kinds["paradex"]["capabilities"]
    assert "place_order" not in kinds["paradex"]["capabilities"]


@pytest.mark.parametrize(
    ("option", "named"),
    [('markets_ttl_seconds = "soon"', "markets_ttl_seconds"),
     ('public_requests_per_second = "0"', "public_requests_per_second"),
     ('chain_id = "paradex mainnet"', "chain_id"),
     ('recv_window_ms = "-5"', "recv_window_ms")],
)  # fmt: skip
def test_a_bad_paradex_option_exits_2_without_a_traceback(
    isolated: Path, option: str, named: str
) -> None:
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.paradex]\nkind = "paradex"\noptions = {{ {option} }}\n'
    )
    result = CliRunner().invoke(cli, ["scan", "--venues", "paradex"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert named in result.stderr


def test_a_credential_for_paradex_is_a_config_error_exit_2(isolated: Path) -> None:
    """Only ``account_address`` and ``stark_private_key`` are taken: naming another
    credential (paradex-py's ``l2_private_key``) is refused, not silently ignored."""
    (isolated / "atomic-fp.toml").write_text(
        '[venues.paradex]\nkind = "paradex"\nl2_private_key_env = "T_PARADEX_KEY"\n'
    )
    result = CliRunner().invoke(cli, ["scan", "--venues", "paradex"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "l2_private_key_env" in result.stderr


def test_a_malformed_stark_key_exits_2_naming_the_key_never_its_value(isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.paradex]\nkind = "paradex"\n'
        'account_address_env = "T_PARADEX_ACCOUNT"\nstark_private_key_env = "T_PARADEX_KEY"\n'
    )
    env = {"T_PARADEX_ACCOUNT": "0x129c", "T_PARADEX_KEY": "secret-not-hex-42"}
    result = CliRunner().invoke(cli, ["positions", "--venues", "paradex"], env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "stark_private_key" in result.stderr
    assert "secret-not-hex-42" not in result.output


def test_half_a_credential_pair_exits_2_naming_the_missing_one(isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.paradex]\nkind = "paradex"\naccount_address_env = "T_PARADEX_ACCOUNT"\n'
    )
    result = CliRunner().invoke(
        cli, ["positions", "--venues", "paradex"], env={"T_PARADEX_ACCOUNT": "0x129c"}
    )
    assert result.exit_code == 2, result.output
    assert "stark_private_key" in result.stderr
