"""Signing Lighter transactions with the signer shipped inside ``lighter-sdk``.

Lighter transactions are not EIP-712: they are Schnorr signatures over ECgFp5/Poseidon2
made with an account API key, and the only maintained implementation is the Go library
that ``lighter-sdk`` ships as a native shared object (``lighter/signers/lighter-signer-
<os>-<arch>.so``) and drives through ``ctypes`` (``lighter.signer_client``). We do not sign
ourselves: :class:`SdkSigner` is a thin wrapper calling that library directly
(``get_signer()`` / ``decode_and_free`` and its ``CreateClient`` / ``SignCreateOrder`` /
``SignCancelOrder`` / ``CreateAuthToken`` entry points, with the argument order of
``SignerClient.sign_create_order`` in lighter-sdk 1.1.8). ``SignerClient`` itself is not
used because its constructor builds an aiohttp client and a nonce manager of its own;
transport and nonces are ours.

The SDK is the optional extra ``lighter`` (``pip install 'atomic-fp[lighter]'``). Without
it, or when its native library cannot be loaded on this machine, :func:`load_sdk_signer`
returns a :class:`~atomic_fp.errors.NotConfigured` saying so, and market data keeps
working. Anything with the :class:`LighterSigner` shape can replace it (tests inject one).

The API private key is held only inside the native library (``CreateClient``) and in this
object's ``repr=False`` field; it never appears in messages.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import NotConfigured

VENUE = "lighter"
TX_CREATE_ORDER = 14
TX_CANCEL_ORDER = 15
MAINNET_CHAIN_ID = 304
TESTNET_CHAIN_ID = 300
RH_CHAIN_ID = 466324

# The host -> chain id table of lighter-sdk 1.1.8 (``SignerClient.__init__`` in
# ``lighter/signer_client.py``), in the SDK's order: the first fragment found in the base URL
# wins, and a URL matching none signs for mainnet, as the SDK does. ``api.rh.lighter`` is the
# SDK's other deployment, with a chain of its own; its testnet signs for 300 like Lighter's.
SDK_CHAIN_IDS: tuple[tuple[str, int], ...] = (
    ("mainnet.zklighter", MAINNET_CHAIN_ID),
    ("testnet.zklighter", TESTNET_CHAIN_ID),
    ("api.rh.lighter", RH_CHAIN_ID),
    ("api.rh-testnet.lighter", TESTNET_CHAIN_ID),
)

EXTRA_HINT = (
    "Lighter trading needs the official lighter-sdk signer: install the `lighter` extra "
    "(pip install 'atomic-fp[lighter]' or pip install lighter-sdk)"
)


@attrs.frozen
class CreateOrderTx:
    """The integer fields of a Lighter CreateOrder transaction (L-GO create_order.go)."""

    market_index: int
    client_order_index: int
    base_amount: int
    price: int
    is_ask: bool
    order_type: int
    time_in_force: int
    reduce_only: bool
    order_expiry: int
    trigger_price: int = 0


@attrs.frozen
class SignedTx:
    tx_type: int
    tx_info: str
    tx_hash: str | None


class SignerError(Exception):
    """The signer refused or failed (message from the library, never the key)."""


class LighterSigner(Protocol):
    """What the client needs from a signer. Methods raise :class:`SignerError`."""

    def sign_create_order(self, order: CreateOrderTx, nonce: int) -> SignedTx: ...

    def sign_cancel_order(self, market_index: int, order_index: int, nonce: int) -> SignedTx: ...

    def create_auth_token(self, deadline_unix: int) -> str: ...


def chain_id_for(url: str) -> int:
    """The signing chain id lighter-sdk derives from the base URL (:data:`SDK_CHAIN_IDS`).

    Not "testnet anywhere in the URL": the SDK maps its other deployment's host
    (``api.rh.lighter``) to chain 466324, and any host it does not know to mainnet's 304;
    a signature for the wrong chain is refused by the venue, so we follow the SDK exactly
    (``tests/adapters/lighter/test_chain_id.py`` checks it against the SDK itself).
    """
    for fragment, chain_id in SDK_CHAIN_IDS:
        if fragment in url:
            return chain_id
    return MAINNET_CHAIN_ID


@attrs.define
class SdkSigner:
    """Calls lighter-sdk's native signer for one (account, API key)."""

    library: Any = attrs.field(repr=False)
    decode_and_free: Any = attrs.field(repr=False)
    account_index: int
    api_key_index: int

    def _decode(self, result: Any) -> SignedTx:
        error = self.decode_and_free(result.err)
        tx_info = self.decode_and_free(result.txInfo)
        tx_hash = self.decode_and_free(result.txHash)
        self.decode_and_free(result.messageToSign)
        if error:
            raise SignerError(str(error)[:200])
        if not tx_info:
            raise SignerError("the signer returned no transaction")
        return SignedTx(tx_type=int(result.txType), tx_info=str(tx_info), tx_hash=tx_hash)

    def sign_create_order(self, order: CreateOrderTx, nonce: int) -> SignedTx:
        result = self.library.SignCreateOrder(
            order.market_index,
            order.client_order_index,
            order.base_amount,
            order.price,
            int(order.is_ask),
            order.order_type,
            order.time_in_force,
            int(order.reduce_only),
            order.trigger_price,
            order.order_expiry,
            0,  # integrator_account_index
            0,  # integrator_taker_fee
            0,  # integrator_maker_fee
            0,  # self_trade_behavior_mode
            0,  # self_trade_equality_mode
            0,  # skip_nonce off
            nonce,
            self.api_key_index,
            self.account_index,
        )
        return self._decode(result)

    def sign_cancel_order(self, market_index: int, order_index: int, nonce: int) -> SignedTx:
        result = self.library.SignCancelOrder(
            market_index, order_index, 0, nonce, self.api_key_index, self.account_index
        )
        return self._decode(result)

    def create_auth_token(self, deadline_unix: int) -> str:
        result = self.library.CreateAuthToken(deadline_unix, self.api_key_index, self.account_index)
        token = self.decode_and_free(result.str)
        error = self.decode_and_free(result.err)
        if error or not token:
            raise SignerError(str(error or "no auth token")[:200])
        return str(token)


