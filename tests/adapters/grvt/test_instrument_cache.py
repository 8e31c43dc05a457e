"""``options["instrument_cache"]``: the ``all_instruments`` answer kept on disk.

Another client (another process) within ``instrument_ttl`` of the fetch asks only for
tickers; an expired, future-stamped, corrupt, foreign or unparsable file is ignored and
the list refetched; a cache that cannot be written never fails the call.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from adapters.grvt import cache
from adapters.grvt.client import GrvtClient
from adapters.registry import VenueSettings
from atomic_fp.models import Symbol
from tests.adapters.grvt._data import VENUE, instrument_row, run
from tests.adapters.grvt.test_client import Venue

ALL_INSTRUMENTS = "market-data.grvt.io/full/v1/all_instruments"
SOURCE = "https://market-data.grvt.io/full/v1/all_instruments"
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make(
    venue: Callable[[httpx.Request], httpx.Response],
    path: Path | None,
    clock: Clock | None = None,
    monotonic: Callable[[], float] | None = None,
    **options: str,
) -> GrvtClient:
    if path is not None:
        options["instrument_cache"] = str(path)
    return GrvtClient(
        VenueSettings(id=VENUE, kind="grvt", options=options, transport=httpx.MockTransport(venue)),
        clock=clock or Clock(),
        **({} if monotonic is None else {"monotonic": monotonic}),
    )


async def scan(client: GrvtClient) -> list[tuple[Symbol, Decimal, timedelta]]:
    try:
        rates = (await run(client.fetch_funding_rates())).unwrap()
    finally:
        await client.aclose()
    return [(r.symbol, r.rate, r.interval) for r in rates]


def fetches(venue: Venue) -> int:
    return venue.paths().count(ALL_INSTRUMENTS)


@pytest.mark.anyio
async def test_a_second_client_within_the_ttl_sends_no_all_instruments(tmp_path: Path) -> None:
    path = tmp_path / "grvt-grvt-instruments.json"
    first, second = Venue(), Venue()
    cold = await scan(make(first, path))
    assert fetches(first) == 1
    stored = json.loads(path.read_text())
    assert stored["format"] == cache.FORMAT and stored["venue"] == "grvt"
    assert stored["source"] == SOURCE and stored["fetched_at"] == T0.timestamp()
    warm = await scan(make(second, path, Clock(T0 + timedelta(seconds=899))))
    assert fetches(second) == 0
    assert second.paths() == ["market-data.grvt.io/full/v1/ticker"] * 3
    assert warm == cold
    assert [s for s, _, _ in warm] == [Symbol("BTC"), Symbol("ETH"), Symbol("SOL")]


@pytest.mark.anyio
async def test_the_in_memory_ttl_counts_from_the_original_fetch(tmp_path: Path) -> None:
    path = tmp_path / "instruments.json"
    await scan(make(Venue(), path))
    venue = Venue()
    process = [1000.0]  # the process's monotonic clock
    client = make(
        venue,
        path,
        Clock(T0 + timedelta(seconds=600)),
        monotonic=lambda: process[0],
        instrument_ttl="900",
    )
    try:
        (await run(client.fetch_markets())).unwrap()
        assert fetches(venue) == 0
        path.unlink()  # from here on only the in-memory copy counts
        # loaded with an age of 600 s, so it is stale 300 s later, not 900 s later
        process[0] += 299  # 299 s of process time
        (await run(client.fetch_markets())).unwrap()
        assert fetches(venue) == 0
        process[0] += 2
        (await run(client.fetch_markets())).unwrap()
        assert fetches(venue) == 1
    finally:
        await client.aclose()


def _child(path: str) -> None:
    """One fresh process's scan: prints how many all_instruments requests it sent."""
    venue = Venue()
    anyio.run(scan, make(venue, Path(path), Clock(datetime.now(UTC))))
    print(json.dumps({"all_instruments": fetches(venue), "requests": len(venue.requests)}))


def test_a_second_process_within_the_ttl_sends_no_all_instruments(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "instruments.json"  # the directory is created on write
    code = f"from tests.adapters.grvt.test_instrument_cache import _child; _child({str(path)!r})"
    seen = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
        )
        assert done.returncode == 0, done.stderr
        seen.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert seen == [
        {"all_instruments": 1, "requests": 4},
        {"all_instruments": 0, "requests": 3},
    ]


@pytest.mark.anyio
async def test_an_expired_cache_is_refetched_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "instruments.json"
    await scan(make(Venue(), path))
    later = T0 + timedelta(seconds=900)
    venue = Venue()
    await scan(make(venue, path, Clock(later)))
    assert fetches(venue) == 1
    assert json.loads(path.read_text())["fetched_at"] == later.timestamp()
    # a shorter instrument_ttl makes the same file stale sooner
    venue = Venue()
    await scan(make(venue, path, Clock(later + timedelta(seconds=60)), instrument_ttl="30"))
    assert fetches(venue) == 1


@pytest.mark.anyio
async def test_the_stored_fetch_time_decides_not_the_mtime(tmp_path: Path) -> None:
    path = tmp_path / "instruments.json"
    await scan(make(Venue(), path))
    now = T0 + timedelta(hours=2)
    os.utime(path, (now.timestamp(), now.timestamp()))  # touched: mtime is "fresh"
    venue = Venue()
    await scan(make(venue, path, Clock(now)))
    assert fetches(venue) == 1


