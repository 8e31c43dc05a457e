"""Binance's request weights (the budget itself is the kit's, :mod:`adapters.kit.budget`).

Binance meters every REST call by *weight* per IP (2 400 per minute by default for
USDⓈ-M, ``exchangeInfo.rateLimits``; the binance.com futures rate-limit FAQ) and answers
429 then 418 (an IP ban of minutes to days) to clients that exceed it. ``fundingInfo`` and
``fundingRate`` additionally share a separate limit of 500 requests per 5 minutes per IP
(Binance docs "Get Funding Rate History" / "Get Funding Rate Info"). Our defaults stay
below both so another process on the same IP keeps some headroom. Order-count limits (per
10 s / per minute, per account) are not budgeted: this bot places a handful of orders per
decision.
"""

from __future__ import annotations

import attrs

from adapters.kit.budget import RequestBudget

DEPTH_WEIGHTS = ((5, 2), (10, 2), (20, 2), (50, 2), (100, 5), (500, 10), (1000, 20))
"""``GET /fapi/v1/depth`` limits and their weights (Binance docs "Order Book")."""

REFUSAL_CODE = "weight-budget"
"""``code`` of a request our own weight budget refused (never sent)."""


def depth_limit_and_weight(depth: int) -> tuple[int, int]:
    """The smallest ``limit`` Binance accepts that covers ``depth`` levels, and its weight."""
    for limit, weight in DEPTH_WEIGHTS:
        if depth <= limit:
            return limit, weight
    return DEPTH_WEIGHTS[-1]


@attrs.define
class WeightBudget(RequestBudget):
    """The kit's :class:`RequestBudget` refusing with Binance's ``weight-budget`` code."""

    refusal_code: str = REFUSAL_CODE
