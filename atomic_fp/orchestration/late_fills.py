"""Orders that appear after the journal called them never sent.

The validity-window rule (:mod:`~atomic_fp.orchestration.validity`) calls an order
``NOT_SENT`` only once its venue-enforced deadline, plus a clock-skew margin and a grace
for "execution status unknown", has passed with the order still unknown. A venue that
breaks its own deadline (or a clock far off) could still show it later. Reconciliation
therefore looks every recent never-sent order up again (those journaled within
``LATE_FILL_HORIZON``). One that is found is **attributed to its signal**: its fill is
journaled (so the journal's positions include it), and the signal is resumed with the
same residual policy as a live execution (the excess it created is unwound, or whatever
cannot be is reported as a residual, which blocks new positions and makes the CLI exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import anyio
from returns.result import Failure, Result

from atomic_fp.errors import Ambiguous, VenueError
from atomic_fp.models import ArbitrageConfig, Order, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration.execution import resume_signal
from atomic_fp.orchestration.journal import ExecutionJournal
from atomic_fp.orchestration.policy import ExecutionPolicy
from atomic_fp.orchestration.report import ExecutionReport, OrderResolution
from atomic_fp.orchestration.validity import Clock, classify

LATE_FILL_HORIZON = timedelta(hours=24)
"""How far back never-sent orders are looked up again (Binance keeps an expired order
without fills queryable for a few days; a day of lookups is cheap: never-sent orders are
rare)."""


async def recheck_never_sent(
    *,
    symbol: Symbol,
    traders: Mapping[ExchangeIdentifier, AtomicTrader],
    queryers: Mapping[ExchangeIdentifier, AtomicQueryer],
    journal: ExecutionJournal,
    config: ArbitrageConfig,
    policy: ExecutionPolicy,
    clock: Clock,
) -> tuple[list[OrderResolution], list[ExecutionReport]]:
    """Look never-sent orders up again; journal and handle any that appeared."""
    resolutions: list[OrderResolution] = []
    touched: list[str] = []
    since = clock() - LATE_FILL_HORIZON
    for journaled in await journal.never_sent_orders(symbol, since):
        request = journaled.intent.request
        trader = traders.get(request.exchange)
        if trader is None:
            continue
        cid = request.client_order_id
        found: Result[Order, VenueError] = Failure(Ambiguous(str(request.exchange), "timeout"))
        with anyio.move_on_after(policy.order_timeout):
            found = await trader.fetch_order(cid)
        if isinstance(found, Failure):
            continue  # still unknown (OrderNotFound) or unreadable: nothing new
        outcome, order, _ = classify(found)
        if order is None or order.filled_size <= 0 or not outcome.is_resolved:
            continue
        await journal.record_outcome(cid, outcome, order, None, clock())
        resolutions.append(
            OrderResolution(
                client_order_id=cid,
                exchange=request.exchange,
                outcome=outcome,
                filled_size=order.filled_size,
                detail=(
                    "(LATE FILL: journaled as never sent; attributed to signal "
                    f"{journaled.intent.signal_id})"
                ),
            )
        )
        if journaled.intent.signal_id not in touched:
            touched.append(journaled.intent.signal_id)

    recovered: list[ExecutionReport] = []
    still_open = {s.signal_id for s in await journal.open_signals(symbol)}
    for signal_id in touched:
        if signal_id in still_open:
            continue  # reconciliation resumes unfinished signals anyway
        signal = await journal.signal(signal_id)
        if signal is None:
            continue
        orders = await journal.orders_for_signal(signal_id)
        report = await resume_signal(
            signal,
            orders,
            traders=traders,
            queryers=queryers,
            journal=journal,
            config=config,
            policy=policy,
            clock=clock,
        )
        recovered.append(report)
    return resolutions, recovered


__all__ = ["LATE_FILL_HORIZON", "recheck_never_sent"]