@pytest.mark.anyio
async def test_a_cache_stamped_in_the_future_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "instruments.json"
    await scan(make(Venue(), path, Clock(T0 + timedelta(hours=1))))
    venue = Venue()
    await scan(make(venue, path, Clock(T0)))
    assert fetches(venue) == 1


def _valid_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": cache.FORMAT,
        "venue": "grvt",
        "source": SOURCE,
        "fetched_at": T0.timestamp(),
        "body": {"result": Venue().instruments},
    }
    document.update(changes)
    return document


BAD_FILES: dict[str, bytes] = {
    "empty": b"",
    "garbage": b"\x00\xff not json {",
    "truncated": json.dumps(_valid_document()).encode()[:-40],
    "a list": b"[1, 2, 3]",
    "NaN stamp": json.dumps(_valid_document(fetched_at=float("nan"))).encode(),
    "huge stamp": json.dumps(_valid_document(fetched_at=0))
    .replace('"fetched_at": 0', '"fetched_at": 1e999')
    .encode(),
    "other format": json.dumps(_valid_document(format="something/else")).encode(),
    "other venue": json.dumps(_valid_document(venue="grvt-testnet")).encode(),
    "other host": json.dumps(
        _valid_document(source="https://market-data.testnet.grvt.io/full/v1/all_instruments")
    ).encode(),
    "no stamp": json.dumps(_valid_document(fetched_at=None)).encode(),
    "string stamp": json.dumps(_valid_document(fetched_at=str(T0.timestamp()))).encode(),
    "no body": json.dumps({k: v for k, v in _valid_document().items() if k != "body"}).encode(),
    "unparsable body": json.dumps(_valid_document(body={"result": "nope"})).encode(),
    "bad row": json.dumps(
        _valid_document(body={"result": [{**instrument_row(), "tick_size": "x"}]})
    ).encode(),
    "no perpetual": json.dumps(_valid_document(body={"result": []})).encode(),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_a_bad_cache_file_is_ignored_and_refetched(
    tmp_path: Path, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "instruments.json"
    path.write_bytes(BAD_FILES[case])
    venue = Venue()
    with caplog.at_level(logging.DEBUG, logger="adapters.grvt"):
        rates = await scan(make(venue, path, Clock(T0 + timedelta(seconds=1))))
    assert fetches(venue) == 1
    assert len(rates) == 3
    assert "not used" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # and the refetched list replaced it
    assert json.loads(path.read_text())["fetched_at"] == (T0 + timedelta(seconds=1)).timestamp()


@pytest.mark.anyio
async def test_the_control_file_is_used(tmp_path: Path) -> None:
    """The valid document the bad files are made from is itself accepted (so each bad
    case fails for its own defect)."""
    path = tmp_path / "instruments.json"
    path.write_text(json.dumps(_valid_document()))
    venue = Venue()
    assert len(await scan(make(venue, path, Clock(T0 + timedelta(seconds=1))))) == 3
    assert fetches(venue) == 0


@pytest.mark.anyio
async def test_a_cache_path_that_is_a_directory_is_refetched_and_not_fatal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "instruments.json"
    path.mkdir()
    venue = Venue()
    assert len(await scan(make(venue, path))) == 3
    assert fetches(venue) == 1 and path.is_dir()


@pytest.mark.anyio
async def test_an_unwritable_cache_does_not_fail_the_scan(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    venue = Venue()
    assert len(await scan(make(venue, blocker / "instruments.json"))) == 3
    assert fetches(venue) == 1


@pytest.mark.anyio
async def test_a_refused_replace_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only directory does to the final step (the test runs as any user)."""

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr("adapters.grvt.cache.os.replace", refuse)
    venue = Venue()
    assert len(await scan(make(venue, tmp_path / "instruments.json"))) == 3
    assert os.listdir(tmp_path) == []


@pytest.mark.anyio
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores modes")
async def test_a_read_only_directory_does_not_fail_the_scan(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o500)
    try:
        venue = Venue()
        assert len(await scan(make(venue, directory / "instruments.json"))) == 3
        assert os.listdir(directory) == []
    finally:
        directory.chmod(0o700)


@pytest.mark.anyio
async def test_json_floats_round_trip_through_the_file(tmp_path: Path) -> None:
    """Numbers that arrive as JSON floats (Decimal after parsing) are stored as strings
    and read back as the same instruments."""
    rows = [{**instrument_row(), "tick_size": Decimal("0.1"), "min_notional": Decimal("100.0")}]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/full/v1/all_instruments":
            text = json.dumps({"result": rows}, default=float)
            assert '"tick_size": 0.1' in text
            return httpx.Response(200, content=text.encode())
        return Venue()(request)

    path = tmp_path / "instruments.json"
    fresh = make(answer, path)
    cached = make(Venue(), path)
    try:
        live = (await run(fresh.fetch_markets())).unwrap()
        stored = (await run(cached.fetch_markets())).unwrap()
    finally:
        await fresh.aclose()
        await cached.aclose()
    assert stored == live
    assert live[0].tick_size == Decimal("0.1")


@pytest.mark.anyio
async def test_without_the_option_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    written: list[object] = []

    def write(*args: object) -> bool:
        written.append(args)
        return True

    monkeypatch.setattr(cache, "write", write)
    venue = Venue()
    await scan(make(venue, None))
    await scan(make(venue, None))
    assert fetches(venue) == 2
    assert written == [] and os.listdir(tmp_path) == []
