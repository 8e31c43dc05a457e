"""The venue kit: what every venue package is built from.

A venue package (``adapters/<venue>/``) is split the way nautilus_trader splits its
adapters, and takes each shared piece from here instead of writing its own:

==================  ==========================================================================
venue module        kit piece it uses
==================  ==========================================================================
``config.py``       (its typed settings; :mod:`adapters.client_config`)
``http.py``         :class:`~adapters.kit.http.JsonHttp` (one HTTP JSON call, classified into
                    typed errors by status), :class:`~adapters.kit.http.CodeMap` (the venue's
                    own error codes onto typed errors), :class:`~adapters.kit.budget.
                    RequestBudget` (request weights, ``Retry-After``, one refusal type:
                    :class:`~atomic_fp.errors.RefusedLocally`; never sleeps under a lock);
                    for an API-key (HMAC) venue all of it in :class:`~adapters.kit.rest.
                    SignedRest`, the venue writing only a :class:`~adapters.kit.rest.
                    RestDialect` (signing, envelope check, code map, server time)
``parsing.py``      pure functions, :mod:`adapters._parse` helpers and :mod:`adapters.kit.
                    readers` (lists of objects, book sides, settled rates); no kit state
``market_data.py``  :class:`~adapters.kit.cache.TtlCache` (markets and other slow-changing
                    lists, loaded once for concurrent callers), :class:`~adapters.kit.
                    catalog.MarketCatalog` (markets by symbol), :mod:`adapters.kit.pages`
``execution.py``    :mod:`atomic_fp.rounding` (the one lot/tick rounding; it lives in the
                    core because sizing and pricing use it too), :mod:`adapters.kit.
                    order_rules`, :class:`~adapters.kit.order_flow.OrderFlow` (prepare ->
                    send -> read back by client id, cancel)
``factory.py``      :class:`~adapters.kit.components.DeclaredVenue` (+ ``MarginFacade``,
                    ``FeesFacade``, ``PreparedOrdersFacade``): the parts declared once in a
                    :class:`~adapters.kit.parts.VenueParts` (the parts' protocols:
                    :mod:`adapters.kit.parts`); the public, never-raising
                    methods and the derived capability map follow (on
                    :class:`~adapters.kit.facade.GuardedVenue`); ``create(settings)``
                    registered in :mod:`adapters.registry`
==================  ==========================================================================

Tests of a venue serve it from ``tests/adapters/<venue>/fake_venue.py``, built on the
fake-venue harness ``tests/harness/``.
"""

from adapters.kit.budget import BACKOFF_CODE, RequestBudget
from adapters.kit.cache import TtlCache
from adapters.kit.facade import (
    FeesFacade,
    GuardedVenue,
    MarginFacade,
    PreparedOrdersFacade,
    redact,
)
from adapters.kit.http import CodeMap, JsonHttp, RetryPolicy, joined_failure, loads
from atomic_fp.rounding import ceil_to_step, floor_to_step, is_multiple

__all__ = [
    "BACKOFF_CODE",
    "CodeMap",
    "FeesFacade",
    "GuardedVenue",
    "JsonHttp",
    "MarginFacade",
    "PreparedOrdersFacade",
    "RequestBudget",
    "RetryPolicy",
    "TtlCache",
    "ceil_to_step",
    "floor_to_step",
    "is_multiple",
    "joined_failure",
    "loads",
    "redact",
]
