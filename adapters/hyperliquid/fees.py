"""Hyperliquid: the account's fee rates.

``POST /info {"type": "userFees", "user": <address>}`` answers (among volume fields)
``userCrossRate`` (taker) and ``userAddRate`` (maker) as decimal strings: the account's
rates after its volume tier and staking/referral discounts (ccxt ``fetchTradingFee`` reads the
same two fields; a real answer is in ccxt's static fixture ``fetchTradingFee_userFees``).
"""

from __future__ import annotations

from returns.result import Result

from adapters._parse import dec_field, obj, parse_guard
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeQuote, FeeSource, VenueFees


def _parse(payload: object) -> FeeQuote:
    body = obj(payload)
    fees = VenueFees(maker=dec_field(body, "userAddRate"), taker=dec_field(body, "userCrossRate"))
    return FeeQuote(fees, FeeSource.ACCOUNT, "POST /info userFees (userCrossRate/userAddRate)")


def parse_user_fees(venue: str, payload: object) -> Result[FeeQuote, MalformedResponse]:
    """``userFees`` -> the account's fees (source ``account``)."""
    return parse_guard(venue, lambda: _parse(payload))
