"""``ParadexConfig``: the typed config a :class:`~adapters.paradex.factory.ParadexClient`
is built from.

Market data needs no key. Trading needs the account's L2 (Starknet) address
``account_address`` and its Stark private key ``stark_private_key`` (both hex; the key
paradex-py calls ``l2_private_key``, exported from the Paradex app or derived from the
Ethereum key): a JWT from ``POST /auth`` and every order are signed with it
(:mod:`adapters.paradex.signing`, optional extra ``paradex``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs

from adapters.client_config import ClientConfig
from adapters.paradex.signing import MAINNET_CHAIN_ID, StarkSigner

KIND = "paradex"
CREDENTIAL_KEYS: tuple[str, ...] = ("account_address", "stark_private_key")
DEFAULT_BASE_URL = "https://api.prod.paradex.trade/v1"
"""Production REST root (testnet ``https://api.testnet.paradex.trade/v1``; research fact
sheet section C, from ccxt ``paradex.py`` ``urls``)."""
_CHAIN_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@attrs.frozen(kw_only=True)
class ParadexConfig(ClientConfig):
    """Paradex perpetuals: ``base_url`` (default the production ``/v1`` root); for
    trading ``account_address`` and ``stark_private_key``."""

    KIND: ClassVar[str] = KIND
    CREDENTIALS: ClassVar[tuple[str, ...]] = CREDENTIAL_KEYS

    account_address: str | None = None
    stark_private_key: str | None = attrs.field(default=None, repr=False)


def _hex(credentials: Mapping[str, str], key: str) -> int:
    raw = credentials[key].strip()
    try:
        value = int(raw, 16)
    except ValueError:
        raise ValueError(f"paradex credential {key} is not a hex number") from None
    if value <= 0:
        raise ValueError(f"paradex credential {key} must be > 0")
    return value


def signer_from(credentials: Mapping[str, str], chain_id: str) -> StarkSigner | None:
    """The account's signer, ``None`` without credentials; a half-given pair or a
    malformed value is a ``ValueError`` naming the key (never the value)."""
    given = [k for k in CREDENTIAL_KEYS if credentials.get(k)]
    if not given:
        return None
    missing = [k for k in CREDENTIAL_KEYS if k not in given]
    if missing:
        raise ValueError(f"paradex trading needs {missing[0]} as well as {given[0]}")
    account = _hex(credentials, "account_address")
    key = _hex(credentials, "stark_private_key")
    return StarkSigner(account, key, chain_id)


def chain_id_option(options: Mapping[str, str]) -> str:
    chain = options.get("chain_id", MAINNET_CHAIN_ID)
    if not chain or len(chain) > 31 or not set(chain) <= _CHAIN_ID_CHARS:
        raise ValueError(f"paradex option chain_id={chain!r} is not a Starknet chain id string")
    return chain


__all__ = [
    "CREDENTIAL_KEYS",
    "DEFAULT_BASE_URL",
    "KIND",
    "ParadexConfig",
    "chain_id_option",
    "signer_from",
]
