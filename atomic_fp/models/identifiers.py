"""Who and what: venue identifiers and canonical symbols."""

from __future__ import annotations

import enum
import functools
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


@attrs.frozen(order=True, cache_hash=True)
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

    @classmethod
    def parse(cls, value: ContractType | str) -> ContractType:
        """``ContractType.PERPETUAL``, ``"PERP"``, ``"perp"`` or ``"perpetual"`` (any case),
        the spellings of the seed design; anything else is a ``ValueError`` naming it."""
        if isinstance(value, ContractType):
            return value
        if isinstance(value, str) and value.strip().lower() in _CONTRACT_SPELLINGS:
            return _CONTRACT_SPELLINGS[value.strip().lower()]
        known = ", ".join(repr(k) for k in sorted(_CONTRACT_SPELLINGS))
        raise ValueError(f"contract_type must be one of {known}, got {value!r}")


_CONTRACT_SPELLINGS = {
    "perp": ContractType.PERPETUAL,
    "perps": ContractType.PERPETUAL,
    "perpetual": ContractType.PERPETUAL,
    "swap": ContractType.PERPETUAL,
}


def _contract_type(value: ContractType | str) -> ContractType:
    return ContractType.parse(value)


def _upper(value: str) -> str:
    return value.strip().upper() if isinstance(value, str) else value


def venue_id(value: ExchangeIdentifier | str) -> ExchangeIdentifier:
    """A venue id as the seed writes it (``"grvt"``) or already typed."""
    return value if isinstance(value, ExchangeIdentifier) else ExchangeIdentifier(value)


@attrs.frozen(order=True, cache_hash=True)
class Symbol:
    """A canonical instrument, the same on every venue: ``Symbol("BTC")`` is Binance's
    ``BTCUSDT``, Hyperliquid's ``BTC``, GRVT's ``BTC_USDT_Perp`` and Lighter market 1.

    A symbol *is* the asset and the contract type: ``Symbol("BTC", "USDT", "PERP")`` (the
    seed design's spelling) equals ``Symbol("BTC")`` and trades on every venue listing a
    BTC perpetual, whatever stablecoin it settles in (USDT on Binance and GRVT, USDC on
    Hyperliquid and Lighter): cross-venue funding arbitrage compares exactly those.
    ``quote`` is what the user asked for, kept for display; the quote a venue actually uses
    is its market's ``settle_asset`` (the operations and the cycle report say it per
    venue). ``strict_quote=True`` asks for venues settling in ``quote`` only: the others
    answer ``UnknownSymbol``. ``base`` is the underlying asset in its natural unit
    (``PEPE``, not ``1000PEPE``); the venue's contract multiplier maps venue sizes to it.
    Letters are upper-cased (``"btc"`` is ``BTC``); ``contract_type`` takes ``"PERP"``,
    ``"perp"``, ``"perpetual"`` or :class:`ContractType`.
    """

    base: str = attrs.field(converter=_upper, validator=_asset)
    quote: str = attrs.field(
        default="USD", converter=_upper, validator=_asset, eq=False, order=False
    )
    contract_type: ContractType = attrs.field(
        default=ContractType.PERPETUAL,
        converter=_contract_type,
        validator=attrs.validators.instance_of(ContractType),
    )
    strict_quote: bool = attrs.field(default=False, eq=False, order=False, kw_only=True)

    def __str__(self) -> str:
        return f"{self.base}/{self.quote}"

    @property
    def key(self) -> str:
        """The identity as text (``BTC/USD`` for ``Symbol("BTC", "USDT", "PERP")`` too):
        what a journal row or any other store keys by, so that equal symbols share rows
        whatever quote the user wrote (``str()`` shows the quote asked for).

        Memoised by exactly the two fields the text is built from (``base`` and
        ``contract_type``; ``quote`` and ``strict_quote`` never enter it): a miss builds
        the same validated ``Symbol`` as before, so a field that would not validate still
        raises (``lru_cache`` keeps no exceptions). The answer is an immutable ``str``,
        equal to the one built fresh; ``lru_cache`` is thread-safe and bounded.
        """
        return _symbol_key(self.base, self.contract_type)

    def accepts_settlement(self, settle_asset: str) -> bool:
        """Whether a venue market settling in ``settle_asset`` trades this symbol: always,
        unless ``strict_quote`` asks for ``quote`` itself."""
        return not self.strict_quote or settle_asset.upper() == self.quote

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


@functools.lru_cache(maxsize=4096)
def _symbol_key(base: str, contract_type: ContractType) -> str:
    """:attr:`Symbol.key` for these fields: the text of the quote-agnostic ``Symbol``."""
    return str(Symbol(base, contract_type=contract_type))
