"""Hyperliquid L1 action bodies, built in the exact key order the venue hashes.

The action dict is msgpack-encoded for the signature, so its *insertion order* and the
string form of every number are part of what is signed (HL-SDK ``utils/signing.py``
``order_request_to_order_wire`` / ``order_wires_to_order_action`` and ``Exchange.bulk_cancel*``):

- order wire: ``a`` asset, ``b`` isBuy, ``p`` price, ``s`` size, ``r`` reduceOnly,
  ``t`` type, then ``c`` cloid only when there is one;
- order action: ``type``, ``orders``, ``grouping`` ("na");
- cancel: ``{"type": "cancel", "cancels": [{"a", "o"}]}``;
- cancel by cloid: ``{"type": "cancelByCloid", "cancels": [{"asset", "cloid"}]}``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from adapters.hyperliquid.rounding import to_wire

Tif = Literal["Gtc", "Ioc", "Alo"]


def order_wire(
    asset: int,
    is_buy: bool,
    price: Decimal,
    size: Decimal,
    reduce_only: bool,
    tif: Tif,
    cloid: str | None = None,
) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "a": asset,
        "b": is_buy,
        "p": to_wire(price),
        "s": to_wire(size),
        "r": reduce_only,
        "t": {"limit": {"tif": tif}},
    }
    if cloid is not None:
        wire["c"] = cloid
    return wire


def order_action(wires: list[dict[str, Any]], grouping: str = "na") -> dict[str, Any]:
    return {"type": "order", "orders": wires, "grouping": grouping}


def cancel_action(asset: int, oid: int) -> dict[str, Any]:
    return {"type": "cancel", "cancels": [{"a": asset, "o": oid}]}


def cancel_by_cloid_action(asset: int, cloid: str) -> dict[str, Any]:
    return {"type": "cancelByCloid", "cancels": [{"asset": asset, "cloid": cloid}]}


def exchange_payload(
    action: dict[str, Any],
    nonce: int,
    signature: dict[str, Any],
    expires_after: int | None = None,
) -> dict[str, Any]:
    """The ``/exchange`` body; ``vaultAddress`` null as the SDK sends it. ``expiresAfter``
    (ms; null when not given) is the order's deadline: the venue refuses the action if it
    arrives later (it must also be in the signed hash)."""
    return {
        "action": action,
        "nonce": nonce,
        "signature": signature,
        "vaultAddress": None,
        "expiresAfter": expires_after,
    }
