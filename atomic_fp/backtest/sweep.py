"""``backtest --sweep``: the backtest over a grid of build/close thresholds x estimators.

Each grid point is one ordinary :func:`~atomic_fp.backtest.engine.run_backtest` on the same
data (the same decisions, paper venues, fees and slippage); only ``build_threshold``,
``close_threshold`` and the estimator change. A point whose close threshold is above its
build threshold is not a strategy (it would close what it just opened) and is skipped.

The points are independent, so :func:`run_sweep` can spread them over processes
(``jobs``); results come back in grid order whatever finishes first. The table is CSV
(``sweep.csv``) and printed; the heat map (matplotlib, the ``plot`` extra) has one panel
per estimator, net PnL after fees per (build, close) cell, red below zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from atomic_fp.backtest.engine import BacktestSettings, run_backtest
from atomic_fp.backtest.estimated import with_basis
from atomic_fp.backtest.report import summary
from atomic_fp.backtest.series import FundingSeries
from atomic_fp.backtest.venue import SimulatedVenueFactory
from atomic_fp.decisions.estimators import Basis


@attrs.frozen
class GridPoint:
    basis: Basis
    build: Decimal
    close: Decimal


@attrs.frozen
class PointResult:
    """The totals of one grid point (money in the data's quote currency)."""

    point: GridPoint
    net_pnl: Decimal
    funding: Decimal
    fees: Decimal
    slippage: Decimal
    return_on_capital: Decimal | None
    max_drawdown: Decimal
    trades: int
    time_in_market: Decimal | None


COLUMNS = (
    "basis",
    "build_threshold",
    "close_threshold",
    "net_pnl",
    "funding",
    "fees",
    "slippage",
    "return_on_capital",
    "max_drawdown",
    "trades",
    "time_in_market",
)


def grid(
    bases: Sequence[Basis], builds: Sequence[Decimal], closes: Sequence[Decimal]
) -> list[GridPoint]:
    """Every (estimator, build, close) with ``close <= build``, in that nesting order."""
    return [
        GridPoint(basis, build, close)
        for basis in bases
        for build in builds
        for close in closes
        if close <= build
    ]


def _optional(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def run_point(
    series: Sequence[FundingSeries],
    settings: BacktestSettings,
    point: GridPoint,
    venues: SimulatedVenueFactory,
) -> PointResult:
    """One backtest at ``point`` on the venues ``venues`` builds (the paper venue:
    ``adapters.paper.backtest.backtest_venue``)."""
    config = attrs.evolve(settings.config, build_threshold=point.build, close_threshold=point.close)
    estimated = [with_basis(s, point.basis) for s in series]
    result = run_backtest(estimated, attrs.evolve(settings, config=config), venues=venues)
    total = summary(result)["total"]
    return PointResult(
        point=point,
        net_pnl=Decimal(total["net_pnl"]),
        funding=Decimal(total["funding"]),
        fees=Decimal(total["fees"]),
        slippage=Decimal(total["slippage"]),
        return_on_capital=_optional(total.get("return_on_capital")),
        max_drawdown=Decimal(total["max_drawdown"]),
        trades=int(total.get("trades", 0)),
        time_in_market=_optional(total.get("time_in_market")),
    )


_WORKER: tuple[Sequence[FundingSeries], BacktestSettings, SimulatedVenueFactory] | None = None


def _init_worker(
    series: Sequence[FundingSeries], settings: BacktestSettings, venues: SimulatedVenueFactory
) -> None:
    """One copy of the data per worker process."""
    global _WORKER
    _WORKER = (series, settings, venues)


def _run_in_worker(point: GridPoint) -> PointResult:
    if _WORKER is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("sweep worker not initialised")
    return run_point(_WORKER[0], _WORKER[1], point, _WORKER[2])


def run_sweep(
    series: Sequence[FundingSeries],
    settings: BacktestSettings,
    points: Sequence[GridPoint],
    *,
    venues: SimulatedVenueFactory,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[PointResult]:
    """Every point's result, in the order of ``points``. ``jobs > 1`` runs points in that
    many processes (each gets the data once; ``venues`` must then be picklable, e.g. a
    module-level function); the results are the same as ``jobs=1``."""
    if jobs <= 1 or len(points) <= 1:
        done: list[PointResult] = []
        for point in points:
            done.append(run_point(series, settings, point, venues))
            if progress is not None:
                progress(len(done), len(points))
        return done
    # lower build thresholds trade more and take longest: submitted first, so no long
    # point is left running alone at the end
    order = sorted(range(len(points)), key=lambda i: (points[i].build, i))
    slots: list[PointResult | None] = [None] * len(points)
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(tuple(series), settings, venues)
    ) as pool:
        futures = {pool.submit(_run_in_worker, points[i]): i for i in order}
        for future in as_completed(futures):
            slots[futures[future]] = future.result()
            if progress is not None:
                progress(sum(1 for slot in slots if slot is not None), len(points))
    return [slot for slot in slots if slot is not None]


def _cells(result: PointResult) -> list[str]:
    def text(value: Decimal | None) -> str:
        return "" if value is None else str(value)

    return [
        result.point.basis.value,
        str(result.point.build),
        str(result.point.close),
        str(result.net_pnl),
        str(result.funding),
        str(result.fees),
        str(result.slippage),
        text(result.return_on_capital),
        str(result.max_drawdown),
        str(result.trades),
        text(result.time_in_market),
    ]


def sweep_csv(results: Iterable[PointResult]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_cells(r) for r in results)
    return buffer.getvalue()


def best(results: Sequence[PointResult]) -> PointResult | None:
    """The highest net PnL (ties: fewer trades, then grid order); ``None`` when empty."""
    if not results:
        return None
    return max(enumerate(results), key=lambda item: (item[1].net_pnl, -item[1].trades, -item[0]))[1]


def verdict(results: Sequence[PointResult]) -> list[str]:
    """What the sweep found: the best point, or (when none earns after fees) that nothing
    beats fees, and the least-losing point that still traded."""
    top = best(results)
    if top is None:
        return []
    if top.net_pnl > 0:
        return [f"best: {_describe(top)}"]
    lines = ["nothing beats fees: no grid point earned after fees and slippage"]
    trading = best([r for r in results if r.trades > 0])
    if trading is not None:
        lines.append(f"least loss while trading: {_describe(trading)}")
    idle = [r for r in results if r.trades == 0]
    if idle:
        lines.append(f"{len(idle)} point(s) never opened a hedge (net 0)")
    return lines


def _describe(result: PointResult) -> str:
    point = result.point
    return (
        f"basis {point.basis.value}, build {point.build}, close {point.close}: net "
        f"{result.net_pnl:.2f} (funding {result.funding:.2f}, fees {result.fees:.2f}, "
        f"slippage {result.slippage:.2f}; {result.trades} trades)"
    )


def sweep_table(results: Sequence[PointResult]) -> str:
    """The printed table, one row per point, and the best point (or that none earns)."""
    lines = [
        f"{'basis':8} {'build':>7} {'close':>7} {'net pnl':>12} {'funding':>12} "
        f"{'fees':>10} {'slippage':>10} {'return':>8} {'trades':>6} {'in mkt':>7}"
    ]
    for r in results:
        roc = "-" if r.return_on_capital is None else f"{r.return_on_capital * 100:.2f}%"
        share = "-" if r.time_in_market is None else f"{r.time_in_market * 100:.1f}%"
        lines.append(
            f"{r.point.basis.value:8} {r.point.build * 100:>6.1f}% {r.point.close * 100:>6.1f}% "
            f"{r.net_pnl:>12.2f} {r.funding:>12.2f} {r.fees:>10.2f} {r.slippage:>10.2f} "
            f"{roc:>8} {r.trades:>6} {share:>7}"
        )
    lines.extend(verdict(results))
    return "\n".join(lines) + "\n"


def heatmap_png(results: Sequence[PointResult], path: Path, title: str) -> None:
    """One panel per estimator: net PnL per (build, close) cell, annotated with the value
    and the number of trades; one diverging colour scale for all panels, centred on zero
    (red loses after fees, green earns). Needs matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    bases = list(dict.fromkeys(r.point.basis for r in results))
    builds = sorted({r.point.build for r in results})
    closes = sorted({r.point.close for r in results})
    by_cell = {(r.point.basis, r.point.build, r.point.close): r for r in results}
    extreme = max((abs(float(r.net_pnl)) for r in results), default=1.0) or 1.0
    norm = TwoSlopeNorm(vmin=-extreme, vcenter=0.0, vmax=extreme)
    figure, axes = plt.subplots(
        1,
        len(bases),
        figsize=(4.4 * len(bases) + 1.6, 5.0),
        squeeze=False,
        sharey=True,
        layout="constrained",
    )
    image = None
    for column, (ax, basis) in enumerate(zip(axes[0], bases, strict=True)):
        cells = [[by_cell.get((basis, build, close)) for close in closes] for build in builds]
        matrix = [[float("nan") if c is None else float(c.net_pnl) for c in row] for row in cells]
        image = ax.imshow(matrix, cmap="RdYlGn", norm=norm, origin="lower", aspect="auto")
        ax.set_xticks(range(len(closes)), [f"{float(c) * 100:g}%" for c in closes])
        ax.set_yticks(range(len(builds)), [f"{float(b) * 100:g}%" for b in builds])
        ax.set_xlabel("close threshold (net APR)")
        if column == 0:
            ax.set_ylabel("build threshold (net APR)")
        ax.set_title(f"rates: {basis.value}")
        for y, row in enumerate(cells):
            for x, cell in enumerate(row):
                label = "n/a" if cell is None else f"{_money(cell.net_pnl)}\n{cell.trades} tr"
                ax.text(x, y, label, ha="center", va="center", fontsize=7.5)
    if image is not None:
        figure.colorbar(image, ax=axes[0].tolist(), label="net PnL after fees and slippage")
    figure.suptitle(title)
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


__all__ = [
    "COLUMNS",
    "GridPoint",
    "PointResult",
    "best",
    "grid",
    "heatmap_png",
    "run_point",
    "run_sweep",
    "sweep_csv",
    "sweep_table",
    "verdict",
]
