"""What a paper venue holds and how it persists: the constructor (markets, balances,
orders, ledger, logs, fault knobs, clock), its clock reading, its listed markets, and the
JSON state file written after every change and read back on construction, so a killed
process leaves the venue as it was (crash drills).

The first of the classes :class:`~adapters.paper.venue.PaperVenue` is built from, one job
each, each extending the one before: state, :mod:`accounts <adapters.paper.accounts>`,
:mod:`margin <adapters.paper.margin_account>`, :mod:`funding <adapters.paper.funding>`,
:mod:`matching <adapters.paper.matching>`, :mod:`calls <adapters.paper.calls>`,
:mod:`the façade <adapters.paper.venue>`. Every method is defined once in that chain, so
a subclass overrides it exactly as it did when the venue was one class."""

from __future__ import annotations

import json
import os
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from returns.result import Result, Success

from adapters.paper.faults import PaperFaults
from adapters.paper.ledger import LedgerEntry, SymbolLedger
from adapters.paper.margin import PaperLiquidation, PaperMarginRules
from adapters.paper.records import (
    CallEvent,
    Clock,
    PaperMarketState,
    PaperMarketView,
    PaperPosition,
    SubmitRecord,
)
from atomic_fp.errors import VenueError
from atomic_fp.models import (
    DEFAULT_FEES,
    FundingPayment,
    FundingRate,
    Market,
    Order,
    OrderRequest,
    Symbol,
    VenueFees,
)
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.serialization import converter


