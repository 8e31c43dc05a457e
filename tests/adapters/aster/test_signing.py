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
