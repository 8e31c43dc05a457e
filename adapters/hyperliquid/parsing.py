"""Pure parsers: Hyperliquid ``/info`` and ``/exchange`` JSON -> atomic-fp models (market
data and the live context's funding here; predicted and settled funding in
:mod:`adapters.hyperliquid.parsing_funding`; account data and ``/exchange`` answers in
:mod:`adapters.hyperliquid.parsing_account`; ``parsers.py`` re-exports all three).

Every public function here returns a ``Result`` through :func:`parse_guard`, so a
malformed, truncated or hostile payload becomes a
:class:`~atomic_fp.errors.MalformedResponse` and nothing escapes. Numbers are accepted as
JSON strings (what the API sends) or JSON numbers (some recorded bodies, e.g. ccxt's
fixtures and the SDK cassettes' ``leverage.value``/``time``); both are read exactly.

Units and facts (fact sheet B2-B6; recorded bodies in ``shared/research-data``):

- ``funding`` (ctx) and ``fundingRate`` (history, predicted ``HlPerp``) are fractions
  **per hour** since 2023-06-08. Before that Hyperliquid settled every 8 h and each row's
  ``fundingRate`` was the rate **per 8 h**: the SDK cassette
  ``test_get_funding_history[None].yaml`` (1,038 BTC rows) has 8 h gaps and a 0.0001 baseline
  up to the row at 2023-06-08 00:00:00.254 UTC, then 1 h gaps and a 0.0000125 baseline from
  01:00 (both baselines are 10.95 % APR). :func:`history_interval` sets each row's interval
  from its *date* (not from the gap to the previous row, which breaks on a page boundary and
  on a missing hour: the same cassette has one 2 h gap on the hourly side).
- ``metaAndAssetCtxs`` carries no timestamp: the caller passes ``observed_at`` (the client
  reads its injectable clock right after the response arrives). Its ``next_funding_time``
  is the next top of the hour after ``observed_at`` (funding settles hourly on the hour).
  ``ctxs`` is aligned with ``universe`` by index; lists of different lengths are refused.
- ``predictedFundings`` rows are ``[coin, [[venue, {fundingRate, nextFundingTime,
  fundingIntervalHours} | null], ...]]`` with venues ``HlPerp``, ``BinPerp``, ``BybitPerp``.
  The shape is **unconfirmed-recorded**: no recorded body exists; it is taken from the
  docs.chainstack.com predicted-fundings example quoted in the fact sheet (B9). Only the
  ``HlPerp`` entries are kept.
- ``clearinghouseState``: ``szi`` is signed (negative = short), in coin units; an absent coin
  is flat because the venue said so. ``cumFunding.sinceOpen`` is the funding the position
  has *paid* since it opened (positive = paid; inferred from the recorded ccxt bodies, where a
  long ETH position accumulated +161 USDC ``allTime``, not confirmed by HL docs), so
  ``Position.cumulative_funding`` is its negation (positive = received, like
  ``FundingPayment``). ``Position.mark_price`` is derived as ``positionValue / |szi|``.
- ``userFunding`` ``delta.usdc`` is signed from the account's side: positive = received.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Result

from adapters._liquidity import non_negative, quote_value
from adapters._parse import (
    ParseError,
    arr,
    dec_field,
    field,
    obj,
    opt_dec,
    parse_guard,
    plain_decimal,
    plain_or_absent,
)

# the universe's parser lives in parsing_universe (split by job); its old import path stays
from adapters.hyperliquid.parsing_universe import AssetInfo as AssetInfo
from adapters.hyperliquid.parsing_universe import Overrides as Overrides
from adapters.hyperliquid.parsing_universe import _bool as _bool
from adapters.hyperliquid.parsing_universe import _symbol as _symbol
from adapters.hyperliquid.parsing_universe import parse_universe as parse_universe
from adapters.hyperliquid.rounding import finest_tick, lot_size
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import (
    FundingKind,
    FundingRate,
    Market,
)
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.market import checked_market

VENUE = "hyperliquid"
HOUR = timedelta(hours=1)
EIGHT_HOURS = timedelta(hours=8)
SETTLE_ASSET = "USDC"
MIN_ORDER_VALUE = Decimal(10)
"""Minimum order value in USDC (HL docs error ``MinTradeNtl``: "minimum value of $10")."""

HOURLY_FUNDING_SINCE = datetime(2023, 6, 8, 0, 30, tzinfo=timezone.utc)
"""Rows stamped before this settled 8-hourly (the last one at 2023-06-08 00:00:00.254);
rows after it hourly (the first at 01:00:00.054). Half an hour of margin absorbs the
venue's sub-second jitter on the 00:00 row."""



@attrs.frozen
class MetaSnapshot:
    """What one ``metaAndAssetCtxs`` answer says: listed assets, markets and funding
    (``markets`` is empty when the answer was read for its funding only:
    ``parse_meta_and_asset_ctxs(..., with_markets=False)``)."""

    assets: tuple[AssetInfo, ...]
    markets: tuple[Market, ...]
    rates: tuple[FundingRate, ...]


