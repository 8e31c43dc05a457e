"""Walking a venue's paged lists: cursor pages and pages walked back in time.

Two shapes cover the venues' paged REST lists:

- **cursor pages** (Bybit ``nextPageCursor``): each page names the next; an empty cursor,
  or the cursor just sent again, ends the walk (:func:`walk_cursor`);
- **pages walked back** (Bybit ``endTime``, OKX ``after``: newest first, at most ``limit``
  rows a page): the next page ends just before the oldest row seen; a short page, or one
  reaching ``floor``, ends the walk, and a page that does not move back is a malformed
  answer, never an endless loop (:func:`walk_back`).

Either stops after ``max_pages`` with :class:`MalformedResponse`: a venue that pages
forever is broken, and a partial list must not pass for the whole.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from returns.result import Failure, Result, Success

from atomic_fp.errors import MalformedResponse, VenueError

T = TypeVar("T")

CursorPage = Callable[[str], Awaitable[Result[tuple[Sequence[T], str], VenueError]]]
"""Fetches the page at a cursor (``""``: the first): its rows and the next cursor."""

BackPage = Callable[[int], Awaitable[Result[Sequence[T], VenueError]]]
"""Fetches the page of rows before a cursor (ms or an id as int, venue's choice)."""


async def walk_cursor(
    venue: str, fetch: CursorPage[T], *, max_pages: int, what: str
) -> Result[list[T], VenueError]:
    """Every row of a cursor-paged list, in page order."""
    rows: list[T] = []
    cursor = ""
    for _ in range(max_pages):
        page = await fetch(cursor)
        if isinstance(page, Failure):
            return Failure(page.failure())
        found, following = page.unwrap()
        rows.extend(found)
        if not following or following == cursor:
            return Success(rows)
        cursor = following
    return Failure(MalformedResponse(venue, f"{what}: over {max_pages} pages"))


async def walk_back(
    venue: str,
    fetch: BackPage[T],
    *,
    start: int,
    floor: int,
    limit: int,
    oldest: Callable[[T], int],
    next_cursor: Callable[[int], int] = lambda oldest: oldest,
    max_pages: int,
    what: str,
) -> Result[list[T], VenueError]:
    """Rows of pages walked back from ``start`` until a page is short (under ``limit``
    rows) or the cursor reaches ``floor``; ``next_cursor`` turns the oldest row's key
    into the next cursor (``oldest - 1`` for an inclusive end time)."""
    rows: list[T] = []
    cursor = start
    for _ in range(max_pages):
        page = await fetch(cursor)
        if isinstance(page, Failure):
            return Failure(page.failure())
        found = page.unwrap()
        rows.extend(found)
        if len(found) < limit:
            return Success(rows)
        following = next_cursor(min(oldest(row) for row in found))
        if following >= cursor:
            return Failure(MalformedResponse(venue, f"{what}: pagination did not move back"))
        cursor = following
        if cursor <= floor:
            return Success(rows)
    return Failure(MalformedResponse(venue, f"{what}: over {max_pages} pages"))


__all__ = ["BackPage", "CursorPage", "walk_back", "walk_cursor"]
