"""Signing reproduces the official SDK's published test vectors exactly.

Vectors: hyperliquid-dex/hyperliquid-python-sdk ``tests/signing_test.py`` (MIT; quoted in
the fact sheet B7), key ``0x0123…0123``. The SDK is not imported: every expected value below
is the literal from its test file, and the actions are built by our own code.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.hyperliquid.actions import (
    cancel_action,
    cancel_by_cloid_action,
    exchange_payload,
    order_action,
    order_wire,
)
from adapters.hyperliquid.signing import (
    NonceSource,
    action_hash,
    cloid_for,
    load_agent,
    phantom_agent,
    recover_l1_signer,
)

KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"


@pytest.fixture
def agent():  # type: ignore[no-untyped-def]
    return load_agent("hyperliquid", KEY).unwrap()


def _eth_order(cloid: str | None = None) -> dict[str, object]:
    return order_action(
        [order_wire(1, True, Decimal(100), Decimal(100), False, "Gtc", cloid=cloid)]
    )


def test_phantom_agent_connection_id_matches_production() -> None:
    action = order_action([order_wire(4, True, Decimal("1670.1"), Decimal("0.0147"), False, "Ioc")])
    connection_id = action_hash(action, 1677777606040)
    assert phantom_agent(connection_id, True)["source"] == "a"
    assert (
        "0x" + connection_id.hex()
        == "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908"
    )


def test_order_signature_mainnet_and_testnet(agent) -> None:  # type: ignore[no-untyped-def]
    assert agent.sign_l1_action(_eth_order(), 0, mainnet=True) == {
        "r": "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
        "s": "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e",
        "v": 28,
    }
    assert agent.sign_l1_action(_eth_order(), 0, mainnet=False) == {
        "r": "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
        "s": "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
        "v": 27,
    }


def test_order_with_cloid_signature(agent) -> None:  # type: ignore[no-untyped-def]
    action = _eth_order(cloid="0x00000000000000000000000000000001")
    assert agent.sign_l1_action(action, 0, mainnet=True) == {
        "r": "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
        "s": "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da",
        "v": 27,
    }
    assert agent.sign_l1_action(action, 0, mainnet=False) == {
        "r": "0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d",
        "s": "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988",
        "v": 28,
    }


def test_generic_l1_actions(agent) -> None:  # type: ignore[no-untyped-def]
    dummy = {"type": "dummy", "num": 100_000_000_000}  # float_to_int_for_hashing(1000)
    assert agent.sign_l1_action(dummy, 0, mainnet=True) == {
        "r": "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
        "s": "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8",
        "v": 27,
    }
    assert agent.sign_l1_action(dummy, 0, mainnet=False) == {
        "r": "0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510",
        "s": "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613",
        "v": 28,
    }
    assert agent.sign_l1_action(dummy, 0, mainnet=True, vault_address=VAULT) == {
        "r": "0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
        "s": "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c",
        "v": 28,
    }
    assert agent.sign_l1_action(dummy, 0, mainnet=False, vault_address=VAULT) == {
        "r": "0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b",
        "s": "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60",
        "v": 27,
    }
    trigger = {
        "type": "order",
        "orders": [
            {
                "a": 1,
                "b": True,
                "p": "100",
                "s": "100",
                "r": False,
                "t": {"trigger": {"isMarket": True, "triggerPx": "103", "tpsl": "sl"}},
            }
        ],
        "grouping": "na",
    }
    assert agent.sign_l1_action(trigger, 0, mainnet=True) == {
        "r": "0x98343f2b5ae8e26bb2587daad3863bc70d8792b09af1841b6fdd530a2065a3f9",
        "s": "0x6b5bb6bb0633b710aa22b721dd9dee6d083646a5f8e581a20b545be6c1feb405",
        "v": 27,
    }
    schedule = {"type": "scheduleCancel", "time": 123456789}
    assert agent.sign_l1_action(schedule, 0, mainnet=False) == {
        "r": "0x4e4f2dbd4107c69783e251b7e1057d9f2b9d11cee213441ccfa2be63516dc5bc",
        "s": "0x706c656b23428c8ba356d68db207e11139ede1670481a9e01ae2dfcdb0e1a678",
        "v": 27,
    }
    sub = {"type": "createSubAccount", "name": "example"}
    assert agent.sign_l1_action(sub, 0, mainnet=True) == {
        "r": "0x51096fe3239421d16b671e192f574ae24ae14329099b6db28e479b86cdd6caa7",
        "s": "0xb71f7d293af92d3772572afb8b102d167a7cef7473388286bc01f52a5c5b423",
        "v": 27,
    }


def test_key_order_is_part_of_the_signature(agent) -> None:  # type: ignore[no-untyped-def]
    action = _eth_order()
    wire = action["orders"][0]  # type: ignore[index]
    reordered = {"type": "order", "orders": [dict(reversed(list(wire.items())))], "grouping": "na"}
    assert agent.sign_l1_action(reordered, 0, mainnet=True) != agent.sign_l1_action(
        action, 0, mainnet=True
    )


def test_trailing_zeros_never_reach_the_wire() -> None:
    wire = order_wire(1, True, Decimal("100.000"), Decimal("100.0"), False, "Gtc")
    assert (wire["p"], wire["s"]) == ("100", "100")
    assert list(wire) == ["a", "b", "p", "s", "r", "t"]
    assert list(order_wire(1, False, Decimal(1), Decimal(1), True, "Ioc", "0x" + "0" * 32)) == [
        "a", "b", "p", "s", "r", "t", "c",
    ]  # fmt: skip


def test_cancel_actions_shape() -> None:
    assert cancel_action(3, 77) == {"type": "cancel", "cancels": [{"a": 3, "o": 77}]}
    cloid = cloid_for("x")
    assert list(cancel_by_cloid_action(3, cloid)["cancels"][0]) == ["asset", "cloid"]


def test_signer_recovers_to_agent_address(agent) -> None:  # type: ignore[no-untyped-def]
    action = _eth_order(cloid=cloid_for("afp-1"))
    signature = agent.sign_l1_action(action, 1_700_000_000_000, mainnet=True)
    assert recover_l1_signer(action, signature, 1_700_000_000_000, mainnet=True) == agent.address
    # The other network's phantom agent (source "b") recovers to someone else.
    assert recover_l1_signer(action, signature, 1_700_000_000_000, mainnet=False) != agent.address
    payload = exchange_payload(action, 5, signature)
    assert payload["vaultAddress"] is None and list(payload)[:3] == ["action", "nonce", "signature"]


def test_cloid_mapping_is_stable_and_well_formed() -> None:
    assert cloid_for("afp0123456789abcdef0000") == cloid_for("afp0123456789abcdef0000")
    assert cloid_for("a") != cloid_for("b")
    assert cloid_for("0x0000000000000000000000000000000A") == "0x0000000000000000000000000000000a"
    import hashlib

    expected = "0x" + hashlib.sha256(b"afp-leg-0").digest()[:16].hex()
    assert cloid_for("afp-leg-0") == expected
    assert len(cloid_for("x" * 36)) == 34


def test_nonces_strictly_increase_within_one_millisecond() -> None:
    source = NonceSource(clock_ms=lambda: 1_700_000_000_000)
    nonces = [source.next() for _ in range(1000)]
    assert nonces == list(range(1_700_000_000_000, 1_700_000_000_000 + 1000))
    ticking = iter([5, 4, 10, 10])
    clocked = NonceSource(clock_ms=lambda: next(ticking))
    assert [clocked.next() for _ in range(4)] == [5, 6, 10, 11]


def test_bad_key_is_not_configured_and_not_echoed() -> None:
    failure = load_agent("hyperliquid", "0xnot-a-key-SECRET").failure()
    assert failure.kind == "NotConfigured"
    assert "SECRET" not in failure.describe()
    agent = load_agent("hyperliquid", KEY).unwrap()
    assert KEY[2:] not in repr(agent)


@settings(max_examples=300, deadline=None)
@given(
    client_id=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=36
    )
)
def test_any_client_id_maps_to_a_valid_stable_cloid(client_id: str) -> None:
    cloid = cloid_for(client_id)
    assert re.fullmatch(r"0x[0-9a-f]{32}", cloid)
    assert cloid_for(client_id) == cloid


@settings(max_examples=40, deadline=None)
@given(
    price=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4),
    size=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4),
    is_buy=st.booleans(),
    nonce=st.integers(0, 2**63 - 1),
    mainnet=st.booleans(),
)
def test_signed_orders_recover_to_the_agent(
    price: Decimal, size: Decimal, is_buy: bool, nonce: int, mainnet: bool
) -> None:
    agent = load_agent("hyperliquid", KEY).unwrap()
    action = order_action([order_wire(2, is_buy, price, size, False, "Ioc", cloid_for("c"))])
    signature = agent.sign_l1_action(action, nonce, mainnet=mainnet)
    assert recover_l1_signer(action, signature, nonce, mainnet=mainnet) == agent.address
