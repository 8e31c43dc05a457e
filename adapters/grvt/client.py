"""The GRVT venue client (``VenueClient``).

Hosts (each configurable; ``settings.transport`` replaces the network for all three):

- market data, ``settings.base_url`` (default ``https://market-data.grvt.io``), public:
  ``POST full/v1/all_instruments`` ``{"is_active": true}`` (cached ``instrument_ttl``
  seconds), ``full/v1/ticker`` ``{"instrument": name}``, ``full/v1/book``,
  ``full/v1/funding``;
- auth, ``settings.auth_url`` (default ``https://edge.grvt.io``): API-key login
  (:mod:`adapters.grvt.auth`);
- trading, ``settings.trading_url`` (default ``https://trades.grvt.io``): positions,
  account summary, orders, all with the session cookie and ``X-Grvt-Account-Id``.

``options["instrument_cache"]`` (a file path, optional): keep the ``all_instruments`` answer
on disk so that another process within ``instrument_ttl`` (default 900 s, counted from the
fetch) skips that round trip; see :mod:`adapters.grvt.cache`. Unset, nothing touches disk.

``options["network"] = "testnet"`` switches the defaults to the testnet hosts and chain
id 326. Credentials: ``api_key``, ``sub_account_id``, ``private_key`` (the API key's
signing wallet); without them trading calls answer ``NotConfigured`` and market data works.

Error codes (api-spec trading_api.md error tables): 1006 -> ``RateLimited``; 1000/1001/
1008/1012/1400 and the signature codes 2000-2009 -> ``AuthenticationError``; 1004 on an
order lookup -> ``OrderNotFound``; every other code (order validation 2010+, margin, ...)
-> ``VenueRejected`` with GRVT's code and message. 2090 "max open orders" arrives with
HTTP 429 but is a rejection, not a rate limit, so writes read 4xx bodies themselves.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from adapters._future import guarded
from adapters._http import JsonHttp
from adapters.client_config import Connectable, as_settings
from adapters.grvt import cache as instrument_cache
from adapters.grvt import parsers
from adapters.grvt.auth import GrvtAuth
from adapters.grvt.config import GrvtConfig
from adapters.grvt.fees import ACCOUNT_SUMMARY, parse_account_tier
from adapters.grvt.margin import parse_account_margin
from adapters.grvt.parsers import GrvtInstrument, InstrumentList, error_extractor, error_of
from adapters.grvt.signing import (
    CHAIN_IDS,
    MAX_EXPIRY_NS,
    PRICE_DECIMALS,
    TIME_IN_FORCE_CODES,
    OrderToSign,
    scale_exact,
    sign_order,
    signer_address,
)
from adapters.published_fees import account_or_published
from adapters.registry import VenueSettings
from atomic_fp.errors import (
    Ambiguous,
    AuthenticationError,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    NotConfigured,
    NotSent,
    OrderNotFound,
    RateLimited,
    UnknownSymbol,
    VenueError,
    VenueRejected,
)
from atomic_fp.intervals import interval_doubt
from atomic_fp.models import (
    Balance,
    FeeQuote,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderBook,
    OrderRequest,
    OrderType,
    Position,
    Symbol,
    TimeInForce,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin
from atomic_fp.venue import PUBLIC_CAPABILITIES, TRADING_CAPABILITIES, Capability

log = logging.getLogger("adapters.grvt")

HOSTS: Mapping[str, tuple[str, str, str]] = {
    # network: (market data, trading, auth)
    "mainnet": ("https://market-data.grvt.io", "https://trades.grvt.io", "https://edge.grvt.io"),
    "testnet": (
        "https://market-data.testnet.grvt.io",
        "https://trades.testnet.grvt.io",
        "https://edge.testnet.grvt.io",
    ),
}
BOOK_DEPTHS = (10, 50, 100, 500)
HISTORY_PAGE_LIMIT = 1000
MAX_PAGES = 500

_AUTH_CODES = frozenset({1000, 1001, 1008, 1012, 1400})
_SERVER_CODES = frozenset({1002, 1005, 1009})
_CLIENT_ID_FLOOR = 2**63
_UINT64 = 2**64


def venue_client_id(client_order_id: str) -> str:
    """GRVT's numeric (uint64) client order id for one of ours, deterministically.

    GRVT requires a uint64 and recommends [2^63, 2^64) for API clients (grvt-pysdk). A
    decimal id already in that range is used as is; anything else (atomic-fp's
    ``afp<hash>..``) maps to ``2^63 | first 63 bits of sha256(id)``, so the same id always
    finds the same order (retries stay idempotent).
    """
    if client_order_id.isdigit() and _CLIENT_ID_FLOOR <= int(client_order_id) < _UINT64:
        return client_order_id
    digest = hashlib.sha256(client_order_id.encode()).digest()
    return str(_CLIENT_ID_FLOOR | (int.from_bytes(digest[:8], "big") >> 1))


def classify(venue: str, code: str, message: str, where: str, *, write: bool) -> VenueError:
    """A GRVT error code (from a 4xx/5xx body) as a typed error."""
    number = int(code) if code.lstrip("-").isdigit() else None
    text = f"{where}: {message}" if message else where
    if number == 1006:
        return RateLimited(venue, text, code)
    if number is not None and (number in _AUTH_CODES or 2000 <= number <= 2009):
        return AuthenticationError(venue, text, code)
    if number in _SERVER_CODES:
        return Ambiguous(venue, text, code) if write else NetworkError(venue, text, code)
    return VenueRejected(venue, text, code)


def _ns(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta // timedelta(microseconds=1) * 1000


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != 0 else "0"


def _summarise(failures: Mapping[str, VenueError], total: int) -> VenueError:
    names = sorted(failures)
    first = failures[names[0]]
    detail = "; ".join(f"{name} ({failures[name].describe()})" for name in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    message = f"ticker failed for {len(names)} of {total} instruments: {detail}{more}"[:1500]
    return attrs.evolve(first, message=message)


@attrs.frozen
class _Credentials:
    api_key: str = attrs.field(repr=False)
    sub_account_id: str
    private_key: str = attrs.field(repr=False)


class GrvtClient(Connectable):
    """GRVT perpetuals over REST (see the module docstring for hosts and errors)."""

    def __init__(
        self,
        settings: GrvtConfig | VenueSettings,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        settings = as_settings(settings, "grvt")
        self._credentials_given = bool(settings.credentials)
        options = settings.options
        network = options.get("network", "mainnet")
        if network not in HOSTS:
            raise ValueError(f"grvt option network must be one of {sorted(HOSTS)}")
        market_url, trading_url, auth_url = HOSTS[network]
        self._id = settings.id
        self._venue = settings.id.name
        self._market_url = (settings.base_url or market_url).rstrip("/")
        self._trading_url = (settings.trading_url or trading_url).rstrip("/")
        self._auth_url = (settings.auth_url or auth_url).rstrip("/")
        self._chain_id = int(options.get("chain_id", CHAIN_IDS[network]))
        self._instrument_ttl = float(options.get("instrument_ttl", "900"))
        self._concurrency = int(options.get("ticker_concurrency", "8"))
        self._ioc_expiry = timedelta(seconds=float(options.get("order_expiry_seconds", "300")))
        self._gtc_expiry = timedelta(
            seconds=float(options.get("gtc_expiry_seconds", str(7 * 24 * 3600)))
        )
        if self._concurrency < 1:
            raise ValueError("grvt option ticker_concurrency must be >= 1")
        if self._gtc_expiry // timedelta(microseconds=1) * 1000 > MAX_EXPIRY_NS:
            raise ValueError("grvt option gtc_expiry_seconds exceeds GRVT's 30-day cap")
        self._overrides = settings.symbol_overrides
        self._clock = clock
        self._http = httpx.AsyncClient(transport=settings.transport, timeout=settings.timeout)
        self._json = JsonHttp(
            self._venue,
            self._http,
            error_extractor=error_extractor,
            max_body_bytes=settings.max_response_bytes,
        )
        self._credentials = self._read_credentials(settings.credentials)
        self._auth: GrvtAuth | None = (
            GrvtAuth(
                self._venue, self._http, self._auth_url, self._credentials.api_key, clock=clock
            )
            if self._credentials is not None
            else None
        )
        cache_path = options.get("instrument_cache", "").strip()
        self._instrument_cache = Path(cache_path).expanduser() if cache_path else None
        self._instruments: InstrumentList | None = None
        self._instruments_at = 0.0
        self._instruments_lock = anyio.Lock()
        self.last_funding_failures: Mapping[str, VenueError] = {}
        """Instruments whose ticker failed in the last ``fetch_funding_rates(None)``."""

    # --- identity ------------------------------------------------------------------

    @property
    def exchange(self) -> ExchangeIdentifier:
        return self._id

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._credentials is None:
            return PUBLIC_CAPABILITIES
        return PUBLIC_CAPABILITIES | TRADING_CAPABILITIES | {Capability.FUNDING_PAYMENTS}

    @property
    def hosts(self) -> tuple[str, str, str]:
        """(market data, trading, auth) base URLs in use."""
        return self._market_url, self._trading_url, self._auth_url

    @staticmethod
    def _read_credentials(credentials: Mapping[str, str]) -> _Credentials | None:
        keys = ("api_key", "sub_account_id", "private_key")
        if not all(credentials.get(key) for key in keys):
            return None
        return _Credentials(
            credentials["api_key"],
            credentials["sub_account_id"].strip(),
            credentials["private_key"],
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- HTTP ----------------------------------------------------------------------

    async def _market_call(self, name: str, body: Mapping[str, Any]) -> Result[Any, VenueError]:
        where = f"POST full/v1/{name}"
        raw = await self._json.request(
            "POST",
            f"{self._market_url}/full/v1/{name}",
            json_body=body,
            idempotent=True,
            accept_status=lambda status: 400 <= status < 500 and status != 429,
        )
        if isinstance(raw, Failure):
            return raw
        error = error_of(raw.unwrap())
        if error is not None:
            return Failure(classify(self._venue, error[0], error[1], where, write=False))
        return raw

    async def _trading_call(
        self, name: str, body: Mapping[str, Any], *, write: bool
    ) -> Result[Any, VenueError]:
        """One trading-host call with the session; re-logs in once on code 1000 (the
        venue refused before acting, so even a write is safe to resend)."""
        auth = self._auth
        if auth is None:
            return Failure(self._not_configured())
        where = f"POST full/v1/{name}"
        for attempt in range(2):
            headers = await auth.headers()
            if isinstance(headers, Failure):
                return Failure(headers.failure())
            raw = await self._json.request(
                "POST",
                f"{self._trading_url}/full/v1/{name}",
                json_body=body,
                headers=headers.unwrap(),
                idempotent=not write,
                accept_status=(
                    (lambda status: 400 <= status < 500)
                    if write
                    else (lambda status: 400 <= status < 500 and status != 429)
                ),
            )
            if isinstance(raw, Failure):
                return raw
            error = error_of(raw.unwrap())
            if error is None:
                return raw
            if error[0] == "1000" and attempt == 0:
                auth.invalidate()
                continue
            return Failure(classify(self._venue, error[0], error[1], where, write=write))
        return Failure(AuthenticationError(self._venue, f"{where}: session refused", "1000"))

    def _not_configured(self) -> NotConfigured:
        return NotConfigured(
            self._venue,
            "GRVT trading needs credentials api_key, sub_account_id and private_key",
        )

    # --- instruments ---------------------------------------------------------------

    async def _instrument_list(self, *, fresh: bool = False) -> Result[InstrumentList, VenueError]:
        """The perpetuals: from memory or disk while younger than the TTL, else (or when
        ``fresh``: a cached interval was contradicted) from the venue."""
        async with self._instruments_lock:
            cached = self._instruments
            if (
                not fresh
                and cached is not None
                and time.monotonic() - self._instruments_at < self._instrument_ttl
            ):
                return Success(cached)
            stored = None if fresh else await self._instruments_from_disk()
            if stored is not None:
                listing, age = stored
                self._instruments = listing
                self._instruments_at = time.monotonic() - age
                return Success(listing)
            sent_at = self._clock().timestamp()
            raw = await self._market_call("all_instruments", {"is_active": True})
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            accepted = self._accept_instruments(raw.unwrap())
            if isinstance(accepted, Failure):
                return accepted
            listing = accepted.unwrap()
            self._instruments = listing
            self._instruments_at = time.monotonic()
            await self._instruments_to_disk(raw.unwrap(), listing, sent_at)
            return Success(listing)

    def _accept_instruments(self, body: Any) -> Result[InstrumentList, VenueError]:
        """An ``all_instruments`` body (live or cached) as the perpetuals we can use."""
        parsed = parsers.parse_instruments(self._id, body, self._overrides)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        listing = parsed.unwrap()
        if listing.skipped:
            log.warning(
                "%s: perpetuals without a funding interval left out: %s",
                self._venue,
                ", ".join(listing.skipped),
            )
        if not listing.instruments:
            return Failure(MalformedResponse(self._venue, "all_instruments listed no perpetual"))
        return Success(listing)

    @property
    def _instruments_source(self) -> str:
        return f"{self._market_url}/full/v1/all_instruments"

    async def _instruments_from_disk(self) -> tuple[InstrumentList, float] | None:
        """The instrument list and its age in seconds from ``instrument_cache``, if that
        file holds this venue's list, fetched less than ``instrument_ttl`` ago, which
        parses as a live answer would (see :mod:`adapters.grvt.cache`); else ``None``."""
        path = self._instrument_cache
        if path is None:
            return None
        now = self._clock().timestamp()
        found = await anyio.to_thread.run_sync(
            functools.partial(
                instrument_cache.read,
                path,
                venue=self._venue,
                source=self._instruments_source,
                now=now,
                ttl=self._instrument_ttl,
            )
        )
        if found is None:
            return None
        accepted = self._accept_instruments(found.body)
        if isinstance(accepted, Failure):
            log.debug(
                "%s: instrument cache %s not used: %s",
                self._venue,
                path,
                accepted.failure().message,
            )
            return None
        return accepted.unwrap(), now - found.fetched_at

    async def _instruments_to_disk(self, body: Any, listing: InstrumentList, at: float) -> None:
        """Store a fetched list for the next process; only if the stored text reads back
        as the same list. Failures are logged at debug: the cache is an optimisation."""
        path = self._instrument_cache
        if path is None:
            return
        source = self._instruments_source
        try:
            text = instrument_cache.encode(
                venue=self._venue, source=source, fetched_at=at, body=body
            )
        except (TypeError, ValueError) as error:
            log.debug("%s: instrument cache not written: %r", self._venue, error)
            return
        stored = instrument_cache.decode(
            text, venue=self._venue, source=source, now=at, ttl=float("inf")
        )
        again = (
            parsers.parse_instruments(self._id, stored.body, self._overrides)
            if isinstance(stored, instrument_cache.CachedBody)
            else None
        )
        if again is None or isinstance(again, Failure) or again.unwrap() != listing:
            log.debug("%s: instrument cache not written: it would not read back", self._venue)
            return
        await anyio.to_thread.run_sync(instrument_cache.write, path, text)

    def _by_symbol(self, listing: InstrumentList) -> dict[Symbol, GrvtInstrument]:
        """One instrument per canonical symbol; a USDT perp wins over other quotes."""
        ordered = sorted(listing.instruments, key=lambda i: (i.quote != "USDT", i.name))
        index: dict[Symbol, GrvtInstrument] = {}
        for instrument in ordered:
            index.setdefault(instrument.symbol, instrument)
        return index

    def _lookup(self) -> dict[str, GrvtInstrument]:
        listing = self._instruments
        return {i.name: i for i in listing.instruments} if listing else {}

    async def _instrument_for(self, symbol: Symbol) -> Result[GrvtInstrument, VenueError]:
        listing = await self._instrument_list()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        found = self._by_symbol(listing.unwrap()).get(symbol)
        if found is None:
            return Failure(UnknownSymbol(self._venue, f"{symbol} is not a GRVT perpetual"))
        return Success(found)

    def fetch_markets(self) -> FutureResult[tuple[Market, ...], VenueError]:
        return guarded(self._venue, self._markets())

    async def _markets(self) -> Result[tuple[Market, ...], VenueError]:
        listing = await self._instrument_list()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        return Success(tuple(i.market for i in self._by_symbol(listing.unwrap()).values()))

    # --- funding -------------------------------------------------------------------

    def fetch_funding_rates(
        self, symbols: Collection[Symbol] | None = None
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        """CURRENT rates from one ticker call per instrument (bounded concurrency).

        Failure rule (a missing rate must never look like a zero or like "not listed"):

        - explicit ``symbols``: all or nothing. An unlisted symbol is ``UnknownSymbol``;
          if any ticker fails the call fails, its message naming every failed instrument
          (the error type is that of the first failure by name).
        - ``symbols=None`` ("every listed perp"): the rates that were read are returned;
          each instrument whose ticker failed is logged (warning) and exposed in
          :attr:`last_funding_failures`. If every ticker failed, the call fails.
        """
        return guarded(self._venue, self._funding_rates(symbols))

    async def _ticker(self, instrument: GrvtInstrument) -> Result[FundingRate, VenueError]:
        try:
            raw = await self._market_call("ticker", {"instrument": instrument.name})
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            return parsers.parse_ticker(self._id, instrument, raw.unwrap(), self._clock())
        except Exception as error:  # a task must not raise into the task group
            return Failure(MalformedResponse(self._venue, f"ticker: {type(error).__name__}"))

    async def _funding_rates(
        self, symbols: Collection[Symbol] | None
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        listing = await self._instrument_list()
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        index = self._by_symbol(listing.unwrap())
        if symbols is None:
            targets = list(index.values())
        else:
            unknown = sorted(str(s) for s in symbols if s not in index)
            if unknown:
                return Failure(
                    UnknownSymbol(self._venue, f"not GRVT perpetuals: {', '.join(unknown)}")
                )
            targets = [index[s] for s in dict.fromkeys(symbols)]
        limiter = anyio.CapacityLimiter(self._concurrency)
        results: dict[str, Result[FundingRate, VenueError]] = {}

        async def one(instrument: GrvtInstrument) -> None:
            async with limiter:
                results[instrument.name] = await self._ticker(instrument)

        async with anyio.create_task_group() as group:
            for instrument in targets:
                group.start_soon(one, instrument)
        rates: list[FundingRate] = []
        failures: dict[str, VenueError] = {}
        for instrument in targets:
            outcome = results[instrument.name]
            if isinstance(outcome, Failure):
                failures[instrument.name] = outcome.failure()
            else:
                rates.append(outcome.unwrap())
        if symbols is None:
            self.last_funding_failures = failures
            for name, error in sorted(failures.items()):
                log.warning("%s: no funding rate for %s: %s", self._venue, name, error)
        if failures and (symbols is not None or not rates):
            return Failure(_summarise(failures, len(targets)))
        return await self._checked_intervals(rates)

    async def _checked_intervals(
        self, rates: list[FundingRate]
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        """Rates whose (cached) instrument interval contradicts the ticker's next funding
        time get the instrument list re-read from the venue and their interval and caps
        from it; a rate still in doubt carries ``interval_doubt`` (:mod:`atomic_fp.intervals`)."""
        if not any(interval_doubt(rate) for rate in rates):
            return Success(tuple(rates))
        listing = await self._instrument_list(fresh=True)
        if isinstance(listing, Failure):
            return Failure(listing.failure())
        by_name = {i.name: i for i in listing.unwrap().instruments}
        checked: list[FundingRate] = []
        for rate in rates:
            instrument = by_name.get(rate.venue_symbol or "")
            if instrument is not None and interval_doubt(rate):
                rate = attrs.evolve(
                    rate,
                    interval=instrument.funding_interval,
                    cap=instrument.funding_cap,
                    floor=instrument.funding_floor,
                )
            doubt = interval_doubt(rate)
            checked.append(rate if doubt is None else attrs.evolve(rate, interval_doubt=doubt))
        return Success(tuple(checked))

    def fetch_funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingRate, ...], VenueError]:
        return guarded(self._venue, self._funding_history(symbol, start, end))

    async def _funding_history(
        self, symbol: Symbol, start: datetime, end: datetime
    ) -> Result[tuple[FundingRate, ...], VenueError]:
        if start > end:
            return Failure(InvalidRequest(self._venue, "funding history: start is after end"))
        found = await self._instrument_for(symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        body: dict[str, Any] = {
            "instrument": instrument.name,
            "start_time": str(_ns(start)),
            "end_time": str(_ns(end)),
            "limit": HISTORY_PAGE_LIMIT,
            "agg_type": "FUNDING_INTERVAL",
        }
        by_time: dict[datetime, FundingRate] = {}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            raw = await self._market_call("funding", body)
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            page = parsers.parse_funding_page(self._id, instrument, raw.unwrap())
            if isinstance(page, Failure):
                return Failure(page.failure())
            content = page.unwrap()
            for rate in content.rates:
                assert rate.funding_time is not None
                if start <= rate.funding_time < end:
                    by_time.setdefault(rate.funding_time, rate)
            cursor = content.next_cursor
            if not content.rates or cursor is None:
                return Success(tuple(by_time[t] for t in sorted(by_time)))
            if cursor in seen:
                return Failure(MalformedResponse(self._venue, "funding: cursor repeats"))
            seen.add(cursor)
            body["cursor"] = cursor
        return Failure(MalformedResponse(self._venue, f"funding: more than {MAX_PAGES} pages"))

    # --- order book ----------------------------------------------------------------

    def fetch_order_book(
        self, symbol: Symbol, depth: int = 20
    ) -> FutureResult[OrderBook, VenueError]:
        return guarded(self._venue, self._order_book(symbol, depth))

    async def _order_book(self, symbol: Symbol, depth: int) -> Result[OrderBook, VenueError]:
        if depth < 1:
            return Failure(InvalidRequest(self._venue, f"book depth must be >= 1, got {depth}"))
        found = await self._instrument_for(symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        asked = next((d for d in BOOK_DEPTHS if d >= depth), BOOK_DEPTHS[-1])
        raw = await self._market_call("book", {"instrument": instrument.name, "depth": asked})
        if isinstance(raw, Failure):
            return Failure(raw.failure())
        book = parsers.parse_book(self._id, instrument, raw.unwrap())
        if isinstance(book, Failure):
            return Failure(book.failure())
        full = book.unwrap()
        return Success(attrs.evolve(full, bids=full.bids[:depth], asks=full.asks[:depth]))

    # --- account -------------------------------------------------------------------

    def _account_body(self) -> dict[str, Any]:
        assert self._credentials is not None
        return {"sub_account_id": self._credentials.sub_account_id}

    def fetch_positions(self) -> FutureResult[tuple[Position, ...], VenueError]:
        return guarded(self._venue, self._positions())

    async def _positions(self) -> Result[tuple[Position, ...], VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call(
            "positions", {**self._account_body(), "kind": ["PERPETUAL"]}, write=False
        )
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_positions(
            self._id, raw.unwrap(), self._lookup(), self._clock(), self._overrides
        )

    def fetch_balances(self) -> FutureResult[tuple[Balance, ...], VenueError]:
        return guarded(self._venue, self._balances())

    def fetch_fees(self) -> FutureResult[FeeQuote, VenueError]:
        """The account's fee level (``full/v1/funding_account_summary``) with credentials,
        else (or when that fails) the published level 1 (:mod:`adapters.grvt.fees`)."""
        return guarded(self._venue, self._fees())

    async def _fees(self) -> Result[FeeQuote, VenueError]:
        if self._credentials is None:
            return Success(account_or_published("grvt", None))
        raw = await self._trading_call(ACCOUNT_SUMMARY, {}, write=False)
        account: Result[FeeQuote, VenueError] = raw
        if isinstance(raw, Success):
            parsed = parse_account_tier(self._venue, raw.unwrap())
            account = Failure(parsed.failure()) if isinstance(parsed, Failure) else parsed
        return Success(account_or_published("grvt", account))

    async def _balances(self) -> Result[tuple[Balance, ...], VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call("account_summary", self._account_body(), write=False)
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_balances(self._id, raw.unwrap(), self._clock())

    def fetch_margin(self) -> FutureResult[AccountMargin, VenueError]:
        """``full/v1/account_summary`` (see ``grvt/margin.py``)."""
        return guarded(self._venue, self._margin())

    async def _margin(self) -> Result[AccountMargin, VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call("account_summary", self._account_body(), write=False)
        if isinstance(raw, Failure):
            return raw
        return parse_account_margin(
            self._id, raw.unwrap(), self._lookup(), self._clock(), self._overrides
        )

    def fetch_open_orders(self) -> FutureResult[tuple[Order, ...], VenueError]:
        """Open perpetual orders (carrying GRVT's numeric client order ids)."""
        return guarded(self._venue, self._open_orders())

    async def _open_orders(self) -> Result[tuple[Order, ...], VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call(
            "open_orders", {**self._account_body(), "kind": ["PERPETUAL"]}, write=False
        )
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_orders(self._id, raw.unwrap(), self._lookup(), self._overrides)

    def fetch_funding_payments(
        self, start: datetime, end: datetime
    ) -> FutureResult[tuple[FundingPayment, ...], VenueError]:
        return guarded(self._venue, self._funding_payments(start, end))

    async def _funding_payments(
        self, start: datetime, end: datetime
    ) -> Result[tuple[FundingPayment, ...], VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        body: dict[str, Any] = {
            **self._account_body(),
            "start_time": str(_ns(start)),
            "end_time": str(_ns(end)),
            "limit": HISTORY_PAGE_LIMIT,
        }
        payments: list[FundingPayment] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            raw = await self._trading_call("funding_payment_history", body, write=False)
            if isinstance(raw, Failure):
                return Failure(raw.failure())
            page = parsers.parse_funding_payments(
                self._id, raw.unwrap(), self._lookup(), self._overrides
            )
            if isinstance(page, Failure):
                return Failure(page.failure())
            rows, cursor = page.unwrap()
            payments.extend(p for p in rows if start <= p.time < end)
            if not rows or cursor is None:
                return Success(tuple(sorted(payments, key=lambda p: p.time)))
            if cursor in seen:
                return Failure(MalformedResponse(self._venue, "funding payments: cursor repeats"))
            seen.add(cursor)
            body["cursor"] = cursor
        return Failure(MalformedResponse(self._venue, f"funding payments: over {MAX_PAGES} pages"))

    # --- orders --------------------------------------------------------------------

    def place_order(self, request: OrderRequest) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._place_order(request))

    def _build_order(
        self, request: OrderRequest, instrument: GrvtInstrument
    ) -> Result[tuple[dict[str, Any], OrderToSign], VenueError]:
        """Validate and build the unsigned order; InvalidRequest before anything is sent."""
        assert self._credentials is not None
        market = instrument.market

        def invalid(message: str) -> Result[tuple[dict[str, Any], OrderToSign], VenueError]:
            return Failure(InvalidRequest(self._venue, f"{instrument.name}: {message}"))

        if request.exchange != self._id:
            return invalid(f"order is for {request.exchange}, not {self._id}")
        if request.size < market.min_size or request.size % market.lot_size != 0:
            return invalid(f"size {request.size} is not a multiple of {market.lot_size}")
        price = request.limit_price
        # A MARKET request that carries a price is sent as a limit order at that price (its
        # slippage cap); only a MARKET request without one becomes a GRVT market order.
        is_market = request.order_type is OrderType.MARKET and price is None
        if price is not None:
            if price % market.tick_size != 0:
                return invalid(f"price {price} is not a multiple of tick {market.tick_size}")
            if request.size * price < market.min_notional:
                return invalid(f"notional below the minimum {market.min_notional}")
        tif = request.time_in_force
        post_only = tif is TimeInForce.POST_ONLY
        if is_market and tif in (TimeInForce.GTC, TimeInForce.POST_ONLY):
            return invalid("a market order must be IOC or FOK")
        tif_name = {
            TimeInForce.GTC: "GOOD_TILL_TIME",
            TimeInForce.POST_ONLY: "GOOD_TILL_TIME",
            TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
            TimeInForce.FOK: "FILL_OR_KILL",
        }[tif]
        lifetime = self._gtc_expiry if tif_name == "GOOD_TILL_TIME" else self._ioc_expiry
        expiration = _ns(self._clock() + lifetime)
        if request.expires_at is not None and tif_name != "GOOD_TILL_TIME":
            # The order's deadline is the signature's expiration: GRVT refuses an order
            # whose signature has expired (error 2001), so it cannot arrive later.
            if request.expires_at <= self._clock():
                return Failure(NotSent(self._venue, "place_order: the order's deadline passed"))
            expiration = min(expiration, _ns(request.expires_at))
        sub_account = self._credentials.sub_account_id
        if not sub_account.isdigit():
            return Failure(NotConfigured(self._venue, "GRVT sub_account_id must be a number"))
        try:
            to_sign = OrderToSign(
                sub_account_id=int(sub_account),
                asset_id=int(instrument.instrument_hash, 16),
                contract_size=scale_exact(request.size, instrument.base_decimals, "size"),
                limit_price=scale_exact(price or Decimal(0), PRICE_DECIMALS, "price"),
                is_buying=request.side.sign > 0,
                time_in_force=TIME_IN_FORCE_CODES[tif_name],
                nonce=secrets.randbelow(2**32),
                expiration_ns=expiration,
                is_market=is_market,
                post_only=post_only,
                reduce_only=request.reduce_only,
            )
        except ValueError as error:
            return invalid(str(error))
        order = {
            "sub_account_id": sub_account,
            "is_market": is_market,
            "time_in_force": tif_name,
            "post_only": post_only,
            "reduce_only": request.reduce_only,
            "legs": [
                {
                    "instrument": instrument.name,
                    "size": _plain(request.size),
                    "limit_price": _plain(price or Decimal(0)),
                    "is_buying_asset": to_sign.is_buying,
                }
            ],
            "metadata": {"client_order_id": venue_client_id(request.client_order_id)},
        }
        return Success((order, to_sign))

    async def _place_order(self, request: OrderRequest) -> Result[Order, VenueError]:
        credentials = self._credentials
        if credentials is None:
            return Failure(self._not_configured())
        found = await self._instrument_for(request.symbol)
        if isinstance(found, Failure):
            return Failure(found.failure())
        instrument = found.unwrap()
        built = self._build_order(request, instrument)
        if isinstance(built, Failure):
            return Failure(built.failure())
        order, to_sign = built.unwrap()
        signed = sign_order(credentials.private_key, to_sign, self._chain_id)
        if isinstance(signed, Failure):
            return Failure(NotConfigured(self._venue, signed.failure()))
        signature = signed.unwrap()
        order["signature"] = {
            "signer": signature.signer,
            "r": signature.r,
            "s": signature.s,
            "v": signature.v,
            "expiration": str(to_sign.expiration_ns),
            "nonce": to_sign.nonce,
            "chain_id": str(self._chain_id),
        }
        raw = await self._trading_call("create_order", {"order": order}, write=True)
        if isinstance(raw, Failure):
            return raw
        return parsers.parse_order(
            self._id,
            raw.unwrap(),
            {instrument.name: instrument},
            request.client_order_id,
            self._overrides,
        )

    def _order_not_found(self, error: VenueError, client_order_id: str) -> VenueError:
        """GRVT answers 1004 for an unknown client order id: that is ``OrderNotFound``."""
        if error.code == "1004":
            return OrderNotFound(self._venue, f"no order with client id {client_order_id}", "1004")
        return error

    def fetch_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._order(symbol, client_order_id))

    async def _order(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call(
            "order",
            {**self._account_body(), "client_order_id": venue_client_id(client_order_id)},
            write=False,
        )
        if isinstance(raw, Failure):
            return Failure(self._order_not_found(raw.failure(), client_order_id))
        parsed = parsers.parse_order(
            self._id, raw.unwrap(), self._lookup(), client_order_id, self._overrides
        )
        if isinstance(parsed, Success) and parsed.unwrap().symbol != symbol:
            return Failure(
                MalformedResponse(
                    self._venue,
                    f"order {client_order_id} is on {parsed.unwrap().symbol}, not {symbol}",
                )
            )
        return parsed

    def cancel_order(self, symbol: Symbol, client_order_id: str) -> FutureResult[Order, VenueError]:
        return guarded(self._venue, self._cancel(symbol, client_order_id))

    async def _cancel(self, symbol: Symbol, client_order_id: str) -> Result[Order, VenueError]:
        """Cancel by client id, then read the order back (GRVT only acknowledges)."""
        if self._credentials is None:
            return Failure(self._not_configured())
        raw = await self._trading_call(
            "cancel_order",
            {**self._account_body(), "client_order_id": venue_client_id(client_order_id)},
            write=True,
        )
        if isinstance(raw, Failure):
            return Failure(self._order_not_found(raw.failure(), client_order_id))
        ack = parsers.parse_ack(self._id, raw.unwrap())
        if isinstance(ack, Failure):
            return Failure(ack.failure())
        if not ack.unwrap():
            return Failure(
                VenueRejected(self._venue, f"cancel of {client_order_id} not acknowledged")
            )
        return await self._order(symbol, client_order_id)

    # --- helpers for callers -------------------------------------------------------

    def signer(self) -> Result[str, VenueError]:
        """The signing wallet address (checks the key without exposing it)."""
        if self._credentials is None:
            return Failure(self._not_configured())
        address = signer_address(self._credentials.private_key)
        if isinstance(address, Failure):
            return Failure(NotConfigured(self._venue, address.failure()))
        return Success(address.unwrap())


def create(settings: VenueSettings) -> GrvtClient:
    """Factory registered as ``adapters.grvt.client:create``."""
    return GrvtClient(settings)
