"""Aster in the TOML config and the CLI: ``atomic-fp venues`` lists the kind with its keys;
a bad section is a configuration error (exit 2, the key named, no traceback, nothing on
stdout, no key echoed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from returns.result import Failure

from adapters.registry import VenueSettings, build_client
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.cli import cli
from scripts.config import CREDENTIAL_KEYS
from tests.adapters.aster._client import AGENT, AGENT_KEY, USER
from tests.adapters.aster.fake_venue import FakeAster, serve


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_venues_lists_aster_with_its_keys(isolated: Path) -> None:
    result = CliRunner().invoke(cli, ["venues", "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {k["kind"]: k for k in json.loads(result.stdout)["kinds"]}
    assert kinds["aster"]["config_keys"] == ["base_url"]
    assert kinds["aster"]["credential_keys"] == ["user_env", "signer_env", "private_key_env"]
    assert "funding_rates" in kinds["aster"]["capabilities"]
    assert CREDENTIAL_KEYS["aster"] == ("user", "signer", "private_key")


FOREIGN_KEY = "0x" + "7e" * 32


@pytest.mark.parametrize(
    ("section", "env", "expected"),
    [
        ('options = { recv_window_ms = "60000" }', {}, "recv_window_ms must be at most 5000"),
        ('options = { chain_id = "56" }', {}, "chain_id must be 1666 (mainnet) or 714"),
        ('options = { recvwindow = "5000" }', {}, "unknown aster option 'recvwindow'"),
        (
            'options = { weight_per_minute = "lots" }',
            {},
            "aster option weight_per_minute='lots' is not a number",
        ),
        ('options = { markets_ttl_seconds = "0" }', {}, "markets_ttl_seconds='0' must be > 0"),
        ('api_key_env = "ASTER_KEY"', {}, "api_key_env"),
    ],
)
def test_a_bad_aster_section_is_a_configuration_error(
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    section: str,
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (isolated / "atomic-fp.toml").write_text(f'[venues.ast]\nkind = "aster"\n{section}\n')
    result = CliRunner().invoke(cli, ["scan"])
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert "venues.ast" in result.stderr or "ast" in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""
    assert FOREIGN_KEY not in result.output


def test_a_private_key_that_is_not_the_signers_fails_the_build_without_echoing_it() -> None:
    built = build_client(
        VenueSettings(
            id=ExchangeIdentifier("ast"),
            kind="aster",
            credentials={"user": USER, "signer": AGENT, "private_key": FOREIGN_KEY},
        )
    )
    assert isinstance(built, Failure)
    assert "private_key does not belong to signer" in built.failure()
    assert "venue ast" in built.failure()
    assert FOREIGN_KEY not in built.failure()


@pytest.fixture
def fake() -> FakeAster:
    return FakeAster({USER: AGENT})


@pytest.fixture
def fake_url(fake: FakeAster) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def test_scan_reads_aster_beside_another_venue(
    isolated: Path, fake: FakeAster, fake_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's section, pointed at an Aster-speaking server on 127.0.0.1 (whose
    ``commissionRate`` is down, so the fees are the published tier)."""
    fake.commission_down = True
    monkeypatch.setenv("ASTER_USER", USER)
    monkeypatch.setenv("ASTER_SIGNER", AGENT)
    monkeypatch.setenv("ASTER_SIGNER_KEY", AGENT_KEY)
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.aster]\nkind = "aster"\nbase_url = "{fake_url}"\n'
        'user_env = "ASTER_USER"\nsigner_env = "ASTER_SIGNER"\n'
        'private_key_env = "ASTER_SIGNER_KEY"\n'
        '[venues.paper]\nkind = "paper"\n'
        'options = { symbols = "BTC", "funding_rate.BTC" = "0.001" }\n'
    )
    result = CliRunner().invoke(cli, ["scan", "--all-pairs", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["venues"]["aster"]["ok"] is True
    assert report["venues"]["aster"]["kind"] == "aster"
    assert report["venues"]["aster"]["fees"]["source"] == "published"
    pairs = {(o["long_venue"], o["short_venue"], o["symbol"]) for o in report["opportunities"]}
    assert ("aster", "paper", "BTC") in pairs
    assert AGENT_KEY not in result.output


def test_scan_with_an_api_wallet_uses_the_accounts_commission_rate(
    isolated: Path, fake: FakeAster, fake_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``commissionRate`` (the documented body: 0.02 % / 0.04 %) is the account's fee."""
    monkeypatch.setenv("ASTER_USER", USER)
    monkeypatch.setenv("ASTER_SIGNER", AGENT)
    monkeypatch.setenv("ASTER_SIGNER_KEY", AGENT_KEY)
    (isolated / "atomic-fp.toml").write_text(
        f'[venues.aster]\nkind = "aster"\nbase_url = "{fake_url}"\n'
        'user_env = "ASTER_USER"\nsigner_env = "ASTER_SIGNER"\n'
        'private_key_env = "ASTER_SIGNER_KEY"\n'
    )
    result = CliRunner().invoke(cli, ["scan", "--format", "json"])
    assert result.exit_code == 0, result.output
    fees = json.loads(result.stdout)["venues"]["aster"]["fees"]
    assert (fees["source"], fees["maker"], fees["taker"]) == ("account", "0.0002", "0.0004")
    assert "/fapi/v3/commissionRate" in fees["detail"]
    assert any(p == "/fapi/v3/commissionRate" for _, p, _ in fake.requests)
