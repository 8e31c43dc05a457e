"""Which alerts to raise, and when not to repeat one (pure: time is an argument).

Alert rules: a spread above a threshold, an execution that left a residual or an order of
unknown fate, a venue failing longer than a limit, a leg near liquidation. Each alert has a
``key`` (what it is about: ``spread:BTC:binance:hyperliquid``); :func:`admit` lets an alert
through only when no alert with that key went out within the cool-down, so a spread that
stays open, or a venue that stays down, is reported once per cool-down, never per cycle.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from atomic_fp.decisions.collateral import CollateralPlan
from atomic_fp.decisions.types import Opportunity
from atomic_fp.models import Position, Symbol
from atomic_fp.models.margin import AccountMargin


class AlertKind(enum.Enum):
    SPREAD = "spread"
    RESIDUAL = "residual"
    UNRESOLVED = "unresolved"
    VENUE_DOWN = "venue_down"
    NEAR_LIQUIDATION = "near_liquidation"
    COLLATERAL_URGENT = "collateral_urgent"


@attrs.frozen
class Alert:
    kind: AlertKind
    key: str
    title: str
    body: str


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def spread_alerts(opportunities: Iterable[Opportunity], above: Decimal) -> list[Alert]:
    """One alert per pair whose net APR exceeds ``above``."""
    return [
        Alert(
            AlertKind.SPREAD,
            f"spread:{o.symbol.base}:{o.long_venue}:{o.short_venue}",
            f"{o.symbol.base} funding spread {_pct(o.net_apr)} net",
            f"{o.symbol.base}: long {o.long_venue} ({_pct(o.long_apr)}), short "
            f"{o.short_venue} ({_pct(o.short_apr)}); spread {_pct(o.spread_apr)}, net APR "
            f"{_pct(o.net_apr)} (above {_pct(above)})",
        )
        for o in opportunities
        if o.net_apr > above
    ]


def execution_alert(
    symbol: str, status: str, residual_base: Decimal, unresolved: Iterable[str], message: str
) -> Alert | None:
    """A residual or an unresolved order after an execution (``status`` as in
    ``ExecutionStatus``); ``None`` for a clean one."""
    orders = tuple(unresolved)
    if status == "unresolved" or orders:
        return Alert(
            AlertKind.UNRESOLVED,
            f"unresolved:{symbol}:{','.join(orders)}",
            f"{symbol}: order(s) of unknown fate",
            f"{symbol}: order(s) {', '.join(orders) or '?'} could not be resolved; "
            f"reconciliation must settle them before new positions. {message}".strip(),
        )
    if status == "residual" or residual_base != 0:
        return Alert(
            AlertKind.RESIDUAL,
            f"residual:{symbol}",
            f"{symbol}: unhedged residual {residual_base}",
            f"{symbol}: an unhedged residual of {residual_base} remains. {message}".strip(),
        )
    return None


def venue_down_alerts(
    down_since: Mapping[str, datetime],
    reasons: Mapping[str, str],
    now: datetime,
    after: timedelta,
) -> list[Alert]:
    """Venues failing without a break since ``down_since[venue]`` for longer than ``after``."""
    alerts = []
    for venue, since in sorted(down_since.items()):
        if now - since < after:
            continue
        minutes = int((now - since).total_seconds() // 60)
        alerts.append(
            Alert(
                AlertKind.VENUE_DOWN,
                f"venue_down:{venue}",
                f"{venue} down for {minutes} min",
                f"{venue} has failed since {since.isoformat()} ({minutes} min): "
                f"{reasons.get(venue, 'no answer')}",
            )
        )
    return alerts


def near_liquidation_alerts(positions: Iterable[Position], buffer: Decimal) -> list[Alert]:
    """Legs whose mark is within ``buffer`` (a fraction) of their liquidation price.

    A leg without margin data (no mark or no liquidation price) raises nothing here: the
    hook needs the venue's figures and never guesses them."""
    alerts = []
    for position in positions:
        distance = position.liquidation_distance
        if position.is_flat or distance is None or distance > buffer:
            continue
        symbol = position.symbol.base
        alerts.append(
            Alert(
                AlertKind.NEAR_LIQUIDATION,
                f"liquidation:{position.exchange}:{symbol}",
                f"{symbol} on {position.exchange} {_pct(distance)} from liquidation",
                f"{symbol} on {position.exchange}: size {position.size}, mark "
                f"{position.mark_price}, liquidation {position.liquidation_price} "
                f"({_pct(distance)} away; alert below {_pct(buffer)})",
            )
        )
    return alerts


def margin_liquidation_alerts(
    margins: Iterable[AccountMargin], buffer: Decimal, symbol: Symbol | None = None
) -> list[Alert]:
    """:func:`near_liquidation_alerts` over the venues' margin reports: each leg with the
    liquidation price the venue published, or the one estimated from its documented rule
    (marked "estimated" in the body). ``symbol`` limits it to one hedge's legs."""
    alerts = []
    for margin in margins:
        for leg in margin.legs:
            if symbol is not None and leg.symbol != symbol:
                continue
            position = attrs.evolve(leg.position, liquidation_price=leg.liquidation_price)
            for alert in near_liquidation_alerts([position], buffer):
                source = leg.source.value if leg.source is not None else "unknown"
                alerts.append(attrs.evolve(alert, body=f"{alert.body}; price source: {source}"))
    return alerts


def collateral_alerts(plans: Iterable[CollateralPlan]) -> list[Alert]:
    """One alert per urgent collateral suggestion (the thinner leg already inside the
    buffer): what to move, from where to where. Keyed by hedge and direction, so the
    cool-down holds it back while it stays urgent and the same."""
    return [
        Alert(
            AlertKind.COLLATERAL_URGENT,
            f"collateral:{plan.symbol.base}:{plan.source}:{plan.destination}",
            f"{plan.symbol.base}: move {plan.amount:.2f} collateral from {plan.source} to "
            f"{plan.destination} (urgent)",
            f"{plan.describe()}. Suggestion only: atomic-fp never moves funds.",
        )
        for plan in plans
        if plan.urgent
    ]


def admit(
    alert: Alert, last_sent: Mapping[str, datetime], now: datetime, cooldown: timedelta
) -> bool:
    """Whether ``alert`` may go out: none with the same key within ``cooldown``."""
    sent = last_sent.get(alert.key)
    return sent is None or now - sent >= cooldown
