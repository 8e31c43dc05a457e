"""The messages a Paradex account signs, as paradex-py builds them: an order
(:class:`OrderMessage`: ``Order(timestamp, market, side, orderType, size, price)``, sizes
and prices scaled by 10^8) and the ``POST /v1/auth`` request
(:func:`auth_typed_data`), each as typed data under the ``Paradex`` domain of a chain id
(the L2 chain id string read as a big-endian integer). See :mod:`adapters.paradex.signing`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

MAINNET_CHAIN_ID = "PRIVATE_SN_PARACLEAR_MAINNET"
TESTNET_CHAIN_ID = "PRIVATE_SN_POTC_SEPOLIA"
"""Paradex's ``starknet_chain_id`` (``GET /system/config``; testnet per paradex-py's
``tests/mocks/api_client.py``)."""

CHAIN_DECIMALS = 8
"""Order ``size`` and ``price`` are signed as integers scaled by 10^8."""

_DOMAIN_TYPE = (
    {"name": "name", "type": "felt"},
    {"name": "chainId", "type": "felt"},
    {"name": "version", "type": "felt"},
)
_ORDER_TYPE = tuple(
    {"name": n, "type": "felt"}
    for n in ("timestamp", "market", "side", "orderType", "size", "price")
)
_REQUEST_TYPE = tuple(
    {"name": n, "type": "felt"} for n in ("method", "path", "body", "timestamp", "expiration")
)


def chain_id_felt(chain_id: str) -> int:
    """The L2 chain id string read as a big-endian integer (paradex-py ``l2_chain_id``)."""
    return int.from_bytes(chain_id.encode("ascii"), "big")


def _domain(chain_id: str | int) -> dict[str, str]:
    """``chain_id``: the chain id string, or already its felt (paradex-py's tests use 1)."""
    felt = chain_id if isinstance(chain_id, int) else chain_id_felt(chain_id)
    return {"name": "Paradex", "chainId": hex(felt), "version": "1"}


def chain_quantity(value: Decimal) -> str:
    """``value`` scaled by 10^8 as an integer string; more than 8 decimals is refused
    (paradex-py truncates with ``int()``, which would sign a different size)."""
    scaled = value.scaleb(CHAIN_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {CHAIN_DECIMALS} decimals")
    return str(int(scaled))


@attrs.frozen(kw_only=True)
class OrderMessage:
    """The signed fields of a Paradex order (``side`` ``BUY``/``SELL``, ``order_type``
    ``LIMIT``/``MARKET``; ``price`` ignored for a market order)."""

    market: str
    side: str
    order_type: str
    size: Decimal
    price: Decimal | None
    signature_timestamp_ms: int

    def typed_data(self, chain_id: str | int) -> dict[str, Any]:
        if self.side not in ("BUY", "SELL"):
            raise ValueError(f"side {self.side!r} is not BUY or SELL")
        if self.order_type == "MARKET":
            price = "0"
        elif self.price is None:
            raise ValueError(f"a {self.order_type} order needs a price")
        else:
            price = chain_quantity(self.price)
        return {
            "domain": _domain(chain_id),
            "primaryType": "Order",
            "types": {"StarkNetDomain": list(_DOMAIN_TYPE), "Order": list(_ORDER_TYPE)},
            "message": {
                "timestamp": str(self.signature_timestamp_ms),
                "market": self.market,
                "side": "1" if self.side == "BUY" else "2",
                "orderType": self.order_type,
                "size": chain_quantity(self.size),
                "price": price,
            },
        }


def auth_typed_data(chain_id: str | int, timestamp: int, expiration: int) -> dict[str, Any]:
    """The ``POST /v1/auth`` request message (seconds since the epoch)."""
    return {
        "message": {
            "method": "POST",
            "path": "/v1/auth",
            "body": "",
            "timestamp": timestamp,
            "expiration": expiration,
        },
        "domain": _domain(chain_id),
        "primaryType": "Request",
        "types": {"StarkNetDomain": list(_DOMAIN_TYPE), "Request": list(_REQUEST_TYPE)},
    }


__all__ = [
    "CHAIN_DECIMALS",
    "MAINNET_CHAIN_ID",
    "TESTNET_CHAIN_ID",
    "OrderMessage",
    "auth_typed_data",
    "chain_id_felt",
    "chain_quantity",
]
