"""Aster market data: markets, funding (now and settled), order books.

Aster serves Binance's public futures endpoints with Binance's bodies (research notes F;
CCXT ``aster.py`` api map), so the pure Binance parsers read them (imported, not copied):

==========================  =================================================================
``markets()``               ``GET /fapi/v1/exchangeInfo`` + ``GET /fapi/v1/fundingInfo`` (when
                            its cache is stale), concurrently: one round trip
``funding_rates()``         ``GET /fapi/v1/premiumIndex`` (``lastFundingRate``: a fraction per
                            interval) + ``fundingInfo`` (per-symbol ``fundingIntervalHours``;
                            Aster runs 4 h and 1 h symbols beside the 8 h default: live
                            sample ``"fundingIntervalHours":4`` in asterdex/api-docs#1)
``order_book()``            ``GET /fapi/v1/depth``
``funding_history()``       ``GET /fapi/v1/fundingRate`` pages (limit 1000)
==========================  =================================================================

So the client *is* :class:`~adapters.binance.market_data.BinanceMarketData`, with two
switches off. A rate whose cached interval contradicts its ``nextFundingTime`` carries
``interval_doubt`` (:mod:`atomic_fp.intervals`) and is left out downstream; fundingInfo is
re-read every ``funding_info_ttl_seconds`` (not at once on a doubt, as Binance's is).

Where Aster's wire differs, the Binance code is *not* used: Aster's ``fundingInfo`` rows carry
``fundingFeeCap``/``fundingFeeFloor`` (null on the recorded BTCUSDT row, ccxt fixture
``aster.json``), not Binance's ``adjustedFundingRateCap``/``Floor``, and their unit is not
documented, so no cap or floor is attached to Aster rates (none is guessed).
"""

from __future__ import annotations

from typing import ClassVar

from adapters.binance.market_data import BinanceMarketData


class AsterMarketData(BinanceMarketData):
    """Public market data of one Aster client (shares its :class:`AsterHttp`, passed as
    both ``http`` and ``funding_reads``: Aster documents no separate funding limit)."""

    READS_FUNDING_CAPS: ClassVar[bool] = False
    """``fundingFeeCap``/``fundingFeeFloor`` have no documented unit (see the module)."""
    REREADS_DOUBTFUL_INTERVALS: ClassVar[bool] = False


__all__ = ["AsterMarketData"]
