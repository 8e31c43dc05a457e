"""The ``atomic-fp`` configuration file: TOML in, typed values out.

Where the file comes from: ``--config PATH``, else ``$ATOMIC_FP_CONFIG``, else
``./atomic-fp.toml`` when present, else built-in defaults (the four native venues on their
public mainnet endpoints, which need no keys for market data).

Shape::

    [venues.binance]                 # the id is yours: "binance-sub2" is fine too
    kind = "binance"                 # built-in kind, or "package.module:factory"
    base_url = "https://fapi.binance.com"
    timeout = 10                     # seconds
    api_key_env = "BINANCE_API_KEY"  # credentials ONLY by environment-variable name
    api_secret_env = "BINANCE_API_SECRET"
    fees = { maker = "0.0002", taker = "0.0005" }

    [venues.binance.symbols]         # overrides for the odd cases
    "1000PEPEUSDT" = "PEPE"          # multiplier read from the prefix (1000)
    "1MBABYDOGEUSDT" = { symbol = "BABYDOGE", multiplier = "1000000" }

    [strategy]                       # ArbitrageConfig fields
    build_threshold = "0.10"
    close_threshold = "0.02"
    trade_size = "0.01"
    max_position = "0.05"
    symbols = ["BTC", "ETH"]

    [journal]
    path = "atomic-fp.sqlite"

Nothing here performs I/O beyond reading the one file and the environment; every problem
is a :class:`ConfigError` naming the file, the key and what was expected, which the CLI
turns into exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs

from atomic_fp.models import VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.alerts_config import AlertSettings, parse_alerts
from scripts.config_location import DEFAULT_FILE, DEFAULT_VENUES, ENV_CONFIG, SECTIONS, locate
from scripts.config_strategy import (
    MAX_ORDER_VALIDITY_SECONDS,
    StrategySettings,
    parse_strategy,
)
from scripts.config_values import (
    MAX_DURATION_SECONDS,
    ConfigError,
    decimal_value,
    parse_ca_bundle,
    parse_duration,
    parse_symbol,
    require_table,
)
from scripts.config_venues import (
    BUILTIN_KIND_NAMES,
    CREDENTIAL_KEYS,
    DEFAULT_MAX_RESPONSE_BYTES,
    MAX_TIMEOUT_SECONDS,
    URL_KEYS,
    VenueConfig,
    parse_venue,
)

__all__ = [
    "BUILTIN_KIND_NAMES",
    "CREDENTIAL_KEYS",
    "DEFAULT_FILE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_VENUES",
    "ENV_CONFIG",
    "MAX_DURATION_SECONDS",
    "MAX_ORDER_VALIDITY_SECONDS",
    "MAX_TIMEOUT_SECONDS",
    "URL_KEYS",
    "AlertSettings",
    "AppConfig",
    "ConfigError",
    "StrategySettings",
    "VenueConfig",
    "decimal_value",
    "default_config",
    "load",
    "locate",
    "parse",
    "parse_alerts",
    "parse_ca_bundle",
    "parse_duration",
    "parse_strategy",
    "parse_symbol",
    "parse_venue",
    "require_table",
]


@attrs.frozen
class AppConfig:
    source: str
    venues: tuple[VenueConfig, ...]
    strategy: StrategySettings = attrs.Factory(StrategySettings)
    journal_path: Path | None = None
    journal_busy_timeout: timedelta = timedelta(seconds=30)
    """How long a journal write waits for another writer before it fails (SQLite's
    busy timeout); the failure is reported, never a traceback."""
    store_path: Path | None = None
    """``[store] path``: the local funding store (``None``: ``./atomic-fp-funding.sqlite``)."""
    alerts: AlertSettings | None = None
    """``[alerts]``: where alerts go and when (``None``: no alerts)."""

    def fees(self) -> dict[str, VenueFees]:
        return {str(v.id): v.fees for v in self.venues if v.fees is not None}

    def venue(self, name: str) -> VenueConfig | None:
        return next((v for v in self.venues if str(v.id) == name), None)


def default_config() -> AppConfig:
    """No file: the native venues on their public mainnet endpoints, no credentials."""
    return AppConfig(
        source="<defaults>",
        venues=tuple(VenueConfig(id=ExchangeIdentifier(n), kind=n) for n in DEFAULT_VENUES),
    )


def load(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> AppConfig:
    """Locate and parse the configuration; raises :class:`ConfigError` when invalid."""
    env = os.environ if environ is None else environ
    path = locate(explicit, env, cwd or Path.cwd())
    if path is None:
        return default_config()
    source = str(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(source, "(file)", "an existing TOML file", "no such file") from None
    except OSError as error:
        raise ConfigError(source, "(file)", "a readable file", error.strerror) from None
    # imported only to read a file: compiling tomllib's regular expressions at its import
    # costs ~5 ms, which a scan without a config file (the built-in venues) never needs
    import tomllib

    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(source, "(file)", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, "(syntax)", "valid TOML", reason=str(error)) from None
    return parse(data, source, base_dir=path.parent)


def parse(data: Mapping[str, Any], source: str, base_dir: Path | None = None) -> AppConfig:
    """Turn decoded TOML into an :class:`AppConfig` (pure; used by :func:`load`)."""
    unknown = set(data) - set(SECTIONS)
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            source,
            key,
            "one of the sections [venues.<id>], [strategy], [journal], [store], [alerts], [tls]",
        )
    tls = require_table(data.get("tls", {}), source, "tls")
    if set(tls) - {"ca_bundle"}:
        raise ConfigError(source, f"tls.{sorted(set(tls) - {'ca_bundle'})[0]}", "ca_bundle")
    global_bundle = parse_ca_bundle(tls.get("ca_bundle"), source, "tls.ca_bundle")
    venues_table = require_table(data.get("venues", {}), source, "venues")
    venues = tuple(
        parse_venue(name, require_table(section, source, f"venues.{name}"), source)
        for name, section in venues_table.items()
    )
    if "venues" not in data:
        venues = default_config().venues
    if global_bundle is not None:
        venues = tuple(
            v if v.ca_bundle is not None else attrs.evolve(v, ca_bundle=global_bundle)
            for v in venues
        )
    strategy = parse_strategy(require_table(data.get("strategy", {}), source, "strategy"), source)
    journal = require_table(data.get("journal", {}), source, "journal")
    busy_timeout = timedelta(seconds=30)
    if "busy_timeout" in journal:
        busy_timeout = parse_duration(journal["busy_timeout"], source, "journal.busy_timeout")
    journal_path = _path_section(data, "journal", source, base_dir, ("busy_timeout",))
    store_path = _path_section(data, "store", source, base_dir)
    alerts = (
        parse_alerts(require_table(data["alerts"], source, "alerts"), source)
        if "alerts" in data
        else None
    )
    return AppConfig(
        source=source,
        venues=venues,
        strategy=strategy,
        journal_path=journal_path,
        journal_busy_timeout=busy_timeout,
        store_path=store_path,
        alerts=alerts,
    )


def _path_section(
    data: Mapping[str, Any],
    section: str,
    source: str,
    base_dir: Path | None,
    others: tuple[str, ...] = (),
) -> Path | None:
    """``[journal]`` / ``[store]``: a table's ``path`` (relative to the file); ``others``
    are the section's other keys (read by the caller), any further key is an error."""
    table = require_table(data.get(section, {}), source, section)
    allowed = ("path", *others)
    for key in table:
        if key not in allowed:
            expected = "only " + " and ".join(repr(name) for name in allowed)
            raise ConfigError(source, f"{section}.{key}", expected)
    if "path" not in table:
        return None
    raw = table["path"]
    if not isinstance(raw, str) or not raw.strip() or "\x00" in raw:
        raise ConfigError(source, f"{section}.path", "a file path string", raw)
    path = Path(raw)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    return path
