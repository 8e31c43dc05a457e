"""What ``execute``, ``run`` and ``positions`` share: venues with credentials, the journal,
one orchestrator per symbol, and JSON views of signals, cycles and executions."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.models import ArbitrageConfig, Market, Symbol, TradingSignal
from atomic_fp.operations import AtomicQueryer, AtomicTrader
from atomic_fp.orchestration import (
    ArbitrageOrchestrator,
    CycleReport,
    ExecutionJournal,
    ExecutionPolicy,
    ExecutionReport,
    JournalUnavailable,
    MemoryJournal,
    capped_limit_price,
)
from atomic_fp.orchestration.orchestrator import RateEstimator, StrategyInputs
from atomic_fp.orchestration.pushed_rates import PushedRateSource
from scripts import exitcodes
from scripts.config import AppConfig, VenueConfig
from scripts.context import AppContext, error, fail
from scripts.fees import published_or_configured, quote_all, resolve_all
from scripts.output import dec, iso
from scripts.runtime import Venue, build_live, select

log = logging.getLogger("scripts.trading")


def trading_symbols(config: AppConfig, names: Sequence[str] | None) -> tuple[Symbol, ...]:
    if names:
        try:
            return tuple(Symbol.parse(n) for n in names)
        except ValueError as error:
            fail(f"--symbols: {error}")
    if not config.strategy.symbols:
        fail(f"no symbols to trade: give --symbols or [strategy] symbols in {config.source}")
    return config.strategy.symbols


def rate_estimator(
    config: AppConfig, basis: str | None, store_path: str | None, *, record: bool
) -> RateEstimator | None:
    """The estimator of ``--basis`` (else ``[strategy] basis``), backed by the store."""
    from adapters.store import DEFAULT_STORE
    from atomic_fp.decisions.estimators import Basis
    from scripts.store_rates import store_estimator

    chosen = Basis.parse(basis or config.strategy.basis)
    path = Path(store_path) if store_path else (config.store_path or Path(DEFAULT_STORE))
    return store_estimator(chosen, path, record=record)


def arbitrage_config(config: AppConfig) -> ArbitrageConfig:
    if not config.strategy.has_trading_sizes():
        fail(
            f"{config.source}: [strategy] needs trade_size and max_position (base-asset "
            "units) before anything can be traded"
        )
    return config.strategy.arbitrage_config(published_or_configured(config))


async def with_venue_fees(
    strategy: ArbitrageConfig, config: AppConfig, venues: Sequence[Venue]
) -> ArbitrageConfig:
    """``strategy`` with each venue's fee as its client quotes it (the account's rates
    where the venue has an endpoint), config fees first (:mod:`scripts.fees`)."""
    quoted = await quote_all(venues)
    fees = resolve_all(config, venues, quoted)
    for name, quote in sorted(fees.items()):
        log.info(
            "venue %s fees: taker %s maker %s (%s)",
            name,
            quote.fees.taker,
            quote.fees.maker,
            quote.source.value,
        )
    return attrs.evolve(strategy, fees={name: quote.fees for name, quote in fees.items()})


def check_live_ready(config: AppConfig, venues: Sequence[VenueConfig], app: AppContext) -> Path:
    """Refuse live trading unless every venue has its credentials and a journal is set."""
    for venue in venues:
        missing = venue.missing_credentials(app.environ)
        if missing:
            fail(
                f"venue {venue.id}: credentials not set in the environment: "
                + ", ".join(f"${name}" for name in missing)
            )
    if config.journal_path is None:
        fail(
            f"{config.source}: live trading needs [journal] path (the journal is what makes "
            "a crash or an overlapping run recoverable)"
        )
    return config.journal_path


def build_trading_venues(app: AppContext, names: Sequence[str] | None) -> tuple[Venue, ...]:
    config = app.config()
    chosen = select(config, names)
    built = build_live(chosen, app.environ, with_credentials=True)
    if any(isinstance(venue.client, Failure) for venue in built):
        from scripts.environment_settings import refuse_a_broken_environment

        # a broken proxy or CA store setting: every such problem named, with each venue
        # that could not be built for another reason, exit 2 (as scan/collect/watch)
        refuse_a_broken_environment(built)
    for venue in built:
        if isinstance(venue.client, Failure):
            fail(venue.client.failure())
    return built


async def open_journal(
    path: Path | None, stack: AsyncExitStack, busy_timeout: float = 30.0
) -> ExecutionJournal:
    """The SQLite journal at ``path`` (locked for this process), or an in-memory one."""
    if path is None:
        return MemoryJournal()
    from adapters.journal import open_journal as open_sqlite

    path.parent.mkdir(parents=True, exist_ok=True)
    opened = open_sqlite(path, busy_timeout=busy_timeout)
    if isinstance(opened, Failure):
        fail(f"journal {path}: {opened.failure()}", exitcodes.NOTHING_USABLE)
    journal = opened.unwrap()
    stack.push_async_callback(journal.close)
    return journal


def execution_policy(config: AppConfig) -> ExecutionPolicy:
    """The execution policy: defaults, with ``[strategy] order_validity`` (each order's
    venue-enforced deadline, see atomic_fp.orchestration.validity) when given."""
    validity = config.strategy.durations.get("order_validity")
    if validity is None:
        return ExecutionPolicy()
    return ExecutionPolicy(validity_window=validity.total_seconds())


def orchestrators(
    venues: Sequence[Venue],
    symbols: Sequence[Symbol],
    config: ArbitrageConfig,
    journal: ExecutionJournal,
    policy: ExecutionPolicy | None = None,
    rate_estimator: RateEstimator | None = None,
    rate_source: PushedRateSource | None = None,
) -> list[ArbitrageOrchestrator]:
    clients = [v.client.unwrap() for v in venues if isinstance(v.client, Success)]
    timeout = max((v.timeout for v in venues), default=10.0)
    return [
        ArbitrageOrchestrator(
            queryers=[AtomicQueryer(c, symbol) for c in clients],
            traders=[AtomicTrader(c, symbol) for c in clients],
            config=config,
            symbol=symbol,
            journal=journal,
            policy=policy,
            query_timeout=timeout,
            rate_estimator=rate_estimator,
            rate_source=rate_source,
        )
        for symbol in symbols
    ]


@attrs.frozen
class Decision:
    """What one cycle *would* do (``--dry-run``): nothing is sent or journaled."""

    symbol: Symbol
    at: datetime
    action: str
    signal: TradingSignal | None
    orders: tuple[dict[str, Any], ...]
    no_trade: tuple[str, ...]
    excluded: Mapping[str, str]


def decide(orchestrator: ArbitrageOrchestrator, inputs: StrategyInputs) -> Decision:
    """What one cycle of ``orchestrator`` would do on ``inputs`` (its own decision, see
    :func:`atomic_fp.decisions.cycle.decide_cycle`), without executing: ``--dry-run``.
    No journal is read, so reconciliation blocks are not applied."""
    decision = orchestrator.decide(inputs, apply_reconciliation=False)
    signal = decision.to_execute
    orders = () if signal is None else would_send(signal, inputs.markets, orchestrator.config)
    return Decision(
        symbol=orchestrator.symbol,
        at=inputs.at,
        action=decision.action,
        signal=signal,
        orders=orders,
        no_trade=decision.no_trade,
        excluded=inputs.excluded(),
    )


def would_send(
    signal: TradingSignal,
    markets: Mapping[Any, Result[Market, Any]],
    config: ArbitrageConfig,
) -> tuple[dict[str, Any], ...]:
    """The entry orders the execution would send: IOC limits capped by the slippage cap."""
    out = []
    for index, leg in enumerate(signal.legs):
        market = markets.get(leg.exchange)
        price = None
        if isinstance(market, Success) and leg.reference_price is not None:
            price = capped_limit_price(
                leg.side, leg.reference_price, config.slippage_cap, market.unwrap().tick_size
            )
        out.append(
            {
                "venue": str(leg.exchange),
                "side": leg.side.value,
                "size": dec(leg.size),
                "limit_price": dec(price),
                "time_in_force": "ioc",
                "reduce_only": leg.reduce_only,
                "client_order_id": signal.client_order_id(index),
            }
        )
    return tuple(out)


def signal_json(signal: TradingSignal | None) -> dict[str, Any] | None:
    if signal is None:
        return None
    return {
        "signal_id": signal.signal_id,
        "kind": signal.kind.value,
        "symbol": signal.bound_symbol.base,
        "reason": signal.reason,
        "expected_net_apr": dec(signal.expected_net_apr),
        "created_at": iso(signal.created_at),
        "legs": [
            {
                "venue": str(leg.exchange),
                "side": leg.side.value,
                "size": dec(leg.size),
                "base_size": dec(leg.base_size),
                "contract_multiplier": dec(leg.contract_multiplier),
                "reduce_only": leg.reduce_only,
                "reference_price": dec(leg.reference_price),
            }
            for leg in signal.legs
        ],
    }


def execution_json(report: ExecutionReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "status": report.status.value,
        "hedged": report.hedged,
        "executed_fraction": dec(report.executed_fraction),
        "residual_base": dec(report.residual_base),
        "orders": [
            {
                "leg": a.leg_index,
                "attempt": a.attempt,
                "purpose": a.purpose.value,
                "venue": str(a.request.exchange),
                "side": a.request.side.value,
                "size": dec(a.request.size),
                "limit_price": dec(a.request.limit_price),
                "reduce_only": a.request.reduce_only,
                "client_order_id": a.client_order_id,
                "outcome": a.outcome.value,
                "filled_size": dec(a.filled_size),
                "average_price": dec(a.order.average_price) if a.order is not None else None,
                "error": a.error.describe() if a.error is not None else None,
            }
            for a in report.attempts
        ],
        "legs": [
            {
                "venue": str(leg.exchange),
                "target_size": dec(leg.target_size),
                "filled_size": dec(leg.filled_size),
                "unwound_size": dec(leg.unwound_size),
                "net_base": dec(leg.net_base),
                "unresolved": list(leg.unresolved),
            }
            for leg in report.legs
        ],
        "actions": list(report.actions),
        "message": report.message,
        "journal_error": report.journal_error,
    }


def cycle_json(cycle: CycleReport | Decision) -> dict[str, Any]:
    data: dict[str, Any] = {
        "symbol": cycle.symbol.base,
        "at": iso(cycle.at),
        "action": cycle.action,
        "signal": signal_json(cycle.signal),
        "no_trade": list(cycle.no_trade),
        "excluded": dict(cycle.excluded),
    }
    if isinstance(cycle, Decision):
        data["orders_if_sent"] = list(cycle.orders)
    else:
        data["blocked"] = list(cycle.blocked)
        data["quotes"] = dict(cycle.quotes)
        data["rate_sources"] = dict(cycle.rate_sources)
        data["execution"] = execution_json(cycle.execution)
        if cycle.reconciliation is not None:
            data["reconciliation"] = cycle.reconciliation.describe()
    return data


DRY_RUN_VERBS = {
    "open": "would open a hedge",
    "close": "would close the hedge",
    "rebalance": "would rebalance the hedge",
    "reduce": "would reduce the hedge",
}
"""Plain words for what a dry run would do, by signal kind (the decision's ``action``
names which decision acted: ``funding``, ``rebalance``, ``safety``)."""


def describe_decision(decision: Decision) -> str:
    """A dry run's decision in plain words: "BTC: would open a hedge (funding
    decision; dry run, nothing sent)"."""
    signal = decision.signal
    verb = DRY_RUN_VERBS.get(signal.kind.value, "would trade") if signal else "would trade"
    lines = [f"{decision.symbol.base}: {verb} ({decision.action} decision; dry run, nothing sent)"]
    if decision.action == "none" or signal is None:
        lines[0] = f"{decision.symbol.base}: no trade (dry run)"
    lines += [f"  excluded {venue}: {why}" for venue, why in sorted(decision.excluded.items())]
    lines += [f"  no trade: {why}" for why in decision.no_trade]
    if decision.signal is not None:
        lines.append(f"  signal {decision.signal.signal_id}: {decision.signal.reason}")
        for order in decision.orders:
            lines.append(
                f"  would send {order['venue']} {order['side']} {order['size']} "
                f"@ {order['limit_price'] or 'market'} IOC"
                f"{' reduce-only' if order['reduce_only'] else ''} [{order['client_order_id']}]"
            )
    return "\n".join(lines)


def cycle_exit_code(cycles: Sequence[CycleReport | Decision]) -> int:
    """1 when any cycle met a bad state (:mod:`scripts.alarms`: an unresolved order, a
    journal/venue mismatch, a residual, also after recovering an interrupted signal, a
    journal failure); else 0. (No usable rates at all is checked by the caller.)"""
    from scripts.alarms import cycle_alarms

    for cycle in cycles:
        if isinstance(cycle, CycleReport) and cycle_alarms(cycle):
            return exitcodes.NOTHING_USABLE
        reconciliation = getattr(cycle, "reconciliation", None)
        if reconciliation is not None and reconciliation.blocking_problems():
            return exitcodes.NOTHING_USABLE
    return exitcodes.OK


def journal_failed(failure: JournalUnavailable) -> None:
    """One line on stderr for a journal that failed outside an execution (reconciliation,
    a read): nothing was sent after it; the next start resolves what it left."""
    error(
        f"{failure.describe()}; nothing was sent after it; the next start resolves "
        "whatever it did not record",
        event="journal_failed",
        todo="free the journal (disk space, permissions, the other writer), then start again",
        details={"operation": failure.operation, "kind": failure.kind},
    )
