"""EIP-712 signing of GRVT orders.

What is signed (official ``grvt-pysdk`` 0.2.1 ``grvt_raw_signing.py``; api-spec
``schemas/signature``):

- domain ``{"name": "GRVT Exchange", "version": "0", "chainId": 325}`` (326 on testnet),
  no verifying contract;
- ``Order(uint64 subAccountID, bool isMarket, uint8 timeInForce, bool postOnly,
  bool reduceOnly, OrderLeg[] legs, uint32 nonce, int64 expiration)`` and
  ``OrderLeg(uint256 assetID, uint64 contractSize, uint64 limitPrice, bool isBuyingContract)``;
- ``assetID`` = the instrument's ``instrument_hash``; ``contractSize`` = size x
  10^``base_decimals``; ``limitPrice`` = price x 10^9 (a market order signs 0);
- ``timeInForce``: GOOD_TILL_TIME 1, ALL_OR_NONE 2, IMMEDIATE_OR_CANCEL 3, FILL_OR_KILL 4;
- ``nonce``: random uint32 (same payload + nonce = duplicate, ignored by GRVT);
  ``expiration``: unix nanoseconds, at most 30 days ahead (errors 2001 expired, 2008).

The sent signature is ``r``/``s`` as ``0x`` + 64 hex digits, ``v`` 27/28 and ``signer``
the API key's wallet address. Scaling is exact: a size or price that does not scale to
an integer is refused (never truncated into a different order).

``eth-account`` is the ``grvt`` extra and is imported only when signing happens, so the
market-data side works without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs
from returns.result import Failure, Result, Success

DOMAIN_NAME = "GRVT Exchange"
DOMAIN_VERSION = "0"
CHAIN_IDS: Mapping[str, int] = {"mainnet": 325, "testnet": 326}
PRICE_DECIMALS = 9
MAX_EXPIRY_NS = 30 * 24 * 3600 * 1_000_000_000

TIME_IN_FORCE_CODES: Mapping[str, int] = {
    "GOOD_TILL_TIME": 1,
    "ALL_OR_NONE": 2,
    "IMMEDIATE_OR_CANCEL": 3,
    "FILL_OR_KILL": 4,
}

ORDER_TYPES: Mapping[str, list[dict[str, str]]] = {
    "Order": [
        {"name": "subAccountID", "type": "uint64"},
        {"name": "isMarket", "type": "bool"},
        {"name": "timeInForce", "type": "uint8"},
        {"name": "postOnly", "type": "bool"},
        {"name": "reduceOnly", "type": "bool"},
        {"name": "legs", "type": "OrderLeg[]"},
        {"name": "nonce", "type": "uint32"},
        {"name": "expiration", "type": "int64"},
    ],
    "OrderLeg": [
        {"name": "assetID", "type": "uint256"},
        {"name": "contractSize", "type": "uint64"},
        {"name": "limitPrice", "type": "uint64"},
        {"name": "isBuyingContract", "type": "bool"},
    ],
}

_UINT32 = 2**32
_UINT64 = 2**64

MISSING_EXTRA = (
    "eth-account is not installed; install the 'grvt' extra (pip install atomic-fp[grvt])"
)


def scale_exact(value: Decimal, decimals: int, what: str) -> int:
    """``value`` x 10^``decimals`` as an int; ``ValueError`` unless exact and in uint64."""
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {value} has more than {decimals} decimals")
    number = int(scaled)
    if not 0 <= number < _UINT64:
        raise ValueError(f"{what} {value} is out of range once scaled")
    return number


@attrs.frozen
class OrderToSign:
    """The signed fields of a one-leg GRVT order, already in integer units."""

    sub_account_id: int
    asset_id: int
    contract_size: int
    limit_price: int
    is_buying: bool
    time_in_force: int
    nonce: int
    expiration_ns: int
    is_market: bool = False
    post_only: bool = False
    reduce_only: bool = False

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.sub_account_id < _UINT64:
            raise ValueError("sub account id must be a uint64")
        if not 0 <= self.nonce < _UINT32:
            raise ValueError("nonce must be a uint32")
        if self.time_in_force not in TIME_IN_FORCE_CODES.values():
            raise ValueError(f"unknown time-in-force code {self.time_in_force}")
        if not 0 < self.contract_size < _UINT64 or not 0 <= self.limit_price < _UINT64:
            raise ValueError("size/price out of uint64 range")
        if not 0 < self.expiration_ns < 2**63:
            raise ValueError("expiration must be a positive int64 (unix ns)")


def domain(chain_id: int) -> dict[str, Any]:
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id}


def order_message(order: OrderToSign) -> dict[str, Any]:
    return {
        "subAccountID": order.sub_account_id,
        "isMarket": order.is_market,
        "timeInForce": order.time_in_force,
        "postOnly": order.post_only,
        "reduceOnly": order.reduce_only,
        "legs": [
            {
                "assetID": order.asset_id,
                "contractSize": order.contract_size,
                "limitPrice": order.limit_price,
                "isBuyingContract": order.is_buying,
            }
        ],
        "nonce": order.nonce,
        "expiration": order.expiration_ns,
    }


@attrs.frozen
class Signature:
    signer: str
    r: str
    s: str
    v: int


def _signable(order: OrderToSign, chain_id: int) -> Any:
    from eth_account.messages import encode_typed_data

    return encode_typed_data(domain(chain_id), dict(ORDER_TYPES), order_message(order))


def signer_address(private_key: str) -> Result[str, str]:
    """The wallet address of ``private_key`` (never echoes the key in an error)."""
    try:
        from eth_account import Account
    except ImportError:
        return Failure(MISSING_EXTRA)
    try:
        return Success(str(Account.from_key(private_key).address))
    except Exception:
        return Failure("the GRVT private_key is not a valid secp256k1 private key")


def sign_order(private_key: str, order: OrderToSign, chain_id: int) -> Result[Signature, str]:
    """EIP-712 sign ``order``; a failure is a message that never contains the key."""
    try:
        from eth_account import Account
    except ImportError:
        return Failure(MISSING_EXTRA)
    try:
        signed = Account.sign_message(_signable(order, chain_id), private_key)
        signer = Account.from_key(private_key).address
    except Exception as error:
        return Failure(f"signing failed ({type(error).__name__})")
    return Success(
        Signature(
            signer=str(signer),
            r="0x" + int(signed.r).to_bytes(32, "big").hex(),
            s="0x" + int(signed.s).to_bytes(32, "big").hex(),
            v=int(signed.v),
        )
    )


def recover_signer(order: OrderToSign, chain_id: int, r: str, s: str, v: int) -> str:
    """The address that produced ``(r, s, v)`` over ``order`` (what GRVT checks).

    Raises on a malformed signature; used by tests and local wire-format servers.
    """
    from eth_account import Account

    return str(Account.recover_message(_signable(order, chain_id), vrs=(v, int(r, 16), int(s, 16))))
