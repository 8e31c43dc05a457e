"""GRVT EIP-712 order signing: golden vector, signer recovery, exact scaling."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure

from adapters.grvt import signing
from adapters.grvt.signing import OrderToSign, scale_exact, sign_order

KEY = "0x" + "11" * 32
ADDRESS = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"


def btc_order(**changes: object) -> OrderToSign:
    fields: dict[str, object] = {
        "sub_account_id": 2147050003876484,
        "asset_id": 0x030501,
        "contract_size": scale_exact(Decimal("0.013"), 9, "size"),
        "limit_price": scale_exact(Decimal("70000.1"), 9, "price"),
        "is_buying": True,
        "time_in_force": 3,
        "nonce": 3735928559,
        "expiration_ns": 1766239837805000000,
        "reduce_only": True,
    }
    fields.update(changes)
    return OrderToSign(**fields)  # type: ignore[arg-type]


def test_signature_equals_the_official_sdk() -> None:
    """Golden vector: grvt-pysdk 0.2.1 ``grvt_raw_signing.sign_order`` (env PROD, chain 325)
    signed this order (BTC_USDT_Perp hash 0x030501, base_decimals 9, size "0.013",
    limit "70000.1", IOC, reduce-only, nonce 3735928559, expiration 1766239837805000000,
    sub account 2147050003876484) with key 0x11..11 to exactly these r, s, v."""
    signature = sign_order(KEY, btc_order(), 325).unwrap()
    assert signature.signer == ADDRESS
    assert signature.r == "0x1bb5a686340465d56b019183715b1475bdb693abdf8421dec96ee798efd900db"
    assert signature.s == "0x26997ad29b78408fbd3d481228cfeb34e584eabe86372860c7a68cee7260a91e"
    assert signature.v == 27


def _independent_typed_data(order: OrderToSign, chain_id: int) -> dict[str, object]:
    """The same typed data written out in full (EIP712Domain included), independently of
    signing.py's constants."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
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
        },
        "primaryType": "Order",
        "domain": {"name": "GRVT Exchange", "version": "0", "chainId": chain_id},
        "message": {
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
        },
    }


def test_the_signer_address_is_recovered_from_the_signature() -> None:
    order = btc_order(is_buying=False, time_in_force=1, post_only=True, reduce_only=False)
    signature = sign_order(KEY, order, 325).unwrap()
    message = encode_typed_data(full_message=_independent_typed_data(order, 325))
    recovered = Account.recover_message(
        message, vrs=(signature.v, int(signature.r, 16), int(signature.s, 16))
    )
    assert recovered == ADDRESS == signature.signer
    assert signing.recover_signer(order, 325, signature.r, signature.s, signature.v) == ADDRESS


def test_a_changed_field_or_chain_recovers_someone_else() -> None:
    order = btc_order()
    signature = sign_order(KEY, order, 325).unwrap()
    args = (signature.r, signature.s, signature.v)
    assert signing.recover_signer(btc_order(nonce=1), 325, *args) != ADDRESS
    assert signing.recover_signer(btc_order(contract_size=14_000_000), 325, *args) != ADDRESS
    assert signing.recover_signer(order, 326, *args) != ADDRESS


def test_signature_wire_format() -> None:
    signature = sign_order(KEY, btc_order(), 326).unwrap()
    for part in (signature.r, signature.s):
        assert part.startswith("0x") and len(part) == 66
        int(part, 16)
    assert signature.v in (27, 28)


def test_scaling_is_exact_or_refused() -> None:
    assert scale_exact(Decimal("1.013"), 9, "size") == 1_013_000_000
    assert scale_exact(Decimal("70000.1"), 9, "price") == 70_000_100_000_000
    assert scale_exact(Decimal("0"), 9, "price") == 0
    assert scale_exact(Decimal("5E+2"), 3, "size") == 500_000
    with pytest.raises(ValueError, match="decimals"):
        scale_exact(Decimal("0.0000000001"), 9, "size")
    with pytest.raises(ValueError, match="range"):
        scale_exact(Decimal("1e30"), 9, "size")
    with pytest.raises(ValueError, match="range"):
        scale_exact(Decimal("-1"), 9, "size")


@settings(max_examples=300, deadline=None)
@given(units=st.integers(min_value=1, max_value=10**15), decimals=st.integers(0, 9))
def test_scaling_round_trips(units: int, decimals: int) -> None:
    value = Decimal(units).scaleb(-decimals)
    assert scale_exact(value, decimals, "size") == units


def test_order_fields_are_range_checked() -> None:
    with pytest.raises(ValueError, match="nonce"):
        btc_order(nonce=2**32)
    with pytest.raises(ValueError, match="time-in-force"):
        btc_order(time_in_force=9)
    with pytest.raises(ValueError, match="expiration"):
        btc_order(expiration_ns=0)


def test_a_bad_key_fails_without_echoing_it() -> None:
    outcome = sign_order("0xnot-a-key-secret", btc_order(), 325)
    assert isinstance(outcome, Failure)
    assert "secret" not in outcome.failure()
    address = signing.signer_address("0xnot-a-key-secret")
    assert isinstance(address, Failure) and "secret" not in address.failure()


def test_without_eth_account_signing_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "eth_account", None)
    outcome = sign_order(KEY, btc_order(), 325)
    assert outcome == Failure(signing.MISSING_EXTRA)
    assert "grvt" in signing.MISSING_EXTRA
