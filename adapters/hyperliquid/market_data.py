"""Hyperliquid market data (all ``POST {base}/info``, JSON bodies exactly as below).

- markets and current funding: ``{"type": "metaAndAssetCtxs"}`` (one request gives both;
  the asset directory used to turn symbols into asset ids is loaded from it too and kept
  for ``meta_ttl_seconds``, default 300, in the kit's :class:`~adapters.kit.cache.TtlCache`);
- predicted funding: ``{"type": "predictedFundings"}``;
- book: ``{"type": "l2Book", "coin": <name>}``;
- funding history: ``{"type": "fundingHistory", "coin", "startTime", "endTime"}``, paged:
  the venue returns at most 500 rows per call, so a full page is followed by another from
  ``last time + 1`` (:func:`paged`, shared with ``userFunding``).

``metaAndAssetCtxs`` carries no timestamp, so funding ``observed_at`` is read from the
injectable clock when the answer arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from returns.result import Failure, Result, Success

from adapters._parse import ParseError, integer
from adapters.hyperliquid.http import HyperliquidHttp
from adapters.hyperliquid.parsers import (
    AssetInfo,
    MetaSnapshot,
    Overrides,
    UniverseMemo,
    parse_funding_history,
    parse_l2_book,
    parse_meta_and_asset_ctxs,
    parse_predicted_fundings,
)
from adapters.kit.cache import TtlCache
from atomic_fp.errors import InvalidRequest, MalformedResponse, UnknownSymbol, VenueError
from atomic_fp.models import FundingRate, Market, OrderBook, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier

HISTORY_PAGE_LIMIT = 500
"""Rows per ``fundingHistory``/``userFunding`` answer (fact sheet B3; web3-ethereum-defi
docs, docs.rs df-hyperliquid-core). A shorter page is the last one."""
MAX_PAGES = 2_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Clock = Callable[[], datetime]


def millis(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _row_millis(row: Any) -> int | None:
    if not isinstance(row, Mapping):
        return None
    try:
        return integer(row.get("time"))
    except ParseError:
        return None


async def paged(
    http: HyperliquidHttp, body: Mapping[str, Any], start: datetime, end: datetime
) -> Result[list[Any], VenueError]:
    """Every raw row with ``start <= time < end``, following 500-row pages."""
    if end <= start:
        return Success([])
    end_ms = millis(end)
    cursor = millis(start)
    rows: list[Any] = []
    for _ in range(MAX_PAGES):
        answer = await http.info({**body, "startTime": cursor, "endTime": end_ms})
        if isinstance(answer, Failure):
            return answer
        page = answer.unwrap()
        if not isinstance(page, list):
            return Failure(MalformedResponse(http.venue, f"{body['type']}: expected a list"))
        rows.extend(page)
        if len(page) < HISTORY_PAGE_LIMIT:
            return Success(rows)
        last = max((stamp for stamp in map(_row_millis, page) if stamp is not None), default=None)
        if last is None or last < cursor:
            return Failure(
                MalformedResponse(http.venue, f"{body['type']}: page times do not advance")
            )
        cursor = last + 1
        if cursor >= end_ms:
            return Success(rows)
    return Failure(MalformedResponse(http.venue, f"{body['type']}: too many pages"))


class HyperliquidMarketData:
    """Public market data of one Hyperliquid client (shares its :class:`HyperliquidHttp`)."""

    def __init__(
        self,
        http: HyperliquidHttp,
        exchange: ExchangeIdentifier,
        overrides: Overrides,
        clock: Clock,
        meta_ttl: timedelta,
    ) -> None:
        self._http = http
        self._exchange = exchange
        self._venue = str(exchange)
        self.overrides = overrides
        self._clock = clock
        # Freshness is judged on the injectable clock (a replayed snapshot has its own time).
        self._universe = UniverseMemo()
        self._assets: TtlCache[dict[Symbol, AssetInfo]] = TtlCache(
            meta_ttl.total_seconds(), monotonic=lambda: self._clock().timestamp()
        )
        self._directory_of: tuple[tuple[AssetInfo, ...], dict[Symbol, AssetInfo]] | None = None
        """The last directory built and the assets it was built from (see :meth:`_directory`)."""

    async def snapshot(self, with_markets: bool = True) -> Result[MetaSnapshot, VenueError]:
        """The venue's assets, markets and current funding; ``with_markets=False`` (a
        funding read) leaves ``markets`` empty, with the same rates and the same refusals
        (:func:`~adapters.hyperliquid.parsing.parse_meta_and_asset_ctxs`)."""
        answer = await self._http.info({"type": "metaAndAssetCtxs"})
        if isinstance(answer, Failure):
            return answer
        observed_at = self._clock()
        parsed = parse_meta_and_asset_ctxs(
            self._exchange,
            answer.unwrap(),
            observed_at,
            self.overrides,
            self._universe,
            with_markets=with_markets,
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        snapshot = parsed.unwrap()
        self._assets.put(self._directory(snapshot.assets))
        return Success(snapshot)

    def _directory(self, assets: tuple[AssetInfo, ...]) -> dict[Symbol, AssetInfo]:
        """Symbol -> its asset (a listed one before a delisted one of the same symbol).

        Built again only for other assets than last time: the universe memo hands back the
        very same tuple for an unchanged universe (every warm scan; issue 20: 200 assets,
        two ``Symbol`` hashes each, a Python call apiece), and a directory is a function of
        it, never changed once built (only read by :meth:`resolve`). Equal to a fresh one:
        tests/adapters/hyperliquid/test_asset_directory_memo.py."""
        known = self._directory_of
        if known is not None and known[0] is assets:
            return known[1]
        directory: dict[Symbol, AssetInfo] = {}
        for asset in assets:
            seen = directory.get(asset.symbol)
            if seen is None or (seen.delisted and not asset.delisted):
                directory[asset.symbol] = asset
        self._directory_of = (assets, directory)
        return directory

    async def resolve(self, symbol: Symbol) -> Result[AssetInfo, VenueError]:
        """``symbol``'s asset (id, size decimals); re-reads the directory when it is stale
        or does not know the symbol yet."""
        directory = self._assets.fresh()
        if directory is None or symbol not in directory:
            loaded = await self.snapshot()
            if isinstance(loaded, Failure):
                return Failure(loaded.failure())
            directory = self._assets.last or {}
        asset = directory.get(symbol)
        if asset is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} is not listed"))
        if asset.delisted:
            return Failure(UnknownSymbol(self._venue, f"{symbol} ({asset.name}) is delisted"))
        return Success(asset)

    async def fetch_markets(self) -> Result[tuple[Market, ...], VenueError]:
        snapshot = await self.snapshot()
        return snapshot.map(lambda loaded: loaded.markets)

    async def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        snapshot = await self.snapshot(with_markets=False)
        wanted = None if symbols is None else frozenset(symbols)
        return snapshot.map(
            lambda loaded: tuple(
                rate for rate in loaded.rates if wanted is None or rate.symbol in wanted
            )
        )

    async def predicted(
        self,
        symbols: Collection[Symbol] | None,
        source: str = "HlPerp",
        exchange: ExchangeIdentifier | None = None,
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        answer = await self._http.info({"type": "predictedFundings"})
        if isinstance(answer, Failure):
            return answer
        parsed = parse_predicted_fundings(
            exchange or self._exchange,
            answer.unwrap(),
            self._clock(),
            self.overrides,
            source=source,
        )
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        wanted = None if symbols is None else frozenset(symbols)
        return Success(
            tuple(rate for rate in parsed.unwrap() if wanted is None or rate.symbol in wanted)
        )

    async def fetch_order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth <= 0:
            return Failure(InvalidRequest(self._venue, f"depth must be positive, got {depth}"))
        asset = await self.resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        answer = await self._http.info({"type": "l2Book", "coin": asset.unwrap().name})
        if isinstance(answer, Failure):
            return answer
        parsed = parse_l2_book(self._exchange, symbol, answer.unwrap(), depth)
        return parsed if isinstance(parsed, Success) else Failure(parsed.failure())

    async def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        asset = await self.resolve(symbol)
        if isinstance(asset, Failure):
            return Failure(asset.failure())
        rows = await paged(
            self._http, {"type": "fundingHistory", "coin": asset.unwrap().name}, start, end
        )
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        parsed = parse_funding_history(self._exchange, symbol, rows.unwrap())
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        unique: dict[datetime, FundingRate] = {}
        for rate in parsed.unwrap():
            assert rate.funding_time is not None
            if start <= rate.funding_time < end:
                unique.setdefault(rate.funding_time, rate)
        return Success(tuple(unique[moment] for moment in sorted(unique)))


__all__ = ["HISTORY_PAGE_LIMIT", "HyperliquidMarketData", "paged"]
