"""Starknet's cryptographic primitives for Paradex signing, over crypto-cpp-py (StarkWare's
C++ crypto: the Pedersen hash and ECDSA cairo-lang uses), imported on first use because it
is the optional extra ``paradex`` (:func:`load_crypto` says which package is missing):
felts and short strings, ``starknet_keccak``, the Pedersen chain hash, and Stark ECDSA
(RFC 6979 ``k`` with paradex-py's extra entropy, sign, verify, the flattened
``'["r","s"]'`` signature). See :mod:`adapters.paradex.signing` for the references."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from types import ModuleType

EXTRA_HINT = 'Paradex trading needs the optional extra: pip install "atomic-fp[paradex]"'
"""What a client says when crypto-cpp-py or pycryptodome is not installed."""

EC_ORDER = 0x800000000000010FFFFFFFFFFFFFFFFB781126DCAE7B2321E66A241ADC64D2F
FIELD_PRIME = 2**251 + 17 * 2**192 + 1
SIGN_SEED = 32
"""Extra RFC 6979 entropy paradex-py passes to ``starknet_crypto_py.sign``."""
_MASK_250 = 2**250 - 1

Felt = int | str


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


__all__ = [
    "EC_ORDER",
    "EXTRA_HINT",
    "FIELD_PRIME",
    "SIGN_SEED",
    "Felt",
    "SigningUnavailable",
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
]
