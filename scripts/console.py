"""The ``atomic-fp`` console script (``[project.scripts]`` in ``pyproject.toml``).

Its first step, before click and the command line's modules are imported, begins a live
``scan``'s TCP and TLS handshakes (:mod:`scripts.early_preconnect`, issue 20: they then
run while the rest of the program starts up); every other command line is left alone.
Then :func:`scripts.cli.run`, the command line itself. ``python -m scripts.cli`` takes the
same first step (:func:`begin_early`).
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def begin_early() -> None:
    """httpx's unused imports are blocked first (:func:`scripts.startup.
    block_unused_imports`, which :func:`scripts.cli.main` repeats): a pre-connect thread
    may import httpx before ``main`` runs."""
    from scripts.startup import block_unused_imports

    block_unused_imports()
    from scripts.early_preconnect import begin

    begin(sys.argv[1:], os.environ)


def run() -> NoReturn:
    begin_early()
    from scripts.cli import run as run_command_line

    run_command_line()


if __name__ == "__main__":  # pragma: no cover
    run()
