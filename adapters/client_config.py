"""The seed design's client shape: ``GrvtClient(grvt_config)``, ``await client.connect()``.

A thin layer over the venue clients (their internals are unchanged):

- :class:`ClientConfig` is the typed config object each venue's config class extends
  (``GrvtConfig``, ``LighterConfig``, ``BinanceConfig``, ``HyperliquidConfig``,
  ``PaperConfig``); :meth:`ClientConfig.settings` turns it into the
  :class:`~adapters.registry.VenueSettings` the registry and the TOML config build clients
  from, so both paths build the same class from the same values.
- :class:`Connectable` gives every client ``connect()`` and ``async with``.

Credentials are values here (the TOML config reads them from environment variables); they
are excluded from ``repr`` so a logged config never shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, TypeVar

import attrs
from returns.future import FutureResult
from returns.io import IOSuccess
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from adapters.registry import VenueSettings
from atomic_fp.errors import VenueError
from atomic_fp.models import Market, Symbol, VenueFees
from atomic_fp.models.identifiers import ExchangeIdentifier, venue_id
from atomic_fp.venue import VenueClient

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")


async def _outcome(future: FutureResult[T, VenueError]) -> Result[T, VenueError]:
    io_result = await future
    if isinstance(io_result, IOSuccess):
        return Success(unsafe_perform_io(io_result.unwrap()))
    return Failure(unsafe_perform_io(io_result.failure()))


def _optional_id(value: ExchangeIdentifier | str | None) -> ExchangeIdentifier | None:
    return None if value is None else venue_id(value)


@attrs.frozen(kw_only=True)
class ClientConfig:
    """What every venue client is built from. ``id`` defaults to the venue kind (``grvt``);
    give another (``grvt-sub2``) for a second account. ``transport`` replaces the network
    (tests, the offline snapshot); ``clock`` is the client's "now" for data the venue sends
    without a timestamp."""

    KIND: ClassVar[str] = ""
    CREDENTIALS: ClassVar[tuple[str, ...]] = ()

    id: ExchangeIdentifier | None = attrs.field(default=None, converter=_optional_id)
    base_url: str | None = None
    ws_url: str | None = None
    fees: VenueFees | None = None
    timeout: float = 10.0
    symbol_overrides: Mapping[str, tuple[Symbol, Decimal]] = attrs.field(factory=dict)
    options: Mapping[str, str] = attrs.field(factory=dict)
    transport: httpx.AsyncBaseTransport | None = attrs.field(default=None, repr=False, eq=False)
    clock: Callable[[], datetime] | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def venue(self) -> ExchangeIdentifier:
        return self.id if self.id is not None else ExchangeIdentifier(self.KIND)

    def credentials(self) -> dict[str, str]:
        """The credentials given (``str`` values, as the registry takes them)."""
        found = {key: getattr(self, key) for key in self.CREDENTIALS}
        return {key: str(value) for key, value in found.items() if value not in (None, "")}

    def extra_options(self) -> dict[str, str]:
        """Options a venue's config class adds from its own typed fields."""
        return {}

    def urls(self) -> dict[str, str | None]:
        """``trading_url``/``auth_url`` for the venues that have them."""
        return {}

    def settings(self) -> VenueSettings:
        urls = self.urls()
        return VenueSettings(
            id=self.venue,
            kind=self.KIND,
            base_url=self.base_url,
            ws_url=self.ws_url,
            trading_url=urls.get("trading_url"),
            auth_url=urls.get("auth_url"),
            credentials=self.credentials(),
            fees=self.fees,
            symbol_overrides=self.symbol_overrides,
            timeout=self.timeout,
            options={**self.options, **self.extra_options()},
            transport=self.transport,
            clock=self.clock,
        )


def as_settings(config: ClientConfig | VenueSettings, kind: str) -> VenueSettings:
    """The settings a client is built from; a config of another venue is a ``TypeError``
    (``GrvtClient(LighterConfig())`` is a mistake, not a Lighter client)."""
    if isinstance(config, VenueSettings):
        return config
    if not isinstance(config, ClientConfig):
        raise TypeError(f"expected a {kind} config or VenueSettings, got {type(config).__name__}")
    if kind != config.KIND:
        raise TypeError(f"a {type(config).__name__} cannot build a {kind} client")
    return config.settings()


C = TypeVar("C", bound="Connectable")


class Connectable:
    """``connect()`` and ``async with`` for a :class:`~atomic_fp.venue.VenueClient`.

    ``connect()`` loads the venue's markets and, when the client was given credentials,
    checks them with one balance read (a signed/authenticated call); it returns the markets, or the
    failure saying which step failed. It is idempotent: once it succeeded it returns the
    same markets without calling the venue again; after a failure the next call retries.
    ``async with client:`` connects (the outcome is :attr:`connection`) and closes on exit.
    """

    _connection: Result[tuple[Market, ...], VenueError] | None = None
    _credentials_given: bool = False
    """Set by the client's constructor from its settings."""

    async def connect(self: VenueClient) -> Result[tuple[Market, ...], VenueError]:
        done: Result[tuple[Market, ...], VenueError] | None = getattr(self, "_connection", None)
        if isinstance(done, Success):
            return done
        markets = await _outcome(self.fetch_markets())
        result: Result[tuple[Market, ...], VenueError] = markets
        if isinstance(markets, Success) and getattr(self, "_credentials_given", False):
            checked = await _outcome(self.fetch_balances())
            if isinstance(checked, Failure):
                result = Failure(checked.failure())
        object.__setattr__(self, "_connection", result)
        return result

    @property
    def connection(self) -> Result[tuple[Market, ...], VenueError] | None:
        """The last ``connect()`` outcome (``None`` before the first)."""
        return self._connection

    async def __aenter__(self: C) -> C:
        await self.connect()  # type: ignore[misc]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()  # type: ignore[attr-defined]


__all__ = ["ClientConfig", "Connectable", "as_settings"]
