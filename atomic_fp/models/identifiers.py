"""Who and what: venue identifiers and canonical symbols."""

from __future__ import annotations

import enum
import re

import attrs

_VENUE_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_ASSET = re.compile(r"^[A-Z0-9][A-Z0-9_.:\-]*$")


def _venue_id(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _VENUE_ID.match(value):
        raise ValueError(
            f"{attribute.name} must be a lowercase venue id (letters, digits, _ . -), got {value!r}"
        )


def _asset(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _ASSET.match(value):
        raise ValueError(f"{attribute.name} must be an upper-case asset code, got {value!r}")


@attrs.frozen(order=True)
class ExchangeIdentifier:
    """One configured venue account, e.g. ``binance`` or ``binance-sub2``.

    ``name`` is the id the user chose in the config (several accounts of one venue kind
    are several identifiers); ``str()`` gives it back.
    """

    name: str = attrs.field(validator=_venue_id)

    def __str__(self) -> str:
        return self.name


class ContractType(enum.Enum):
    PERPETUAL = "perpetual"


@attrs.frozen(order=True)
class Symbol:
    """A canonical instrument, the same on every venue: ``Symbol("BTC")`` is Binance's
    ``BTCUSDT``, Hyperliquid's ``BTC``, GRVT's ``BTC_USDT_Perp`` and Lighter market 1.

    ``quote`` is the quote *family*: ``USD`` covers USDT- and USDC-margined linear perps,
    which is what cross-venue funding arbitrage compares. The venue's actual settlement
    asset lives on its :class:`~atomic_fp.models.market.Market`. ``base`` is the
    underlying asset in its natural unit (``PEPE``, not ``1000PEPE``); the venue's
    contract multiplier maps venue sizes to it.
    """

    base: str = attrs.field(validator=_asset)
    quote: str = attrs.field(default="USD", validator=_asset)
    contract_type: ContractType = attrs.field(
        default=ContractType.PERPETUAL, validator=attrs.validators.instance_of(ContractType)
    )

    def __str__(self) -> str:
        return f"{self.base}/{self.quote}"

    @classmethod
    def parse(cls, text: str) -> Symbol:
        """``BTC``, ``btc``, ``BTC/USD`` or ``BTC-USD`` -> ``Symbol("BTC", "USD")``.

        Raises ``ValueError`` naming the text when it is not a symbol.
        """
        cleaned = text.strip().upper()
        for separator in ("/", "-"):
            if separator in cleaned:
                base, _, quote = cleaned.partition(separator)
                return cls(base=base, quote=quote or "USD")
        return cls(base=cleaned)
