"""Lighter's signing chain id follows the base URL exactly as lighter-sdk maps it.

The reference is the SDK itself: ``SignerClient`` is built for each host with its native
library replaced by a recorder, and the chain id it hands to ``CreateClient`` is compared
with the one our :func:`~adapters.lighter.signer.load_sdk_signer` hands to the same
recorder. (Before issue 17 we signed for 304 on every host without "testnet" in it, so
the SDK's other deployment, ``api.rh.lighter``, got mainnet's chain.)
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from returns.result import Failure

from adapters.lighter.signer import (
    MAINNET_CHAIN_ID,
    RH_CHAIN_ID,
    TESTNET_CHAIN_ID,
    chain_id_for,
    load_sdk_signer,
)

HOSTS = [
    ("https://mainnet.zklighter.elliot.ai", MAINNET_CHAIN_ID),
    ("https://testnet.zklighter.elliot.ai", TESTNET_CHAIN_ID),
    ("https://api.rh.lighter.xyz", RH_CHAIN_ID),
    ("https://api.rh-testnet.lighter.xyz", TESTNET_CHAIN_ID),
    ("http://127.0.0.1:8123", MAINNET_CHAIN_ID),
    # "testnet" outside the SDK's host fragments: the SDK signs for mainnet, and so do we
    ("https://proxy.example/testnet", MAINNET_CHAIN_ID),
]

# a syntactically valid 40-byte API key (hex); the recorder never checks it
KEY = "0x" + "11" * 40


class RecordingLibrary:
    """Stands in for the SDK's native signer: records CreateClient's arguments and
    returns a null error pointer (the SDK's decode_and_free reads that as "no error")."""

    def __init__(self) -> None:
        self.created: list[tuple[Any, ...]] = []

    def CreateClient(self, *args: Any) -> None:  # the native library's name
        self.created.append(args)


@pytest.fixture
def anyio_backend() -> str:
    """asyncio only: the SDK's constructor opens an aiohttp connector, which needs it."""
    return "asyncio"


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, RecordingLibrary]:
    module: Any = importlib.import_module("lighter.signer_client")
    library = RecordingLibrary()
    monkeypatch.setattr(module, "get_signer", lambda: library)
    return module, library


async def _sdk_chain_id(module: Any, library: RecordingLibrary, url: str) -> int:
    """Built inside a running loop: the SDK's constructor opens an aiohttp connector."""
    before = len(library.created)
    client = module.SignerClient(url=url, account_index=7, api_private_keys={3: KEY})
    await client.api_client.close()
    (args,) = library.created[before:]
    assert args[2] == client.chain_id  # what the SDK signs with is what it registered
    return int(client.chain_id)


def _our_chain_id(library: RecordingLibrary, url: str) -> int:
    before = len(library.created)
    result = load_sdk_signer(base_url=url, account_index=7, api_key_index=3, api_private_key=KEY)
    assert not isinstance(result, Failure), result
    (args,) = library.created[before:]
    return int(args[2])


@pytest.mark.parametrize(("url", "expected"), HOSTS)
@pytest.mark.anyio
async def test_chain_id_equals_the_sdks_for_each_host(
    sdk: tuple[Any, RecordingLibrary], url: str, expected: int
) -> None:
    module, library = sdk
    theirs = await _sdk_chain_id(module, library, url)
    ours = _our_chain_id(library, url)
    assert theirs == expected
    assert ours == theirs
    assert chain_id_for(url) == theirs


def test_the_other_deployment_is_not_signed_for_mainnet() -> None:
    assert chain_id_for("https://api.rh.lighter.xyz") == RH_CHAIN_ID != MAINNET_CHAIN_ID
