"""Venue factories living "outside" atomic-fp, loaded by import path from a config
(``kind = "tests.cli.external_venue:create"``): how a new exchange plugs in unchanged."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import httpx
from returns.future import FutureResult

from adapters._future import failed
from adapters.paper.client import create as create_paper
from adapters.registry import VenueSettings
from atomic_fp.errors import NetworkError, VenueError
from atomic_fp.models import (
    Balance,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    Position,
    Symbol,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.venue import PUBLIC_CAPABILITIES, Capability, VenueClient


def create(settings: VenueSettings) -> VenueClient:
    """An external venue: here simply a paper venue under another name."""
    return create_paper(settings)


class DownVenue:
    """A venue whose every call fails with a network error (it is down)."""

    def __init__(self, settings: VenueSettings) -> None:
        self._id = settings.id

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._id

    @property
    def capabilities(self) -> frozenset[Capability]:
        return PUBLIC_CAPABILITIES

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return failed(NetworkError(str(self._id), "venue is down"))

    async def aclose(self) -> None:
        return None


def down(settings: VenueSettings) -> VenueClient:
    return DownVenue(settings)


def _cassette_bodies(path: Path) -> list[Any]:
    """Response bodies of a vcrpy cassette (``string: '...'`` lines), without PyYAML."""
    bodies = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("string: '") and stripped.endswith("'"):
            bodies.append(json.loads(stripped[len("string: '") : -1].replace("''", "'")))
    return bodies


def hyperliquid_history(settings: VenueSettings) -> VenueClient:
    """The real Hyperliquid client over a transport serving the SDK cassette's 1,038 real
    BTC ``fundingHistory`` rows (MIT; read from shared/research-data) and the bundled
    snapshot's ``metaAndAssetCtxs`` (for the asset directory)."""
    from adapters.hyperliquid.client import create as create_hl
    from adapters.snapshot import bundled_snapshot
    from tests.conftest import RESEARCH_DATA

    cassette = (
        RESEARCH_DATA
        / "hyperliquid-python-sdk/tests/cassettes/info_test/test_get_funding_history[None].yaml"
    )
    rows = next(b for b in _cassette_bodies(cassette) if isinstance(b, list))
    recording = bundled_snapshot().venue("hyperliquid")
    assert recording is not None
    meta = next(e.body for e in recording.exchanges if e.json == {"type": "metaAndAssetCtxs"})

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("type") == "metaAndAssetCtxs":
            return httpx.Response(200, json=meta)
        if body.get("type") == "fundingHistory" and body.get("coin") == "BTC":
            start, end = body["startTime"], body.get("endTime", 2**62)
            page = [r for r in rows if start <= r["time"] <= end][:500]
            return httpx.Response(200, json=page)
        return httpx.Response(400, json={"error": "not served"})

    return create_hl(attrs.evolve(settings, transport=httpx.MockTransport(handle)))


def refusing(settings: VenueSettings) -> VenueClient:
    """A paper venue that refuses every order (margin, maintenance...): answers, never acts."""
    venue = create_paper(settings)
    venue.faults.reject_probability = 1.0
    venue.faults.reject_reduce_only = True
    return venue


def lost_answers(settings: VenueSettings) -> VenueClient:
    """A paper venue that executes orders but whose answers are lost (the order call
    times out after the fill) and whose order lookups keep failing: every order it
    takes stays of unknown fate."""
    venue = create_paper(settings)
    venue.faults.timeout_after_fill_probability = 1.0

    def lookup_fails(symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return failed(NetworkError(str(settings.id), f"lookup of {client_order_id}: 503"))

    venue.fetch_order = lookup_fails  # type: ignore[method-assign]
    return venue
