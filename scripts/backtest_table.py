"""``atomic-fp backtest``'s table output: the summary's totals and one line per symbol,
fitted to the terminal (split out of :mod:`scripts.backtest_command`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def summary_table(data: Mapping[str, Any]) -> str:
    """A short human summary: totals and one line per symbol, fitted to the terminal
    (price PnL, time in market, drawdown, slippage, fees and funding go first; the net
    PnL, return and trades always stay)."""
    import textwrap

    from scripts.output import render_table
    from scripts.table_fit import terminal_width

    width = terminal_width()
    total = data["total"]
    window = data["window"]
    lines = [
        *textwrap.wrap(
            f"backtest {window['from']} .. {window['to']} ({window['days']} days), "
            f"venues {', '.join(data['venues'])}",
            width,
        ),
        *textwrap.wrap(
            f"capital {data['capital']['amount']} ({data['capital']['basis']}); decisions on "
            f"{data.get('basis', 'current')} rates",
            width,
        ),
        "",
    ]
    headers = (
        "",
        "funding",
        "fees",
        "slippage",
        "price pnl",
        "net pnl",
        "return",
        "max dd",
        "trades",
        "in mkt",
    )

    def row(name: str, block: Mapping[str, Any]) -> list[str]:
        def num(key: str, places: int = 2) -> str:
            value = block.get(key)
            return "-" if value is None else f"{Decimal(value):.{places}f}"

        roc = block.get("return_on_capital")
        share = block.get("time_in_market")
        return [
            name[:10],
            num("funding"),
            num("fees"),
            num("slippage"),
            num("price_pnl"),
            num("net_pnl"),
            "-" if roc is None else f"{Decimal(roc) * 100:.2f}%",
            num("max_drawdown"),
            str(block.get("trades", 0)),
            "-" if share is None else f"{Decimal(share) * 100:.1f}%",
        ]

    rows = [row(symbol, block) for symbol, block in data["per_symbol"].items()]
    rows.append(row("TOTAL", total))
    table = render_table(
        headers,
        rows,
        right=[False] + [True] * 9,
        priority=[0, 1, 2, 3, 6, 0, 0, 4, 0, 5],
        width=width,
    )
    lines.extend(table.rstrip("\n").splitlines())
    gaps = [s for s in data["data"]["series"] if s["gaps"]]
    lines.append("")
    if gaps:
        lines.append("gaps (never filled; no trade needing a missing rate):")
        lines.extend(
            f"  {s['venue']} {s['symbol']}: {s['gaps']} gap(s), {s['missing_settlements']} "
            f"missing settlement(s), {s['missing_in_position']} while in position"
            for s in gaps
        )
    else:
        lines.append("no gaps in the data")
    return "\n".join(lines) + "\n"
