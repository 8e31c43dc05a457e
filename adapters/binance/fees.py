"""Binance USD-M: the account's commission rates.

``GET /fapi/v1/commissionRate?symbol=`` (USER_DATA, signed, weight 20) answers
``{"symbol": "BTCUSDT", "makerCommissionRate": "0.0002", "takerCommissionRate": "0.0004"}``
(fractions of notional; Binance "User Commission Rate" docs). Rates are per account tier,
the same on every symbol of one margin asset, so one query (BTCUSDT) stands for the venue.
"""

from __future__ import annotations

from returns.result import Result

from adapters._parse import dec_field, obj, parse_guard, str_field
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FeeQuote, FeeSource, VenueFees

PATH_COMMISSION_RATE = "/fapi/v1/commissionRate"
COMMISSION_RATE_WEIGHT = 20
REFERENCE_SYMBOL = "BTCUSDT"


def _parse(payload: object, path: str) -> FeeQuote:
    body = obj(payload)
    symbol = str_field(body, "symbol")
    fees = VenueFees(
        maker=dec_field(body, "makerCommissionRate"),
        taker=dec_field(body, "takerCommissionRate"),
    )
    return FeeQuote(fees, FeeSource.ACCOUNT, f"GET {path} ({symbol})")


def parse_commission_rate(
    venue: str, payload: object, path: str = PATH_COMMISSION_RATE
) -> Result[FeeQuote, MalformedResponse]:
    """``commissionRate`` (at ``path``: Aster serves it at ``/fapi/v3/commissionRate``) ->
    the account's fees (source ``account``)."""
    return parse_guard(venue, lambda: _parse(payload, path))
