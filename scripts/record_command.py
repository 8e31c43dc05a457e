"""``atomic-fp record``: capture live public venue responses as a replayable snapshot."""

from __future__ import annotations

import click

from scripts import exitcodes


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Snapshot file to write (JSON); replay it with: atomic-fp scan --snapshot FILE.",
)
@click.option("--venues", metavar="A,B", help="Only these configured venues.")
@click.pass_context
def record(ctx: click.Context, out: str, venues: str | None) -> None:
    """Call each configured venue's public market-data endpoints (markets and funding
    rates) through its own client and store every JSON response. No credentials are
    used or stored; request headers are never recorded."""
    import json

    import anyio
    from returns.result import Success

    from adapters.registry import build_client
    from adapters.snapshot import RecordingTransport, Snapshot, VenueRecording
    from atomic_fp.aggregators import FundingRateAggregator, MarketAggregator
    from scripts.context import app_context, error, warn
    from scripts.runtime import (
        Venue,
        aggregator,
        close_all,
        in_venue_order,
        select,
        settings_for,
        utc_now,
    )
    from scripts.scan_command import split_list

    app = app_context(ctx)
    config = app.config()
    chosen = select(config, split_list(venues))
    recorders = {v.id: RecordingTransport() for v in chosen}
    built = tuple(
        Venue(
            v.id,
            v.kind,
            build_client(
                settings_for(v, app.environ, with_credentials=False, transport=recorders[v.id])
            ),
            v.timeout,
        )
        for v in chosen
    )
    as_of = utc_now()

    async def work() -> dict[str, str]:
        problems: dict[str, str] = {}
        try:
            markets = in_venue_order(built, await aggregator(built, MarketAggregator).get_markets())
            rates = in_venue_order(
                built, await aggregator(built, FundingRateAggregator).get_rates(None)
            )
            for venue in built:
                for what, results in (("markets", markets), ("funding", rates)):
                    result = results[venue.id]
                    if not isinstance(result, Success):
                        problems[str(venue.id)] = f"{what}: {result.failure().describe()}"
        finally:
            await close_all(built)
        return problems

    problems = anyio.run(work)
    recordings = tuple(
        VenueRecording(
            venue=str(v.id),
            kind=v.kind,
            base_url=v.base_url,
            exchanges=tuple(recorders[v.id].exchanges),
            urls={
                k: u
                for k, u in (
                    ("ws_url", v.ws_url),
                    ("trading_url", v.trading_url),
                    ("auth_url", v.auth_url),
                )
                if u
            },
        )
        for v in chosen
        if str(v.id) not in problems
    )
    for venue, problem in problems.items():
        warn(f"venue {venue} not recorded: {problem}", venue=venue)
    if not recordings:
        error("no venue answered; nothing recorded", event="nothing_usable")
        ctx.exit(exitcodes.NOTHING_USABLE)
    snapshot = Snapshot(as_of=as_of, venues=recordings, description="recorded by atomic-fp record")
    with open(out, "w") as handle:
        json.dump(snapshot.to_json(), handle, indent=1)
        handle.write("\n")
    click.echo(
        f"recorded {sum(len(r.exchanges) for r in recordings)} responses from "
        f"{len(recordings)} venues to {out}",
        err=True,
    )
