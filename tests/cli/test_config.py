"""The TOML configuration: typed values, credentials by env-var name, precise errors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.registry import BUILTIN_KINDS
from atomic_fp.models import Symbol
from scripts.config import CREDENTIAL_KEYS, ConfigError, default_config, load, locate, parse

GOOD = """
[venues.binance]
kind = "binance"
base_url = "https://testnet.binancefuture.com"
timeout = 5
api_key_env = "T_BINANCE_KEY"
api_secret_env = "T_BINANCE_SECRET"
fees = { maker = "0.0002", taker = 0.0004 }

[venues.binance.symbols]
"1000PEPEUSDT" = "PEPE"
"1MBABYDOGEUSDT" = "BABYDOGE"
"WEIRDUSDT" = { symbol = "ODD", multiplier = "10" }

[venues.hl-main]
kind = "hyperliquid"
account_address_env = "T_HL_ADDR"
agent_private_key_env = "T_HL_KEY"

[venues.hl-main.symbols]
kPEPE = "PEPE"

[venues.mine]
kind = "mypackage.venue:create"
token_env = "T_MINE_TOKEN"
options = { region = "eu", fast = true }

[strategy]
build_threshold = "0.10"
close_threshold = "0.02"
trade_size = "0.01"
max_position = "0.05"
holding_horizon = "14d"
max_data_age = "90s"
interval = "5m"
symbols = ["BTC", "eth"]

[journal]
path = "state/journal.sqlite"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "atomic-fp.toml"
    path.write_text(text)
    return path


def test_a_full_config_parses_to_typed_values(tmp_path: Path) -> None:
    config = load(str(_write(tmp_path, GOOD)), environ={})
    binance = config.venue("binance")
    assert binance is not None
    assert binance.base_url == "https://testnet.binancefuture.com"
    assert binance.timeout == 5.0
    assert binance.fees is not None and binance.fees.taker == Decimal("0.0004")
    assert binance.symbol_overrides["1000PEPEUSDT"] == (Symbol("PEPE"), Decimal(1000))
    assert binance.symbol_overrides["1MBABYDOGEUSDT"] == (Symbol("BABYDOGE"), Decimal(1_000_000))
    assert binance.symbol_overrides["WEIRDUSDT"] == (Symbol("ODD"), Decimal(10))
    hl = config.venue("hl-main")
    assert hl is not None and hl.kind == "hyperliquid"
    assert hl.symbol_overrides["kPEPE"] == (Symbol("PEPE"), Decimal(1000))
    mine = config.venue("mine")
    assert mine is not None and mine.kind == "mypackage.venue:create"
    assert mine.options == {"region": "eu", "fast": "true"}
    assert mine.credential_env == {"token": "T_MINE_TOKEN"}
    strategy = config.strategy
    assert strategy.symbols == (Symbol("BTC"), Symbol("ETH"))
    assert strategy.interval == timedelta(minutes=5)
    arbitrage = strategy.arbitrage_config(config.fees())
    assert arbitrage.build_threshold == Decimal("0.10")
    assert arbitrage.holding_horizon == timedelta(days=14)
    assert arbitrage.max_data_age == timedelta(seconds=90)
    assert arbitrage.fees_for("binance").taker == Decimal("0.0004")
    assert config.journal_path == tmp_path / "state" / "journal.sqlite"


