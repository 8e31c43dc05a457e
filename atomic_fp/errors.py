"""Typed errors, carried as values in ``returns`` containers (never raised by the core).

Every venue error names the venue, and where the venue gave them, its code and message.
No error ever carries a credential: adapters build messages from response bodies and
request *paths*, never from headers or signed query strings.

The classification matters for execution safety (after nautilus_trader's CommandFailure):
- :class:`NotSent`: provably never reached the venue; safe to retry.
- :class:`VenueRejected`: the venue answered and refused; it did not act.
- :class:`Ambiguous`: the venue may have acted (timeout after sending, HTTP 5xx/503);
  the order must be looked up by client id before anything else happens.
"""

from __future__ import annotations

from datetime import timedelta

import attrs


@attrs.frozen
class VenueError:
    """Base of every error a venue call can end in."""

    venue: str
    message: str
    code: str | None = None
    retry_after: timedelta | None = None
    """The venue's ``Retry-After`` (HTTP 429/418/503): no request to it, orders included,
    may be sent again before this has passed."""

    @property
    def kind(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.venue}: {self.kind}{code}: {self.message}"

    def __str__(self) -> str:
        return self.describe()


@attrs.frozen
class NotSupported(VenueError):
    """The venue (or this client) does not offer the capability at all."""


@attrs.frozen
class NotConfigured(VenueError):
    """The capability needs something the user has not configured (credentials, extra)."""


@attrs.frozen
class NotSent(VenueError):
    """The request never reached the venue (connect error, refused locally, budget)."""


@attrs.frozen
class NetworkError(VenueError):
    """A transport failure on an idempotent read."""


@attrs.frozen
class VenueTimeout(VenueError):
    """A read timed out. (An *order* that timed out is :class:`Ambiguous`.)"""


@attrs.frozen
class RateLimited(VenueError):
    """HTTP 429/418 or the venue's own rate-limit code; ``retry_after`` when it said."""


@attrs.frozen
class RefusedLocally(NotSent, RateLimited):
    """Our own rate-limit budget refused the request: it never left the process (a
    :class:`NotSent`, safe to send later) because sending it now would exceed the venue's
    limit or ignore its ``Retry-After`` (a :class:`RateLimited`; ``retry_after`` says when
    a slot frees). The one refusal type of :class:`adapters.kit.budget.RequestBudget`;
    ``code`` names the budget (e.g. ``"weight-budget"``, ``"budget"``, ``"local-backoff"``).
    Execution classifies it as not sent (``NotSent`` is checked first)."""


@attrs.frozen
class AuthenticationError(VenueError):
    """Bad key, bad signature, expired session."""


@attrs.frozen
class VenueRejected(VenueError):
    """The venue answered and refused the request; it did not act on it."""


@attrs.frozen
class OrderNotFound(VenueError):
    """The venue has no order with that client id (it never received it)."""


@attrs.frozen
class Ambiguous(VenueError):
    """The venue may or may not have acted (timeout after send, HTTP 5xx)."""


@attrs.frozen
class MalformedResponse(VenueError):
    """The venue's answer could not be read as what was expected (wrong types, NaN,
    missing keys, HTML error page...)."""


@attrs.frozen
class UnknownSymbol(VenueError):
    """The symbol is not listed on the venue."""


@attrs.frozen
class InvalidRequest(VenueError):
    """We refused to send it: the request itself is invalid (size below lot, NaN...)."""


@attrs.frozen
class ContradictsJournal(VenueError):
    """The venue's reading contradicts the journal and reconciliation flagged it this run.

    A decision never acts on such a reading (fail closed): a venue that says "flat" (or
    "-0") while the journal holds a position may be wrong, and trading the *other* leg on
    it would create the exposure it seems to remove. It is treated as unknown until an
    operator looks (``atomic-fp reconcile``) or a later reconciliation agrees."""


@attrs.frozen
class DecisionError:
    """Why a decision could not produce a signal from its inputs (a value, not a raise)."""

    message: str

    def __str__(self) -> str:
        return self.message
