"""Shared test wallets and a client factory for the Aster tests."""

from __future__ import annotations

from eth_account import Account

from adapters.aster import AsterClient
from adapters.registry import VenueSettings
from atomic_fp.models.identifiers import ExchangeIdentifier

AGENT_KEY = "0x" + "4c" * 32
AGENT = Account.from_key(AGENT_KEY).address
USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e"
VENUE = ExchangeIdentifier("aster")


def make(base_url: str, *, credentials: bool = True, **options: str) -> AsterClient:
    creds = {"user": USER, "signer": AGENT, "private_key": AGENT_KEY} if credentials else {}
    return AsterClient(
        VenueSettings(id=VENUE, kind="aster", base_url=base_url, credentials=creds, options=options)
    )


__all__ = ["AGENT", "AGENT_KEY", "USER", "VENUE", "make"]
