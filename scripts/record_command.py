"""``atomic-fp record``: capture live public venue responses as a replayable snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from scripts import exitcodes

if TYPE_CHECKING:  # httpx is imported when the command runs
    from collections.abc import Mapping, Sequence

    import httpx

    from atomic_fp.models import ExchangeIdentifier
    from scripts.config_venues import VenueConfig


def _inner_transport(venue: object, ca_bundle: str | None) -> httpx.AsyncBaseTransport | str:
    """What a venue client built by ``build_client`` sends through
    (:func:`adapters.tls.default_transport`: the venue's CA bundle, the environment's
    proxies), for the recorder to wrap: ``RecordingTransport()`` alone connected with
    certifi's store and directly, so ``record`` refused a venue whose ``ca_bundle`` it
    needed and went around a mandatory proxy. A broken proxy setting or CA store: the
    message ``build_client`` gives for it (the command exits 2 naming every such problem)."""
    from adapters.proxy_routing import ProxySettingError
    from adapters.tls import default_transport

    try:
        return default_transport(ca_bundle)
    except ProxySettingError as error:
        return f"venue {venue}: {error}"
    except (OSError, ValueError) as error:
        from adapters.default_trust import blamed  # as build_client says it

        return f"venue {venue}: {blamed(error, ca_bundle)}"


def _refuse_unbuilt(
    chosen: Sequence[VenueConfig],
    inner: Mapping[ExchangeIdentifier, httpx.AsyncBaseTransport | str],
) -> None:
    """Exit 2 when a venue's transport could not be built: every problem of the
    environment named at once (as ``scan`` names them), else the first venue's."""
    from returns.result import Failure

    from scripts.context import fail
    from scripts.environment_settings import refuse_a_broken_environment
    from scripts.runtime import Venue

    unbuilt = [
        Venue(v.id, v.kind, Failure(problem), v.timeout)
        for v in chosen
        if isinstance(problem := inner[v.id], str)
    ]
    if unbuilt:
        refuse_a_broken_environment(unbuilt)
        fail(unbuilt[0].client.failure())


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Snapshot file to write (JSON); replay it with: atomic-fp scan --snapshot FILE.",
)
@click.option("--venues", metavar="A,B", help="Only these configured venues.")
@click.pass_context
def record(ctx: click.Context, out: str, venues: str | None) -> None:
    """Call each configured venue's public market-data endpoints (markets and funding
    rates) through its own client and store every JSON response. No credentials are
    used or stored; request headers are never recorded."""
    import json
    from pathlib import Path

    import anyio
    from returns.result import Success

    from adapters.registry import build_client
    from adapters.snapshot import RecordingTransport, Snapshot, VenueRecording
    from atomic_fp.aggregators import FundingRateAggregator, MarketAggregator
    from scripts.atomic_write import OutputError, check_output_file, write_text
    from scripts.context import app_context, error, fail, warn
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

    try:  # before anything is recorded, so a bad path costs nothing
        check_output_file(Path(out), "--out")
    except OutputError as bad:
        fail(str(bad))
    app = app_context(ctx)
    config = app.config()
    chosen = select(config, split_list(venues))
    inner = {v.id: _inner_transport(v.id, v.ca_bundle) for v in chosen}
    _refuse_unbuilt(chosen, inner)
    recorders = {
        v.id: RecordingTransport(t) for v in chosen if not isinstance(t := inner[v.id], str)
    }
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
        error(
            "no venue answered; nothing recorded",
            event="nothing_usable",
            exit_code=exitcodes.NOTHING_USABLE,
        )
        ctx.exit(exitcodes.NOTHING_USABLE)
    snapshot = Snapshot(as_of=as_of, venues=recordings, description="recorded by atomic-fp record")
    try:
        write_text(Path(out), json.dumps(snapshot.to_json(), indent=1) + "\n")
    except OSError as bad:
        fail(f"--out: cannot write {out}: {bad.strerror or bad}", exitcodes.NOTHING_USABLE)
    click.echo(
        f"recorded {sum(len(r.exchanges) for r in recordings)} responses from "
        f"{len(recordings)} venues to {out}",
        err=True,
    )
