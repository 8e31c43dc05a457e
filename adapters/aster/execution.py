"""Aster account and trading calls, all v3 API-wallet signed (:mod:`adapters.aster.http`).

==========================  =================================================================
``positions()``             ``GET /fapi/v3/positionRisk``
``balances()``              ``GET /fapi/v3/balance``
``margin()``                ``GET /fapi/v3/accountWithJoinMargin`` totals + ``positionRisk``
``fees()``                  ``GET /fapi/v3/commissionRate`` (else the published tier)
``funding_payments()``      ``GET /fapi/v3/income?incomeType=FUNDING_FEE`` pages
``prepare()``               the signed ``POST /fapi/v3/order``, nothing sent
``send_prepared()``         sends it as signed
``place()``                 the two in a row
``cancel()``                ``DELETE /fapi/v3/order`` by ``origClientOrderId``
``order()``                 ``GET /fapi/v3/order`` by ``origClientOrderId``
==========================  =================================================================

Paths per asterdex api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` @ 265e024
(2026-06-30). "Account Information v3" is ``/fapi/v3/accountWithJoinMargin`` there (renamed
from ``/fapi/v3/account`` on 2026-03-28); its body is Binance's ``/fapi/v2/account`` (the
``total*`` fields "only for USDT asset", ``positions[]`` with ``maintMargin`` and
``leverage``), so :func:`adapters.binance.margin.parse_account_margin` reads it.
``commissionRate`` (weight 20, ``symbol`` mandatory) and ``income`` (weight 30, ``limit`` at
most 1000, ``startTime``/``endTime`` inclusive, ``tranId`` unique per income type) are
Binance's too: the parser of :mod:`adapters.binance.fees` and the pager of
:mod:`adapters.binance.income` serve them. The request parameters and
the order / position / balance bodies are Binance's (``newClientOrderId``,
``newOrderRespType=RESULT``, ``timeInForce`` GTX for post-only; ``origQty``,
``executedQty``, ``avgPrice``...), so the pure Binance builder
(:func:`adapters.binance.orders.order_params`) and parsers read and write them. An
order's ``expires_at`` becomes its ``recvWindow`` (at most 5000 ms on v3). Placement and
cancels are never retried; an unreadable 2xx answer to a write is :class:`Ambiguous`.
"""

from __future__ import annotations

from adapters.aster.http import AsterSignedCall
from adapters.binance.futures_execution import FuturesExecution, FuturesPaths

PATH_ORDER = "/fapi/v3/order"

ASTER_PATHS = FuturesPaths(
    published_fees="aster",
    order=PATH_ORDER,
    position_risk="/fapi/v3/positionRisk",
    balance="/fapi/v3/balance",
    account="/fapi/v3/accountWithJoinMargin",
    commission_rate="/fapi/v3/commissionRate",
    income="/fapi/v3/income",
    order_weight=1,
)


class AsterExecution(FuturesExecution[AsterSignedCall]):
    """Account reads and order calls of one Aster client (the flows are Binance's:
    :class:`~adapters.binance.futures_execution.FuturesExecution`)."""

    PATHS = ASTER_PATHS
    CALL = AsterSignedCall


__all__ = ["ASTER_PATHS", "AsterExecution"]
