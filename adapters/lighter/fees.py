"""Lighter: the fees its markets publish.

``orderBookDetails`` carries each perp market's ``taker_fee`` / ``maker_fee`` (percent; see
:func:`adapters.lighter.parsers.parse_markets`). They are the market's fees for everyone,
not a per-account figure (Lighter has no public per-account fee endpoint; an account's
tier, standard or premium, is chosen with ``changeAccountTier``), so the source is
``published``. atomic-fp applies one fee per venue: when markets differ, the highest is used
(an overstated fee can hide a spread, never invent one) and the detail says so.
"""

from __future__ import annotations

from collections.abc import Collection

from adapters.lighter.parsers import LighterMarket
from atomic_fp.models import FeeQuote, FeeSource, VenueFees


def market_fees(markets: Collection[LighterMarket]) -> FeeQuote | None:
    """The venue's fee from its markets' published fees, or ``None`` if no market has one."""
    rows = [m for m in markets if m.taker_fee is not None and m.maker_fee is not None]
    if not rows:
        return None
    takers = {m.taker_fee for m in rows}
    makers = {m.maker_fee for m in rows}
    fees = VenueFees(
        maker=max(m for m in makers if m is not None), taker=max(t for t in takers if t is not None)
    )
    spread = "" if len(takers) == 1 and len(makers) == 1 else ", highest of differing markets"
    detail = f"orderBookDetails taker_fee/maker_fee ({len(rows)} markets{spread})"
    return FeeQuote(fees, FeeSource.PUBLISHED, detail)


__all__ = ["market_fees"]
