"""``GrvtConfig``: the typed config a :class:`~adapters.grvt.factory.GrvtClient` is built
from, and :class:`GrvtOptions`, what the client reads out of its settings.

Hosts (each configurable; ``settings.transport`` replaces the network for all three):
market data ``settings.base_url`` (default ``https://market-data.grvt.io``), trading
``settings.trading_url`` (default ``https://trades.grvt.io``), auth ``settings.auth_url``
(default ``https://edge.grvt.io``). ``options["network"] = "testnet"`` switches the defaults
to the testnet hosts and chain id 326.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig
from adapters.grvt.signing import CHAIN_IDS, MAX_EXPIRY_NS
from adapters.registry import VenueSettings

HOSTS: Mapping[str, tuple[str, str, str]] = {
    # network: (market data, trading, auth)
    "mainnet": ("https://market-data.grvt.io", "https://trades.grvt.io", "https://edge.grvt.io"),
    "testnet": (
        "https://market-data.testnet.grvt.io",
        "https://trades.testnet.grvt.io",
        "https://edge.testnet.grvt.io",
    ),
}


STREAM_URLS: Mapping[str, str] = {
    # network: market-data websocket (api-spec market_data_streams.md examples)
    "mainnet": "wss://market-data.grvt.io/ws/full",
    "testnet": "wss://market-data.testnet.grvt.io/ws/full",
}


@attrs.frozen(kw_only=True)
class GrvtConfig(ClientConfig):
    """GRVT: three hosts (``base_url`` market data, ``trading_url``, ``auth_url``; defaults
    are mainnet's, ``network="testnet"`` switches them), and for trading ``api_key``,
    ``sub_account_id`` and the signing ``private_key``."""

    KIND: ClassVar[str] = "grvt"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ("api_key", "sub_account_id", "private_key")

    api_key: str | None = attrs.field(default=None, repr=False)
    sub_account_id: str | int | None = attrs.field(default=None, repr=False)
    private_key: str | None = attrs.field(default=None, repr=False)
    network: str | None = None
    trading_url: str | None = None
    auth_url: str | None = None

    def extra_options(self) -> dict[str, str]:
        return {} if self.network is None else {"network": self.network}

    def urls(self) -> dict[str, str | None]:
        return {"trading_url": self.trading_url, "auth_url": self.auth_url}


@attrs.frozen
class GrvtCredentials:
    api_key: str = attrs.field(repr=False)
    sub_account_id: str
    private_key: str = attrs.field(repr=False)

    @classmethod
    def read(cls, credentials: Mapping[str, str]) -> GrvtCredentials | None:
        """All three, or ``None`` (market data only)."""
        keys = ("api_key", "sub_account_id", "private_key")
        if not all(credentials.get(key) for key in keys):
            return None
        return cls(
            credentials["api_key"],
            credentials["sub_account_id"].strip(),
            credentials["private_key"],
        )


@attrs.frozen
class GrvtOptions:
    """The hosts and options of one GRVT client, checked (``ValueError`` names the bad one).

    ``instrument_ttl`` (900 s), ``ticker_concurrency`` (8), ``order_expiry_seconds`` (IOC/FOK
    signature lifetime, 300), ``gtc_expiry_seconds`` (7 days; GRVT caps it at 30),
    ``chain_id`` (the network's), ``instrument_cache`` (a file path, optional).

    ``ticker_stream``: where current rates are read in one round trip
    (:mod:`adapters.grvt.ticker_snapshot`): ``settings.ws_url``, else the network's
    market-data websocket when the market-data host is the default one and the network is
    real (no ``settings.transport``); ``None`` (one REST ticker per instrument) otherwise
    or with ``options["ticker_source"] = "rest"``."""

    market_url: str
    trading_url: str
    auth_url: str
    chain_id: int
    instrument_ttl: float
    concurrency: int
    ioc_expiry: timedelta
    gtc_expiry: timedelta
    instrument_cache: Path | None
    ticker_stream: str | None = None

    @classmethod
    def read(cls, settings: VenueSettings) -> GrvtOptions:
        options = settings.options
        network = options.get("network", "mainnet")
        if network not in HOSTS:
            raise ValueError(f"grvt option network must be one of {sorted(HOSTS)}")
        market_url, trading_url, auth_url = HOSTS[network]
        concurrency = int(options.get("ticker_concurrency", "8"))
        gtc_expiry = timedelta(seconds=float(options.get("gtc_expiry_seconds", str(7 * 24 * 3600))))
        if concurrency < 1:
            raise ValueError("grvt option ticker_concurrency must be >= 1")
        if gtc_expiry // timedelta(microseconds=1) * 1000 > MAX_EXPIRY_NS:
            raise ValueError("grvt option gtc_expiry_seconds exceeds GRVT's 30-day cap")
        cache_path = options.get("instrument_cache", "").strip()
        source = options.get("ticker_source", "stream")
        if source not in ("stream", "rest"):
            raise ValueError("grvt option ticker_source must be stream or rest")
        default_hosts = settings.base_url is None and settings.transport is None
        stream = settings.ws_url or (STREAM_URLS[network] if default_hosts else None)
        return cls(
            market_url=(settings.base_url or market_url).rstrip("/"),
            trading_url=(settings.trading_url or trading_url).rstrip("/"),
            auth_url=(settings.auth_url or auth_url).rstrip("/"),
            chain_id=int(options.get("chain_id", CHAIN_IDS[network])),
            instrument_ttl=float(options.get("instrument_ttl", "900")),
            concurrency=concurrency,
            ioc_expiry=timedelta(seconds=float(options.get("order_expiry_seconds", "300"))),
            gtc_expiry=gtc_expiry,
            instrument_cache=Path(cache_path).expanduser() if cache_path else None,
            ticker_stream=stream if source == "stream" else None,
        )


__all__ = ["HOSTS", "STREAM_URLS", "GrvtConfig", "GrvtCredentials", "GrvtOptions"]
