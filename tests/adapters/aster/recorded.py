"""Real Aster futures responses, recorded by ccxt's maintainers as offline test fixtures:
``ccxt/ccxt`` ``ts/src/test/static/response/aster.json`` @
0a02c9c102ae1b63f11c51ad752834b776ab9e13 (MIT licence). Bodies copied unchanged (the
balance list trimmed to two of its rows)."""

from __future__ import annotations

from typing import Any

PREMIUM_INDEX: list[dict[str, Any]] = [  # fetchFundingRates: GET /fapi/v1/premiumIndex
    {
        "symbol": "BTCUSDT",
        "markPrice": "106630.71786957",
        "indexPrice": "106678.52086957",
        "estimatedSettlePrice": "106705.75192609",
        "lastFundingRate": "0.00010000",
        "interestRate": "0.00010000",
        "nextFundingTime": 1750176000000,
        "time": 1750147224000,
    }
]

FUNDING_INFO: list[dict[str, Any]] = [  # fetchFundingIntervals: GET /fapi/v1/fundingInfo
    {
        "symbol": "BTCUSDT",
        "interestRate": "0.00010000",
        "time": 1760513159000,
        "fundingIntervalHours": 8,
        "fundingFeeCap": None,
        "fundingFeeFloor": None,
    }
]
"""Aster's own fundingInfo shape: ``fundingFeeCap``/``fundingFeeFloor`` (null here), not
Binance's ``adjustedFundingRateCap``/``Floor``."""

FUNDING_RATE: list[dict[str, Any]] = [  # fetchFundingRateHistory: GET /fapi/v1/fundingRate
    {"symbol": "BTCUSDT", "fundingTime": 1750060800000, "fundingRate": "0.00010000"}
]

DEPTH: dict[str, Any] = {  # fetchOrderBook(BTC/USDT:USDT, 5): GET /fapi/v1/depth
    "lastUpdateId": 148964776071,
    "E": 1750058542603,
    "T": 1750058542585,
    "bids": [
        ["106626.8", "8.266"],
        ["106618.8", "0.098"],
        ["106618.7", "0.200"],
        ["106616.3", "34.331"],
        ["106615.0", "0.012"],
    ],
    "asks": [
        ["106626.9", "8.092"],
        ["106630.2", "0.010"],
        ["106630.4", "0.184"],
        ["106632.1", "0.028"],
        ["106635.8", "0.094"],
    ],
}

BALANCE: list[dict[str, Any]] = [  # fetchBalance(swap): the futures balance list
    {
        "accountAlias": "FzXquXsRFzXqAufW",
        "asset": "ASTER",
        "balance": "0.00000000",
        "crossWalletBalance": "0.00000000",
        "crossUnPnl": "0.00000000",
        "availableBalance": "0.00000000",
        "maxWithdrawAmount": "0.00000000",
        "marginAvailable": True,
        "updateTime": "0",
    },
    {
        "accountAlias": "FzXquXsRFzXqAufW",
        "asset": "APX",
        "balance": "0.00000000",
        "crossWalletBalance": "0.00000000",
        "crossUnPnl": "0.00000000",
        "availableBalance": "0.00000000",
        "maxWithdrawAmount": "0.00000000",
        "marginAvailable": False,
        "updateTime": "0",
    },
]

COMMISSION_RATE: dict[str, Any] = {  # fetchTradingFee: an account's BTCUSDT rates
    "symbol": "BTCUSDT",
    "makerCommissionRate": "0.000100",
    "takerCommissionRate": "0.000350",
}
