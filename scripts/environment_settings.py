"""A broken connection setting in the environment is a configuration error for every command.

Every venue client reads two settings from the environment, as httpx reads them for a
plain client: its proxies (``HTTPS_PROXY`` & co., :mod:`adapters.proxy_routing`) and, for
a venue without ``ca_bundle``, the default CA store (``SSL_CERT_FILE`` / ``SSL_CERT_DIR``,
:mod:`adapters.default_trust`). :func:`adapters.registry.build_client` refuses to build a
client when either cannot work; each venue then carries that failure. The trading commands
exit 2 on any venue they cannot build (``scripts/trading.py``); ``scan``, ``collect`` and
``watch`` would otherwise report every venue "failed" (exit 1), blame the config file, or,
for ``watch``, wait for venues that cannot connect.

A venue may also fail to build for a reason of its own before a setting is looked at (a
``ca_bundle`` file without a certificate: ``build_client`` loads it before the proxies are
checked), so an environment problem is told from the others by what it says, not by the
venue's place in the list: before, the first unbuilt venue's message was printed, which
named another problem (and not the proxy) when two things were wrong at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from returns.result import Failure

from scripts.context import error, fail
from scripts.runtime import Venue


def _as_built(venue: Venue, problem: str) -> str:
    return problem


def environment_problems(failures: Sequence[tuple[Venue, str]]) -> list[str]:
    """What is wrong with the environment's connection settings, each as a venue client's
    build names it: the proxies (every venue client is routed through them, so a venue
    that failed on something else first would have failed on them too), then the default
    CA store if a venue failed on it (only venues without ``ca_bundle`` load it)."""
    from adapters.default_trust import default_store_problem
    from adapters.proxy_routing import environment_problem

    problems = [p for p in (environment_problem(),) if p is not None]
    store = default_store_problem()
    if store is not None and any(m == f"venue {v.id}: {store}" for v, m in failures):
        problems.append(store)
    return problems


def refuse_a_broken_environment(
    venues: Sequence[Venue], describe: Callable[[Venue, str], str] = _as_built
) -> None:
    """Exit 2 when a setting of the environment is what is wrong, each such problem named
    as the trading commands name it (``venue X: proxy for 'https://' (HTTPS_PROXY) from the
    environment (...): ...``, X the first venue that failed on it; the bare problem when
    every unbuilt venue failed on something else first); each venue that could not be
    built for another reason is reported before them, as ``describe(venue, its failure)``
    says (``scan``: as an invalid configuration). Else nothing (and nothing is imported
    when every venue was built)."""
    failed = [(v, v.client.failure()) for v in venues if isinstance(v.client, Failure)]
    if not failed:
        return
    problems = environment_problems(failed)
    if not problems:
        return
    theirs = {f"venue {v.id}: {p}" for v, _ in failed for p in problems}
    for venue, message in failed:
        if message not in theirs:
            report = describe(venue, message)
            configuration = report.startswith("invalid configuration")
            error(report, error_type="ConfigurationError" if configuration else "UsageError")
    named = [
        next((m for v, m in failed if m == f"venue {v.id}: {problem}"), problem)
        for problem in problems
    ]
    for message in named[:-1]:
        error(message, error_type="UsageError")
    fail(named[-1])


__all__ = ["environment_problems", "refuse_a_broken_environment"]