@attrs.define
class UniverseMemo:
    """The last universe parsed, by the ``repr`` of what it was parsed from (issue 20: every
    scan sends the same 200-odd entries). ``repr`` of decoded JSON is exact about types
    (``1``, ``True``, ``Decimal('1')`` and ``'1'`` differ), so a remembered answer is only
    reused for an identical document; anything else is parsed (and refused) afresh."""

    key: str | None = None
    assets: tuple[AssetInfo, ...] = ()
    buildable: tuple[ExchangeIdentifier, tuple[bool, ...]] | None = None
    """For :attr:`assets` and an exchange: whether each asset's market builds
    (:func:`adapters.hyperliquid.parsing._market_builds`), kept with the universe."""

    def assets_of(self, meta: Any, overrides: Overrides) -> tuple[AssetInfo, ...]:
        key = repr((meta, sorted(overrides.items())))
        if key != self.key:
            self.key = None  # a refused universe is never remembered
            self.buildable = None
            self.assets = parse_universe(meta, overrides)
            self.key = key
        return self.assets


@functools.lru_cache(maxsize=64)
def _steps(sz_decimals: int) -> tuple[Decimal, Decimal]:
    """``(finest_tick, lot_size)`` of an asset's ``szDecimals``, computed once per value
    (0-12: a scan asks for the same few ~200 times; both are immutable)."""
    return finest_tick(sz_decimals), lot_size(sz_decimals)


def _market(
    exchange: ExchangeIdentifier,
    asset: AssetInfo,
    open_interest: Decimal | None = None,
    volume_24h: Decimal | None = None,
) -> Market:
    tick, lot = _steps(asset.sz_decimals)
    return checked_market(
        exchange=exchange,
        symbol=asset.symbol,
        venue_symbol=asset.name,
        tick_size=tick,
        lot_size=lot,
        min_size=lot,
        min_notional=MIN_ORDER_VALUE,
        contract_multiplier=asset.multiplier,
        funding_interval=HOUR,
        settle_asset=SETTLE_ASSET,
        max_leverage=asset.max_leverage,
        open_interest=open_interest,
        volume_24h=volume_24h,
    )


def _market_builds(exchange: ExchangeIdentifier, assets: Sequence[AssetInfo]) -> tuple[bool, ...]:
    """Whether each asset's market builds without liquidity figures. Every other field of
    an asset's market comes from the asset alone, and the inline read below gives it an
    open interest and a volume that are ``None`` or finite Decimals >= 0 (``quote_value``,
    ``non_negative``), which ``Market`` accepts: so an asset whose market builds here has a
    market that builds in every answer, and a funding-only read may skip it without
    changing any outcome. An asset whose market does not build is built (and refused) in
    the loop, in its place, as before."""
    built: list[bool] = []
    for asset in assets:
        try:
            _market(exchange, asset)
        except Exception:  # whatever refusal: the loop raises it in its place
            built.append(False)
        else:
            built.append(True)
    return tuple(built)


def _buildable(
    exchange: ExchangeIdentifier, assets: tuple[AssetInfo, ...], memo: UniverseMemo | None
) -> tuple[bool, ...]:
    """:func:`_market_builds` of ``assets``: once per universe and exchange with a memo
    holding that universe."""
    if memo is None or assets is not memo.assets:
        return _market_builds(exchange, assets)
    known = memo.buildable
    if known is None or known[0] != exchange:
        known = memo.buildable = (exchange, _market_builds(exchange, assets))
    return known[1]


def next_hour(moment: datetime) -> datetime:
    """The next top of the hour strictly after ``moment``."""
    return moment.replace(minute=0, second=0, microsecond=0) + HOUR


def _positive_or_none(value: Decimal | None) -> Decimal | None:
    return value if value is not None and value > 0 else None


def _current_rate(
    exchange: ExchangeIdentifier,
    asset: AssetInfo,
    rate: Decimal,
    observed_at: datetime,
    next_funding: datetime,
    mark: Decimal | None,
    index: Decimal | None,
    open_interest: Decimal | None,
    volume: Decimal | None,
) -> FundingRate:
    """One asset's current (hourly) rate: what the common context's inline read and the
    checked read (:func:`_asset_ctx`) both build."""
    return checked_funding_rate(
        exchange=exchange,
        symbol=asset.symbol,
        rate=rate,
        interval=HOUR,
        kind=FundingKind.CURRENT,
        observed_at=observed_at,
        next_funding_time=next_funding,
        mark_price=mark,
        index_price=index,
        venue_symbol=asset.name,
        open_interest=open_interest,
        volume_24h=volume,
    )


def _asset_ctx(
    exchange: ExchangeIdentifier,
    asset: AssetInfo,
    ctxs: Sequence[Any],
    observed_at: datetime,
    next_funding: datetime,
) -> tuple[Market, FundingRate] | None:
    """One asset's context read with every check and its path (None: delisted)."""
    path = f"$[1][{asset.index}]"
    ctx = obj(ctxs[asset.index], path)
    if asset.delisted:
        return None
    mark = _positive_or_none(opt_dec(ctx, "markPx", path))
    # ``openInterest`` is in coins, ``dayNtlVlm`` in USDC (notional)
    open_interest = quote_value(opt_dec(ctx, "openInterest", path), mark)
    volume = non_negative(opt_dec(ctx, "dayNtlVlm", path))
    market = _market(exchange, asset, open_interest, volume)
    rate = _current_rate(
        exchange,
        asset,
        dec_field(ctx, "funding", path),
        observed_at,
        next_funding,
        mark,
        _positive_or_none(opt_dec(ctx, "oraclePx", path)),
        open_interest,
        volume,
    )
    return market, rate


