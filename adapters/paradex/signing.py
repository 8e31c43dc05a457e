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
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import ModuleType
from typing import Any

import attrs

EXTRA_HINT = 'Paradex trading needs the optional extra: pip install "atomic-fp[paradex]"'
"""What a client says when crypto-cpp-py or pycryptodome is not installed."""

MAINNET_CHAIN_ID = "PRIVATE_SN_PARACLEAR_MAINNET"
TESTNET_CHAIN_ID = "PRIVATE_SN_POTC_SEPOLIA"
"""Paradex's ``starknet_chain_id`` (``GET /system/config``; testnet per paradex-py's
``tests/mocks/api_client.py``)."""

EC_ORDER = 0x800000000000010FFFFFFFFFFFFFFFFB781126DCAE7B2321E66A241ADC64D2F
FIELD_PRIME = 2**251 + 17 * 2**192 + 1
SIGN_SEED = 32
"""Extra RFC 6979 entropy paradex-py passes to ``starknet_crypto_py.sign``."""
CHAIN_DECIMALS = 8
"""Order ``size`` and ``price`` are signed as integers scaled by 10^8."""
_MASK_250 = 2**250 - 1

Felt = int | str
TypeSpec = Mapping[str, Sequence[Mapping[str, str]]]


class SigningUnavailable(RuntimeError):
    """The optional crypto packages are not installed (message: :data:`EXTRA_HINT`)."""


@functools.cache
def load_crypto() -> tuple[ModuleType, ModuleType]:
    """``(crypto_cpp_py.cpp_bindings, Crypto.Hash.keccak)``, imported on first use."""
    try:
        cpp = importlib.import_module("crypto_cpp_py.cpp_bindings")
        keccak = importlib.import_module("Crypto.Hash.keccak")
    except ImportError as missing:
        raise SigningUnavailable(f"{EXTRA_HINT} ({missing.name} is not installed)") from None
    return cpp, keccak


def crypto_available() -> bool:
    try:
        load_crypto()
    except SigningUnavailable:
        return False
    return True


# ---------------------------------------------------------------------- felts and hashes


def encode_shortstring(text: str) -> int:
    """ASCII text of at most 31 characters as a felt (first character most significant)."""
    if len(text) > 31:
        raise ValueError(f"short string {text!r} is longer than 31 characters")
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError(f"short string {text!r} is not ASCII") from None
    return int.from_bytes(raw, "big")


def parse_felt(value: Felt) -> int:
    """starknet.py ``parse_felt``: an int, ``0x`` hex, a decimal string, else a short string."""
    if isinstance(value, bool):
        raise ValueError("a felt is not a bool")
    if isinstance(value, int):
        number = value
    elif value.startswith("0x"):
        number = int(value, 16)
    elif value.isdecimal():
        number = int(value)
    else:
        number = encode_shortstring(value)
    if not 0 <= number < FIELD_PRIME:
        raise ValueError(f"{value!r} is not a field element")
    return number


def starknet_keccak(data: bytes) -> int:
    """Keccak-256 (Ethereum's, not SHA3) masked to its low 250 bits."""
    _, keccak = load_crypto()
    digest: bytes = keccak.new(digest_bits=256, data=data).digest()
    return int.from_bytes(digest, "big") & _MASK_250


def pedersen(left: int, right: int) -> int:
    cpp, _ = load_crypto()
    result: int = cpp.cpp_hash(left, right)
    return result


def compute_hash_on_elements(values: Sequence[int]) -> int:
    """``h(h(h(0, v0), v1), ..., n)``: the Pedersen chain with the length appended."""
    return functools.reduce(pedersen, [*values, len(values)], 0)


# ---------------------------------------------------------------------- typed data, rev 0


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


# ---------------------------------------------------------------------- Paradex messages

_DOMAIN_TYPE = (
    {"name": "name", "type": "felt"},
    {"name": "chainId", "type": "felt"},
    {"name": "version", "type": "felt"},
)
_ORDER_TYPE = tuple(
    {"name": n, "type": "felt"}
    for n in ("timestamp", "market", "side", "orderType", "size", "price")
)
_REQUEST_TYPE = tuple(
    {"name": n, "type": "felt"} for n in ("method", "path", "body", "timestamp", "expiration")
)


def chain_id_felt(chain_id: str) -> int:
    """The L2 chain id string read as a big-endian integer (paradex-py ``l2_chain_id``)."""
    return int.from_bytes(chain_id.encode("ascii"), "big")


