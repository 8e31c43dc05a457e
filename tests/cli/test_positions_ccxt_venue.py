"""``atomic-fp positions`` reads a ccxt venue's account end to end: ``kind = "ccxt"``,
``exchange = "bitget"``, keys from the env vars the TOML names, against the local Bitget
that checks every request's signature (``tests/adapters/ccxt_venue/fake_venue.py``). The
ETH short (0.3 ETH) is reported in base units; a wrong secret makes the venue NOT
COUNTED (its exposure unknown), never a flat account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.ccxt_venue.fake_venue import (
    API_KEY,
    PASSPHRASE,
    SECRET,
    FakeBitgetAccount,
    config_toml,
    serve,
)

KEYS = {
    "api_key_env": "BITGET_TEST_KEY",
    "secret_env": "BITGET_TEST_SECRET",
    "password_env": "BITGET_TEST_PASSPHRASE",
}


@pytest.fixture
def bitget() -> Iterator[tuple[FakeBitgetAccount, str]]:
    fake = FakeBitgetAccount()
    with serve(fake) as url:
        yield fake, url


def _keys(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("BITGET_TEST_KEY", API_KEY)
    monkeypatch.setenv("BITGET_TEST_SECRET", secret)
    monkeypatch.setenv("BITGET_TEST_PASSPHRASE", PASSPHRASE)


def test_positions_reads_the_ccxt_venue_in_base_units(
    runner: CliRunner,
    isolated: Path,
    bitget: tuple[FakeBitgetAccount, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, url = bitget
    _keys(monkeypatch, SECRET)
    (isolated / "atomic-fp.toml").write_text(config_toml(url, KEYS))
    result = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (row,) = [r for r in data["positions"] if r["venue"] == "bitget"]
    assert row["symbol"] == "ETH"
    assert Decimal(row["base_size"]) == Decimal("-0.3")
    assert fake.rejected == []
    assert SECRET not in result.output


def test_a_refused_signature_is_not_counted_not_flat(
    runner: CliRunner,
    isolated: Path,
    bitget: tuple[FakeBitgetAccount, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, url = bitget
    _keys(monkeypatch, "wrong-secret")
    (isolated / "atomic-fp.toml").write_text(config_toml(url, KEYS))
    result = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    assert result.exit_code == 1, result.output  # no venue answered
    assert "/api/v2/mix/position/all-position" in fake.rejected
    data = json.loads(result.stdout)
    assert data["complete"] is False and data["positions"] == []
    assert "sign signature error" in data["not_counted"]["bitget"]
    assert "AuthenticationError" in data["not_counted"]["bitget"]
    assert "wrong-secret" not in result.output
