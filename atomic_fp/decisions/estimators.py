"""Which funding rate a decision ranks by: the *estimator* (``[strategy] basis``, ``--basis``).

A spread shown from one instantaneous rate may be gone at the next settlement (issue 15:
Hyperliquid BTC was 2.92e-6 at 15:00 and 1.20e-5 at 16:00, flipping the snapshot's top
row from +1.05 % to -6.90 %). The estimators:

- ``current``: the rate the venue shows now (what ``scan`` always ranked by);
- ``predicted``: the venue's own published estimate of the next settlement (Hyperliquid
  ``predictedFundings``; Hyperliquid's fact sheet B9, docs.chainstack.com
  hyperliquid-info-predicted-fundings). A venue that publishes none is left out, with that
  reason: a missing estimate is never replaced by another one silently;
- ``avg24h`` / ``avg7d``: the realised average of the settlements of the last 24 h / 7 d,
  weighted by the hours each settlement paid for (so a venue that switched 8 h -> 1 h
  mid-window is averaged per hour, not per row). Settlements come from the local funding
  store, so the average costs no request at scan time.

Every function here is pure: the time is an argument, histories are given.

An estimate keeps the *current* rate's interval, next settlement and observation time (a
stale current rate stays stale), and replaces its ``rate`` by the estimated payment per
that interval: ``rate = hourly estimate * interval hours``. Its APR is therefore the
estimator's APR, and the ranking and the decisions use it unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.errors import VenueError
from atomic_fp.models import FundingKind, FundingRate, Symbol, interval_hours
from atomic_fp.models.identifiers import ExchangeIdentifier


class Basis(enum.Enum):
    """The estimator a ranking or decision uses (config ``[strategy] basis``)."""

    CURRENT = "current"
    PREDICTED = "predicted"
    AVG24H = "avg24h"
    AVG7D = "avg7d"

    @property
    def window(self) -> timedelta | None:
        """The trailing window of a realised average; ``None`` for the others."""
        return _WINDOWS.get(self)

    @classmethod
    def parse(cls, text: str) -> Basis:
        """``"avg24h"`` -> ``Basis.AVG24H``; a ValueError naming the choices otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(b.value for b in cls)
            raise ValueError(f"unknown basis {text!r} (choose one of: {choices})") from None


_WINDOWS = {Basis.AVG24H: timedelta(hours=24), Basis.AVG7D: timedelta(days=7)}

PERSISTENCE_WINDOW = timedelta(days=7)
"""How far back :func:`persistence` looks when the estimator has no window of its own."""


@attrs.frozen
class EstimateUnavailable(VenueError):
    """The estimator has no value for this venue and symbol (no predicted rate published,
    or too little settled history in the window). The venue is left out, never zero."""


@attrs.frozen
class Estimate:
    """One venue's estimated rate for one symbol, with what it was estimated from.

    ``rate`` is the estimated :class:`FundingRate` (the current one's interval and
    times); ``current`` the rate it replaces; ``settlements`` how many settled rates the
    average used (0 for ``current``/``predicted``)."""

    basis: Basis
    rate: FundingRate
    current: FundingRate
    settlements: int = 0


def hourly_average(
    settled: Iterable[FundingRate], now: datetime, window: timedelta
) -> Result[tuple[Decimal, int], str]:
    """The realised hourly rate over ``(now - window, now]``: the sum of the settlements
    paid in the window divided by the hours they paid for; and how many there were.

    A settlement at ``t`` pays for ``(t - interval, t]``; the window must be covered
    up to one settlement interval (the newest period may still be accruing, the oldest
    may straddle the window's start); otherwise a ``Failure`` says how much was there."""
    start = now - window
    rows = sorted(
        (r for r in settled if r.funding_time is not None and start < r.funding_time <= now),
        key=lambda r: r.funding_time or now,
    )
    if not rows:
        return Failure(f"no settled rate in the last {_human(window)}")
    paid = sum((r.rate for r in rows), Decimal(0))
    hours = sum((interval_hours(r.interval) for r in rows), Decimal(0))
    longest = max(r.interval for r in rows)
    # a gap inside the window (a missing settlement) is as bad as too short a history
    times = [r.funding_time for r in rows if r.funding_time is not None]
    first = times[0] - rows[0].interval
    covered_from = max(first, start)
    if (
        covered_from - start > longest
        or now - times[-1] > longest
        or hours < (interval_hours(window - longest))
    ):
        return Failure(
            f"only {_human_hours(hours)} of settled history in the last {_human(window)} "
            f"({len(rows)} settlement(s) from {times[0].isoformat()})"
        )
    return Success((paid / hours, len(rows)))


