"""Hyperliquid's asset directory (symbol -> asset, what ``resolve`` reads) is built once per
universe, not once per read (issue 20: every warm scan reads the same ~200 assets).

The directory of every read equals the one the earlier code built afresh (its loop kept
below as the oracle), on the fake venue's universe, on one listing a symbol both delisted
and listed, and after the universe changes; an unchanged universe hands back the very same
directory (the earlier code built a new dict per read: that assertion fails on it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from returns.result import Result, Success

from adapters.hyperliquid.market_data import HyperliquidMarketData
from adapters.hyperliquid.parsing import AssetInfo
from atomic_fp.errors import VenueError
from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from tests.adapters.hyperliquid.fake_venue import CTXS, UNIVERSE

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 3, 1, 9, 15, 30, tzinfo=timezone.utc)


def _directory_oracle(assets: tuple[AssetInfo, ...]) -> dict[Symbol, AssetInfo]:
    """The earlier code's directory, verbatim (HyperliquidMarketData.snapshot at eec4b55)."""
    directory: dict[Symbol, AssetInfo] = {}
    for asset in assets:
        known = directory.get(asset.symbol)
        if known is None or (known.delisted and not asset.delisted):
            directory[asset.symbol] = asset
    return directory


class _Answers:
    """``HyperliquidHttp.info`` answering ``metaAndAssetCtxs`` with a fresh copy of
    ``payload`` each time (as a decoder would)."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    async def info(self, body: Mapping[str, Any]) -> Result[Any, VenueError]:
        assert body == {"type": "metaAndAssetCtxs"}
        return Success(copy.deepcopy(self.payload))


def _payload(universe: Any, ctxs: Any) -> Any:
    return [{"universe": universe, "marginTables": []}, ctxs]


RELISTED = [
    {"name": "OLD", "szDecimals": 2, "maxLeverage": 3, "isDelisted": True},
    *UNIVERSE[:3],
    {"name": "OLD", "szDecimals": 3, "maxLeverage": 5},
    {"name": "BTC", "szDecimals": 1, "maxLeverage": 2, "isDelisted": True},
]
RELISTED_CTXS = [CTXS[3], *CTXS[:3], CTXS[3], CTXS[0]]


@pytest.mark.anyio
async def test_the_directory_is_built_once_per_universe_and_equal_to_a_fresh_one() -> None:
    answers = _Answers(_payload(UNIVERSE, CTXS))
    data = HyperliquidMarketData(
        answers,  # type: ignore[arg-type]  # only info() is asked
        HL,
        {},
        lambda: NOW,
        timedelta(minutes=5),
    )
    seen: list[dict[Symbol, AssetInfo]] = []
    for universe, ctxs in ((UNIVERSE, CTXS), (UNIVERSE, CTXS), (RELISTED, RELISTED_CTXS)):
        answers.payload = _payload(universe, ctxs)
        for _ in range(2):
            read = await data.fetch_funding_rates(None)
            assert isinstance(read, Success), read
            snapshot = (await data.snapshot(with_markets=False)).unwrap()
            directory = data._assets.last
            assert directory == _directory_oracle(snapshot.assets)
            assert list(directory or {}) == list(_directory_oracle(snapshot.assets))
            seen.append(directory or {})
    # one directory per universe (the first two universes are the same one)
    assert all(d is seen[0] for d in seen[:4])
    assert seen[4] is seen[5] and seen[4] is not seen[0]
    # the relisted symbol resolves to its listed asset, as before
    old = (await data.resolve(Symbol("OLD"))).unwrap()
    assert not old.delisted and old.sz_decimals == 3
    btc = (await data.resolve(Symbol("BTC"))).unwrap()
    assert not btc.delisted and btc.sz_decimals == 5
