"""The ``[alerts]`` section: where alerts go and when to raise them.

```toml
[alerts]
url_env = "ATOMIC_FP_ALERT_URL"   # env var holding the apprise URL(s), e.g. tgram://TOKEN/CHAT
spread_above = "25%"              # a pair netting more than this (scan --alert-above wins)
cooldown = "30m"                  # the same alert at most once per cool-down
venue_down_after = "5m"           # a venue failing this long
liquidation_buffer = "0.10"       # a leg whose mark is within 10 % of its liquidation price
```

The URL holds the channel's secret (a bot token, a webhook key), so the file names only the
environment variable; several URLs may be given separated by spaces or commas.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from scripts.config_values import ConfigError, parse_duration

_KEYS = ("url_env", "spread_above", "cooldown", "venue_down_after", "liquidation_buffer")


@attrs.frozen
class AlertSettings:
    url_env: str
    spread_above: Decimal | None = None
    cooldown: timedelta = timedelta(minutes=30)
    venue_down_after: timedelta = timedelta(minutes=5)
    liquidation_buffer: Decimal = Decimal("0.10")


def _fraction(value: object, source: str, key: str) -> Decimal:
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    try:
        number = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ConfigError(
            source, key, 'a fraction or percentage such as "0.25" or "25%"', value
        ) from None
    if not number.is_finite() or number < 0 or isinstance(value, bool):
        raise ConfigError(source, key, "a non-negative fraction or percentage", value)
    return number


def parse_alerts(table: Mapping[str, Any], source: str) -> AlertSettings:
    for key in table:
        if key not in _KEYS:
            raise ConfigError(source, f"alerts.{key}", f"one of {', '.join(_KEYS)}")
    url_env = table.get("url_env")
    if not isinstance(url_env, str) or not url_env.strip():
        raise ConfigError(
            source,
            "alerts.url_env",
            "the name of the environment variable holding the URL",
            url_env,
        )
    settings = AlertSettings(url_env=url_env.strip())
    if "spread_above" in table:
        settings = attrs.evolve(
            settings, spread_above=_fraction(table["spread_above"], source, "alerts.spread_above")
        )
    if "liquidation_buffer" in table:
        value = _fraction(table["liquidation_buffer"], source, "alerts.liquidation_buffer")
        settings = attrs.evolve(settings, liquidation_buffer=value)
    if "cooldown" in table:
        cooldown = parse_duration(table["cooldown"], source, "alerts.cooldown")
        settings = attrs.evolve(settings, cooldown=cooldown)
    if "venue_down_after" in table:
        after = parse_duration(table["venue_down_after"], source, "alerts.venue_down_after")
        settings = attrs.evolve(settings, venue_down_after=after)
    return settings
