"""One client class per venue, as the seed writes it: ``from adapters.grvt import GrvtClient``,
``GrvtClient(grvt_config)``, ``await client.connect()``, ``async with``.

References: the venues' recorded real responses (the bundled offline snapshot,
``adapters/snapshot/data``, 2025-12-03): ``connect()`` loads Hyperliquid's, GRVT's and
Lighter's real market lists through the real client classes and parsers. The snapshot has no
Binance ``exchangeInfo``, so Binance connects to the local fake server that checks
signatures as Binance documents (``tests/adapters/binance/fake_venue.py``), which also shows
the credential check. The registry (what the TOML config uses) must build the same class
from the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from returns.result import Failure, Success

from adapters.binance import BinanceClient, BinanceConfig
from adapters.client_config import ClientConfig
from adapters.grvt import GrvtClient, GrvtConfig
from adapters.hyperliquid import HyperliquidClient, HyperliquidConfig
from adapters.lighter import LighterClient, LighterConfig
from adapters.paper import PaperClient, PaperConfig, PaperVenue
from adapters.registry import build_client
from adapters.snapshot.replay import ReplayTransport, bundled_snapshot
from atomic_fp.errors import AuthenticationError
from atomic_fp.models import Symbol
from atomic_fp.operations import outcome
from tests.adapters.binance.fake_venue import FakeBinance, serve
from tests.adapters.binance.test_round_trip import KEY, SECRET

pytestmark = pytest.mark.anyio

CLASSES: dict[str, tuple[type[ClientConfig], Any]] = {
    "binance": (BinanceConfig, BinanceClient),
    "hyperliquid": (HyperliquidConfig, HyperliquidClient),
    "grvt": (GrvtConfig, GrvtClient),
    "lighter": (LighterConfig, LighterClient),
}


def recorded(kind: str) -> tuple[ClientConfig, ReplayTransport]:
    snapshot = bundled_snapshot()
    recording = snapshot.venue(kind)
    assert recording is not None
    transport = recording.transport()
    config_class, _ = CLASSES[kind]
    config = config_class(
        base_url=recording.base_url, transport=transport, clock=lambda: snapshot.as_of
    )
    return config, transport


@pytest.mark.parametrize("kind", ["grvt", "hyperliquid", "lighter"])
async def test_connect_loads_the_venues_real_markets_once(kind: str) -> None:
    config, transport = recorded(kind)
    _, client_class = CLASSES[kind]
    async with client_class(config) as client:
        assert isinstance(client, client_class)
        first = client.connection
        assert isinstance(first, Success), first
        markets = first.unwrap()
        assert markets and {str(market.exchange) for market in markets} == {kind}
        assert str(client.exchange) == kind  # the config's id defaults to the venue kind
        calls = len(transport.requests)
        assert calls > 0
        again = await client.connect()  # idempotent: no second round of requests
        assert again.unwrap() == markets
        assert len(transport.requests) == calls


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_the_registry_builds_the_same_class_from_the_same_values(kind: str) -> None:
    config, _ = recorded(kind)
    _, client_class = CLASSES[kind]
    built = build_client(config.settings()).unwrap()
    assert type(built) is client_class
    assert config.settings().kind == kind


async def test_binance_connect_loads_markets_and_checks_credentials() -> None:
    fake = FakeBinance(KEY, SECRET)
    with serve(fake) as url:
        async with BinanceClient(BinanceConfig(base_url=url)) as public:
            assert Symbol("BTC") in {m.symbol for m in public.connection.unwrap()}  # type: ignore[union-attr]
        keyed = BinanceClient(BinanceConfig(base_url=url, api_key=KEY, api_secret=SECRET))
        assert isinstance(await keyed.connect(), Success)
        await keyed.aclose()
        wrong = BinanceClient(BinanceConfig(base_url=url, api_key=KEY, api_secret="x" * 64))
        refused = await wrong.connect()  # markets load (public), the signed balance read fails
        assert isinstance(refused, Failure)
        assert isinstance(refused.failure(), AuthenticationError), refused
        assert "x" * 64 not in refused.failure().describe()
        again = await wrong.connect()  # a failed connect is retried, not cached
        assert isinstance(again, Failure)
        await wrong.aclose()


def test_a_config_names_no_secret_and_builds_only_its_venue() -> None:
    config = GrvtConfig(api_key="very-secret", sub_account_id=12, private_key="0xdeadbeef")
    assert "very-secret" not in repr(config) and "deadbeef" not in repr(config)
    assert config.settings().credentials["sub_account_id"] == "12"
    assert "very-secret" not in repr(config.settings())
    with pytest.raises(TypeError, match="a LighterConfig cannot build a grvt client"):
        GrvtClient(LighterConfig())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lowercase venue id"):
        GrvtConfig(id="Not A Venue")


async def test_paper_client_from_its_typed_config_is_a_paper_venue() -> None:
    config = PaperConfig(id="venue-a", symbols=("btc",), funding_rates={"BTC": 0.0001})
    assert config.settings().options["funding_rate.BTC"] == "0.0001"  # exact, from a float
    async with PaperClient(config) as client:
        assert isinstance(client, PaperVenue)
        markets = client.connection
        assert markets is not None
        assert [m.symbol for m in markets.unwrap()] == [Symbol("BTC")]
        rates = await outcome(client.fetch_funding_rates(None))
        assert rates.unwrap()[0].rate == Decimal("0.0001")
    with pytest.raises(ValueError, match=r"funding_rate\.BTC must be finite"):
        PaperConfig(funding_rates={"BTC": float("nan")}).settings()


def test_the_toml_config_builds_the_same_classes() -> None:
    import tomllib

    from scripts.config import parse
    from scripts.runtime import build_live

    text = """
    [venues.grvt]
    kind = "grvt"
    [venues.lighter]
    kind = "lighter"
    [venues.binance]
    kind = "binance"
    [venues.hyperliquid]
    kind = "hyperliquid"
    [venues.paper-a]
    kind = "paper"
    """
    config = parse(tomllib.loads(text), "atomic-fp.toml")
    built = {str(v.id): type(v.client.unwrap()) for v in build_live(config.venues, {})}
    assert built == {
        "grvt": GrvtClient,
        "lighter": LighterClient,
        "binance": BinanceClient,
        "hyperliquid": HyperliquidClient,
        "paper-a": PaperClient,
    }
