"""Aster v3 signing against independent computations of the documented scheme
(skills.sh aster-api-auth-v3; docs.rs asterdex-sdk ``auth/eip712.rs``): the EIP-712 digest
hashed by hand from the domain and ``Message(string msg)``, the signer recovered from the
signature, the ASCII-sorted parameter string, microsecond nonces."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from hypothesis import given
from hypothesis import strategies as st

from adapters.aster.signing import (
    ApiWallet,
    param_string,
    recover_signer,
    sign_message,
    signed_params,
    typed_data,
)
from tests.adapters.aster._client import AGENT, AGENT_KEY, USER
from tests.adapters.aster.fake_venue import eip712_digest, recover


def test_the_typed_data_hashes_to_the_hand_built_eip712_digest() -> None:
    message = "nonce=1748310859508867&signer=0x21cF&symbol=ASTERUSDT&user=0x63DD"
    for chain_id in (1666, 714):
        signable = encode_typed_data(full_message=typed_data(message, chain_id))
        ours = b"\x19" + signable.version + signable.header + signable.body
        assert keccak(ours) == eip712_digest(message, chain_id)


def test_the_signature_recovers_to_the_api_wallet_by_independent_code() -> None:
    message = "quantity=10&side=BUY&symbol=ASTERUSDT&type=MARKET"
    signature = sign_message(message, AGENT_KEY)
    assert recover(message, signature, 1666) == AGENT
    assert recover_signer(message, signature) == AGENT
    # another chain id (testnet 714) is another domain: the mainnet signature fails there
    assert recover(message, signature, 714) != AGENT


def test_the_param_string_is_sorted_in_ascii_order_with_every_auth_field() -> None:
    wallet = ApiWallet(user=USER, signer=AGENT, private_key=AGENT_KEY)
    pairs = signed_params(
        [("symbol", "ASTERUSDT"), ("side", "BUY"), ("Zeta", "1")],
        wallet,
        nonce_us=1_765_000_000_123_456,
        timestamp_ms=1_765_000_000_123,
    )
    keys = [k for k, _ in pairs]
    assert keys[-1] == "signature"
    assert keys[:-1] == sorted(keys[:-1])  # ASCII: "Zeta" before lowercase keys
    assert keys[0] == "Zeta"
    assert {"nonce", "user", "signer", "timestamp", "recvWindow"} <= set(keys)
    assert dict(pairs)["nonce"] == "1765000000123456"  # microseconds
    assert recover(param_string(pairs[:-1]), pairs[-1][1], 1666) == AGENT


def test_a_key_that_is_not_the_signers_is_refused_at_configuration() -> None:
    other = Account.create().key.hex()
    try:
        ApiWallet.from_settings({"user": USER, "signer": AGENT, "private_key": other})
    except ValueError as error:
        assert "does not belong to signer" in str(error)
        assert other not in str(error)
    else:
        raise AssertionError("a foreign key was accepted")
    assert "4c4c" not in repr(ApiWallet(USER, AGENT, AGENT_KEY))


RESERVED = {"nonce", "user", "signer", "signature", "timestamp", "recvWindow"}
KEYS = st.text(alphabet="abcnoseuZ_", min_size=1, max_size=8).filter(lambda k: k not in RESERVED)


@given(st.dictionaries(KEYS, st.text(max_size=12), max_size=6))
def test_any_parameters_sign_and_verify(params: dict[str, str]) -> None:
    wallet = ApiWallet(user=USER, signer=AGENT, private_key=AGENT_KEY)
    pairs = signed_params(list(params.items()), wallet, nonce_us=1, timestamp_ms=1)
    assert recover(param_string(pairs[:-1]), pairs[-1][1], 1666) == AGENT


# -------------------------------------------------------------- the official docs' demo wallet
#
# Searched for a published EIP-712 v3 vector (inputs + resulting signature or digest), 2026-12-07:
# asterdex/api-docs @ 265e024 (every revision of ``aster-finance-futures-api-v3.md``, the
# testnet page, ``demo/aster-code.py``, ``v3-demo/tx.py``/``main.go``, the community
# ``sdk/python`` and its tests), asterdex/API-demo, asterdex/aster-skills-hub
# ``aster-api-auth-v3``, docs.rs ``asterdex-sdk`` 0.1.3-0.1.5 (its ``auth_tests.rs`` checks only
# the signature's shape), hummingbot's aster_perpetual auth tests (shape only). None prints
# the signature of a ``Message{msg}`` request: the only printed signatures
# (``0x0337dd72...``, ``0x4f5e36e9...``) belong to the superseded ABI-encode + keccak scheme.
# What the official page does publish is a demo API wallet (user, signer and the signer's
# private key) and the example request it signs; those are the inputs used here.

DOCS_USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e"
DOCS_SIGNER = "0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0"
DOCS_KEY = "0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1"
DOCS_MESSAGE = (  # the docs' POST /fapi/v3/order example, urlencoded as its demo does
    "symbol=ASTERUSDT&type=LIMIT&side=BUY&timeInForce=GTC&quantity=20&price=0.5"
    "&nonce=1748310859508867&signer=0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0"
)
THIRD_PARTY_SIGNATURE = (
    "0xd82a6784f5eff00b95ecb88145cf7a5fa6803ea6f67e0217262073da628750a7"
    "42bb3ba555af418320e55029afe358957808d4f810d73ea663d9c91852cd6d941c"
)
"""The same signature pinned by an independent Aster client's unit test (``TestSignature.
test_docs_vector``, found by the code search; not an Aster publication). ECDSA here is
deterministic (RFC 6979), so any correct implementation of the scheme yields these bytes."""


def test_the_docs_demo_key_is_the_docs_demo_signer() -> None:
    """The official page's demo private key derives its demo signer address, and our wallet
    check accepts exactly that pair (and refuses the docs' user address as signer)."""
    wallet = ApiWallet.from_settings(
        {"user": DOCS_USER, "signer": DOCS_SIGNER, "private_key": DOCS_KEY}
    )
    assert wallet is not None and wallet.signer == DOCS_SIGNER
    try:
        ApiWallet.from_settings({"user": DOCS_USER, "signer": DOCS_USER, "private_key": DOCS_KEY})
    except ValueError as error:
        assert "does not belong to signer" in str(error)
    else:
        raise AssertionError("the user address was accepted as the key's signer")


def test_the_docs_example_request_signs_to_the_independently_pinned_signature() -> None:
    signature = sign_message(DOCS_MESSAGE, DOCS_KEY)
    assert signature == THIRD_PARTY_SIGNATURE
    assert recover(DOCS_MESSAGE, signature, 1666) == DOCS_SIGNER  # hand-built digest


def test_our_sorted_request_for_the_docs_example_is_signed_by_the_docs_signer() -> None:
    """Our request for the docs' order: the same business parameters, sorted, with ``user``,
    ``timestamp`` and ``recvWindow`` added (the auth-v3 skill's parameter list); the venue
    verifies the text it receives, which is exactly the signed text."""
    wallet = ApiWallet(user=DOCS_USER, signer=DOCS_SIGNER, private_key=DOCS_KEY)
    business = [
        ("symbol", "ASTERUSDT"), ("type", "LIMIT"), ("side", "BUY"),
        ("timeInForce", "GTC"), ("quantity", "20"), ("price", "0.5"),
    ]  # fmt: skip
    pairs = signed_params(
        business, wallet, nonce_us=1748310859508867, timestamp_ms=1748310859508
    )
    text = param_string(pairs[:-1])
    assert text == (
        "nonce=1748310859508867&price=0.5&quantity=20&recvWindow=5000&side=BUY"
        "&signer=0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0&symbol=ASTERUSDT"
        "&timeInForce=GTC&timestamp=1748310859508&type=LIMIT"
        "&user=0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e"
    )
    assert recover(text, pairs[-1][1], 1666) == DOCS_SIGNER
