"""``[strategy]``: the ArbitrageConfig fields (thresholds, sizes, durations), the symbols to
trade and the rate estimator the decisions rank by.

Split out of :mod:`scripts.config` (which re-exports every public name here).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs

from atomic_fp.models import ArbitrageConfig, Symbol, VenueFees
from scripts.config_values import ConfigError, decimal_value, parse_duration, parse_symbol

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


def _basis(value: object, source: str, key: str) -> str:
    from atomic_fp.decisions.estimators import Basis

    choices = ", ".join(repr(b.value) for b in Basis)
    if not isinstance(value, str):
        raise ConfigError(source, key, f"one of {choices}", value)
    try:
        return Basis.parse(value).value
    except ValueError:
        raise ConfigError(source, key, f"one of {choices}", value) from None


def parse_strategy(table: Mapping[str, Any], source: str) -> StrategySettings:
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
            symbols = tuple(parse_symbol(s, source, f"{where}[{i}]") for i, s in enumerate(value))
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
