"""``[venues.<id>]`` sections: which venue, where it is, its fees, symbols and credentials
(by environment-variable name only).

Split out of :mod:`scripts.config` (which re-exports every public name here).
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from atomic_fp.models import Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier
from scripts.config_location import BUILTIN_KIND_NAMES as BUILTIN_KIND_NAMES
from scripts.config_values import (
    ConfigError,
    decimal_value,
    parse_ca_bundle,
    parse_symbol,
    require_table,
)

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
_PREFIX_MULTIPLIERS = {"k": 1000, "1M": 1_000_000}
MAX_TIMEOUT_SECONDS = 3600.0


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


def parse_venue(name: str, section: Mapping[str, Any], source: str) -> VenueConfig:
    prefix = f"venues.{name}"
    try:
        venue_id = ExchangeIdentifier(name)
    except ValueError:
        raise ConfigError(
            source, prefix, "a lowercase venue id (letters, digits, _ . -)", name
        ) from None
    kind = section.get("kind", name if name in BUILTIN_KIND_NAMES else None)
    if (
        not isinstance(kind, str)
        or not kind
        or (kind not in BUILTIN_KIND_NAMES and ":" not in kind)
    ):
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
    options_raw = require_table(section.get("options", {}), source, f"{prefix}.options")
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
        ca_bundle=parse_ca_bundle(section.get("ca_bundle"), source, f"{prefix}.ca_bundle"),
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


def _option(value: object, source: str, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ConfigError(source, key, "a string, number or boolean", value)


def _fees(value: object, source: str, key: str) -> VenueFees | None:
    if value is None:
        return None
    table = require_table(value, source, key)
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
    table = require_table(value, source, key)
    result: dict[str, tuple[Symbol, Decimal]] = {}
    for venue_name, target in table.items():
        entry_key = f"{key}.{venue_name!s}"
        if isinstance(target, str):
            symbol = parse_symbol(target, source, entry_key)
            multiplier = _prefix_multiplier(str(venue_name), symbol.base, source, entry_key)
        elif isinstance(target, dict):
            for name in target:
                if name not in ("symbol", "multiplier"):
                    raise ConfigError(source, f"{entry_key}.{name}", "only symbol and multiplier")
            if "symbol" not in target:
                raise ConfigError(source, f"{entry_key}.symbol", "the canonical base (e.g. PEPE)")
            symbol = parse_symbol(target["symbol"], source, f"{entry_key}.symbol")
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
