"""The opening check on margin: a hedge opens only where both legs stay well clear of
liquidation *after* the trade (pure; time is an argument).

:class:`~atomic_fp.decisions.safety.SafetyDecision` closes both legs when one is within
``config.liquidation_buffer`` of liquidation. Once they are closed, the positions are flat
and every position-based check passes, while the account that was too thin is still too
thin: without this check the funding decision re-opens the same hedge, safety closes it
again, and the strategy pays two round trips per cycle ("flapping").

So each leg of an OPEN signal is judged on its venue account's margin
(:class:`~atomic_fp.models.margin.AccountMargin`) as it would be after the fill:

- signed size ``q' = q + leg`` (venue units), at the leg's reference price ``m`` (the
  price the decision expects; the leg's position mark when it has none);
- equity ``E' = E - |leg| m slippage_cap``: the worst fill the executor accepts (its limit
  is the reference price moved by ``slippage_cap``) booked as an immediate loss;
- maintenance margin ``MM' = MM - mm_leg + r |q'| m``, with ``r`` the venue's maintenance
  rate for the symbol (:meth:`AccountMargin.maintenance_rate`: the existing leg's own
  rate, else the rate the venue reports for a new position or an upper bound of it, else
  ``1 / max_leverage`` of the market -- maintenance never exceeds the initial margin at
  the highest leverage; with none of them the leg is refused, never assumed);
- the liquidation price of ``q'`` by the same cross-margin rule the paper venue and the
  estimates use (:func:`~atomic_fp.models.margin.estimate_liquidation_price`: liquidated
  when equity falls to maintenance margin, other prices held fixed).

**Room to spare: the estimated distance must be at least** ``OPEN_HEADROOM`` **(2) x the
buffer.** Closing happens below ``b``; opening at ``2 b`` means, for a short leg whose
liquidation price ``L`` is fixed while the mark moves (the other leg sits on another
venue's margin), the mark must rise by a factor ``(1 + 2b) / (1 + b)`` -- a move of
``b / (1 + b)``: 4.8 % for a 5 % buffer, 9.1 % for the default 10 % -- before safety may
close again (a long leg: a fall of ``b / (1 - b)``). A close -> open -> close sequence then
needs a price move of about a whole buffer, not a tick; and the margin a fee or a funding
payment takes (a few basis points) cannot push a fresh hedge into the buffer. A larger
factor would refuse hedges that are sound; the buffer itself is the user's risk setting.

A leg whose venue margin is missing, failed, stale, or lacks maintenance margin, or whose
maintenance rate or price is unknown, is refused with that reason: an opening that lacks
margin data does not trade.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from returns.result import Failure, Result

from atomic_fp.decisions._common import SUCCESS_NONE, pct, read, untimely
from atomic_fp.decisions.types import MarginInputs, MarketInputs, NoTrade
from atomic_fp.models import ArbitrageConfig, Side, Symbol, TradeLeg, TradingSignal
from atomic_fp.models.margin import AccountMargin, estimate_liquidation_price

OPEN_HEADROOM = Decimal(2)
"""An opening needs an estimated post-trade liquidation distance of at least this many
times ``liquidation_buffer`` on every leg (why 2: see the module docstring)."""


def required_distance(config: ArbitrageConfig) -> Decimal:
    """The post-trade liquidation distance an opening leg needs."""
    return config.liquidation_buffer * OPEN_HEADROOM


def post_trade_liquidation(
    margin: AccountMargin,
    leg: TradeLeg,
    symbol: Symbol,
    *,
    slippage_cap: Decimal,
    max_leverage: Decimal | None = None,
) -> tuple[Decimal, Decimal | None] | str:
    """``(price, liquidation price)`` of the leg's position after the fill (``None``: no
    positive price liquidates it), or why it cannot be estimated."""
    if margin.maintenance_margin is None:
        return "maintenance margin unknown"
    existing = margin.leg(symbol)
    price = leg.reference_price or (existing.position.mark_price if existing else None)
    if price is None or price <= 0:
        return "no price to size the leg at"
    rate = margin.maintenance_rate(symbol)
    if rate is None and max_leverage is not None:
        rate = 1 / max_leverage
    if rate is None:
        why = margin.maintenance_rate_problems.get(symbol)
        reason = f": {why}" if why else ""
        return f"maintenance rate of a {symbol.base} position unknown{reason}"
    signed = leg.size if leg.side is Side.BUY else -leg.size
    held = existing.position.size if existing is not None else Decimal(0)
    after = held + signed
    old_leg_mm = (
        existing.maintenance_margin
        if existing is not None and existing.maintenance_margin is not None
        else rate * abs(held) * price
    )
    leg_mm = rate * abs(after) * price
    equity = margin.equity - abs(signed) * price * slippage_cap
    maintenance = margin.maintenance_margin - old_leg_mm + leg_mm
    liquidation = estimate_liquidation_price(
        size=after,
        mark=price,
        equity=equity,
        maintenance_margin=maintenance,
        leg_maintenance_margin=leg_mm,
    )
    return price, liquidation


def _leg_problem(
    leg: TradeLeg,
    symbol: Symbol,
    margins: MarginInputs,
    markets: MarketInputs,
    config: ArbitrageConfig,
    now: datetime,
) -> str | None:
    venue = leg.exchange
    if venue not in margins:
        return f"{venue}: margin missing (unknown margin is not safe)"
    margin, error = read(margins[venue])
    if margin is None:
        return f"{venue}: margin failed ({error})"
    if stale := untimely(margin.observed_at, now, config.max_data_age):
        return f"{venue}: margin {stale}"
    market, _ = read(markets[venue]) if venue in markets else (None, None)
    estimate = post_trade_liquidation(
        margin,
        leg,
        symbol,
        slippage_cap=config.slippage_cap,
        max_leverage=market.max_leverage if market is not None else None,
    )
    if isinstance(estimate, str):
        return f"{venue}: {estimate}"
    price, liquidation = estimate
    if liquidation is None:
        return None
    distance = abs(price - liquidation) / price
    needed = required_distance(config)
    if distance >= needed:
        return None
    return (
        f"{venue}: {leg.side.value} {leg.size} {symbol.base} would be {pct(distance)} from "
        f"liquidation (est. {liquidation:.2f} at {price}, equity {margin.equity:.2f} "
        f"{margin.asset}); opening needs {pct(needed)} "
        f"({OPEN_HEADROOM} x buffer {pct(config.liquidation_buffer)})"
    )


def opening_margin_check(
    *,
    signal: TradingSignal,
    margins: MarginInputs,
    markets: MarketInputs,
    config: ArbitrageConfig,
    now: datetime,
) -> Result[None, NoTrade]:
    """``Success(None)`` when every opening leg of ``signal`` leaves its venue at least
    :func:`required_distance` from liquidation; otherwise every leg's reason."""
    problems = [
        problem
        for leg in signal.legs
        if not leg.reduce_only
        and (
            problem := _leg_problem(
                leg, leg.symbol or signal.bound_symbol, margins, markets, config, now
            )
        )
        is not None
    ]
    if problems:
        return Failure(NoTrade(f"margin too thin to open: {'; '.join(problems)}"))
    return SUCCESS_NONE


__all__ = [
    "OPEN_HEADROOM",
    "opening_margin_check",
    "post_trade_liquidation",
    "required_distance",
]
