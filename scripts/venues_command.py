"""``atomic-fp venues``: the venue kinds, what each can do, and how to configure it."""

from __future__ import annotations

from typing import Any

import click

from scripts.output import FORMATS


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.pass_context
def venues(ctx: click.Context, fmt: str | None) -> None:
    """Venue kinds (built in, or any 'package.module:factory'), their capabilities and
    config keys, and the venues of the current configuration."""
    import anyio
    from returns.result import Failure, Result, Success

    from adapters.registry import BUILTIN_KINDS, VenueSettings, build_client
    from atomic_fp.models.identifiers import ExchangeIdentifier
    from atomic_fp.venue import VenueClient
    from scripts.context import app_context
    from scripts.json_contract import versioned
    from scripts.output import render_csv, render_json, render_table

    app = app_context(ctx)
    config = app.config()
    kinds: list[dict[str, Any]] = []
    built: Result[VenueClient, str]
    for name, kind in BUILTIN_KINDS.items():
        if name == "ccxt":  # per exchange: shown for each configured ccxt venue below
            built = Failure("per exchange (ccxt's has map): see the configured ccxt venues")
        else:
            built = build_client(VenueSettings(id=ExchangeIdentifier(name), kind=name))
        if isinstance(built, Success):
            client = built.unwrap()
            capabilities = sorted(c.value for c in client.capabilities)
            available: str | None = None
            anyio.run(client.aclose)
        else:
            capabilities = []
            available = built.failure()
        kinds.append(
            {
                "kind": name,
                "summary": kind.summary,
                "factory": kind.factory_path,
                "config_keys": list(kind.config_keys),
                "credential_keys": [f"{c}_env" for c in kind.credential_keys],
                "capabilities": capabilities,
                "unavailable": available,
            }
        )
    configured: list[dict[str, Any]] = [
        {
            "id": str(v.id),
            "kind": v.kind,
            "enabled": v.enabled,
            "credentials": {
                key: ("set" if app.environ.get(var) else f"missing ${var}")
                for key, var in v.credential_env.items()
            },
            **_ccxt_capabilities(v),
        }
        for v in config.venues
    ]
    if fmt == "json":
        payload = {"source": config.source, "kinds": kinds, "configured": configured}
        click.echo(render_json(versioned("venues", payload)), nl=False)
        return
    rows = [
        [
            k["kind"],
            ", ".join(k["capabilities"]) or f"unavailable: {k['unavailable']}",
            ", ".join(k["config_keys"] + k["credential_keys"]) or "-",
        ]
        for k in kinds
    ]
    headers = ("KIND", "CAPABILITIES (BUILT WITHOUT KEYS)", "CONFIG KEYS")
    if fmt == "csv":
        click.echo(render_csv(headers, rows), nl=False)
        return
    click.echo(render_table(headers, rows, priority=[0, 0, 1]), nl=False)
    import textwrap

    from scripts.table_fit import terminal_width

    note = (
        'Any other exchange: kind = "package.module:factory" (a callable taking '
        "adapters.registry.VenueSettings and returning a VenueClient)."
    )
    click.echo("\n" + textwrap.fill(note, width=terminal_width()))
    click.echo(f"\nConfigured venues ({config.source}):")
    for venue in configured:
        creds = ", ".join(f"{k}: {s}" for k, s in venue["credentials"].items()) or "no credentials"
        state = "" if venue["enabled"] else " (disabled)"
        click.echo(f"  {venue['id']} [{venue['kind']}]{state}: {creds}")
        if "exchange" in venue:
            can = ", ".join(venue["capabilities"]) or f"unavailable: {venue['unavailable']}"
            click.echo(f"    ccxt {venue['exchange']}: {can}")


def _ccxt_capabilities(venue: Any) -> dict[str, Any]:
    """For a ``kind = "ccxt"`` venue: its exchange and what ccxt's ``has`` map lets this
    client do with the configured keys (a client built without network access)."""
    if venue.kind != "ccxt":
        return {}
    import anyio
    from returns.result import Success

    from adapters.registry import VenueSettings, build_client

    keys = {k: "configured" for k in venue.credential_env}
    settings = VenueSettings(
        id=venue.id, kind="ccxt", options=dict(venue.options), credentials=keys
    )
    built = build_client(settings)
    info: dict[str, Any] = {"exchange": venue.options.get("exchange"), "unavailable": None}
    if isinstance(built, Success):
        client = built.unwrap()
        info["capabilities"] = sorted(c.value for c in client.capabilities)
        anyio.run(client.aclose)
    else:
        info["capabilities"] = []
        info["unavailable"] = built.failure()
    return info
