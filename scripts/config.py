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

import importlib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.alerts_config import AlertSettings, parse_alerts

ENV_CONFIG = "ATOMIC_FP_CONFIG"
DEFAULT_FILE = "atomic-fp.toml"
BUILTIN_KIND_NAMES = (
    "binance", "hyperliquid", "grvt", "lighter", "bybit", "okx", "aster", "paradex", "paper",
    "ccxt",
)  # fmt: skip
DEFAULT_VENUES = ("binance", "hyperliquid", "grvt", "lighter")

# Kept in step with adapters.registry.BUILTIN_KINDS (a test checks it); duplicated here so
# that reading a config does not import httpx.
CREDENTIAL_KEYS: Mapping[str, tuple[str, ...]] = {
    "binance": ("api_key", "api_secret"),
    "hyperliquid": ("account_address", "agent_private_key"),
    "grvt": ("api_key", "sub_account_id", "private_key"),
    "lighter": ("account_index", "api_key_index", "api_private_key"),
    "bybit": ("api_key", "api_secret"),
    "okx": ("api_key", "api_secret", "passphrase"),
    "aster": ("user", "signer", "private_key"),
    "paradex": ("account_address", "stark_private_key"),
    "paper": (),
    "ccxt": ("api_key", "secret", "password"),
}
URL_KEYS = ("base_url", "ws_url", "trading_url", "auth_url")
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
"""``adapters._http.DEFAULT_MAX_BODY_BYTES`` (not imported: it would load httpx at start-up)."""
_VENUE_KEYS = frozenset(
    {
        "kind", *URL_KEYS, "timeout", "max_response_bytes", "fees", "symbols", "options",
        "enabled", "ca_bundle",
    }
)  # fmt: skip
_STRATEGY_DECIMALS = (
    "build_threshold",
    "close_threshold",
    "max_position",
    "trade_size",
    "slippage_cap",
    "liquidation_buffer",
    "min_liquidation_distance",
    "max_total_exposure",
    "min_open_interest",
    "min_volume_24h",
)
_STRATEGY_DURATIONS = ("holding_horizon", "max_data_age", "interval", "order_validity")
MAX_ORDER_VALIDITY_SECONDS = 60.0
"""Binance's largest ``recvWindow``; a longer validity would not be enforced by it."""
_STRATEGY_KEYS = frozenset({*_STRATEGY_DECIMALS, *_STRATEGY_DURATIONS, "symbols", "basis"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_PREFIX_MULTIPLIERS = {"k": 1000, "1M": 1_000_000}
MAX_TIMEOUT_SECONDS = 3600.0
MAX_DURATION_SECONDS = 3650 * 86400.0


class ConfigError(Exception):
    """An invalid configuration: which file, which key, what was expected."""

    def __init__(
        self, source: str, key: str, expected: str, got: object = None, *, reason: str = ""
    ) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        shown = "" if got is None else f", got {_show(got)}"
        # ``reason`` is a parser's or a model's own explanation (a TOML line and column, a
        # rule between two thresholds): shown whole, never cut like a quoted value
        because = f": {reason}" if reason else ""
        super().__init__(f"{source}: {key}: expected {expected}{shown}{because}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@attrs.frozen
class VenueConfig:
    """One ``[venues.<id>]`` section, credentials still by reference (env-var names)."""

    id: ExchangeIdentifier
    kind: str
    base_url: str | None = None
    ws_url: str | None = None
    trading_url: str | None = None
    auth_url: str | None = None
    timeout: float = 10.0
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    fees: VenueFees | None = None
    credential_env: Mapping[str, str] = attrs.field(factory=dict)
    symbol_overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)
    options: Mapping[str, str] = attrs.field(factory=dict)
    enabled: bool = True
    ca_bundle: str | None = None
    """PEM file of CAs its HTTPS connections trust instead of the default store
    (``[venues.<id>] ca_bundle``, else ``[tls] ca_bundle``; see ``adapters/tls.py``)."""

    def resolve_credentials(self, environ: Mapping[str, str]) -> dict[str, str]:
        """Secret values of the credentials whose variables are set (unset ones are left
        out: the venue then refuses private calls with ``NotConfigured``)."""
        return {
            key: environ[variable]
            for key, variable in self.credential_env.items()
            if environ.get(variable)
        }

    def missing_credentials(self, environ: Mapping[str, str]) -> tuple[str, ...]:
        """Environment variables named in the config but not set."""
        return tuple(v for v in self.credential_env.values() if not environ.get(v))


@attrs.frozen
class StrategySettings:
    """``[strategy]``: the ArbitrageConfig fields plus which symbols to trade."""

    values: Mapping[str, Decimal] = attrs.field(factory=dict)
    durations: Mapping[str, timedelta] = attrs.field(factory=dict)
    symbols: tuple[Symbol, ...] = ()
    interval: timedelta = timedelta(minutes=1)
    source: str = "<defaults>"
    basis: str = "current"
    """The estimator decisions rank by (:class:`atomic_fp.decisions.estimators.Basis`)."""

    def has_trading_sizes(self) -> bool:
        return "trade_size" in self.values and "max_position" in self.values

    def arbitrage_config(self, fees: Mapping[str, VenueFees]) -> ArbitrageConfig:
        """The ArbitrageConfig to decide with. Sizes default to 1 (scan only ranks
        APRs; ``execute`` and ``run`` refuse to trade without explicit sizes)."""
        v = self.values
        build = v.get("build_threshold", Decimal("0.05"))
        kwargs: dict[str, Any] = {
            "build_threshold": build,
            "close_threshold": v.get("close_threshold", min(Decimal("0.01"), build)),
            "max_position": v.get("max_position", Decimal(1)),
            "trade_size": v.get("trade_size", Decimal(1)),
            "fees": dict(fees),
        }
        for name in (
            "slippage_cap",
            "liquidation_buffer",
            "max_total_exposure",
            "min_open_interest",
            "min_volume_24h",
        ):
            if name in v:
                kwargs[name] = v[name]
        if "min_liquidation_distance" in v:  # the documented name of liquidation_buffer
            kwargs["liquidation_buffer"] = v["min_liquidation_distance"]
        for name in ("holding_horizon", "max_data_age"):
            if name in self.durations:
                kwargs[name] = self.durations[name]
        if kwargs["trade_size"] > kwargs["max_position"]:
            # the decisions would quietly cap every trade at max_position: say so instead
            raise ConfigError(
                self.source,
                "strategy.trade_size",
                f"at most strategy.max_position ({kwargs['max_position']})",
                str(kwargs["trade_size"]),
            )
        try:
            return ArbitrageConfig(**kwargs)
        except (ValueError, TypeError) as error:
            field = next((n for n in _STRATEGY_DECIMALS if str(error).startswith(n)), None)
            key = f"strategy.{field}" if field else "strategy"
            raise ConfigError(
                self.source, key, "a consistent strategy", reason=str(error)
            ) from None


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


def locate(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """Which file to read (``None`` = defaults). An explicit or env path must exist."""
    if explicit:
        return Path(explicit)
    if environ.get(ENV_CONFIG):
        return Path(environ[ENV_CONFIG])
    candidate = cwd / DEFAULT_FILE
    return candidate if candidate.is_file() else None


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
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(source, "(file)", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, "(syntax)", "valid TOML", reason=str(error)) from None
    return parse(data, source, base_dir=path.parent)


def parse(data: Mapping[str, Any], source: str, base_dir: Path | None = None) -> AppConfig:
    """Turn decoded TOML into an :class:`AppConfig` (pure; used by :func:`load`)."""
    unknown = set(data) - {"venues", "strategy", "journal", "store", "alerts", "tls"}
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(
            source,
            key,
            "one of the sections [venues.<id>], [strategy], [journal], [store], [alerts], [tls]",
        )
    tls = _table(data.get("tls", {}), source, "tls")
    if set(tls) - {"ca_bundle"}:
        raise ConfigError(source, f"tls.{sorted(set(tls) - {'ca_bundle'})[0]}", "ca_bundle")
    global_bundle = _ca_bundle(tls.get("ca_bundle"), source, "tls.ca_bundle")
    venues_table = _table(data.get("venues", {}), source, "venues")
    venues = tuple(
        _venue(name, _table(section, source, f"venues.{name}"), source)
        for name, section in venues_table.items()
    )
    if "venues" not in data:
        venues = default_config().venues
    if global_bundle is not None:
        venues = tuple(
            v if v.ca_bundle is not None else attrs.evolve(v, ca_bundle=global_bundle)
            for v in venues
        )
    strategy = _strategy(_table(data.get("strategy", {}), source, "strategy"), source)
    journal = _table(data.get("journal", {}), source, "journal")
    busy_timeout = timedelta(seconds=30)
    if "busy_timeout" in journal:
        busy_timeout = parse_duration(journal["busy_timeout"], source, "journal.busy_timeout")
    journal_path = _path_section(data, "journal", source, base_dir, ("busy_timeout",))
    store_path = _path_section(data, "store", source, base_dir)
    alerts = (
        parse_alerts(_table(data["alerts"], source, "alerts"), source) if "alerts" in data else None
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
    table = _table(data.get(section, {}), source, section)
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


def _table(value: object, source: str, key: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(source, key, "a table", value)
    return value


def _venue(name: str, section: Mapping[str, Any], source: str) -> VenueConfig:
    prefix = f"venues.{name}"
    try:
        venue_id = ExchangeIdentifier(name)
    except ValueError:
        raise ConfigError(
            source, prefix, "a lowercase venue id (letters, digits, _ . -)", name
        ) from None
    kind = section.get("kind", name if name in BUILTIN_KIND_NAMES else None)
    if not isinstance(kind, str) or not kind:
        raise ConfigError(
            source,
            f"{prefix}.kind",
            f"one of {', '.join(BUILTIN_KIND_NAMES)} or 'package.module:factory'",
            kind,
        )
    if kind not in BUILTIN_KIND_NAMES and ":" not in kind:
        raise ConfigError(
            source,
            f"{prefix}.kind",
            f"one of {', '.join(BUILTIN_KIND_NAMES)} or 'package.module:factory'",
            kind,
        )
    credential_env: dict[str, str] = {}
    known_credentials = CREDENTIAL_KEYS.get(kind)
    for key, value in section.items():
        if key in _VENUE_KEYS or (key == "exchange" and kind == "ccxt"):
            continue
        if key.endswith("_env"):
            credential = key.removesuffix("_env")
            if known_credentials is not None and credential not in known_credentials:
                expected = ", ".join(f"{c}_env" for c in known_credentials) or "no credentials"
                raise ConfigError(source, f"{prefix}.{key}", f"one of: {expected}")
            if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
                # the value is not echoed: it may be a secret pasted in the wrong place
                raise ConfigError(
                    source,
                    f"{prefix}.{key}",
                    "the NAME of an environment variable (letters, digits, _), not its value",
                )
            credential_env[credential] = value
            continue
        if known_credentials is not None and key in known_credentials:
            raise ConfigError(
                source,
                f"{prefix}.{key}",
                f'no secret in the file: write {key}_env = "ENV_VAR_NAME" instead',
            )
        raise ConfigError(
            source,
            f"{prefix}.{key}",
            "one of kind, base_url, ws_url, trading_url, auth_url, timeout, "
            "max_response_bytes, fees, symbols, options, enabled, ca_bundle, <credential>_env",
        )
    urls: dict[str, str | None] = {}
    for key in URL_KEYS:
        value = section.get(key)
        if value is not None and (
            not isinstance(value, str) or not re.match(r"^(https?|wss?)://", value)
        ):
            raise ConfigError(source, f"{prefix}.{key}", "an http(s):// or ws(s):// URL", value)
        urls[key] = value
    timeout = section.get("timeout", 10.0)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or not 0 < timeout <= MAX_TIMEOUT_SECONDS
    ):
        raise ConfigError(
            source,
            f"{prefix}.timeout",
            f"a positive number of seconds (at most {MAX_TIMEOUT_SECONDS})",
            timeout,
        )
    cap = section.get("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES)
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1024 <= cap <= 1 << 30:
        raise ConfigError(
            source, f"{prefix}.max_response_bytes", "a whole number of bytes, 1024 to 2^30", cap
        )
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(source, f"{prefix}.enabled", "true or false", enabled)
    options_raw = _table(section.get("options", {}), source, f"{prefix}.options")
    options = {str(k): _option(v, source, f"{prefix}.options.{k}") for k, v in options_raw.items()}
    if kind == "ccxt":
        options["exchange"] = _ccxt_exchange(section.get("exchange"), source, prefix)
    return VenueConfig(
        id=venue_id,
        kind=kind,
        base_url=urls["base_url"],
        ws_url=urls["ws_url"],
        trading_url=urls["trading_url"],
        auth_url=urls["auth_url"],
        timeout=float(timeout),
        max_response_bytes=cap,
        fees=_fees(section.get("fees"), source, f"{prefix}.fees"),
        credential_env=credential_env,
        symbol_overrides=_symbols(section.get("symbols", {}), source, f"{prefix}.symbols"),
        options=options,
        enabled=enabled,
        ca_bundle=_ca_bundle(section.get("ca_bundle"), source, f"{prefix}.ca_bundle"),
    )


def _ccxt_exchange(value: object, source: str, prefix: str) -> str:
    """The ``exchange`` of a ``kind = "ccxt"`` venue: an id ccxt knows. ccxt is imported
    here only, when such a venue is configured (it takes a while to load)."""
    key = f"{prefix}.exchange"
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9_]+", value):
        raise ConfigError(source, key, 'a ccxt exchange id, e.g. exchange = "bitget"', value)
    try:
        ccxt: Any = importlib.import_module("ccxt")
    except ImportError:
        raise ConfigError(
            source, key, "the ccxt library installed: pip install 'atomic-fp[ccxt]'"
        ) from None
    known: list[str] = list(ccxt.exchanges)
    if value not in known:
        near = ", ".join(k for k in known if k.startswith(value[:3]))[:120]
        hint = f" (similar: {near})" if near else ""
        raise ConfigError(source, key, f"an exchange id ccxt knows{hint}", value)
    return value


def _ca_bundle(value: object, source: str, key: str) -> str | None:
    """A readable file path, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise ConfigError(source, key, "the path of a readable PEM file of CA certificates", value)
    return value


def _option(value: object, source: str, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ConfigError(source, key, "a string, number or boolean", value)


def decimal_value(value: object, source: str, key: str) -> Decimal:
    """A TOML string/integer/float as an exact Decimal (floats through their repr)."""
    if isinstance(value, bool):
        raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value)
    try:
        if isinstance(value, str):
            result = Decimal(value.strip())
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value)
    except InvalidOperation:
        raise ConfigError(source, key, 'a decimal number (e.g. "0.0005")', value) from None
    if not result.is_finite():
        raise ConfigError(source, key, "a finite decimal number", value)
    return result


def _fees(value: object, source: str, key: str) -> VenueFees | None:
    if value is None:
        return None
    table = _table(value, source, key)
    for name in table:
        if name not in ("maker", "taker"):
            raise ConfigError(source, f"{key}.{name}", "only 'maker' and 'taker'")
    if "maker" not in table or "taker" not in table:
        missing = "maker" if "maker" not in table else "taker"
        raise ConfigError(source, f"{key}.{missing}", 'a fee rate as a fraction (e.g. "0.0005")')
    maker = decimal_value(table["maker"], source, f"{key}.maker")
    taker = decimal_value(table["taker"], source, f"{key}.taker")
    if taker < 0:
        raise ConfigError(source, f"{key}.taker", "a fee rate >= 0", table["taker"])
    return VenueFees(maker=maker, taker=taker)


def _symbols(value: object, source: str, key: str) -> dict[str, tuple[Symbol, Decimal]]:
    """Per-venue symbol overrides.

    ``"1000PEPEUSDT" = "PEPE"``: the multiplier is read from the venue name's prefix in
    front of the canonical base (``1000``, ``k``, ``1M``...; none = 1). When the prefix is
    not a plain number the table form is required:
    ``"X" = { symbol = "PEPE", multiplier = "1000" }``. Silently guessing 1 for a
    multiplied contract would size a hedge leg 1000x wrong.
    """
    table = _table(value, source, key)
    result: dict[str, tuple[Symbol, Decimal]] = {}
    for venue_name, target in table.items():
        entry_key = f"{key}.{venue_name!s}"
        if isinstance(target, str):
            symbol = _symbol(target, source, entry_key)
            multiplier = _prefix_multiplier(str(venue_name), symbol.base, source, entry_key)
        elif isinstance(target, dict):
            for name in target:
                if name not in ("symbol", "multiplier"):
                    raise ConfigError(source, f"{entry_key}.{name}", "only symbol and multiplier")
            if "symbol" not in target:
                raise ConfigError(source, f"{entry_key}.symbol", "the canonical base (e.g. PEPE)")
            symbol = _symbol(target["symbol"], source, f"{entry_key}.symbol")
            multiplier = decimal_value(
                target.get("multiplier", 1), source, f"{entry_key}.multiplier"
            )
            if multiplier <= 0:
                raise ConfigError(
                    source, f"{entry_key}.multiplier", "a positive number", target["multiplier"]
                )
        else:
            raise ConfigError(
                source, entry_key, "a canonical symbol or {symbol = ..., multiplier = ...}", target
            )
        result[str(venue_name)] = (symbol, multiplier)
    return result


def _symbol(value: object, source: str, key: str) -> Symbol:
    if not isinstance(value, str):
        raise ConfigError(source, key, 'a symbol such as "BTC" or "PEPE"', value)
    try:
        return Symbol.parse(value)
    except ValueError:
        raise ConfigError(source, key, 'a symbol such as "BTC" or "PEPE"', value) from None


def _prefix_multiplier(venue_name: str, base: str, source: str, key: str) -> Decimal:
    index = venue_name.upper().find(base)
    if index < 0:
        raise ConfigError(
            source,
            key,
            f'the table form {{ symbol = "{base}", multiplier = ... }} '
            f"(cannot find {base} in {venue_name!r} to read its multiplier)",
        )
    prefix = venue_name[:index]
    if prefix == "":
        return Decimal(1)
    if prefix in _PREFIX_MULTIPLIERS:
        return Decimal(_PREFIX_MULTIPLIERS[prefix])
    if prefix.isdigit() and int(prefix) > 0:
        return Decimal(int(prefix))
    raise ConfigError(
        source,
        key,
        f'the table form {{ symbol = "{base}", multiplier = ... }} '
        f"(prefix {prefix!r} is not a multiplier)",
    )


def parse_duration(value: object, source: str, key: str) -> timedelta:
    """``30`` (seconds), ``"30s"``, ``"5m"``, ``"8h"``, ``"7d"``."""
    if isinstance(value, bool):
        raise ConfigError(source, key, 'a duration such as "5m", "8h", "7d" or seconds', value)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ConfigError(source, key, 'a duration such as "5m", "8h", "7d" or seconds', value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_DURATION_SECONDS:
        raise ConfigError(source, key, "a positive duration of at most 3650 days", value)
    duration = timedelta(seconds=seconds)
    if duration <= timedelta(0):  # 1e-121 s is positive, but timedelta(0) in microseconds
        raise ConfigError(source, key, "a positive duration of at most 3650 days", value)
    return duration


def _basis(value: object, source: str, key: str) -> str:
    from atomic_fp.decisions.estimators import Basis

    choices = ", ".join(repr(b.value) for b in Basis)
    if not isinstance(value, str):
        raise ConfigError(source, key, f"one of {choices}", value)
    try:
        return Basis.parse(value).value
    except ValueError:
        raise ConfigError(source, key, f"one of {choices}", value) from None


def _strategy(table: Mapping[str, Any], source: str) -> StrategySettings:
    values: dict[str, Decimal] = {}
    durations: dict[str, timedelta] = {}
    symbols: tuple[Symbol, ...] = ()
    basis = "current"
    for key, value in table.items():
        where = f"strategy.{key}"
        if key not in _STRATEGY_KEYS:
            raise ConfigError(source, where, "one of " + ", ".join(sorted(_STRATEGY_KEYS)))
        if key in _STRATEGY_DECIMALS:
            number = decimal_value(value, source, where)
            if key in ("max_position", "trade_size", "max_total_exposure") and number <= 0:
                raise ConfigError(source, where, "a positive size in base-asset units", value)
            if key in ("min_open_interest", "min_volume_24h") and number <= 0:
                raise ConfigError(source, where, "a positive amount in the quote currency", value)
            if key in ("slippage_cap", "liquidation_buffer") and number < 0:
                raise ConfigError(source, where, "a fraction >= 0", value)
            if key in ("liquidation_buffer", "min_liquidation_distance") and not 0 <= number < 1:
                raise ConfigError(
                    source, where, "a fraction of the mark price in [0, 1), e.g. 0.15", value
                )
            if key == "min_liquidation_distance" and "liquidation_buffer" in table:
                raise ConfigError(
                    source, where, "only one of min_liquidation_distance and liquidation_buffer"
                )
            values[key] = number
        elif key in _STRATEGY_DURATIONS:
            durations[key] = parse_duration(value, source, where)
            if key == "order_validity" and durations[key].total_seconds() > 60:
                raise ConfigError(
                    source, where, "at most 60 seconds (Binance's largest recvWindow)", value
                )
        elif key == "basis":
            basis = _basis(value, source, where)
        else:
            if not isinstance(value, list):
                raise ConfigError(source, where, 'a list of symbols, e.g. ["BTC", "ETH"]', value)
            symbols = tuple(_symbol(s, source, f"{where}[{i}]") for i, s in enumerate(value))
    settings = StrategySettings(
        values=values,
        durations=durations,
        symbols=symbols,
        interval=durations.get("interval", timedelta(minutes=1)),
        source=source,
        basis=basis,
    )
    settings.arbitrage_config({})  # validate cross-field rules now, naming the file
    return settings
