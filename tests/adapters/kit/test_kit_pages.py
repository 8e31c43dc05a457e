"""The kit's page walkers (adapters/kit/pages.py): where a walk stops, and that a venue
paging forever or not moving back is a malformed answer, never a partial list."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from returns.result import Failure, Result, Success

from adapters.kit.pages import BackPage, CursorPage, walk_back, walk_cursor
from atomic_fp.errors import MalformedResponse, VenueError, VenueTimeout


def cursor_pages(pages: dict[str, tuple[list[int], str]], sent: list[str]) -> CursorPage[int]:
    async def fetch(cursor: str) -> Result[tuple[Sequence[int], str], VenueError]:
        sent.append(cursor)
        if cursor == "boom":
            return Failure(VenueTimeout("v", "timed out"))
        return Success(pages[cursor])

    return fetch


@pytest.mark.anyio
async def test_cursor_walk_follows_until_the_cursor_is_empty_or_repeated() -> None:
    sent: list[str] = []
    pages = {"": ([1, 2], "a"), "a": ([3], "b"), "b": ([4], "b")}
    rows = await walk_cursor("v", cursor_pages(pages, sent), max_pages=10, what="x")
    assert rows == Success([1, 2, 3, 4]) and sent == ["", "a", "b"]
    sent.clear()
    ended = await walk_cursor("v", cursor_pages({"": ([1], "")}, sent), max_pages=10, what="x")
    assert ended == Success([1]) and sent == [""]


@pytest.mark.anyio
async def test_cursor_walk_returns_a_failed_page_and_refuses_endless_paging() -> None:
    sent: list[str] = []
    failed = await walk_cursor("v", cursor_pages({"": ([1], "boom")}, sent), max_pages=10, what="x")
    assert isinstance(failed, Failure) and isinstance(failed.failure(), VenueTimeout)
    endless = {str(i): ([i], str(i + 1)) for i in range(1, 20)} | {"": ([0], "1")}
    over = await walk_cursor("v", cursor_pages(endless, []), max_pages=5, what="list")
    assert isinstance(over, Failure) and isinstance(over.failure(), MalformedResponse)
    assert over.failure().message == "list: over 5 pages"


def back_pages(times: list[int], limit: int, sent: list[int]) -> BackPage[int]:
    """Rows (their times) newest first, ``limit`` a page, strictly before the cursor."""

    async def fetch(before: int) -> Result[Sequence[int], VenueError]:
        sent.append(before)
        return Success(sorted((t for t in times if t < before), reverse=True)[:limit])

    return fetch


@pytest.mark.anyio
async def test_walk_back_stops_at_a_short_page() -> None:
    sent: list[int] = []
    fetch = back_pages([10, 20, 30, 40, 50], 2, sent)
    rows = await walk_back(
        "v", fetch, start=100, floor=0, limit=2, oldest=lambda t: t, max_pages=10, what="h"
    )
    assert rows == Success([50, 40, 30, 20, 10]) and sent == [100, 40, 20]


@pytest.mark.anyio
async def test_walk_back_stops_once_the_cursor_reaches_the_floor() -> None:
    sent: list[int] = []
    fetch = back_pages(list(range(10, 110, 10)), 2, sent)
    rows = await walk_back(
        "v", fetch, start=200, floor=70, limit=2, oldest=lambda t: t, max_pages=10, what="h"
    )
    assert rows == Success([100, 90, 80, 70]) and sent == [200, 90]


@pytest.mark.anyio
async def test_walk_back_refuses_a_page_that_does_not_move_back() -> None:
    async def stuck(before: int) -> Result[Sequence[int], VenueError]:
        return Success([before + 5, before + 1])  # rows not older than the cursor

    failed = await walk_back(
        "v", stuck, start=100, floor=0, limit=2, oldest=lambda t: t, max_pages=10, what="h"
    )
    assert isinstance(failed, Failure) and isinstance(failed.failure(), MalformedResponse)
    assert failed.failure().message == "h: pagination did not move back"


@pytest.mark.anyio
async def test_an_inclusive_end_time_steps_one_before_the_oldest_row() -> None:
    sent: list[int] = []

    async def fetch(until: int) -> Result[Sequence[int], VenueError]:  # rows <= until
        sent.append(until)
        return Success(sorted((t for t in (10, 20, 30, 40) if t <= until), reverse=True)[:2])

    rows = await walk_back(
        "v",
        fetch,
        start=40,
        floor=0,
        limit=2,
        oldest=lambda t: t,
        next_cursor=lambda oldest: oldest - 1,
        max_pages=10,
        what="h",
    )
    assert rows == Success([40, 30, 20, 10]) and sent == [40, 29, 9]