class PaperVenueState:
    """The paper venue's state, construction and persistence (see the module docstring)."""

    def __init__(
        self,
        exchange: ExchangeIdentifier | str,
        markets: Iterable[PaperMarketState | Market] = (),
        *,
        fees: VenueFees = DEFAULT_FEES,
        balances: Mapping[str, Decimal] | None = None,
        clock: Clock | None = None,
        faults: PaperFaults | None = None,
        state_path: Path | str | None = None,
        auto_funding: bool = True,
        consume_liquidity: bool = False,
        leverage: Decimal = Decimal(10),
        order_retention: int | None = None,
        ledger_retention: int | None = None,
        submit_log_size: int = 10_000,
        margin_rules: PaperMarginRules | None = None,
        client_clock: Clock | None = None,
    ) -> None:
        self._exchange = (
            exchange if isinstance(exchange, ExchangeIdentifier) else ExchangeIdentifier(exchange)
        )
        self.fees = fees
        self._clock = clock
        self.faults = faults if faults is not None else PaperFaults()
        self.auto_funding = auto_funding
        self.consume_liquidity = consume_liquidity
        self.leverage = leverage
        self.margin_rules = margin_rules if margin_rules is not None else PaperMarginRules()
        self.liquidations: list[PaperLiquidation] = []
        self._markets: dict[Symbol, PaperMarketState] = {}
        self._market_views: dict[Symbol, PaperMarketView] = {}
        """What ``market_state()`` answers: a read-only view of each ``_markets`` entry."""
        self._positions: dict[Symbol, PaperPosition] = {}
        self._balances: dict[str, Decimal] = dict(balances or {"USD": Decimal(100_000)})
        self._orders: OrderedDict[str, Order] = OrderedDict()
        self._order_retention = order_retention
        self._resting: dict[str, OrderRequest] = {}
        self._late: dict[str, tuple[OrderRequest, datetime, datetime | None]] = {}
        """Orders answered "status unknown": (request, execution time, valid until), all
        in venue time."""
        self.client_clock = client_clock
        """The clock of the process sending orders (default: the venue's own): used only to
        turn an order's ``expires_at`` into a deadline in venue time."""
        self._ledger_entries: deque[LedgerEntry] = deque(maxlen=ledger_retention)
        self._ledger: dict[Symbol, SymbolLedger] = {}
        self._funding_history: dict[Symbol, list[FundingRate]] = {}
        self._payments: list[FundingPayment] = []
        self._counter = 0
        self.submit_log: deque[SubmitRecord] = deque(maxlen=submit_log_size)
        self.calls: dict[str, int] = {}
        self.call_log: deque[CallEvent] = deque(maxlen=submit_log_size)
        self._state_path = Path(state_path) if state_path is not None else None
        self._holdings_version = 0
        """Moved on every change to what a cross-margin account's sums read besides the
        wallet and the rules: a position's size or entry, a held leg's mark, a market's
        settle asset (:meth:`_holdings_changed`). The liquidation check's sums key on it
        (:meth:`~adapters.paper.margin_account.PaperMarginAccount._due_sums`)."""
        self._due_memo: dict[str, tuple[PaperMarginRules, int, tuple[bool, Decimal, Decimal]]] = {}
        for state in markets:
            if isinstance(state, Market):
                raise TypeError("give a PaperMarketState (a Market needs a mark price)")
            self.add_market(state)
        if self._state_path is not None and self._state_path.exists():
            self._load()

    def now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now(timezone.utc)

    def _holdings_changed(self) -> None:
        """Say that a position, a held leg's mark or a market's settle asset changed:
        every change to ``_positions``, or to the ``mark_price`` or ``market`` of a
        ``_markets`` entry with a position, must call this (the liquidation check's memo
        would otherwise answer for the old account). So a market's state is changed only
        through the venue's ``set_*``/``list_market`` calls: ``market_state()`` answers a
        read-only view, and :meth:`add_market` keeps its own copy of the state it is
        given, so no state is shared between venues or with the caller
        (``tests/adapters/test_paper_market_state_read_only.py``)."""
        self._holdings_version += 1

    def add_market(self, state: PaperMarketState) -> None:
        """List ``state``'s market: the venue keeps its own copy (a state given to two
        venues, or changed by its giver later, moves neither venue)."""
        if state.market.exchange != self._exchange:
            state = attrs.evolve(state, market=attrs.evolve(state.market, exchange=self._exchange))
        else:
            state = attrs.evolve(state)
        self._markets[state.market.symbol] = state
        self._market_views[state.market.symbol] = PaperMarketView(state)
        self._holdings_changed()  # after the change: nothing reads the old sums in between
        self._ledger.setdefault(state.market.symbol, SymbolLedger())

    def _markets_now(self) -> Result[tuple[Market, ...], VenueError]:
        return Success(tuple(state.market for state in self._markets.values()))

    def _snapshot(self) -> dict[str, Any]:
        return {
            "counter": self._counter,
            "balances": {asset: str(v) for asset, v in self._balances.items()},
            "positions": {
                str(s): [str(p.size), str(p.entry_price)] for s, p in self._positions.items()
            },
            "markets": {
                str(s): {
                    "mark": str(m.mark_price),
                    "rate": str(m.funding_rate),
                    "interval": converter.unstructure(m.market.funding_interval),
                    "next": m.next_funding_time.isoformat() if m.next_funding_time else None,
                }
                for s, m in self._markets.items()
            },
            "orders": [converter.unstructure(o) for o in self._orders.values()],
            "resting": [converter.unstructure(r) for r in self._resting.values()],
            "late": [
                [converter.unstructure(r), at.isoformat(), None if v is None else v.isoformat()]
                for r, at, v in self._late.values()
            ],
            "ledger": {str(s): converter.unstructure(v) for s, v in self._ledger.items()},
            "ledger_entries": [converter.unstructure(e) for e in self._ledger_entries],
            "history": [
                converter.unstructure(r) for rates in self._funding_history.values() for r in rates
            ],
            "payments": [converter.unstructure(p) for p in self._payments],
        }

    def _save(self) -> None:
        if self._state_path is None:
            return
        temporary = self._state_path.with_suffix(self._state_path.suffix + ".tmp")
        with temporary.open("w") as handle:
            json.dump(self._snapshot(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self._state_path)

    def _load(self) -> None:
        assert self._state_path is not None
        data = json.loads(self._state_path.read_text())
        self._holdings_changed()
        by_name = {str(s): s for s in self._markets}
        self._counter = int(data["counter"])
        self._balances = {asset: Decimal(v) for asset, v in data["balances"].items()}
        self._positions = {
            by_name[name]: PaperPosition(Decimal(size), Decimal(entry))
            for name, (size, entry) in data["positions"].items()
            if name in by_name
        }
        for name, saved in data["markets"].items():
            if name not in by_name:
                continue
            state = self._markets[by_name[name]]
            state.mark_price = Decimal(saved["mark"])
            state.funding_rate = Decimal(saved["rate"])
            interval = converter.structure(saved["interval"], timedelta)
            state.market = attrs.evolve(state.market, funding_interval=interval)
            state.next_funding_time = (
                converter.structure(saved["next"], datetime) if saved["next"] else None
            )
        self._orders = OrderedDict(
            (o.client_order_id, o) for o in (converter.structure(x, Order) for x in data["orders"])
        )
        self._resting = {
            r.client_order_id: r
            for r in (converter.structure(x, OrderRequest) for x in data["resting"])
        }
        self._late = {}
        for raw, at, until in data.get("late", []):
            late = converter.structure(raw, OrderRequest)
            valid = datetime.fromisoformat(until) if until else None
            self._late[late.client_order_id] = (late, datetime.fromisoformat(at), valid)
        self._ledger = {
            by_name[name]: converter.structure(v, SymbolLedger)
            for name, v in data["ledger"].items()
            if name in by_name
        }
        self._ledger_entries.extend(
            converter.structure(e, LedgerEntry) for e in data["ledger_entries"]
        )
        self._funding_history = {}
        for raw in data["history"]:
            rate = converter.structure(raw, FundingRate)
            self._funding_history.setdefault(rate.symbol, []).append(rate)
        self._payments = [converter.structure(p, FundingPayment) for p in data["payments"]]


__all__ = ["PaperVenueState"]