def _domain(chain_id: str | int) -> dict[str, str]:
    """``chain_id``: the chain id string, or already its felt (paradex-py's tests use 1)."""
    felt = chain_id if isinstance(chain_id, int) else chain_id_felt(chain_id)
    return {"name": "Paradex", "chainId": hex(felt), "version": "1"}


def chain_quantity(value: Decimal) -> str:
    """``value`` scaled by 10^8 as an integer string; more than 8 decimals is refused
    (paradex-py truncates with ``int()``, which would sign a different size)."""
    scaled = value.scaleb(CHAIN_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {CHAIN_DECIMALS} decimals")
    return str(int(scaled))


@attrs.frozen(kw_only=True)
class OrderMessage:
    """The signed fields of a Paradex order (``side`` ``BUY``/``SELL``, ``order_type``
    ``LIMIT``/``MARKET``; ``price`` ignored for a market order)."""

    market: str
    side: str
    order_type: str
    size: Decimal
    price: Decimal | None
    signature_timestamp_ms: int

    def typed_data(self, chain_id: str | int) -> dict[str, Any]:
        if self.side not in ("BUY", "SELL"):
            raise ValueError(f"side {self.side!r} is not BUY or SELL")
        if self.order_type == "MARKET":
            price = "0"
        elif self.price is None:
            raise ValueError(f"a {self.order_type} order needs a price")
        else:
            price = chain_quantity(self.price)
        return {
            "domain": _domain(chain_id),
            "primaryType": "Order",
            "types": {"StarkNetDomain": list(_DOMAIN_TYPE), "Order": list(_ORDER_TYPE)},
            "message": {
                "timestamp": str(self.signature_timestamp_ms),
                "market": self.market,
                "side": "1" if self.side == "BUY" else "2",
                "orderType": self.order_type,
                "size": chain_quantity(self.size),
                "price": price,
            },
        }


def auth_typed_data(chain_id: str | int, timestamp: int, expiration: int) -> dict[str, Any]:
    """The ``POST /v1/auth`` request message (seconds since the epoch)."""
    return {
        "message": {
            "method": "POST",
            "path": "/v1/auth",
            "body": "",
            "timestamp": timestamp,
            "expiration": expiration,
        },
        "domain": _domain(chain_id),
        "primaryType": "Request",
        "types": {"StarkNetDomain": list(_DOMAIN_TYPE), "Request": list(_REQUEST_TYPE)},
    }


# ---------------------------------------------------------------------- keys and ECDSA


def public_key(private_key: int) -> int:
    cpp, _ = load_crypto()
    result: int = cpp.cpp_get_public_key(private_key)
    return result


def generate_k(msg_hash: int, private_key: int, seed: int | None) -> int:
    """RFC 6979 ``k`` as cairo-lang derives it (crypto-cpp-py ``cpp_generate_k_rfc6979``)."""
    load_crypto()
    utils = importlib.import_module("crypto_cpp_py.utils")
    k: int = utils.cpp_generate_k_rfc6979(msg_hash, private_key, seed)
    return k


def sign_hash(msg_hash: int, private_key: int) -> tuple[int, int]:
    """``(r, s)`` with ``k`` from RFC 6979 and seed 32, as paradex-py signs."""
    if not 0 < private_key < EC_ORDER:
        raise ValueError("the Stark private key is out of range")
    cpp, _ = load_crypto()
    r, s = cpp.cpp_sign(msg_hash, private_key, SIGN_SEED)
    return int(r), int(s)


def verify_hash(msg_hash: int, r: int, s: int, stark_public_key: int) -> bool:
    """Stark ECDSA verification (the venue's side; the fake venue checks with it)."""
    if not (0 < r < 2**251 and 0 < s < EC_ORDER):
        return False
    cpp, _ = load_crypto()
    return bool(cpp.cpp_verify(msg_hash, r, pow(s, -1, EC_ORDER), stark_public_key))


def flatten_signature(r: int, s: int) -> str:
    """``'["r","s"]'`` in decimal, the form Paradex takes in bodies and headers."""
    return f'["{r}","{s}"]'


def unflatten_signature(text: str) -> tuple[int, int]:
    """The inverse of :func:`flatten_signature`; ``ValueError`` on anything else."""
    if not (text.startswith('["') and text.endswith('"]')):
        raise ValueError('signature is not of the form ["r","s"]')
    parts = text[2:-2].split('","')
    if len(parts) != 2 or not all(p.isdecimal() for p in parts):
        raise ValueError("signature is not two decimal numbers")
    return int(parts[0]), int(parts[1])


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
