"""Hyperliquid transport and auth: ``POST /info`` reads, agent-signed ``POST /exchange``.

Reads are retried with backoff (the kit's :class:`~adapters.kit.http.JsonHttp`);
``/exchange`` never is. An ``/exchange`` call that timed out, got a 5xx, or got an answer
we cannot read is :class:`Ambiguous` (the venue may have acted): look the order up by
client id before anything else.

Credentials: ``account_address`` (the master account: every user query uses it, the agent
address would return an empty account) and ``agent_private_key`` (the API wallet that
signs L1 actions, :mod:`adapters.hyperliquid.signing`). Nonces come from
:func:`~adapters.hyperliquid.signing.nonce_source_for` the agent's address unless given.

The signing and action-encoding modules are imported by the methods that use them, on the
first account read or order: a scan uses neither (issue 20: a cold scan's critical path is
its main thread's imports).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Result, Success

from adapters.hyperliquid.config import HyperliquidOptions
from adapters.hyperliquid.parsers import info_error_message
from adapters.kit.http import JsonHttp, RetryPolicy
from adapters.kit.http_client import AsyncHttpClient, async_client
from adapters.registry import VenueSettings
from atomic_fp.errors import Ambiguous, MalformedResponse, NotConfigured, VenueError

if TYPE_CHECKING:
    import httpx

    from adapters.hyperliquid.signing import AgentSigner, NonceSource


class HyperliquidHttp:
    """One Hyperliquid account's HTTP side."""

    def __init__(
        self,
        settings: VenueSettings,
        options: HyperliquidOptions,
        *,
        http_client: httpx.AsyncClient | None,
        nonces: NonceSource | None,
        retry: RetryPolicy | None,
    ) -> None:
        self.venue = str(settings.id)
        self.base = options.base_url
        self.mainnet = options.mainnet
        self._credentials = settings.credentials
        self._owns_client = http_client is None
        self.client: AsyncHttpClient = http_client or async_client(
            settings.transport, timeout=settings.timeout
        )
        self.json = JsonHttp(
            self.venue,
            self.client,
            error_extractor=info_error_message,
            retry=retry or RetryPolicy(),
            max_body_bytes=settings.max_response_bytes,
        )
        self.nonces = nonces
        self._signer: AgentSigner | None = None

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()

    async def info(self, body: Mapping[str, Any]) -> Result[Any, VenueError]:
        return await self.json.request(
            "POST", f"{self.base}/info", json_body=dict(body), idempotent=True
        )

    async def send(self, payload: Mapping[str, Any]) -> Result[Any, VenueError]:
        """One ``/exchange`` call; never retried; an unreadable answer is Ambiguous."""
        answer = await self.json.request(
            "POST", f"{self.base}/exchange", json_body=dict(payload), idempotent=False
        )
        if isinstance(answer, Failure) and isinstance(answer.failure(), MalformedResponse):
            return Failure(
                Ambiguous(
                    self.venue,
                    f"/exchange answer unreadable ({answer.failure().message}); "
                    "the venue may have acted: look the order up by client id",
                )
            )
        return answer

    def has_address(self) -> bool:
        return bool(self._credentials.get("account_address"))

    def account(self) -> Result[str, VenueError]:
        """The master address every user query is about."""
        address = self._credentials.get("account_address")
        if not address:
            return Failure(
                NotConfigured(self.venue, "credentials.account_address (master address) unset")
            )
        from adapters.hyperliquid.signing import is_address

        if not is_address(address):
            return Failure(
                NotConfigured(self.venue, "credentials.account_address is not a 0x address")
            )
        return Success(address)

    def agent(self) -> Result[AgentSigner, VenueError]:
        """The agent (API wallet) signer, loaded once."""
        if self._signer is not None:
            return Success(self._signer)
        key = self._credentials.get("agent_private_key")
        if not key:
            return Failure(NotConfigured(self.venue, "credentials.agent_private_key unset"))
        from adapters.hyperliquid.signing import load_agent

        loaded = load_agent(self.venue, key)
        if isinstance(loaded, Success):
            self._signer = loaded.unwrap()
            return Success(self._signer)
        return Failure(loaded.failure())

    def trader(self) -> Result[AgentSigner, VenueError]:
        """What trading needs: the master address and the agent signer."""
        account = self.account()
        if isinstance(account, Failure):
            return Failure(account.failure())
        return self.agent()

    async def signed(
        self, signer: AgentSigner, action: dict[str, Any], expires_after: int | None = None
    ) -> Result[Any, VenueError]:
        """``action`` signed by the agent with a fresh nonce, sent to ``/exchange``."""
        return await self.send(self.sign(signer, action, expires_after))

    def sign(
        self, signer: AgentSigner, action: dict[str, Any], expires_after: int | None = None
    ) -> dict[str, Any]:
        """The ``/exchange`` payload of ``action``, signed with a fresh nonce (no I/O: the
        slow part of an order, done before any leg of a round is sent)."""
        from adapters.hyperliquid.actions import exchange_payload
        from adapters.hyperliquid.signing import nonce_source_for

        if self.nonces is None:
            self.nonces = nonce_source_for(signer.address)
        nonce = self.nonces.next()
        signature = signer.sign_l1_action(
            action, nonce, mainnet=self.mainnet, expires_after=expires_after
        )
        return exchange_payload(action, nonce, signature, expires_after)


__all__ = ["HyperliquidHttp"]
