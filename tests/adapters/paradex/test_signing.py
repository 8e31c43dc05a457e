"""Paradex Starknet signing against outside references, literal by literal.

Where each expected value comes from (all MIT or Apache-2.0; the inputs and outputs are
copied as literals, the code is ours):

- starknet.py @ 28b3c97b713cbe22ef1e14db995c5273dffa49b5 (MIT, Software Mansion):
  ``starknet_py/tests/unit/utils/typed_data_test.py`` (revision-0 ``type_hash`` and
  ``message_hash`` for the three examples below, "calculated using starknet.js") with the
  inputs of ``starknet_py/tests/e2e/mock/typed_data/typed_data_rev_0_example.json``,
  ``..._felt_array_example.json``, ``..._struct_array_example.json``; and
  ``starknet_py/tests/unit/hash/utils_test.py`` (Pedersen, hash chains, keccak).
- paradex-py @ 334a7f81592c725af6495e93983cb47fc54cd484 (MIT, Paradex):
  ``tests/message/test_order.py`` and ``tests/message/test_auth.py`` (the typed data the
  SDK builds), ``tests/api/test_account.py`` (an L2 key pair, the auth-signature inputs).
- starknet-rs (``xJonathanLEI/starknet-rs``, MIT/Apache-2.0): ``starknet-crypto/test-data/
  rfc6979_padded.json`` and ``rfc6979_not_padded.json`` @ 62b937f0 ("generated from
  cairo-lang": the deterministic ``k`` paradex-py's signer uses), and
  ``starknet-crypto/src/ecdsa.rs`` @ 00f1c56a (key and verification vectors, ported there
  from starkware-libs/crypto-cpp).

No published Paradex order *signature* vector exists; the signature tests check the chain
instead: our hash equals starknet.py's for the same typed data, our ``k`` equals
cairo-lang's, and the signature verifies under the public key paradex-py derives.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.paradex import signing
from adapters.paradex.signing import (
    EXTRA_HINT,
    MAINNET_CHAIN_ID,
    TESTNET_CHAIN_ID,
    OrderMessage,
    SigningUnavailable,
    StarkSigner,
    TypedData,
    auth_typed_data,
    chain_id_felt,
    chain_quantity,
    compute_hash_on_elements,
    encode_shortstring,
    flatten_signature,
    generate_k,
    parse_felt,
    pedersen,
    public_key,
    sign_hash,
    starknet_keccak,
    unflatten_signature,
    verify_hash,
    verify_typed,
)

STARKNET_PY_ACCOUNT = 0xCD2A3D9F938E13CD947EC05ABC7FE734DF8DD826

_DOMAIN_TYPE = [
    {"name": "name", "type": "felt"},
    {"name": "version", "type": "felt"},
    {"name": "chainId", "type": "felt"},
]
_PERSON = [{"name": "name", "type": "felt"}, {"name": "wallet", "type": "felt"}]
_FROM = {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"}
_TO = {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"}
_DOMAIN = {"name": "StarkNet Mail", "version": "1", "chainId": "1"}

TD_EXAMPLE: dict[str, Any] = {
    "types": {
        "StarkNetDomain": _DOMAIN_TYPE,
        "Person": _PERSON,
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "felt"},
        ],
    },
    "primaryType": "Mail",
    "domain": _DOMAIN,
    "message": {"from": _FROM, "to": _TO, "contents": "Hello, Bob!"},
}
TD_FELT_ARRAY: dict[str, Any] = {
    "types": {
        "StarkNetDomain": _DOMAIN_TYPE,
        "Person": _PERSON,
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "felts_len", "type": "felt"},
            {"name": "felts", "type": "felt*"},
        ],
    },
    "primaryType": "Mail",
    "domain": _DOMAIN,
    "message": {"from": _FROM, "to": _TO, "felts_len": 3, "felts": [1, 2, 3]},
}
TD_STRUCT_ARRAY: dict[str, Any] = {
    "types": {
        "StarkNetDomain": _DOMAIN_TYPE,
        "Person": _PERSON,
        "Post": [{"name": "title", "type": "felt"}, {"name": "content", "type": "felt"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "posts_len", "type": "felt"},
            {"name": "posts", "type": "Post*"},
        ],
    },
    "primaryType": "Mail",
    "domain": _DOMAIN,
    "message": {
        "from": _FROM,
        "to": _TO,
        "posts_len": 2,
        "posts": [
            {"title": "Greeting", "content": "Hello, Bob!"},
            {"title": "Farewell", "content": "Goodbye, Bob!"},
        ],
    },
}

# paradex-py tests/api/test_account.py
PARADEX_L2_ADDRESS = 0x129C135ED63DF9353885E292BE4426B8ED6122B13C6C0E1BB787288A1F5ADFA
PARADEX_L2_PRIVATE_KEY = 0x543B6CF6C91817A87174AAEA4FB370AC1C694E864D7740D728F8344D53E815
PARADEX_L2_PUBLIC_KEY = 0x2C144D2F2D4FC61B6F8967F3BA0012A87D90140BCFE5A3E92E8DF83258C960F


# ---------------------------------------------------------------------- primitives


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (
            0,
            13289654017234601382751,
            1606983897751845338544875557254529092665736388485573456407652201602816719974,
        ),
        (
            32108945712395,
            0,
            2286557865806578472402728224133061485859287443532833874408098272076626850762,
        ),
        (0, 0, 2089986280348253421170679821480865132823066470938446095505822317253594081284),
        (1, 1, 1321142004022994845681377299801403567378503530250467610343381590909832171180),
    ],
)
def test_pedersen_matches_starknet_py(left: int, right: int, expected: int) -> None:
    assert pedersen(left, right) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            [1, 2, 3, 4, 5],
            3442134774288875752012730520904650962184640568595562887119811371865001706826,
        ),
        (
            [28, 15, 39, 74],
            1457535610401978056129941705021139155249904351968558303142914517100335003071,
        ),
    ],
)
def test_hash_chain_matches_starknet_py(data: list[int], expected: int) -> None:
    assert compute_hash_on_elements(data) == expected


@pytest.mark.parametrize(
    ("text", "keccak256"),
    [
        ("", 0xC5D2460186F7233C927E7DB2DCC703C0E500B653CA82273B7BFAD8045D85A470),
        ("test", 0x9C22FF5F21F0B81B113E63F7DB6DA94FEDEF11B2119B4088B89664FB9A3CB658),
    ],
)
def test_starknet_keccak_is_keccak256_masked_to_250_bits(text: str, keccak256: int) -> None:
    assert starknet_keccak(text.encode()) == keccak256 & (2**250 - 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(123, 0x7B), ("123", 0x7B), ("0x7b", 0x7B), ("short_string", 0x73686F72745F737472696E67)],
)
def test_parse_felt_matches_starknet_py(value: int | str, expected: int) -> None:
    assert parse_felt(value) == expected


def test_short_strings_longer_than_31_or_not_ascii_are_refused() -> None:
    with pytest.raises(ValueError, match="longer than 31"):
        encode_shortstring("x" * 32)
    with pytest.raises(ValueError, match="not ASCII"):
        encode_shortstring("é")


# ---------------------------------------------------------------------- typed data, rev 0


@pytest.mark.parametrize(
    ("type_name", "expected"),
    [
        ("StarkNetDomain", 0x1BFC207425A47A5DFA1A50A4F5241203F50624CA5FDF5E18755765416B8E288),
        ("Person", 0x2896DBE4B96A67110F454C01E5336EDC5BBC3635537EFD690F122F4809CC855),
        ("Mail", 0x13D89452DF9512BF750F539BA3001B945576243288137DDB6C788457D4B2F79),
    ],
)
def test_type_hash_matches_starknet_py(type_name: str, expected: int) -> None:
    assert TypedData.from_dict(TD_EXAMPLE).type_hash(type_name) == expected


def test_encode_type_lists_dependencies_sorted_after_the_primary() -> None:
    assert (
        TypedData.from_dict(TD_STRUCT_ARRAY).encode_type("Mail")
        == "Mail(from:Person,to:Person,posts_len:felt,posts:Post*)"
        "Person(name:felt,wallet:felt)Post(title:felt,content:felt)"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TD_EXAMPLE, 0x6FCFF244F63E38B9D88B9E3378D44757710D1B244282B435CB472053C8D78D0),
        (TD_FELT_ARRAY, 0x30AB43EF724B08C3B0A9BBE425E47C6173470BE75D1D4C55FD5BF9309896BCE),
        (TD_STRUCT_ARRAY, 0x5914ED2764ECA2E6A41EB037FEEFD3D2E33D9AF6225A9E7FE31AC943FF712C),
    ],
)
def test_message_hash_matches_starknet_py(data: dict[str, Any], expected: int) -> None:
    assert TypedData.from_dict(data).message_hash(STARKNET_PY_ACCOUNT) == expected


def test_struct_hash_of_the_domain_matches_starknet_py() -> None:
    typed = TypedData.from_dict(TD_EXAMPLE)
    assert (
        typed.struct_hash("StarkNetDomain", typed.domain)
        == 0x54833B121883A3E3AEBFF48EC08A962F5742E5F7B973469C1F8F4F55D470B07
    )


# ---------------------------------------------------------------------- Paradex messages


def test_order_message_equals_paradex_py_build_order_message() -> None:
    """paradex-py tests/message/test_order.py: the typed data for chain id 1."""
    order = OrderMessage(
        market="ETH-USD-PERP",
        side="BUY",
        order_type="LIMIT",
        size=Decimal("0.1"),
        price=Decimal(1500),
        signature_timestamp_ms=1634736000000,
    )
    assert order.typed_data(1) == {
        "domain": {"name": "Paradex", "chainId": "0x1", "version": "1"},
        "primaryType": "Order",
        "types": {
            "StarkNetDomain": [
                {"name": "name", "type": "felt"},
                {"name": "chainId", "type": "felt"},
                {"name": "version", "type": "felt"},
            ],
            "Order": [
                {"name": "timestamp", "type": "felt"},
                {"name": "market", "type": "felt"},
                {"name": "side", "type": "felt"},
                {"name": "orderType", "type": "felt"},
                {"name": "size", "type": "felt"},
                {"name": "price", "type": "felt"},
            ],
        },
        "message": {
            "timestamp": "1634736000000",
            "market": "ETH-USD-PERP",
            "side": "1",
            "orderType": "LIMIT",
            "size": "10000000",
            "price": "150000000000",
        },
    }


def test_auth_message_equals_paradex_py_build_auth_message() -> None:
    """paradex-py tests/message/test_auth.py ``build_auth_message(1, 2, 3)``."""
    assert auth_typed_data(1, 2, 3) == {
        "message": {
            "method": "POST",
            "path": "/v1/auth",
            "body": "",
            "timestamp": 2,
            "expiration": 3,
        },
        "domain": {"name": "Paradex", "chainId": "0x1", "version": "1"},
        "primaryType": "Request",
        "types": {
            "StarkNetDomain": [
                {"name": "name", "type": "felt"},
                {"name": "chainId", "type": "felt"},
                {"name": "version", "type": "felt"},
            ],
            "Request": [
                {"name": "method", "type": "felt"},
                {"name": "path", "type": "felt"},
                {"name": "body", "type": "felt"},
                {"name": "timestamp", "type": "felt"},
                {"name": "expiration", "type": "felt"},
            ],
        },
    }


def test_a_sell_market_order_signs_side_2_and_price_0() -> None:
    order = OrderMessage(
        market="BTC-USD-PERP",
        side="SELL",
        order_type="MARKET",
        size=Decimal("0.001"),
        price=None,
        signature_timestamp_ms=1,
    )
    message = order.typed_data(MAINNET_CHAIN_ID)["message"]
    assert (message["side"], message["price"], message["size"]) == ("2", "0", "100000")


def test_chain_id_is_the_string_read_as_big_endian_bytes() -> None:
    """paradex-py ``int_from_bytes(config.starknet_chain_id.encode())``."""
    assert chain_id_felt("SN_MAIN") == 0x534E5F4D41494E  # starknet's documented mainnet id
    assert hex(chain_id_felt(MAINNET_CHAIN_ID)) == "0x" + MAINNET_CHAIN_ID.encode().hex()


def test_quantities_with_more_than_8_decimals_are_refused_not_truncated() -> None:
    assert chain_quantity(Decimal("26000.5")) == "2600050000000"
    with pytest.raises(ValueError, match="more than 8 decimals"):
        chain_quantity(Decimal("0.000000001"))


# ---------------------------------------------------------------------- keys, k, ECDSA


@pytest.mark.parametrize(
    ("private", "public"),
    [
        (PARADEX_L2_PRIVATE_KEY, PARADEX_L2_PUBLIC_KEY),  # paradex-py test_account.py
        (  # starknet-rs ecdsa.rs test_get_public_key_1
            0x03C1E9550E66958296D11B60F8E8E7A7AD990D07FA65D5F7652C4A6C87D4E3CC,
            0x077A3B314DB07C45076D11F62B6F9E748A39790441823307743CF00D6597EA43,
        ),
        (0x12, 0x019661066E96A8B9F06A1D136881EE924DFB6A885239CAA5FD3F87A54C6B25C4),
    ],
)
def test_public_key_matches_references(private: int, public: int) -> None:
    assert public_key(private) == public


@pytest.mark.parametrize(
    ("msg_hash", "priv_key", "seed", "k"),
    [
        # rfc6979_padded.json
        (
            0x010B559A3B4DC1B7137D90521CB413B397FF07963214D128A92D65AEC7182F68,
            0x07E3184F4BEF18F371BC53FC412DFF1B30DBC94F758490FB8E2349BAE647A642,
            0x03FE27199AAAD4E700559E2436A919F4DE70DEF585A6DEB2F4C087FDF6A27C1B,
            0x00514DE5048C11BF01F3DC98A131E0A3FDE03D6269CDFAB69D944C8281149184,
        ),
        (
            0x01856E6D1C3CE0A34AB04992B4A8D8D9EF756A4044BFC0A5F8068013F829EE17,
            0x01E20F779DF440C3FCA66A3EDE6F43C68BA60222B23F893854F55C5138C77A1C,
            0,
            0x01BDBDC2DB77B6DAD0C9BDACA20ACB5A78A61200C711CC2DCAEEBCB86F9EF1CA,
        ),
        # rfc6979_not_padded.json
        (
            0x0080977DA1148412A7976215729D396B72AEC9E955498757A7B859281354B4B1,
            0x03FA56DCDBE2FB6769A83786469FAF589A3D1E31C66DB8B0432F741A38CDEED1,
            0x0776CC1AA4C66417A4923768B9D4A7CFCA731E862E4972ED930D8F2AD45D352B,
            0x0013480C97BB5861404AA16E1F97A99411BA8F4039B2D54DE839DEA5C9F0AF47,
        ),
        (
            0x006C663DC46F1F680F32EF5F3F4FE71C5A0488C7FD2500EEEE29CBAA3E4231E3,
            0x013A6F2B21A9344B51635F16DA58573F69C7D09EC20769EC9B481629EA9EC485,
            0,
            0x02D59476386604375E958F2EE7F07446D1861A4CEB92EB393009B1C72DB308A7,
        ),
    ],
)
def test_deterministic_k_matches_cairo_lang_vectors(
    msg_hash: int, priv_key: int, seed: int, k: int
) -> None:
    assert generate_k(msg_hash, priv_key, seed) == k


def test_verify_accepts_and_refuses_the_crypto_cpp_vectors() -> None:
    """starknet-rs ecdsa.rs test_verify_valid_message / test_verify_invalid_message."""
    assert verify_hash(
        2,
        0x0411494B501A98ABD8262B0DA1351E17899A0C4EF23DD2F96FEC5BA847310B20,
        0x0405C3191AB3883EF2B763AF35BC5F5D15B3B4E99461D70E84C654A351A7C81B,
        0x01EF15C18599971B7BECED415A40F0C7DEACFD9B0D1819E03D723D8BC943CFCA,
    )
    assert not verify_hash(
        0x0397E76D1667C4454BFB83514E120583AF836F8E32A516765497823EABE16A3F,
        0x0173FD03D8B008EE7432977AC27D1E9D1A1F6C98B1A2F05FA84A21C84C44E882,
        0x01F2C44A7798F55192F153B4C48EA5C1241FBB69E6132CC8A0DA9C5B62A4286E,
        0x077A4B314DB07C45076D11F62B6F9E748A39790441823307743CF00D6597EA43,
    )


def test_auth_signature_for_paradex_py_inputs_verifies_under_its_public_key() -> None:
    """paradex-py test_account_auth_signature: timestamp 1706868900, expiry 1706955300,
    the testnet chain of its mock system config; checked as the venue checks it."""
    signer = StarkSigner(PARADEX_L2_ADDRESS, PARADEX_L2_PRIVATE_KEY, TESTNET_CHAIN_ID)
    assert signer.public_key == PARADEX_L2_PUBLIC_KEY
    headers = signer.auth_headers(1706868900, 1706955300)
    message = auth_typed_data(TESTNET_CHAIN_ID, 1706868900, 1706955300)
    signature = headers["PARADEX-STARKNET-SIGNATURE"]
    assert verify_typed(message, PARADEX_L2_ADDRESS, signature, PARADEX_L2_PUBLIC_KEY)
    assert not verify_typed(message, PARADEX_L2_ADDRESS + 1, signature, PARADEX_L2_PUBLIC_KEY)
    assert headers["PARADEX-STARKNET-ACCOUNT"] == hex(PARADEX_L2_ADDRESS)
    assert (headers["PARADEX-TIMESTAMP"], headers["PARADEX-SIGNATURE-EXPIRATION"]) == (
        "1706868900",
        "1706955300",
    )


def test_order_signature_is_deterministic_and_binds_every_signed_field() -> None:
    signer = StarkSigner(PARADEX_L2_ADDRESS, PARADEX_L2_PRIVATE_KEY)
    order = OrderMessage(
        market="ETH-USD-PERP",
        side="BUY",
        order_type="LIMIT",
        size=Decimal("0.1"),
        price=Decimal(1500),
        signature_timestamp_ms=1634736000000,
    )
    signature = signer.sign_order(order)
    assert signature == signer.sign_order(order)  # RFC 6979: same inputs, same signature
    typed = order.typed_data(MAINNET_CHAIN_ID)
    msg_hash = TypedData.from_dict(typed).message_hash(PARADEX_L2_ADDRESS)
    r, s = unflatten_signature(signature)
    assert (r, s) == sign_hash(msg_hash, PARADEX_L2_PRIVATE_KEY)
    assert verify_typed(typed, PARADEX_L2_ADDRESS, signature, PARADEX_L2_PUBLIC_KEY)
    other = OrderMessage(
        market="ETH-USD-PERP",
        side="BUY",
        order_type="LIMIT",
        size=Decimal("0.2"),
        price=Decimal(1500),
        signature_timestamp_ms=1634736000000,
    )
    assert not verify_typed(
        other.typed_data(MAINNET_CHAIN_ID), PARADEX_L2_ADDRESS, signature, PARADEX_L2_PUBLIC_KEY
    )


def test_flattened_signature_round_trips_and_garbage_is_refused() -> None:
    assert unflatten_signature(flatten_signature(12, 34)) == (12, 34)
    assert flatten_signature(12, 34) == '["12","34"]'
    for bad in ("[12,34]", '["12"]', '["0x1","2"]', ""):
        with pytest.raises(ValueError):
            unflatten_signature(bad)


def test_repr_of_a_signer_never_shows_the_key() -> None:
    signer = StarkSigner(PARADEX_L2_ADDRESS, PARADEX_L2_PRIVATE_KEY)
    assert hex(PARADEX_L2_PRIVATE_KEY)[2:] not in repr(signer)
    assert str(PARADEX_L2_PRIVATE_KEY) not in repr(signer)


def test_without_the_extra_signing_says_which_extra_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> Any:
        if name.startswith("crypto_cpp_py"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    signing.load_crypto.cache_clear()
    monkeypatch.setattr(importlib, "import_module", missing)
    try:
        with pytest.raises(SigningUnavailable) as raised:
            signing.load_crypto()
        assert EXTRA_HINT in str(raised.value)
        assert "atomic-fp[paradex]" in str(raised.value)
        assert not signing.crypto_available()
    finally:
        signing.load_crypto.cache_clear()


# ---------------------------------------------------------------------- properties

_QUANTITY = st.decimals(
    min_value=Decimal("0.00000001"), max_value=Decimal("1000000"), places=8, allow_nan=False
)


@settings(max_examples=200, deadline=None)
@given(_QUANTITY)
def test_chain_quantity_is_the_exact_integer_of_10e8_units(value: Decimal) -> None:
    """paradex-py ``int(value.scaleb(8))``, exact whenever there are at most 8 decimals."""
    assert chain_quantity(value) == str(int(value.scaleb(8)))
    assert Decimal(chain_quantity(value)).scaleb(-8) == value


@settings(max_examples=100, deadline=None)
@given(_QUANTITY, st.integers(min_value=9, max_value=18))
def test_chain_quantity_refuses_what_it_would_truncate(value: Decimal, places: int) -> None:
    finer = value + Decimal(1).scaleb(-places)
    with pytest.raises(ValueError):
        chain_quantity(finer)


@settings(max_examples=15, deadline=None)
@given(
    size=_QUANTITY,
    price=_QUANTITY,
    stamp=st.integers(min_value=1, max_value=2**53),
    side=st.sampled_from(["BUY", "SELL"]),
)
def test_a_signature_verifies_for_its_order_and_not_for_a_changed_one(
    size: Decimal, price: Decimal, stamp: int, side: str
) -> None:
    signer = StarkSigner(PARADEX_L2_ADDRESS, PARADEX_L2_PRIVATE_KEY)
    order = OrderMessage(
        market="BTC-USD-PERP",
        side=side,
        order_type="LIMIT",
        size=size,
        price=price,
        signature_timestamp_ms=stamp,
    )
    signature = signer.sign_order(order)
    typed = order.typed_data(MAINNET_CHAIN_ID)
    assert verify_typed(typed, PARADEX_L2_ADDRESS, signature, PARADEX_L2_PUBLIC_KEY)
    changed = attrs.evolve(order, signature_timestamp_ms=stamp + 1)
    assert not verify_typed(
        changed.typed_data(MAINNET_CHAIN_ID), PARADEX_L2_ADDRESS, signature, PARADEX_L2_PUBLIC_KEY
    )
