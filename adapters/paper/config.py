"""``PaperConfig``: the typed config a :class:`~adapters.paper.client.PaperClient` is built
from. Numbers convert exactly (``0.0001`` is ``Decimal("0.0001")``) into the same options
the ``[venues.<id>] kind = "paper"`` config section gives (see :mod:`adapters.paper.client`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig
from atomic_fp.models._validators import Number, exact_decimal


def _bases(value: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip().upper() for item in items if item.strip())


@attrs.frozen(kw_only=True)
class PaperConfig(ClientConfig):
    """An in-process paper venue: ``symbols`` (bases), per base ``prices``,
    ``funding_rates`` (per interval) and ``funding_hours``, a starting USD ``balance``,
    per-call ``latency`` seconds, a ``state_path`` to persist to."""

    KIND: ClassVar[str] = "paper"

    symbols: tuple[str, ...] = attrs.field(default=("BTC", "ETH"), converter=_bases)
    prices: Mapping[str, Number] = attrs.field(factory=dict)
    funding_rates: Mapping[str, Number] = attrs.field(factory=dict)
    funding_hours: Mapping[str, Number] = attrs.field(factory=dict)
    balance: Number | None = None
    latency: Number | None = None
    state_path: str | None = None

    def extra_options(self) -> dict[str, str]:
        options = {"symbols": ",".join(self.symbols)}
        for prefix, values in (
            ("price", self.prices),
            ("funding_rate", self.funding_rates),
            ("funding_hours", self.funding_hours),
        ):
            for base, value in values.items():
                options[f"{prefix}.{base.upper()}"] = str(exact_decimal(value, f"{prefix}.{base}"))
        for key, number in (("balance", self.balance), ("latency", self.latency)):
            if number is not None:
                options[key] = str(exact_decimal(number, key))
        if self.state_path is not None:
            options["state_path"] = self.state_path
        return options


__all__ = ["PaperConfig"]
