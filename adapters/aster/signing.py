"""Aster futures API v3 request signing (API wallet, EIP-712).

Confirmed against the live documentation (the research notes, section F, asked which of two
schemes v3 uses; the older "ABI-encode + keccak + ECDSA" text is superseded):

- skills.sh ``asterdex/aster-skills-hub/aster-api-auth-v3``: every signed request carries
  ``user`` (the main account wallet), ``signer`` (the API wallet), ``nonce`` (current time in
  **microseconds**, refused when more than ~5 s off) and ``signature``. The signed text is
  every parameter as ``key=value``, keys sorted in ASCII order, joined by ``&`` (nonce, user
  and signer included; signature excluded). It is signed as EIP-712 typed data: domain
  ``{name: "AsterSignTransaction", version: "1", chainId: 1666, verifyingContract: 0x0}``,
  primary type ``Message {string msg}``, ``msg`` = that text, with the API wallet's key;
  the hex signature is added to the query or form body. Chain id 1666 is an off-chain
  signing identifier (not Harmony); the testnet uses 714 (docs.rs ``asterdex-sdk`` 0.1.5
  ``auth/eip712.rs``; asterdex/API-demo-node ``aster-code-demo`` README: ``Message.msg``
  over the full query string, testnet chain 714).
- ``recvWindow`` is optional, default 5000 ms and at most 5000 ms on v3 (same skill page),
  measured from ``timestamp`` (ms): the order-deadline mechanism of the validity-window rule.

``eth-account`` (extra ``atomic-fp[aster]``) is imported only when a wallet is configured:
market data works without it.

Checked against outside data (``tests/adapters/aster/test_signing.py``): the official v3
page (asterdex/api-docs ``aster-finance-futures-api-v3.md``, "Example of POST
/fapi/v3/order") publishes a demo API wallet (user ``0x63DD...``, signer ``0x21cF...`` and the
signer's key) and the request it signs, but no resulting signature; no official EIP-712
vector exists (searched: every revision of that page, the testnet page, the repo's demos
and community SDK, asterdex/API-demo, the aster-skills-hub, docs.rs ``asterdex-sdk``). The
demo key derives the demo signer, and the docs' example request signs to the value an
independent client pins for it.

The docs' demo urlencodes the parameters in insertion order; the auth-v3 skill sorts them.
The venue verifies the text it receives, so either works as long as the signed text is
the sent text: the signed string here is built from the exact ``(key, value)`` pairs that
are then sent (``urlencode`` of the same sorted pairs), so what is signed is what the venue
reads back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import attrs

MAINNET_CHAIN_ID = 1666
TESTNET_CHAIN_ID = 714
DEFAULT_RECV_WINDOW_MS = 5_000
MAX_RECV_WINDOW_MS = 5_000
"""Aster v3: ``recvWindow`` default 5000, at most 5000 (aster-api-auth-v3)."""

DOMAIN_NAME = "AsterSignTransaction"
DOMAIN_VERSION = "1"
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@attrs.frozen(repr=False)
class ApiWallet:
    """The main account address (``user``), the API wallet address (``signer``) and the
    API wallet's private key. ``repr`` shows no key."""

    user: str
    signer: str
    private_key: str

    def __repr__(self) -> str:
        return f"ApiWallet(user={self.user}, signer={self.signer}, private_key=***)"

    @classmethod
    def from_settings(cls, credentials: Mapping[str, str]) -> ApiWallet | None:
        """All three of ``user``, ``signer``, ``private_key``, or ``None`` (market data
        only). A key that does not belong to ``signer`` is a ``ValueError`` naming that."""
        user = credentials.get("user", "")
        signer = credentials.get("signer", "")
        key = credentials.get("private_key", "")
        if not user or not signer or not key:
            return None
        try:
            from eth_account import Account
        except ImportError:
            raise ValueError(
                "aster trading needs eth-account: pip install 'atomic-fp[aster]'"
            ) from None
        try:
            derived = Account.from_key(key).address
        except (ValueError, TypeError):
            raise ValueError("aster credential private_key is not a valid secp256k1 key") from None
        if derived.lower() != signer.lower():
            raise ValueError("aster credential private_key does not belong to signer")
        return cls(user=user, signer=signer, private_key=key)


def param_string(params: Sequence[tuple[str, str]]) -> str:
    """The text Aster signs: ``key=value`` pairs sorted by key (ASCII), ``&``-joined, values
    url-encoded exactly as they are sent."""
    return urlencode(sorted(params, key=lambda pair: pair[0]))


def typed_data(message: str, chain_id: int = MAINNET_CHAIN_ID) -> dict[str, Any]:
    """The full EIP-712 typed-data document for ``message`` (``eth_signTypedData_v4``)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Message": [{"name": "msg", "type": "string"}],
        },
        "primaryType": "Message",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": ZERO_ADDRESS,
        },
        "message": {"msg": message},
    }


def sign_message(message: str, private_key: str, chain_id: int = MAINNET_CHAIN_ID) -> str:
    """``0x``-prefixed hex signature (r, s, v) of ``message`` under Aster's domain."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    signable = encode_typed_data(full_message=typed_data(message, chain_id))
    signed = Account.sign_message(signable, private_key=private_key)
    return "0x" + bytes(signed.signature).hex().removeprefix("0x")


def signed_params(
    params: Sequence[tuple[str, str]],
    wallet: ApiWallet,
    *,
    nonce_us: int,
    timestamp_ms: int,
    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS,
    chain_id: int = MAINNET_CHAIN_ID,
) -> list[tuple[str, str]]:
    """``params`` plus ``recvWindow``, ``timestamp``, ``nonce``, ``user``, ``signer``,
    sorted, then ``signature`` last: the pairs to send, in order."""
    full = sorted(
        [
            *params,
            ("recvWindow", str(recv_window_ms)),
            ("timestamp", str(timestamp_ms)),
            ("nonce", str(nonce_us)),
            ("user", wallet.user),
            ("signer", wallet.signer),
        ],
        key=lambda pair: pair[0],
    )
    signature = sign_message(param_string(full), wallet.private_key, chain_id)
    return [*full, ("signature", signature)]


def recover_signer(message: str, signature: str, chain_id: int = MAINNET_CHAIN_ID) -> str:
    """The address that signed ``message`` (what the venue checks against ``signer``)."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    signable = encode_typed_data(full_message=typed_data(message, chain_id))
    return str(Account.recover_message(signable, signature=signature))


__all__ = [
    "DEFAULT_RECV_WINDOW_MS",
    "MAINNET_CHAIN_ID",
    "MAX_RECV_WINDOW_MS",
    "TESTNET_CHAIN_ID",
    "ApiWallet",
    "param_string",
    "recover_signer",
    "sign_message",
    "signed_params",
    "typed_data",
]