def _meta_and_ctxs(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides,
    memo: UniverseMemo | None = None,
    with_markets: bool = True,
) -> MetaSnapshot:
    pair = arr(payload)
    if len(pair) != 2:
        raise ParseError(f"$: expected [meta, assetCtxs], got {len(pair)} items")
    meta, raw_ctxs = pair
    universe_length = len(arr(field(obj(meta, "$[0]"), "universe", "$[0]"), "$[0].universe"))
    ctxs = arr(raw_ctxs, "$[1]")
    if len(ctxs) != universe_length:
        raise ParseError(f"$[1]: {len(ctxs)} asset contexts for {universe_length} universe entries")
    assets = parse_universe(meta, overrides) if memo is None else memo.assets_of(meta, overrides)
    markets: list[Market] = []
    rates: list[FundingRate] = []
    next_funding = next_hour(observed_at)
    # a funding-only read skips the markets known to build (see _market_builds)
    if with_markets:
        skip: Sequence[bool] = (False,) * len(assets)
    else:
        skip = _buildable(exchange, assets, memo)
    for asset, skipped in zip(assets, skip, strict=True):
        # The common context read inline (issue 20: ~200 per scan): a ``dict`` whose
        # numbers are plain (or absent where optional). Anything else goes to
        # ``_asset_ctx``, the checked path, which reads or refuses it from the start,
        # naming what is wrong; the two raise in the same order (the market's checks, then
        # the rate's). Equal: tests/adapters/hyperliquid/test_ctx_fast_path.py.
        ctx = ctxs[asset.index]
        if type(ctx) is dict:
            if asset.delisted:
                continue
            mark_px = plain_or_absent(ctx.get("markPx"))
            base_interest = plain_or_absent(ctx.get("openInterest"))
            day_volume = plain_or_absent(ctx.get("dayNtlVlm"))
            rate = plain_decimal(ctx.get("funding"))
            oracle = plain_or_absent(ctx.get("oraclePx"))
            if (
                mark_px is not False
                and base_interest is not False
                and day_volume is not False
                and rate is not None
                and oracle is not False
            ):
                mark = _positive_or_none(mark_px)
                open_interest = quote_value(base_interest, mark)
                volume = non_negative(day_volume)
                if not skipped:
                    markets.append(_market(exchange, asset, open_interest, volume))
                rates.append(
                    _current_rate(
                        exchange,
                        asset,
                        rate,
                        observed_at,
                        next_funding,
                        mark,
                        _positive_or_none(oracle),
                        open_interest,
                        volume,
                    )
                )
                continue
        read = _asset_ctx(exchange, asset, ctxs, observed_at, next_funding)
        if read is not None:
            if with_markets:
                markets.append(read[0])
            rates.append(read[1])
    return MetaSnapshot(assets=assets, markets=tuple(markets), rates=tuple(rates))


def parse_meta_and_asset_ctxs(
    exchange: ExchangeIdentifier,
    payload: Any,
    observed_at: datetime,
    overrides: Overrides | None = None,
    memo: UniverseMemo | None = None,
    with_markets: bool = True,
) -> Result[MetaSnapshot, MalformedResponse]:
    """``metaAndAssetCtxs`` -> listed assets, markets and CURRENT hourly funding.

    Delisted assets (``isDelisted: true``) are kept in ``assets`` (their index still
    counts) but yield no market and no rate. Names that are not asset codes are skipped.
    ``memo`` (a client's, kept between scans) skips parsing a universe seen last time.
    ``with_markets=False`` (a funding read: issue 20, ~200 markets per scan built for
    nothing): ``markets`` is empty, and the rates and any refusal are exactly those of
    ``with_markets=True`` (tests/adapters/hyperliquid/test_ctx_fast_path.py).
    """
    return parse_guard(
        str(exchange),
        lambda: _meta_and_ctxs(
            exchange, payload, observed_at, overrides or {}, memo, with_markets
        ),
    )


def parse_meta(
    venue: str, payload: Any, overrides: Overrides | None = None
) -> Result[tuple[AssetInfo, ...], MalformedResponse]:
    """``{"type": "meta"}`` -> the universe (as :class:`AssetInfo` tuple)."""
    return parse_guard(venue, lambda: parse_universe(payload, overrides or {}))


# the order book's parser lives in parsing_book (split by job); its old import path stays
from adapters.hyperliquid.parsing_book import _book as _book  # noqa: E402
from adapters.hyperliquid.parsing_book import _levels as _levels  # noqa: E402
from adapters.hyperliquid.parsing_book import parse_l2_book as parse_l2_book  # noqa: E402