def load_sdk_signer(
    *, base_url: str, account_index: int, api_key_index: int, api_private_key: str
) -> Result[SdkSigner, NotConfigured]:
    """Load lighter-sdk's native signer and register the API key with it.

    NotConfigured when the ``lighter`` extra is missing, when the native library cannot be
    loaded here (unsupported platform, missing ``.so``), or when it refuses the key.
    """
    try:
        module = importlib.import_module("lighter.signer_client")
    except ImportError as error:
        return Failure(NotConfigured(VENUE, f"{EXTRA_HINT} ({type(error).__name__})"))
    except Exception as error:  # the SDK's own import-time failures
        return Failure(NotConfigured(VENUE, f"lighter-sdk failed to import: {error}"[:300]))
    try:
        library = module.get_signer()
    except Exception as error:
        return Failure(
            NotConfigured(
                VENUE, f"lighter-sdk's native signer cannot be loaded here: {error}"[:300]
            )
        )
    key = api_private_key[2:] if api_private_key.startswith("0x") else api_private_key
    import ctypes  # here, not at import: a scan builds Lighter's client and signs nothing

    try:
        error_ptr = library.CreateClient(
            ctypes.c_char_p(base_url.encode()),
            ctypes.c_char_p(key.encode()),
            chain_id_for(base_url),
            api_key_index,
            account_index,
        )
        refusal = module.decode_and_free(error_ptr)
    except Exception as failure:
        return Failure(
            NotConfigured(VENUE, f"lighter signer setup failed: {type(failure).__name__}")
        )
    if refusal:
        text = str(refusal).replace(key, "***") if key else str(refusal)
        return Failure(NotConfigured(VENUE, f"lighter signer refused the API key: {text}"[:300]))
    return Success(
        SdkSigner(
            library=library,
            decode_and_free=module.decode_and_free,
            account_index=account_index,
            api_key_index=api_key_index,
        )
    )
