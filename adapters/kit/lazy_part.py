"""A venue part built on first use (issue 20: a ``scan`` builds every configured venue's
client but only ever asks its market data).

A venue's execution, account and signing parts import their modules and build their
state when the part is first needed (an order, a position read, the account's fees), not
when the client is built: :class:`Lazy` holds the function that builds the part and the
part once built. The part is built once (the same object serves every later call, as an
eagerly built part would); a build that raises raises again at the next use, where the
caller (:class:`~adapters.kit.components.DeclaredVenue`) turns it into a value like any
raising part. Not thread-safe: a client is used from its event loop's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeAlias, TypeVar

P_co = TypeVar("P_co", covariant=True)
T = TypeVar("T")


class Lazy(Generic[P_co]):
    """The part ``build()`` returns, built at the first :meth:`get`."""

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], P_co]) -> None:
        self._build: Callable[[], object] = build
        self._built: tuple[object] | None = None

    @property
    def built(self) -> bool:
        """Whether the part exists yet (tests: a scan leaves it unbuilt)."""
        return self._built is not None

    def get(self) -> P_co:
        if self._built is None:
            self._built = (self._build(),)
        return self._built[0]  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"Lazy({'built' if self._built is not None else 'not built'})"


Part: TypeAlias = T | Lazy[T]
"""A part given as itself or as a :class:`Lazy` building it."""


def resolve(part: Part[T]) -> T:
    """The part itself (building a :class:`Lazy` one now)."""
    return part.get() if isinstance(part, Lazy) else part


__all__ = ["Lazy", "Part", "resolve"]
