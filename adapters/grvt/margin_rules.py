"""GRVT margin rules on the market-data host: fetched per instrument, cached per
instrument (:class:`~adapters.kit.TtlCache`, ``instrument_ttl``), and turned into the
maintenance rates the margin read reports for symbols the account holds no position in
(rules and tier choice: :mod:`adapters.grvt.parsing_margin_rules`, imported by the methods
here on the first margin read: a scan never reads margin, issue 20)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from returns.result import Failure, Result, Success

from adapters.grvt.market_data import GrvtMarketData
from adapters.kit import TtlCache
from atomic_fp.errors import VenueError
from atomic_fp.models.identifiers import Symbol

if TYPE_CHECKING:
    from adapters.grvt.parsing_margin_rules import MarginRules

MARGIN_RULES = "margin_rules"


class GrvtMarginRules(GrvtMarketData):
    """Adds the margin-rules read to the market-data half."""

    _monotonic: Callable[[], float]
    _rules: dict[str, TtlCache[MarginRules]]

    async def _margin_rules(self, symbol: Symbol) -> Result[MarginRules, VenueError]:
        instrument = await self._instrument_for(symbol)
        if isinstance(instrument, Failure):
            return Failure(instrument.failure())
        name = instrument.unwrap().name
        cache = self._rules.setdefault(
            name, TtlCache(self._options.instrument_ttl, monotonic=self._monotonic)
        )
        cached = cache.fresh()
        if cached is not None:
            return Success(cached)
        raw = await self._http.market_call(MARGIN_RULES, {"instrument": name})
        if isinstance(raw, Failure):
            return Failure(raw.failure())
        from adapters.grvt.parsing_margin_rules import parse_margin_rules

        parsed = parse_margin_rules(self._venue, raw.unwrap(), name)
        if isinstance(parsed, Failure):
            return Failure(parsed.failure())
        cache.put(parsed.unwrap())
        return Success(parsed.unwrap())

    async def _maintenance_rates(
        self, equity: Decimal, held: set[Symbol]
    ) -> tuple[dict[Symbol, Decimal], dict[Symbol, str]]:
        """Per symbol asked for and not in ``held`` (legs with their own maintenance
        margin, whose rate :meth:`AccountMargin.maintenance_rate` takes), the rate bound
        from its rules, or why there is none (a failed read is a reason, never a default
        rate)."""
        from adapters.grvt.parsing_margin_rules import maintenance_rate_bound

        rates: dict[Symbol, Decimal] = {}
        problems: dict[Symbol, str] = {}
        for symbol in sorted(self._asked - held, key=str):
            rules = await self._margin_rules(symbol)
            if isinstance(rules, Failure):
                problems[symbol] = f"margin rules failed ({rules.failure()})"
            else:
                rates[symbol] = maintenance_rate_bound(rules.unwrap(), equity)
        return rates, problems


__all__ = ["MARGIN_RULES", "GrvtMarginRules"]
