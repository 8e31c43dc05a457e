"""Each venue's published base-tier fees (what an account with no volume tier pays).

These are the fallback when the account's own rates cannot be read (no credentials, or
the venue has no endpoint for them); a ``[venues.<id>] fees`` entry overrides both. The
base tier is each venue's most expensive regular tier, so using it when the account query
fails can only overstate the cost, never understate it. Figures and sources (checked
2026-12-06):

- Binance USD-M futures, regular user (VIP 0): 0.0200 % maker / 0.0500 % taker
  (https://www.binance.com/en/fee/futureFee; 0.045 % taker when paying in BNB, which we do
  not assume). The account's rates: ``GET /fapi/v1/commissionRate`` (signed).
- Hyperliquid perps, tier 0 (< $5M 14-day volume): 0.015 % maker / 0.045 % taker
  (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/fees). The account's rates:
  ``POST /info {"type": "userFees"}`` ``userAddRate`` / ``userCrossRate``.
- Lighter standard account (the default): 0 % maker / 0 % taker
  (https://apidocs.lighter.xyz/docs/account-types; premium accounts pay 0.004 % / 0.028 %).
  ``orderBookDetails`` publishes each market's ``maker_fee`` / ``taker_fee`` (``"0.0000"``).
- GRVT futures, level 1 (no volume): the two GRVT pages disagree: help.grvt.io "How does
  GRVT's fee model work?" lists 0.027 % maker / 0.055 % taker, the gitbook "Fees" page
  0.03 % / 0.05 %. We take the higher of each (0.03 % maker / 0.055 % taker): an
  overstated fee can only hide a spread, never make one up.
- Bybit derivatives, non-VIP: 0.02 % maker / 0.055 % taker (Bybit help center "Perpetual &
  Futures Contract: Fees Explained", 2024-10-16). The account's rates:
  ``GET /v5/account/fee-rate?category=linear`` (signed); also used by ``backtest`` for the
  research data's ``bybit`` venue.
- OKX perpetual swaps, regular user Lv1 (< 500 OKB, < $10M 30-day volume): 0.02 % maker /
  0.05 % taker (https://www.okx.com/fees, "Futures and Perp" tab; the page's spot tab is
  0.08 % / 0.10 %, and a third-party summary gives USDT perpetuals 0.02 % / 0.05 % as well).
  The account's rates: ``GET /api/v5/account/trade-fee`` (signed; ``makerU``/``takerU``).
- Aster perpetuals, base tier: the sources disagree. Aster's VIP programme (announced
  2025-05-14, ChainCatcher) gives VIP6 a 2.5 bps taker fee "over 28 % below the base
  rate", i.e. a 3.5 bps base taker; a fee guide (cryptoexchange.discount "Aster DEX fees")
  lists tier 1 as 0.02 % maker / 0.05 % taker; a real account's ``commissionRate`` recorded
  by ccxt (``ts/src/test/static/response/aster.json``) is 0.01 % / 0.035 %. As for GRVT we
  take the higher of each (0.02 % / 0.05 %): it can only overstate the cost. The
  account's rates: ``GET /fapi/v3/commissionRate`` (API-wallet signed; asterdex api-docs
  "User Commission Rate").
- Paradex perpetuals, "API - Standard" profile (every API trader; the free "Retail
  Profile" is for the app's UI only): 0.003 % maker / 0.02 % taker on
  https://docs.paradex.trade/trading/trading-fee, while the "Trading via API" section of
  https://docs.paradex.trade/getting-started/free-trading gives takers 2.0-3.0 bp by
  rebate tier (3.0 bp with no rebate). As elsewhere we take the higher of each
  (0.003 % / 0.03 %). No account-rate read.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from returns.result import Result, Success

from atomic_fp.errors import VenueError
from atomic_fp.models import FeeQuote, FeeSource, VenueFees


def _published(maker: str, taker: str, detail: str) -> FeeQuote:
    return FeeQuote(VenueFees(Decimal(maker), Decimal(taker)), FeeSource.PUBLISHED, detail)


PUBLISHED_FEES: Mapping[str, FeeQuote] = MappingProxyType(
    {
        "binance": _published(
            "0.0002", "0.0005", "Binance USD-M VIP 0 (binance.com/en/fee/futureFee, 2026-12-06)"
        ),
        "hyperliquid": _published(
            "0.00015", "0.00045", "Hyperliquid tier 0 (hyperliquid docs trading/fees, 2026-12-06)"
        ),
        "lighter": _published(
            "0", "0", "Lighter standard account (apidocs.lighter.xyz account-types, 2026-12-06)"
        ),
        "grvt": _published(
            "0.0003", "0.00055", "GRVT level 1, higher of help.grvt.io and gitbook (2026-12-06)"
        ),
        "bybit": _published(
            "0.0002", "0.00055", "Bybit derivatives non-VIP (Bybit help center, 2024-10-16)"
        ),
        "okx": _published("0.0002", "0.0005", "OKX perpetuals Lv1 (okx.com/fees, 2026-12-06)"),
        "aster": _published(
            "0.0002",
            "0.0005",
            "Aster perpetuals base tier, higher of the published figures (2026-12-06)",
        ),
        "paradex": _published(
            "0.00003",
            "0.0003",
            "Paradex API Standard profile, higher of docs.paradex.trade trading-fee and "
            "free-trading (2026-12-07)",
        ),
    }
)
"""Published base tier by venue *kind* (also the research data's venue names)."""

ACCOUNT_FEE_KINDS = frozenset({"binance", "hyperliquid", "grvt", "bybit", "okx", "aster"})
"""Venue kinds whose clients read the account's own rates when given credentials (Lighter
publishes per-market fees without an account; the paper venue charges what it is told)."""


def published_fees(kind: str) -> FeeQuote | None:
    """The published base tier of venue kind ``kind``, or ``None`` if we know none."""
    return PUBLISHED_FEES.get(kind)


def with_note(quote: FeeQuote, note: str) -> FeeQuote:
    """``quote`` with ``note`` appended to its detail (e.g. why the account's rates were
    not used)."""
    detail = f"{quote.detail}; {note}" if quote.detail else note
    return FeeQuote(quote.fees, quote.source, detail)


def account_or_published(kind: str, account: Result[FeeQuote, VenueError] | None) -> FeeQuote:
    """The account's quote when it was read, else the published tier of ``kind`` with
    why the account's rates are not used (``None``: the client has no credentials)."""
    if isinstance(account, Success):
        quote: FeeQuote = account.unwrap()
        return quote
    published = PUBLISHED_FEES[kind]
    if account is None:
        return with_note(published, "no credentials: account rates not read")
    error = account.failure()
    return with_note(published, f"fee query failed ({error.kind}: {error.message})")


__all__ = [
    "ACCOUNT_FEE_KINDS",
    "PUBLISHED_FEES",
    "account_or_published",
    "published_fees",
    "with_note",
]
