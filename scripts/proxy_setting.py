"""A broken proxy setting in the environment is a configuration error for every command.

:func:`adapters.registry.build_client` refuses to build a venue client when the
environment names a proxy URL that cannot work (:mod:`adapters.proxy_routing`); each venue
then carries that failure. The trading commands exit 2 on any venue they cannot build
(``scripts/trading.py``); ``scan``, ``collect`` and ``watch`` would otherwise report every
venue "failed" (exit 1) or, for ``watch``, wait forever for venues that cannot connect.
"""

from __future__ import annotations

from collections.abc import Sequence

from returns.result import Failure

from scripts.context import fail
from scripts.runtime import Venue


def refuse_a_broken_proxy(venues: Sequence[Venue]) -> None:
    """Exit 2 with the first unbuilt venue's message (``venue X: proxy for 'https://'
    (HTTPS_PROXY) from the environment (...): ...``, as the trading commands print it)
    when the environment's proxy setting is what is wrong; else nothing (and nothing is
    imported when every venue was built)."""
    failed = [v.client.failure() for v in venues if isinstance(v.client, Failure)]
    if not failed:
        return
    from adapters.proxy_routing import environment_problem

    if environment_problem() is not None:
        fail(failed[0])


__all__ = ["refuse_a_broken_proxy"]
