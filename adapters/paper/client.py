"""``create(settings)``: the ``paper`` venue kind of the registry.

Options (all strings, from the ``[venues.<id>]`` config section):

- ``symbols``: comma-separated bases, default ``BTC,ETH``;
- ``price.<BASE>``: mark price (defaults: BTC 50000, ETH 3000, otherwise required);
- ``tick.<BASE>``, ``lot.<BASE>``, ``min_size.<BASE>``: market rules (defaults 0.1 / 0.001 / 0);
- ``funding_rate.<BASE>``, ``funding_hours.<BASE>``: current rate (default 0) and interval
  (default 8);
- ``balance``: starting USD balance (default 100000);
- ``latency``: seconds per call (default 0);
- ``state_path``: JSON file the venue state persists to (survives restarts);
- ``seed``: seed of the fault knobs' random generator (default 0).

The clock is ``settings.clock`` (the wall clock when ``None``). Fees come from
``settings.fees`` (default :data:`~atomic_fp.models.DEFAULT_FEES`).
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from adapters.client_config import Connectable, as_settings
from adapters.paper.config import PaperConfig
from adapters.paper.faults import PaperFaults
from adapters.paper.venue import PaperMarketState, PaperVenue
from adapters.registry import VenueSettings
from atomic_fp.models import DEFAULT_FEES, Market, Symbol

_DEFAULT_PRICES = {"BTC": Decimal(50_000), "ETH": Decimal(3_000)}


def _decimal(settings: VenueSettings, key: str, default: Decimal | None) -> Decimal:
    raw = settings.options.get(key)
    if raw is None:
        if default is None:
            raise ValueError(f"paper venue option {key!r} is required")
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise ValueError(f"paper venue option {key!r} must be a number, got {raw!r}") from error
    if not value.is_finite():
        raise ValueError(f"paper venue option {key!r} must be finite, got {raw!r}")
    return value


class PaperClient(PaperVenue, Connectable):
    """The paper venue as a client class like the others:
    ``PaperClient(PaperConfig(id="grvt", funding_rates={"BTC": "0.0001"}))``, with
    ``connect()`` and ``async with``. It *is* a :class:`PaperVenue` (fault knobs, ledger,
    clock control); the registry's ``paper`` kind builds this class."""

    def __init__(self, config: PaperConfig | VenueSettings) -> None:
        settings = as_settings(config, "paper")
        markets, seed = _markets(settings), int(_decimal(settings, "seed", Decimal(0)))
        super().__init__(
            settings.id,
            markets,
            fees=settings.fees or DEFAULT_FEES,
            balances={"USD": _decimal(settings, "balance", Decimal(100_000))},
            faults=PaperFaults(
                latency=float(_decimal(settings, "latency", Decimal(0))),
                rng=random.Random(seed),  # noqa: S311 (fault draws, not crypto)
            ),
            state_path=settings.options.get("state_path"),
            clock=settings.clock,
        )


def create(settings: VenueSettings) -> PaperClient:
    """Build a paper venue from its settings (``ValueError`` names a bad option)."""
    return PaperClient(settings)


def _markets(settings: VenueSettings) -> list[PaperMarketState]:
    bases = [b.strip().upper() for b in settings.options.get("symbols", "BTC,ETH").split(",")]
    markets = []
    for base in filter(None, bases):
        symbol = Symbol(base)
        hours = _decimal(settings, f"funding_hours.{base}", Decimal(8))
        markets.append(
            PaperMarketState(
                market=Market(
                    exchange=settings.id,
                    symbol=symbol,
                    venue_symbol=f"{base}-PERP",
                    tick_size=_decimal(settings, f"tick.{base}", Decimal("0.1")),
                    lot_size=_decimal(settings, f"lot.{base}", Decimal("0.001")),
                    min_size=_decimal(settings, f"min_size.{base}", Decimal(0)),
                    funding_interval=timedelta(hours=float(hours)),
                ),
                mark_price=_decimal(settings, f"price.{base}", _DEFAULT_PRICES.get(base)),
                funding_rate=_decimal(settings, f"funding_rate.{base}", Decimal(0)),
            )
        )
    return markets


__all__ = ["PaperClient", "create"]
