"""The ``atomic-fp`` console script (``[project.scripts]`` in ``pyproject.toml``).

Its first step, before click and the command line's modules are imported, begins a live
``scan``'s TCP and TLS handshakes (:mod:`scripts.early_preconnect`, issue 20: they then
run while the rest of the program starts up); every other command line is left alone.
Then :func:`scripts.cli.run`, the command line itself, which takes the first step too when
it was not taken (``python -m scripts.cli``, or a console script installed before this
entry point, which imports click first): once per process either way.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def begin_early() -> None:
    """The first step (:func:`scripts.early_preconnect.begin_once`). The collector's
    start-up pause (:func:`scripts.startup.pause_collector`, which :func:`scripts.cli.main`
    repeats and which is resumed as soon as a command other than ``scan`` is chosen) starts
    here, before click and the command line's modules are imported: from ``main`` on, it
    left the ~15 collections those imports triggered, ~2 % of ``scan --offline``'s CPU,
    finding nothing to free (issue 20). httpx's unused imports are blocked first
    (:func:`scripts.startup.block_unused_imports`, which ``main`` repeats): a pre-connect
    thread may import httpx before ``main`` runs."""
    from scripts.startup import block_unused_imports, pause_collector

    pause_collector()
    block_unused_imports()
    from scripts.early_preconnect import begin_once

    begin_once(sys.argv[1:], os.environ)


def run() -> NoReturn:
    begin_early()
    from scripts.cli import run as run_command_line

    run_command_line()


if __name__ == "__main__":  # pragma: no cover
    run()
