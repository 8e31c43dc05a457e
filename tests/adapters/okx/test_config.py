"""OKX in the TOML config, the registry and the CLI: credentials come from the three
environment variables named in the file, and a bad OKX section or option is a clear
error (exit code 2, no traceback), never a half-built client."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns.result import Failure, Success

from adapters.binance import BinanceConfig
from adapters.okx import OkxClient, OkxConfig
from adapters.registry import VenueSettings, build_client
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli
from scripts.config import ConfigError, load, parse
from scripts.runtime import build_live

GOOD = """
[venues.okx-main]
kind = "okx"
api_key_env = "T_OKX_KEY"
api_secret_env = "T_OKX_SECRET"
passphrase_env = "T_OKX_PASSPHRASE"
options = { td_mode = "isolated", simulated = "true" }
"""
ENV = {"T_OKX_KEY": "key-1", "T_OKX_SECRET": "secret-2", "T_OKX_PASSPHRASE": "phrase-3"}


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path


def test_the_three_credentials_resolve_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "atomic-fp.toml"
    path.write_text(GOOD)
    config = load(str(path), environ={})
    venue = config.venue("okx-main")
    assert venue is not None and venue.kind == "okx"
    assert venue.resolve_credentials(ENV) == {
        "api_key": "key-1",
        "api_secret": "secret-2",
        "passphrase": "phrase-3",
    }
    assert venue.missing_credentials({"T_OKX_KEY": "x"}) == ("T_OKX_SECRET", "T_OKX_PASSPHRASE")
    [built] = build_live(config.venues, ENV)
    client = built.client.unwrap()
    assert isinstance(client, OkxClient) and "phrase-3" not in repr(client)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[venues.okx]\npassphrase = "abc"\n', "venues.okx.passphrase", "no secret"),
        ('[venues.okx]\npassword_env = "X"\n', "venues.okx.password_env", "passphrase_env"),
        ('[venues.okx]\nbase_url = "www.okx.com"\n', "venues.okx.base_url", "URL"),
    ],
)
def test_a_bad_okx_section_names_the_key(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = tmp_path / "atomic-fp.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load(str(path), environ={})
    assert caught.value.key == key and expected in str(caught.value)


@pytest.mark.parametrize(
    ("options", "credentials", "expected"),
    [
        ({"td_mode": "hedged"}, {}, "td_mode='hedged' must be cross or isolated"),
        ({"simulated": "yes"}, {}, "simulated='yes' must be true or false"),
        ({"markets_ttl_seconds": "-5"}, {}, "markets_ttl_seconds='-5' must be > 0"),
        ({}, {"api_key": "k", "api_secret": "s"}, "api_key, api_secret and passphrase"),
    ],
)
def test_a_client_that_cannot_be_built_says_why(
    options: dict[str, str], credentials: dict[str, str], expected: str
) -> None:
    settings = VenueSettings(
        id=ExchangeIdentifier("okx"), kind="okx", options=options, credentials=credentials
    )
    built = build_client(settings)
    assert isinstance(built, Failure)
    assert built.failure().startswith("venue okx: ") and expected in built.failure()


def test_the_typed_config_and_the_toml_build_the_same_client() -> None:
    typed = OkxConfig(api_key="k", api_secret="s", passphrase="p", simulated=True)
    settings = typed.settings()
    assert settings.kind == "okx" and settings.options == {"simulated": "true"}
    assert dict(settings.credentials) == {"api_key": "k", "api_secret": "s", "passphrase": "p"}
    assert isinstance(build_client(settings), Success)
    with pytest.raises(TypeError, match="cannot build a okx client"):
        OkxClient(BinanceConfig())  # type: ignore[arg-type]
    shown = repr(OkxConfig(api_key="KEY-x", api_secret="SECRET-y", passphrase="PHRASE-z"))
    assert "KEY-x" not in shown and "SECRET-y" not in shown and "PHRASE-z" not in shown


def test_atomic_fp_venues_lists_okx(isolated: Path) -> None:
    result = CliRunner().invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.stdout)["kinds"]}
    assert "okx" in kinds
    assert "passphrase_env" in kinds["okx"]["credential_keys"]
    assert "funding_rates" in kinds["okx"]["capabilities"]


def test_a_bad_okx_option_exits_2_without_a_traceback(isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text(
        '[venues.okx]\nkind = "okx"\noptions = { td_mode = "hedged" }\n'
    )
    assert parse(tomllib.loads((isolated / "atomic-fp.toml").read_text()), "x").venues
    result = CliRunner().invoke(cli, ["scan", "--venues", "okx"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "td_mode" in result.stderr
