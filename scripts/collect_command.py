"""``atomic-fp collect``: record every venue's current funding rates in the local store.

One funding request per venue (the one ``scan`` makes), so cron can run it every few
minutes. Each current rate is stored as the observation of the settlement it accrues for
(its next funding time); the last observation before a settlement stands for that
settlement until ``funding-history --store`` backfills the venue's own settled value (see
:mod:`adapters.store.sqlite`). Exit codes as ``scan``: 0 done (a failed venue is reported on
stderr and in the JSON), 1 no venue answered, 2 usage/config/store error.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scripts import exitcodes
from scripts.command_options import store_option, venues_option
from scripts.output import FORMATS

if TYPE_CHECKING:
    from adapters.store import FundingStore


@click.command(name="collect")
@venues_option
@store_option
@click.option(
    "--snapshot",
    "snapshot_dir",
    metavar="PATH",
    help="Collect from a recorded snapshot instead of the live venues (tests, drills).",
)
@click.option(
    "--export",
    "export_path",
    metavar="FILE",
    help="Then write the whole store as funding history (.csv, or .parquet with pyarrow).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.pass_context
def collect(
    ctx: click.Context,
    venues: str | None,
    store_path: str | None,
    snapshot_dir: str | None,
    export_path: str | None,
    fmt: str | None,
) -> None:
    """Record each venue's current funding rates in the local funding store.

    The store feeds scan --basis avg24h/avg7d, persistence and break-even columns at no
    request cost. Run it from cron (e.g. every 5 minutes) or keep `atomic-fp run` going.
    """
    from returns.result import Success

    from adapters.store import DEFAULT_STORE, FundingStore, StoreError
    from scripts.context import app_context, error, fail, warn
    from scripts.environment_settings import refuse_a_broken_environment
    from scripts.json_contract import versioned
    from scripts.output import render_json
    from scripts.runtime import build_live, build_offline, select, utc_now
    from scripts.scan_command import split_list
    from scripts.scan_run import _load_snapshot, gather

    app = app_context(ctx)
    config = app.config()
    names = split_list(venues)
    if export_path is not None:  # checked before anything is fetched (scripts.atomic_write)
        from scripts.atomic_write import OutputError, check_output_file

        try:
            check_output_file(Path(export_path), "--export")
        except OutputError as bad:
            fail(str(bad))
    if snapshot_dir:
        snapshot = _load_snapshot(snapshot_dir)
        built = build_offline(snapshot, names, config)
    else:
        built = build_live(select(config, names), app.environ, with_credentials=False)
        refuse_a_broken_environment(built)  # exit 2, not "no venue answered"
    path = Path(store_path or config.store_path or DEFAULT_STORE)
    try:
        store = FundingStore(path)
    except StoreError as problem:
        fail(f"funding store: {problem}")
    results, _, _ = gather(built)
    report: dict[str, object] = {"as_of": utc_now().isoformat(), "store": str(path)}
    per_venue: dict[str, object] = {}
    try:
        with store:
            for venue, result in results.items():
                if isinstance(result, Success):
                    rates = result.unwrap()
                    written = store.record_observed(rates)
                    per_venue[str(venue)] = {"ok": True, "rates": len(rates), "written": written}
                else:
                    failed = result.failure()
                    warn(f"venue {venue} left out: {failed.describe()}", venue=str(venue))
                    per_venue[str(venue)] = {"ok": False, "error": failed.describe()}
            if export_path is not None:
                per_venue_rows = _export(store, Path(export_path), utc_now())
                report["exported"] = {"path": export_path, "rows": per_venue_rows}
    except StoreError as problem:
        fail(f"funding store: {problem}")
    report["venues"] = per_venue
    if fmt == "json":
        click.echo(render_json(versioned("collect", report)), nl=False)
    else:
        for name, item in per_venue.items():
            assert isinstance(item, dict)
            if item["ok"]:
                click.echo(f"{name}: {item['rates']} rates observed, {item['written']} stored")
            else:
                click.echo(f"{name}: failed: {item['error']}")
        click.echo(f"store: {path}")
    if not any(isinstance(i, dict) and i["ok"] for i in per_venue.values()):
        error("no venue answered; nothing collected", event="nothing_usable")
        ctx.exit(exitcodes.NOTHING_USABLE)


def _export(store: FundingStore, target: Path, now: datetime) -> int:
    """Every settlement up to ``now`` in the funding-history format (``backtest`` reads it)."""
    from adapters.history.format import write_csv, write_parquet
    from adapters.store import StoreError

    everything = store.settled(since=datetime(1970, 1, 1, tzinfo=timezone.utc), until=now)
    rates = [rate for rows in everything.values() for rate in rows]
    try:
        if target.suffix.lower() == ".parquet":
            return write_parquet(target, rates)
        return write_csv(target, rates)
    except ImportError:
        raise StoreError(
            "exporting Parquet needs pyarrow: pip install 'atomic-fp[parquet]'"
        ) from None
    except OSError as problem:
        raise StoreError(f"cannot write {target}: {problem}") from None


__all__ = ["collect"]
