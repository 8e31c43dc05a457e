"""What a backtest run earned, as a JSON summary and CSV files. Deterministic: the same
result gives byte-identical text (fixed key order, fixed decimal places, no timestamps of
the run itself)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from atomic_fp.backtest.engine import BacktestResult, SymbolTotals
from atomic_fp.backtest.records import EquityPoint, Fill

_MONEY = Decimal("0.00000001")
_ZERO = Decimal(0)

RATE_SEMANTICS = (
    "The rate a decision sees at time t is the last SETTLED rate (known from its settlement "
    "time on): history has no look-ahead-free record of the in-progress period's rate that a "
    "live system reads (e.g. Binance premiumIndex). Funding is paid at each venue's real "
    "settlement times: -rate * position * mark."
)


def money(value: Decimal) -> str:
    """Eight decimal places, plain notation (``0.00000000``, never ``0E-8``)."""
    return format(value.quantize(_MONEY, rounding=ROUND_HALF_EVEN), "f")


def fraction(value: Decimal | None) -> str | None:
    return None if value is None else money(value)


def iso(value: datetime) -> str:
    utc = value.astimezone(timezone.utc)
    spec = "microseconds" if utc.microsecond % 1000 else "milliseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _share(part: timedelta, whole: timedelta) -> Decimal:
    if whole <= timedelta(0):
        return _ZERO
    return Decimal(part // timedelta(microseconds=1)) / Decimal(whole // timedelta(microseconds=1))


def max_drawdown(points: Iterable[EquityPoint]) -> Decimal:
    peak = _ZERO
    worst = _ZERO
    for point in points:
        net = point.net_pnl
        peak = max(peak, net)
        worst = max(worst, peak - net)
    return worst


def _signals(fills: Iterable[Fill]) -> dict[str, str]:
    """signal id -> kind, in order of first fill."""
    seen: dict[str, str] = {}
    for fill in fills:
        seen.setdefault(fill.signal_id, fill.kind)
    return seen


def _pnl_block(
    totals: SymbolTotals,
    capital: Decimal,
    window: timedelta,
    fills: list[Fill],
    in_market: timedelta,
) -> dict[str, Any]:
    signals = _signals(fills)
    by_kind = Counter(signals.values())
    roc = totals.net_pnl / capital if capital > 0 else None
    years = Decimal(window // timedelta(microseconds=1)) / Decimal(365 * 86_400 * 1_000_000)
    return {
        "funding": money(totals.funding),
        "fees": money(totals.fees),
        "slippage": money(totals.slippage),
        "price_pnl": money(totals.price_pnl),
        "net_pnl": money(totals.net_pnl),
        "return_on_capital": fraction(roc),
        "annualized_return": fraction(roc / years) if roc is not None and years > 0 else None,
        "max_drawdown": money(totals.max_drawdown),
        "max_drawdown_fraction": fraction(totals.max_drawdown / capital) if capital > 0 else None,
        "trades": len(signals),
        "trades_by_kind": dict(sorted(by_kind.items())),
        "fills": len(fills),
        "time_in_market": fraction(_share(in_market, window)),
        "time_in_market_hours": money(Decimal(in_market // timedelta(seconds=1)) / 3600),
    }


def summary(result: BacktestResult, warnings: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON summary (a plain dict of strings, numbers, lists and dicts)."""
    settings = result.settings
    config = settings.config
    window = result.end - result.start
    last = result.equity[-1] if result.equity else None
    total = SymbolTotals(
        funding=last.funding if last else _ZERO,
        fees=last.fees if last else _ZERO,
        slippage=last.slippage if last else _ZERO,
        price_pnl=last.price_pnl if last else _ZERO,
        max_drawdown=max_drawdown(result.equity),
    )
    union_in_market = _in_market_union(result)
    per_symbol = {
        symbol: _pnl_block(
            totals,
            result.capital,
            window,
            [f for f in result.fills if f.symbol == symbol],
            result.time_in_market.get(symbol, timedelta(0)),
        )
        for symbol, totals in result.per_symbol.items()
    }
    per_venue: dict[str, dict[str, Any]] = {}
    for venue in result.venues:
        fills = [f for f in result.fills if f.venue == venue]
        per_venue[venue] = {
            "funding": money(sum((e.amount for e in result.funding if e.venue == venue), _ZERO)),
            "fees": money(sum((f.fee for f in fills), _ZERO)),
            "slippage": money(sum((f.slippage for f in fills), _ZERO)),
            "fills": len(fills),
            "settlements_in_position": sum(1 for e in result.funding if e.venue == venue),
        }
    totals_block = _pnl_block(total, result.capital, window, list(result.fills), union_in_market)
    totals_block["peak_gross_notional"] = money(result.peak_gross_notional)
    totals_block["missed_settlements_in_position"] = sum(result.missed_in_position.values())
    return {
        "window": {
            "from": iso(result.start),
            "to": iso(result.end),
            "days": money(Decimal(window // timedelta(seconds=1)) / 86_400),
        },
        "venues": list(result.venues),
        "symbols": list(result.symbols),
        "total": totals_block,
        "per_symbol": per_symbol,
        "per_venue": per_venue,
        "capital": {
            "amount": money(result.capital),
            "basis": "given"
            if settings.capital is not None
            else (
                "fully collateralised: per venue, max_position of every symbol at its highest "
                "price in the history (sized with hindsight; pass --capital to fix it)"
            ),
        },
        "settings": {
            "build_threshold": str(config.build_threshold),
            "close_threshold": str(config.close_threshold),
            "trade_size": str(config.trade_size),
            "max_position": str(config.max_position),
            "holding_horizon_hours": money(
                Decimal(config.holding_horizon // timedelta(seconds=1)) / 3600
            ),
            "fees": {
                venue: {
                    "maker": str(config.fees_for(venue).maker),
                    "taker": str(config.fees_for(venue).taker),
                }
                for venue in result.venues
            },
            "slippage_model": (
                f"synthetic book at mark +- {settings.half_spread} (fraction), IOC market "
                "orders pay it against the mark"
            ),
            "assumed_prices": {k: str(v) for k, v in result.assumed_prices.items()},
            "rate_semantics": RATE_SEMANTICS,
            "price_source": (
                "each venue's own mark where its history has one, else the latest mark of any "
                "venue for the symbol"
            ),
        },
        "data": {
            "series": [
                {
                    "venue": c.venue,
                    "symbol": c.symbol,
                    "venue_symbol": c.venue_symbol,
                    "first": iso(c.first) if c.first else None,
                    "last": iso(c.last) if c.last else None,
                    "settlements": c.settlements,
                    "gaps": len(c.gaps),
                    "missing_settlements": c.missing,
                    "missing_in_position": result.missed_in_position.get(
                        f"{c.venue} {c.symbol}", 0
                    ),
                    "gap_list": [
                        {
                            "after": iso(g.after),
                            "before": iso(g.before),
                            "expected_interval_hours": money(
                                Decimal(g.expected_interval // timedelta(seconds=1)) / 3600
                            ),
                            "missing": g.missing,
                        }
                        for g in c.gaps
                    ],
                }
                for c in result.coverage
            ],
            "warnings": list(warnings),
        },
        "execution_problems": [
            {
                "time": iso(p.time),
                "signal_id": p.signal_id,
                "venue": p.venue,
                "symbol": p.symbol,
                "detail": p.detail,
            }
            for p in result.problems
        ],
        "margin": {
            "model": (
                "the paper venue's: cross margin per venue, maintenance 0.5 % of notional, "
                "liquidated (closed at the mark, 1 % fee) when equity <= maintenance margin"
            ),
            "min_liquidation_distance": str(config.liquidation_buffer),
            "safety_actions": result.safety_actions,
            "liquidations": len(result.liquidations),
            "liquidation_fees": money(sum((f.fee for f in result.liquidations), _ZERO)),
            "liquidated": [
                {
                    "time": iso(f.time),
                    "venue": f.venue,
                    "symbol": f.symbol,
                    "base_size": str(f.base_size),
                    "price": money(f.price),
                    "fee": money(f.fee),
                    "reason": f.reason,
                }
                for f in result.liquidations
            ],
        },
        "run": {
            "steps": result.steps,
            "decision_runs": result.decision_runs,
            "screened": result.screened,
        },
    }


def _in_market_union(result: BacktestResult) -> timedelta:
    """Time with any position open (from the fills: positions change only there)."""
    held: dict[tuple[str, str], Decimal] = {}
    since: datetime | None = None
    total = timedelta(0)
    for fill in result.fills:
        key = (fill.venue, fill.symbol)
        held[key] = held.get(key, _ZERO) + fill.signed_base
        holding = any(v != 0 for v in held.values())
        if holding and since is None:
            since = fill.time
        elif not holding and since is not None:
            total += fill.time - since
            since = None
    if since is not None:
        total += result.end - since
    return total


def summary_json(result: BacktestResult, warnings: Iterable[str] = ()) -> str:
    return json.dumps(summary(result, warnings), indent=2, ensure_ascii=False) + "\n"


TRADE_COLUMNS = (
    "time",
    "signal_id",
    "kind",
    "symbol",
    "venue",
    "side",
    "size",
    "base_size",
    "price",
    "mark",
    "fee",
    "slippage",
    "client_order_id",
    "reason",
)
EQUITY_COLUMNS = (
    "time",
    "funding",
    "fees",
    "slippage",
    "price_pnl",
    "net_pnl",
    "gross_notional",
)


def trades_csv(fills: Iterable[Fill]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRADE_COLUMNS)
    for f in fills:
        writer.writerow(
            [
                iso(f.time),
                f.signal_id,
                f.kind,
                f.symbol,
                f.venue,
                f.side.value,
                str(f.size),
                str(f.base_size),
                money(f.price),
                money(f.mark),
                money(f.fee),
                money(f.slippage),
                f.client_order_id,
                f.reason,
            ]
        )
    return buffer.getvalue()


def equity_csv(points: Iterable[EquityPoint]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EQUITY_COLUMNS)
    for p in points:
        writer.writerow(
            [
                iso(p.time),
                money(p.funding),
                money(p.fees),
                money(p.slippage),
                money(p.price_pnl),
                money(p.net_pnl),
                money(p.gross_notional),
            ]
        )
    return buffer.getvalue()


def totals_table(block: Mapping[str, Any]) -> list[tuple[str, str]]:
    keys = (
        "funding",
        "fees",
        "slippage",
        "price_pnl",
        "net_pnl",
        "return_on_capital",
        "max_drawdown",
        "trades",
        "fills",
        "time_in_market",
    )
    return [(k, str(block.get(k))) for k in keys]


__all__ = [
    "EQUITY_COLUMNS",
    "RATE_SEMANTICS",
    "TRADE_COLUMNS",
    "equity_csv",
    "max_drawdown",
    "money",
    "summary",
    "summary_json",
    "totals_table",
    "trades_csv",
]
