"""Hyperliquid L1-action signing: msgpack action hash + EIP-712 "phantom agent".

What the venue checks (HL-SDK ``hyperliquid/utils/signing.py``, fact sheet B7), reproduced
here without the SDK:

1. ``connectionId = keccak256(msgpack(action) + nonce (8 bytes, big-endian) + vault flag)``
   where the vault flag is ``0x00`` without a vault, else ``0x01`` + the 20-byte address
   (and, only when set, ``0x00`` + ``expiresAfter`` as 8 bytes). The action is packed as
   built: **dict insertion order is part of the bytes**, and numbers are the strings
   :func:`~adapters.hyperliquid.rounding.to_wire` makes.
2. Phantom agent ``{"source": "a" (mainnet) | "b" (testnet), "connectionId": hash}``.
3. EIP-712 over ``Agent(string source, bytes32 connectionId)`` in the domain
   ``{name: "Exchange", version: "1", chainId: 1337, verifyingContract: 0x0}``, signed by
   the *agent* (API wallet) key; the signature travels as ``{"r": hex, "s": hex, "v": int}``
   with ``r``/``s`` as minimal hex (the SDK's ``to_hex(int)``, no zero padding).

The signing libraries (``eth-account``, ``msgpack``: the ``hyperliquid`` extra) are
imported lazily, inside these functions, so market data works without them;
:func:`load_agent` turns their absence into :class:`~atomic_fp.errors.NotConfigured`.

Client order ids: Hyperliquid's ``cloid`` is 16 bytes of hex (``0x`` + 32 hex chars).
:func:`cloid_for` maps our client order id to one *deterministically* so an order can be
found again by client id after a timeout: an id that already is a valid cloid is used
as is (lower-cased); any other id becomes the first 16 bytes of its SHA-256 (UTF-8).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import NotConfigured

EIP712_DOMAIN = {
    "chainId": 1337,
    "name": "Exchange",
    "verifyingContract": "0x0000000000000000000000000000000000000000",
    "version": "1",
}
AGENT_TYPES = {
    "Agent": [
        {"name": "source", "type": "string"},
        {"name": "connectionId", "type": "bytes32"},
    ],
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
}

_CLOID = re.compile(r"^0x[0-9a-fA-F]{32}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_MISSING_EXTRA = (
    "Hyperliquid signing needs the 'hyperliquid' extra (eth-account, msgpack): "
    "pip install 'atomic-fp[hyperliquid]'"
)


def cloid_for(client_order_id: str) -> str:
    """The venue cloid of a client order id (stable: same id, same cloid)."""
    if _CLOID.match(client_order_id):
        return client_order_id.lower()
    return "0x" + hashlib.sha256(client_order_id.encode("utf-8")).digest()[:16].hex()


def is_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))


def _msgpack_packb(action: Mapping[str, Any]) -> bytes:
    import msgpack

    return msgpack.packb(action)


def _keccak(data: bytes) -> bytes:
    from eth_utils.crypto import keccak

    return bytes(keccak(data))


def action_hash(
    action: Mapping[str, Any],
    nonce: int,
    vault_address: str | None = None,
    expires_after: int | None = None,
) -> bytes:
    """``keccak256(msgpack(action) ‖ nonce ‖ vault flag [‖ 0x00 ‖ expiresAfter])``."""
    data = _msgpack_packb(action) + nonce.to_bytes(8, "big")
    if vault_address is None:
        data += b"\x00"
    else:
        data += b"\x01" + bytes.fromhex(vault_address.removeprefix("0x"))
    if expires_after is not None:
        data += b"\x00" + expires_after.to_bytes(8, "big")
    return _keccak(data)


def phantom_agent(connection_id: bytes, mainnet: bool) -> dict[str, Any]:
    return {"source": "a" if mainnet else "b", "connectionId": connection_id}


def l1_typed_data(connection_id: bytes, mainnet: bool) -> dict[str, Any]:
    """The full EIP-712 message (domain, types, ``Agent`` message) for one action hash."""
    return {
        "domain": dict(EIP712_DOMAIN),
        "types": {name: list(fields) for name, fields in AGENT_TYPES.items()},
        "primaryType": "Agent",
        "message": phantom_agent(connection_id, mainnet),
    }


@attrs.frozen
class AgentSigner:
    """Signs L1 actions with the agent (API wallet) key. The key never appears in repr."""

    _account: Any = attrs.field(repr=False)

    @property
    def address(self) -> str:
        return str(self._account.address)

    def sign_l1_action(
        self,
        action: Mapping[str, Any],
        nonce: int,
        *,
        mainnet: bool,
        vault_address: str | None = None,
        expires_after: int | None = None,
    ) -> dict[str, Any]:
        from eth_account.messages import encode_typed_data

        connection_id = action_hash(action, nonce, vault_address, expires_after)
        message = encode_typed_data(full_message=l1_typed_data(connection_id, mainnet))
        signed = self._account.sign_message(message)
        return {"r": hex(int(signed.r)), "s": hex(int(signed.s)), "v": int(signed.v)}


def load_agent(venue: str, private_key: str) -> Result[AgentSigner, NotConfigured]:
    """An :class:`AgentSigner` for the key, or ``NotConfigured`` (extra missing, bad key).

    The error message never contains the key.
    """
    try:
        import msgpack  # noqa: F401
        from eth_account import Account
    except ImportError:
        return Failure(NotConfigured(venue, _MISSING_EXTRA))
    try:
        account = Account.from_key(private_key)
    except Exception:
        return Failure(
            NotConfigured(venue, "agent_private_key is not a valid secp256k1 private key")
        )
    return Success(AgentSigner(account))


def recover_l1_signer(
    action: Mapping[str, Any],
    signature: Mapping[str, Any],
    nonce: int,
    *,
    mainnet: bool,
    vault_address: str | None = None,
    expires_after: int | None = None,
) -> str:
    """The address that signed an L1 action (what the venue does on receipt)."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    connection_id = action_hash(action, nonce, vault_address, expires_after)
    message = encode_typed_data(full_message=l1_typed_data(connection_id, mainnet))
    vrs = (int(signature["v"]), int(str(signature["r"]), 16), int(str(signature["s"]), 16))
    return str(Account.recover_message(message, vrs=vrs))


@attrs.define
class NonceSource:
    """Millisecond nonces that strictly increase, even for many calls within one ms.

    Hyperliquid keeps the highest nonces per signer and refuses a reused or too-old one;
    ``max(now_ms, last + 1)`` under a lock never repeats (HLDOCS nonces-and-api-wallets).
    """

    clock_ms: Callable[[], int] = attrs.field(default=lambda: time.time_ns() // 1_000_000)
    _last: int = attrs.field(default=0, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def next(self) -> int:
        with self._lock:
            self._last = max(int(self.clock_ms()), self._last + 1)
            return self._last


_SHARED_NONCES: dict[str, NonceSource] = {}
_SHARED_LOCK = threading.Lock()


def nonce_source_for(signer_address: str) -> NonceSource:
    """The process-wide nonce source of one signer: every client signing with the same
    agent key (several configured accounts may share one) draws from the same counter, so
    two of them can never send the same nonce within one millisecond."""
    with _SHARED_LOCK:
        return _SHARED_NONCES.setdefault(signer_address.lower(), NonceSource())
