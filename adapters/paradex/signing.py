"""Paradex Starknet signing: typed data (revision 0), its message hash, Stark ECDSA.

Written by us to the behaviour of the official ``paradex-py`` (0.8.2, MIT; it cannot
install here: it needs ``starknet-crypto-py``, a Rust sdist). What it does, and so what
this module does:

- **Order message** (``paradex_py/message/order.py``, ``common/order.py``): typed data
  with domain ``{name: "Paradex", chainId: hex(chain id), version: "1"}`` (types
  ``StarkNetDomain(name, chainId, version)``, all ``felt``) and primary type
  ``Order(timestamp, market, side, orderType, size, price)``: ``timestamp`` the signature
  time in ms, ``market`` the Paradex symbol as a short string, ``side`` ``"1"`` buy /
  ``"2"`` sell, ``orderType`` ``"LIMIT"``/``"MARKET"`` as a short string, ``size`` and
  ``price`` scaled by 10^8 (``Decimal.scaleb(8)``; a market order's price is ``"0"``).
- **Auth message** (``message/auth.py``): primary type ``Request(method, path, body,
  timestamp, expiration)`` with ``"POST"``, ``"/v1/auth"``, ``""`` and seconds.
- **Chain id** (``account/account.py``): the L2 chain id string read as big-endian bytes
  (``int_from_bytes("PRIVATE_SN_PARACLEAR_MAINNET".encode())``), written ``hex()``.
- **Hash**: starknet.py's ``TypedData.message_hash`` for revision 0 (``utils/typed_data.py``):
  ``h([shortstring("StarkNet Message"), struct_hash(domain), account, struct_hash(message)])``
  where ``h`` is the Pedersen chain ``compute_hash_on_elements`` and a struct hash is
  ``h([starknet_keccak(encoded type), *encoded fields])``; a felt is an int, ``0x`` hex,
  a decimal string, else an ASCII short string.
- **Signature**: ``starknet-crypto`` ``sign`` with ``k`` from RFC 6979 (SHA-256, extra
  entropy ``seed = 32``, as ``account/utils.py`` ``message_signature`` passes). We use
  crypto-cpp-py (StarkWare's C++ crypto, the Pedersen hash and ECDSA that cairo-lang
  uses), whose ``cpp_sign`` derives ``k`` with cairo-lang's RFC 6979 port, the procedure
  starknet-rs' test vectors were generated from; the signature goes out as
  ``'["r","s"]'`` (decimal), ``flatten_signature``.

crypto-cpp-py is the optional extra ``paradex``: market data never imports this module's
crypto; :func:`load_crypto` says which extra is missing.

Where each part lives: :mod:`adapters.paradex.stark_crypto` (felts, hashes, Stark ECDSA,
the optional crypto), :mod:`adapters.paradex.messages` (the order and auth messages, chain
ids); this module: typed data revision 0 and its hash, the account's signer, signature
verification, and every name re-exported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from adapters.paradex.messages import (
    CHAIN_DECIMALS,
    MAINNET_CHAIN_ID,
    TESTNET_CHAIN_ID,
    OrderMessage,
    auth_typed_data,
    chain_id_felt,
    chain_quantity,
)
from adapters.paradex.stark_crypto import (
    EXTRA_HINT,
    SigningUnavailable,
    compute_hash_on_elements,
    crypto_available,
    encode_shortstring,
    flatten_signature,
    generate_k,
    load_crypto,
    parse_felt,
    pedersen,
    public_key,
    sign_hash,
    starknet_keccak,
    unflatten_signature,
    verify_hash,
)

TypeSpec = Mapping[str, Sequence[Mapping[str, str]]]


@attrs.frozen
class TypedData:
    """Starknet typed data, revision 0 (the ``StarkNetDomain`` form Paradex signs):
    ``felt``, ``felt*``, structs and arrays of structs."""

    types: TypeSpec
    primary_type: str
    domain: Mapping[str, Any]
    message: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TypedData:
        return cls(data["types"], data["primaryType"], data["domain"], data["message"])

    def _dependencies(self, name: str, found: list[str]) -> list[str]:
        if name in found or name not in self.types:
            return found
        found.append(name)
        for field in self.types[name]:
            self._dependencies(field["type"].rstrip("*"), found)
        return found

    def encode_type(self, name: str) -> str:
        primary, *rest = self._dependencies(name, [])
        return "".join(
            f"{t}(" + ",".join(f"{f['name']}:{f['type']}" for f in self.types[t]) + ")"
            for t in [primary, *sorted(rest)]
        )

    def type_hash(self, name: str) -> int:
        return starknet_keccak(self.encode_type(name).encode("ascii"))

    def _encode_value(self, type_name: str, value: Any) -> int:
        if type_name in self.types and isinstance(value, Mapping):
            return self.struct_hash(type_name, value)
        if type_name.endswith("*") and isinstance(value, list):
            item = type_name[:-1]
            return compute_hash_on_elements([self._encode_value(item, v) for v in value])
        if type_name == "felt" and isinstance(value, int | str):
            return parse_felt(value)
        raise ValueError(f"cannot encode {value!r} as {type_name}")

    def struct_hash(self, name: str, data: Mapping[str, Any]) -> int:
        fields = [self._encode_value(f["type"], data[f["name"]]) for f in self.types[name]]
        return compute_hash_on_elements([self.type_hash(name), *fields])

    def message_hash(self, account: int) -> int:
        return compute_hash_on_elements(
            [
                encode_shortstring("StarkNet Message"),
                self.struct_hash("StarkNetDomain", self.domain),
                account,
                self.struct_hash(self.primary_type, self.message),
            ]
        )


@attrs.frozen(repr=False)
class StarkSigner:
    """One Paradex account's L2 key: ``account`` (the L2 address the hashes bind) and the
    Stark private key. ``repr`` never shows the key. Building one needs no crypto (a
    config with credentials loads without the extra); signing does."""

    account: int
    private_key: int = attrs.field(repr=False)
    chain_id: str = MAINNET_CHAIN_ID

    @property
    def public_key(self) -> int:
        return public_key(self.private_key)

    def __repr__(self) -> str:
        return f"StarkSigner(account={hex(self.account)}, chain={self.chain_id})"

    def sign_typed(self, data: Mapping[str, Any]) -> str:
        msg_hash = TypedData.from_dict(data).message_hash(self.account)
        return flatten_signature(*sign_hash(msg_hash, self.private_key))

    def sign_order(self, order: OrderMessage) -> str:
        return self.sign_typed(order.typed_data(self.chain_id))

    def auth_headers(self, timestamp: int, expiration: int) -> dict[str, str]:
        """The headers of ``POST /v1/auth`` (paradex-py ``auth_headers``)."""
        return {
            "PARADEX-STARKNET-ACCOUNT": hex(self.account),
            "PARADEX-STARKNET-SIGNATURE": self.sign_typed(
                auth_typed_data(self.chain_id, timestamp, expiration)
            ),
            "PARADEX-TIMESTAMP": str(timestamp),
            "PARADEX-SIGNATURE-EXPIRATION": str(expiration),
        }


def verify_typed(
    data: Mapping[str, Any], account: int, signature: str, stark_public_key: int
) -> bool:
    """Does ``signature`` (flattened) sign ``data`` for ``account`` under the key?"""
    try:
        r, s = unflatten_signature(signature)
    except ValueError:
        return False
    return verify_hash(TypedData.from_dict(data).message_hash(account), r, s, stark_public_key)


__all__ = [
    "CHAIN_DECIMALS",
    "EXTRA_HINT",
    "MAINNET_CHAIN_ID",
    "TESTNET_CHAIN_ID",
    "OrderMessage",
    "SigningUnavailable",
    "StarkSigner",
    "TypedData",
    "auth_typed_data",
    "chain_id_felt",
    "chain_quantity",
    "compute_hash_on_elements",
    "crypto_available",
    "encode_shortstring",
    "flatten_signature",
    "generate_k",
    "load_crypto",
    "parse_felt",
    "pedersen",
    "public_key",
    "sign_hash",
    "starknet_keccak",
    "unflatten_signature",
    "verify_hash",
    "verify_typed",
]