def estimate(
    basis: Basis,
    current: FundingRate,
    *,
    now: datetime,
    settled: Sequence[FundingRate] = (),
    predicted: FundingRate | None = None,
) -> Result[Estimate, EstimateUnavailable]:
    """``current`` re-expressed under ``basis`` (see the module's doc)."""
    venue = current.exchange.name
    if basis is Basis.CURRENT:
        return Success(Estimate(basis, current, current))
    if basis is Basis.PREDICTED:
        if predicted is None:
            return Failure(
                EstimateUnavailable(
                    venue, f"no predicted funding rate published for {current.symbol.base}"
                )
            )
        rate = predicted.hourly * current.interval_hours
        return Success(Estimate(basis, attrs.evolve(current, rate=rate), current))
    window = basis.window
    if window is None:  # pragma: no cover - every other basis has a window
        raise AssertionError(basis)
    symbol = current.symbol
    mine = [r for r in settled if r.exchange.name == venue and r.symbol == symbol]
    average = hourly_average(mine, now, window)
    if isinstance(average, Failure):
        return Failure(
            EstimateUnavailable(
                venue, f"{basis.value} of {current.symbol.base}: {average.failure()}"
            )
        )
    hourly, count = average.unwrap()
    rate = hourly * current.interval_hours
    return Success(Estimate(basis, attrs.evolve(current, rate=rate), current, count))


def estimate_all(
    basis: Basis,
    current: Iterable[FundingRate],
    *,
    now: datetime,
    settled: Mapping[tuple[str, Symbol], Sequence[FundingRate]] | None = None,
    predicted: Mapping[tuple[str, Symbol], FundingRate] | None = None,
) -> tuple[list[Estimate], list[EstimateUnavailable]]:
    """:func:`estimate` for many current rates; histories keyed by (venue name, symbol).
    Returns the estimates and, separately, why the others were left out."""
    estimates: list[Estimate] = []
    missing: list[EstimateUnavailable] = []
    history = (settled or {}) if basis.window is not None else {}  # read only if needed
    for rate in current:
        key = (rate.exchange.name, rate.symbol)
        result = estimate(
            basis,
            rate,
            now=now,
            settled=history.get(key, ()),
            predicted=(predicted or {}).get(key),
        )
        if isinstance(result, Success):
            estimates.append(result.unwrap())
        else:
            missing.append(result.failure())
    return estimates, missing


def estimate_inputs(
    basis: Basis,
    rates: Mapping[ExchangeIdentifier, Result[FundingRate, VenueError]],
    *,
    now: datetime,
    settled: Mapping[tuple[str, Symbol], Sequence[FundingRate]] | None = None,
    predicted: Mapping[tuple[str, Symbol], FundingRate] | None = None,
) -> dict[ExchangeIdentifier, Result[FundingRate, VenueError]]:
    """Decision inputs under ``basis``: each fetched rate replaced by its estimate; a venue
    whose rate failed, or whose estimate is unavailable, carries that ``Failure`` (the
    decisions then exclude it with the reason). ``current`` returns the inputs as given."""
    if basis is Basis.CURRENT:
        return dict(rates)
    out: dict[ExchangeIdentifier, Result[FundingRate, VenueError]] = {}
    for venue, fetched in rates.items():
        if isinstance(fetched, Failure):
            out[venue] = fetched
            continue
        rate = fetched.unwrap()
        key = (rate.exchange.name, rate.symbol)
        result = estimate(
            basis,
            rate,
            now=now,
            settled=(settled or {}).get(key, ()),
            predicted=(predicted or {}).get(key),
        )
        out[venue] = result.map(lambda e: e.rate).alt(lambda e: e)
    return out


def is_predicted(rate: FundingRate) -> bool:
    return rate.kind is FundingKind.PREDICTED


def _human(delta: timedelta) -> str:
    hours = delta / timedelta(hours=1)
    if hours % 24 == 0:
        return f"{int(hours // 24)} d" if hours != 24 else "24 h"
    return f"{hours:g} h"


def _human_hours(hours: Decimal) -> str:
    return f"{hours.normalize():f} h"


__all__ = [
    "PERSISTENCE_WINDOW",
    "Basis",
    "Estimate",
    "EstimateUnavailable",
    "estimate",
    "estimate_all",
    "estimate_inputs",
    "hourly_average",
]