def test_credentials_resolve_from_the_environment_only(tmp_path: Path) -> None:
    config = load(str(_write(tmp_path, GOOD)), environ={})
    binance = config.venue("binance")
    assert binance is not None
    env = {"T_BINANCE_KEY": "k-123456", "T_BINANCE_SECRET": "s-abcdef"}
    assert binance.resolve_credentials(env) == {"api_key": "k-123456", "api_secret": "s-abcdef"}
    assert binance.missing_credentials({"T_BINANCE_KEY": "x"}) == ("T_BINANCE_SECRET",)
    assert "k-123456" not in repr(config)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[venues.binance]\napi_secret = "abc"\n', "venues.binance.api_secret", "no secret"),
        ('[venues.binance]\napi_key_env = "not a name"\n', "venues.binance.api_key_env", "NAME"),
        ('[venues.binance]\npassword_env = "X"\n', "venues.binance.password_env", "api_key_env"),
        ('[venues.x]\nkind = "kraken"\n', "venues.x.kind", "package.module:factory"),
        ("[venues.x]\nenabled = true\n", "venues.x.kind", "package.module:factory"),
        ("[venues.x]\nkind = 5\n", "venues.x.kind", "package.module:factory"),
        ('[venues.Binance]\nkind = "binance"\n', "venues.Binance", "lowercase venue id"),
        ('[venues.binance]\nbase_url = "fapi.binance.com"\n', "venues.binance.base_url", "URL"),
        ('[venues.binance]\nfees = { maker = "0.1" }\n', "venues.binance.fees.taker", "fee"),
        (
            '[venues.binance]\nfees = { maker = "x", taker = "0" }\n',
            "venues.binance.fees.maker",
            "decimal",
        ),
        ('[venues.binance]\nenabled = "yes"\n', "venues.binance.enabled", "true or false"),
        (
            '[venues.binance.symbols]\n"XUSDT" = "PEPE"\n',
            "venues.binance.symbols.XUSDT",
            "table form",
        ),
        (
            '[venues.binance.symbols]\n"FOOPEPEUSDT" = "PEPE"\n',
            "venues.binance.symbols.FOOPEPEUSDT",
            "not a multiplier",
        ),
        ('[strategy]\ntrade_size = "-1"\n', "strategy.trade_size", "positive"),
        ('[strategy]\nholding_horizon = "a week"\n', "strategy.holding_horizon", "duration"),
        (
            '[strategy]\nbuild_threshold = "0.01"\nclose_threshold = "0.05"\n',
            "strategy.close_threshold",
            "consistent",
        ),
        ('[strategy]\nsymbols = "BTC"\n', "strategy.symbols", "list"),
        ("[strategy]\nleverage = 3\n", "strategy.leverage", "one of"),
        ("[journal]\npath = 3\n", "journal.path", "file path"),
        ("[extra]\n", "extra", "sections"),
        ("[venues\n", "(syntax)", "valid TOML"),
    ],
)
def test_invalid_files_name_the_key_and_what_was_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(str(path), environ={})
    message = str(caught.value)
    assert message.startswith(str(path))
    assert caught.value.key == key
    assert expected in message


def test_location_order(tmp_path: Path) -> None:
    assert locate(None, {}, tmp_path) is None
    _write(tmp_path, "")
    assert locate(None, {}, tmp_path) == tmp_path / "atomic-fp.toml"
    assert locate(None, {"ATOMIC_FP_CONFIG": "/x.toml"}, tmp_path) == Path("/x.toml")
    assert locate("/y.toml", {"ATOMIC_FP_CONFIG": "/x.toml"}, tmp_path) == Path("/y.toml")


def test_defaults_are_the_four_native_venues_without_keys() -> None:
    config = default_config()
    assert [str(v.id) for v in config.venues] == ["binance", "hyperliquid", "grvt", "lighter"]
    assert all(not v.credential_env for v in config.venues)
    assert parse({}, "x").venues == config.venues


def test_credential_keys_match_the_registry() -> None:
    for name, kind in BUILTIN_KINDS.items():
        assert CREDENTIAL_KEYS[name] == kind.credential_keys


def test_a_secret_pasted_as_a_variable_name_is_not_echoed(tmp_path: Path) -> None:
    path = _write(tmp_path, '[venues.binance]\napi_secret_env = "sk-live/Abc+123=="\n')
    with pytest.raises(ConfigError) as caught:
        load(str(path), environ={})
    assert "sk-live" not in str(caught.value)
    assert caught.value.key == "venues.binance.api_secret_env"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"strategy": {"interval": float("inf")}}, "strategy.interval"),
        ({"strategy": {"interval": float("nan")}}, "strategy.interval"),
        ({"strategy": {"max_data_age": "99999999999d"}}, "strategy.max_data_age"),
        ({"strategy": {"holding_horizon": 1e300}}, "strategy.holding_horizon"),
        # positive as a float, timedelta(0) once in microseconds (found by the fuzzer)
        ({"strategy": {"interval": 4.159263158265127e-121}}, "strategy.interval"),
        ({"strategy": {"max_data_age": 4e-7}}, "strategy.max_data_age"),
        ({"venues": {"binance": {"timeout": float("nan")}}}, "venues.binance.timeout"),
        ({"venues": {"binance": {"timeout": float("inf")}}}, "venues.binance.timeout"),
        ({"venues": {"binance": {"symbols": {"0PEPE": "PEPE"}}}}, "venues.binance.symbols.0PEPE"),
        ({"journal": {"path": "bad\x00name.sqlite"}}, "journal.path"),
    ],
)
def test_values_found_by_the_reliability_fuzzer_are_named_errors(
    data: dict[str, object], key: str
) -> None:
    """Regressions from tests/reliability/test_config_fuzz.py (issue 8): NaN/inf timeouts
    and durations, durations past timedelta's range, a zero multiplier prefix, NUL in a
    path. Each is a ConfigError naming the key, never a stray exception or a bad value."""
    with pytest.raises(ConfigError) as caught:
        parse(data, "fuzz.toml")
    assert caught.value.key == key
