"""Charts of a backtest: cumulative PnL, the funding spread and the position over time.

``plot_png`` needs matplotlib (the ``plot`` extra), imported only when called; it renders
with the non-interactive Agg backend and fixed metadata, so the same result gives the same
file. ``text_chart`` needs nothing: a few lines of block characters for a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from atomic_fp.backtest.engine import BacktestResult
from atomic_fp.backtest.records import SymbolPoint

_BLOCKS = " ▁▂▃▄▅▆▇█"


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _by_symbol(points: Sequence[SymbolPoint]) -> dict[str, list[SymbolPoint]]:
    grouped: dict[str, list[SymbolPoint]] = defaultdict(list)
    for point in points:
        grouped[point.symbol].append(point)
    return dict(sorted(grouped.items()))


def plot_png(result: BacktestResult, path: Path, title: str | None = None) -> None:
    """Write a three-panel PNG: cumulative PnL (net, funding, costs), the widest funding
    spread per symbol (APR %), and each symbol's hedge size as a fraction of
    ``max_position`` (so symbols of very different prices share one scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    figure, (pnl_ax, spread_ax, position_ax) = plt.subplots(
        3, 1, figsize=(12, 9), sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]}
    )
    times = [p.time for p in result.equity]
    pnl_ax.plot(
        times, [float(p.net_pnl) for p in result.equity], label="net PnL", lw=1.6, color="black"
    )
    pnl_ax.plot(
        times, [float(p.funding) for p in result.equity], label="funding", lw=1.0, color="tab:green"
    )
    pnl_ax.plot(
        times,
        [-float(p.fees + p.slippage) for p in result.equity],
        label="- (fees + slippage)",
        lw=1.0,
        color="tab:red",
    )
    pnl_ax.axhline(0, color="grey", lw=0.5)
    pnl_ax.set_ylabel("cumulative USD")
    pnl_ax.legend(loc="upper left", fontsize=8)
    pnl_ax.grid(alpha=0.3)
    pnl_ax.set_title(
        title
        or f"Backtest {', '.join(result.symbols)} on {', '.join(result.venues)} "
        f"({result.start:%Y-%m-%d} to {result.end:%Y-%m-%d})"
    )
    grouped = _by_symbol(result.symbol_points)
    for symbol, points in grouped.items():
        spread_times = [p.time for p in points]
        spread = [
            float(p.spread_apr) * 100 if p.spread_apr is not None else float("nan") for p in points
        ]
        spread_ax.step(spread_times, spread, where="post", lw=0.7, label=symbol)
        cap = result.settings.config.max_position
        position_ax.step(
            [*spread_times, result.end],
            [
                *(float(p.position_base / cap) for p in points),
                float(points[-1].position_base / cap),
            ],
            where="post",
            lw=1.0,
            label=symbol,
        )
    spreads = sorted(
        float(p.spread_apr) * 100 for p in result.symbol_points if p.spread_apr is not None
    )
    if spreads:
        # a single extreme hour (a 1,000 %+ APR print) must not flatten everything else
        low = spreads[int(len(spreads) * 0.001)]
        high = spreads[min(len(spreads) - 1, int(len(spreads) * 0.999))]
        pad = (high - low) * 0.1 or 1.0
        if spreads[-1] > high or spreads[0] < low:
            spread_ax.set_ylim(low - pad, high + pad)
            spread_ax.text(
                0.995,
                0.95,
                f"clipped to the 0.1-99.9 percentiles (max {spreads[-1]:.0f}%)",
                transform=spread_ax.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                color="grey",
            )
    threshold = float(result.settings.config.build_threshold) * 100
    spread_ax.axhline(
        threshold, color="tab:red", lw=0.8, ls="--", label=f"build threshold {threshold:g}%"
    )
    spread_ax.set_ylabel("widest spread, APR %")
    spread_ax.legend(loc="upper left", fontsize=8, ncol=4)
    spread_ax.grid(alpha=0.3)
    position_ax.set_ylabel("hedge size / max_position")
    position_ax.set_ylim(-0.05, 1.15)
    position_ax.legend(loc="upper left", fontsize=8, ncol=4)
    position_ax.grid(alpha=0.3)
    position_ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(str(path), dpi=110, metadata={"Software": None})
    plt.close(figure)


def _spark(values: Sequence[float], width: int) -> str:
    if not values:
        return ""
    step = max(1, len(values) // width)
    sampled = [values[min(i, len(values) - 1)] for i in range(0, len(values), step)][:width]
    low, high = min(sampled), max(sampled)
    span = high - low or 1.0
    return "".join(_BLOCKS[1 + int((v - low) / span * (len(_BLOCKS) - 2))] for v in sampled)


def text_chart(result: BacktestResult, width: int = 60) -> str:
    """Net PnL as a sparkline and, per symbol, when a hedge was open (█) or not (·)."""
    lines = []
    net = [float(p.net_pnl) for p in result.equity]
    if net:
        lines.append(
            f"net PnL   {_spark(net, width)}  {net[0]:+.2f} -> {net[-1]:+.2f} "
            f"(min {min(net):+.2f}, max {max(net):+.2f})"
        )
    span = (result.end - result.start) or (result.end - result.start)
    for symbol, points in _by_symbol(result.symbol_points).items():
        cells = []
        for i in range(width):
            at = result.start + span * i / width
            held = Decimal(0)
            for point in points:
                if point.time <= at:
                    held = point.position_base
                else:
                    break
            cells.append("█" if held != 0 else "·")
        lines.append(f"{symbol:<9.9} {''.join(cells)}")
    lines.append(
        f"          {result.start:%Y-%m-%d}{'':>{max(0, width - 20)}}{result.end:%Y-%m-%d}"
    )
    return "\n".join(lines) + "\n"


__all__ = ["matplotlib_available", "plot_png", "text_chart"]
