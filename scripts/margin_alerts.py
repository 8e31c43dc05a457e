"""Margin alerts of ``positions``, ``collateral`` and ``run`` (issue 21): a leg within
``[alerts] liquidation_buffer`` of its liquidation price, and a collateral suggestion that
became urgent (the thinner leg already inside ``[strategy] min_liquidation_distance``).

The rules are the pure functions of :mod:`atomic_fp.decisions.alerts`; delivery, the
cool-down and the secret's redaction are :class:`scripts.alerting.Alerter`'s. A channel
that fails is a warning and never changes a command's output or exit code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import anyio
from returns.result import Success

from atomic_fp.decisions.alerts import Alert, collateral_alerts, margin_liquidation_alerts
from atomic_fp.decisions.collateral import CollateralPlan, plan_collateral
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.orchestration import CycleReport
from scripts.alerting import Alerter
from scripts.alerts_config import AlertSettings


def account_alerts(
    margins: Mapping[ExchangeIdentifier, AccountMargin],
    settings: AlertSettings,
    plans: Iterable[CollateralPlan] = (),
    symbol: Symbol | None = None,
) -> list[Alert]:
    """Near-liquidation alerts for every leg the margins show (``symbol``: one hedge's),
    then one per urgent plan."""
    alerts = margin_liquidation_alerts(margins.values(), settings.liquidation_buffer, symbol)
    return alerts + collateral_alerts(plans)


def cycle_margin_alerts(
    report: CycleReport,
    settings: AlertSettings,
    min_liquidation_distance: Decimal,
    kinds: Mapping[ExchangeIdentifier, str] | None = None,
) -> list[Alert]:
    """What ``run`` raises after a cycle from the margins that cycle read: legs of its
    symbol near liquidation, and the hedge's collateral suggestion when it is urgent."""
    planned = plan_collateral(
        report.margins,
        report.symbol,
        min_liquidation_distance=min_liquidation_distance,
        kinds=kinds,
    )
    plans = [planned.unwrap()] if isinstance(planned, Success) else []
    return account_alerts(report.margins, settings, plans, report.symbol)


def deliver_now(alerter: Alerter | None, alerts: Sequence[Alert]) -> None:
    """One-shot commands (``positions``, ``collateral``): send what the cool-down admits;
    a failing channel is the alerter's warning, never an exception."""
    if alerter is None or not alerts:
        return
    anyio.run(alerter.deliver, alerts)
