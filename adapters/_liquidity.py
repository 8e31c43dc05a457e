"""Liquidity figures in the quote currency, from what venues publish.

Venues publish open interest in base units (Hyperliquid ``openInterest``, GRVT
``open_interest``, Lighter ``open_interest``) and 24 h volume either in quote units
(Hyperliquid ``dayNtlVlm``, Lighter ``daily_quote_token_volume``, GRVT ``*_volume_24h_q``) or
base units. atomic-fp compares markets across venues, so both are carried in the quote
currency: base open interest x the venue's price. A figure with no price to value it is
``None`` (unknown), never zero.
"""

from __future__ import annotations

from decimal import Decimal


def quote_value(base_amount: Decimal | None, price: Decimal | None) -> Decimal | None:
    """``base_amount x price`` when both are known and the amount is not negative."""
    if base_amount is None or price is None or base_amount < 0 or price <= 0:
        return None
    return base_amount * price


def non_negative(value: Decimal | None) -> Decimal | None:
    """A published quote figure, or ``None`` when absent or negative (unusable)."""
    return value if value is not None and value >= 0 else None


__all__ = ["non_negative", "quote_value"]
