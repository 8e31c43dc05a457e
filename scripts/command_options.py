"""Options several commands declare alike (the same flag, words and default), written once.

Each is a ``click.option`` decorator; click makes a new parameter each time one is applied,
so one decorator serves every command.
"""

from __future__ import annotations

import click

from scripts.basis import BASES

symbols_option = click.option(
    "--symbols", metavar="BTC,ETH", help="Symbols (default: [strategy] symbols)."
)
"""``--symbols`` of the trading commands (``execute``, ``run``, ``reconcile``)."""

venues_option = click.option("--venues", metavar="A,B", help="Only these configured venues.")

store_option = click.option(
    "--store",
    "store_path",
    metavar="PATH",
    help="Local funding store (default: [store] path, else ./atomic-fp-funding.sqlite).",
)

trading_basis_option = click.option(
    "--basis",
    type=click.Choice(BASES, case_sensitive=False),
    help="Rates the decisions use (default: [strategy] basis, else current); the averages "
    "come from the local funding store.",
)
"""``--basis`` of ``execute`` and ``run`` (``scan`` ranks, ``backtest`` replays: theirs
differ)."""
