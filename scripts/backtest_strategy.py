"""The decisions' configuration for a backtest: ``[strategy]`` and venue fees from the
config (``--config``, else the group's), the command-line overrides applied, and the rate
basis (split out of :mod:`scripts.backtest_command`)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import click

if TYPE_CHECKING:
    from atomic_fp.models import ArbitrageConfig
    from scripts.backtest_options import Request
    from scripts.config import AppConfig


def backtest_config(ctx: click.Context, request: Request) -> AppConfig:
    """``--config`` when given (an invalid file fails the command, exit code 2), else the
    group's configuration."""
    from scripts.config import ConfigError, load
    from scripts.context import app_context, fail

    app = app_context(ctx)
    if request.config_path is None:
        return app.config()
    try:
        return load(request.config_path, app.environ)
    except ConfigError as error:
        fail(f"invalid configuration: {error}")


def basis_of(ctx: click.Context, request: Request) -> str:
    """``--basis``, else the config's ``[strategy] basis``."""
    if request.basis is not None:
        return request.basis.lower()
    return backtest_config(ctx, request).strategy.basis


def backtest_fees(config: Any) -> dict[str, Any]:
    """Each data venue's published base tier by its name (``binance``, ``bybit``,
    ``hyperliquid``...: the research data's venues need no config section), then the
    config's venues (config fees, else their kind's published tier)."""
    from adapters.published_fees import PUBLISHED_FEES
    from scripts.fees import published_or_configured

    return {
        **{name: quote.fees for name, quote in PUBLISHED_FEES.items()},
        **published_or_configured(config),
    }


def backtest_strategy(ctx: click.Context, request: Request) -> ArbitrageConfig:
    """[strategy] and venue fees from the config (``--config``, else the group's), with the
    command-line overrides applied. Sizes default to 1 base unit."""
    from scripts.config import ConfigError
    from scripts.context import fail

    config = backtest_config(ctx, request)
    strategy = config.strategy
    values = {**strategy.values, **request.overrides}
    if "close_threshold" not in values and "build_threshold" in values:
        values["close_threshold"] = min(Decimal("0.01"), values["build_threshold"])
    trade, limit = values.get("trade_size", Decimal(1)), values.get("max_position", Decimal(1))
    if trade > limit:  # the decisions would cap every trade at max_position, silently
        given = [
            f"--{n.replace('_', '-')}"
            for n in ("trade_size", "max_position")
            if n in request.overrides
        ]
        where = " and ".join(given) or f"[strategy] in {config.source}"
        fail(
            f"trade size {trade} is above max position {limit} ({where}): "
            "expected trade_size <= max_position"
        )
    try:
        return attrs.evolve(strategy, values=values).arbitrage_config(backtest_fees(config))
    except ConfigError as error:
        fail(f"invalid strategy: {error}")
