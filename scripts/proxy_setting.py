"""A broken proxy setting in the environment is a configuration error for every command.

:func:`adapters.registry.build_client` refuses to build a venue client when the
environment names a proxy URL that cannot work (:mod:`adapters.proxy_routing`); each venue
then carries that failure. The trading commands exit 2 on any venue they cannot build
(``scripts/trading.py``); ``scan``, ``collect`` and ``watch`` would otherwise report every
venue "failed" (exit 1) or, for ``watch``, wait forever for venues that cannot connect.

A venue may also fail to build for a reason of its own before the proxy is looked at
(a ``ca_bundle`` file without a certificate: ``build_client`` loads it first), so the
proxy's message is told from the others by what it says, not by the venue's place in
the list: before, the first unbuilt venue's message was printed, which named another
problem (and not the proxy) when two things were wrong at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from returns.result import Failure

from scripts.context import error, fail
from scripts.runtime import Venue


def _as_built(venue: Venue, problem: str) -> str:
    return problem


def refuse_a_broken_proxy(
    venues: Sequence[Venue], describe: Callable[[Venue, str], str] = _as_built
) -> None:
    """Exit 2 when the environment's proxy setting is what is wrong, with the message the
    trading commands print for it (``venue X: proxy for 'https://' (HTTPS_PROXY) from the
    environment (...): ...``, X the first venue that failed on it; the bare ``proxy for
    ...`` when every unbuilt venue failed on something else first); each venue that could
    not be built for another reason is reported before it, as ``describe(venue, its
    failure)`` says (``scan``: as an invalid configuration). Else nothing (and nothing is
    imported when every venue was built)."""
    failed = [(v, v.client.failure()) for v in venues if isinstance(v.client, Failure)]
    if not failed:
        return
    from adapters.proxy_routing import environment_problem

    problem = environment_problem()
    if problem is None:
        return
    on_the_proxy = [message for v, message in failed if message == f"venue {v.id}: {problem}"]
    for venue, message in failed:
        if message != f"venue {venue.id}: {problem}":
            report = describe(venue, message)
            configuration = report.startswith("invalid configuration")
            error(report, error_type="ConfigurationError" if configuration else "UsageError")
    fail(on_the_proxy[0] if on_the_proxy else problem)


__all__ = ["refuse_a_broken_proxy"]
