"""CollateralPlan: how much collateral to move from which venue to which so that both
legs of a hedge are equally far from liquidation. Pure; it only suggests (moving funds
needs withdrawal rights, which a trading key must never have).

Model (the one the margin model and the paper venue use, see
:func:`atomic_fp.models.margin.estimate_liquidation_price`): in a cross-margin account a
leg's liquidation price is ``p = (q m - E + MM - mm) / (q - mm / m)``, linear in the
account's equity ``E``. Its distance ``d = |m - p| / m`` therefore moves by
``dE / (|q m - mm|)`` per unit of equity: ``notional - mm`` for a long, ``notional + mm``
for a short. Moving ``X`` from the safer venue ``A`` to the thinner one ``B``::

    d_A - X / k_A = d_B + X / k_B   =>   X = (d_A - d_B) / (1 / k_A + 1 / k_B)

starting from the distances the venues report (or that were estimated). ``X`` is capped
by the donor's excess over its maintenance margin. A plan is *urgent* when the thinner
leg is already inside ``min_liquidation_distance``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

import attrs
from returns.result import Failure, Result, Success

from atomic_fp.models import Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.margin import AccountMargin, LegMargin

_CENT = Decimal("0.01")


@attrs.frozen
class TransferRoute:
    """How collateral enters and leaves a venue, where documented (``None`` = unknown)."""

    asset: str
    min_deposit: Decimal | None = None
    min_withdrawal: Decimal | None = None
    note: str = ""


KNOWN_ROUTES: Mapping[str, TransferRoute] = {
    "binance": TransferRoute(
        "USDT", note="internal transfer spot <-> USD-M futures wallet; network limits apply"
    ),
    # hyperliquid.gitbook.io .../api/bridge2: "The minimum deposit amount is 5 USDC. If you
    # send an amount less than this, it will not be credited and be lost forever."
    "hyperliquid": TransferRoute(
        "USDC", min_deposit=Decimal(5), note="Arbitrum bridge; less than 5 USDC is lost"
    ),
    # apidocs.lighter.xyz "Deposits, Transfers and Withdrawals": only USDC goes to the perps
    # account; 1 USDC minimum on Ethereum, 5 USDC via CCTP (Arbitrum, Base, Avalanche).
    "lighter": TransferRoute(
        "USDC", min_deposit=Decimal(5), note="USDC only; 1 USDC minimum from Ethereum L1"
    ),
    "grvt": TransferRoute("USDT", note="minimums not documented in our sources"),
}


@attrs.frozen
class LegView:
    venue: ExchangeIdentifier
    leg: LegMargin
    distance: Decimal
    sensitivity: Decimal
    """Equity per unit of liquidation distance (``|q m - mm|``)."""
    excess: Decimal | None


@attrs.frozen
class CollateralPlan:
    symbol: Symbol
    source: ExchangeIdentifier
    destination: ExchangeIdentifier
    amount: Decimal
    """In the collateral's currency, to the cent (USD stablecoins: USDT and USDC are
    treated as equal)."""
    distances_before: Mapping[str, Decimal]
    distances_after: Mapping[str, Decimal]
    urgent: bool
    capped: bool
    """``True`` when the donor's excess margin limited the amount (distances then differ)."""
    source_route: TransferRoute | None
    destination_route: TransferRoute | None
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        before = ", ".join(f"{v} {d:.2%}" for v, d in self.distances_before.items())
        after = ", ".join(f"{v} {d:.2%}" for v, d in self.distances_after.items())
        head = "URGENT: " if self.urgent else ""
        return (
            f"{head}{self.symbol}: move {self.amount:.2f} from {self.source} to "
            f"{self.destination} (liquidation distance {before} -> {after})"
        )


def _view(venue: ExchangeIdentifier, margin: AccountMargin, symbol: Symbol) -> LegView | str:
    leg = margin.leg(symbol)
    if leg is None:
        return f"{venue}: no {symbol} position"
    distance = leg.liquidation_distance
    mark = leg.position.mark_price
    if distance is None or mark is None:
        return f"{venue}: {symbol} liquidation distance unknown"
    leg_mm = leg.maintenance_margin or Decimal(0)
    sensitivity = abs(leg.position.size * mark - leg_mm)
    if sensitivity == 0:
        return f"{venue}: {symbol} has no notional"
    return LegView(venue, leg, distance, sensitivity, margin.excess)


def plan_collateral(
    margins: Mapping[ExchangeIdentifier, AccountMargin],
    symbol: Symbol,
    *,
    min_liquidation_distance: Decimal,
    kinds: Mapping[ExchangeIdentifier, str] | None = None,
) -> Result[CollateralPlan, str]:
    """The transfer that equalises the two legs' liquidation distances, or why none."""
    views: list[LegView] = []
    problems: list[str] = []
    for venue, margin in sorted(margins.items()):
        view = _view(venue, margin, symbol)
        if isinstance(view, str):
            if margin.leg(symbol) is not None:
                problems.append(view)
            continue
        views.append(view)
    if problems:
        return Failure("; ".join(problems))
    if len(views) != 2:
        return Failure(f"{symbol}: a hedge has two legs, found {len(views)}")
    if (views[0].leg.position.size > 0) == (views[1].leg.position.size > 0):
        return Failure(f"{symbol}: both legs are on the same side")
    donor, taker = sorted(views, key=lambda v: (-v.distance, str(v.venue)))
    ideal = (donor.distance - taker.distance) / (1 / donor.sensitivity + 1 / taker.sensitivity)
    amount, capped, warnings = ideal.quantize(_CENT), False, []
    if donor.excess is None:
        warnings.append(f"{donor.venue}: maintenance margin unknown, amount not capped")
    elif amount > donor.excess:
        amount, capped = max(donor.excess, Decimal(0)).quantize(_CENT, ROUND_FLOOR), True
        warnings.append(f"{donor.venue}: capped at its excess margin {donor.excess:.2f}")
    routes = kinds or {}
    source_route = KNOWN_ROUTES.get(routes.get(donor.venue, str(donor.venue)))
    destination_route = KNOWN_ROUTES.get(routes.get(taker.venue, str(taker.venue)))
    if (
        destination_route
        and destination_route.min_deposit
        and amount < destination_route.min_deposit
    ):
        warnings.append(
            f"{taker.venue}: {amount:.2f} is below the minimum deposit "
            f"{destination_route.min_deposit} {destination_route.asset}"
        )
    if source_route and destination_route and source_route.asset != destination_route.asset:
        warnings.append(f"convert {source_route.asset} -> {destination_route.asset} on the way")
    return Success(
        CollateralPlan(
            symbol=symbol,
            source=donor.venue,
            destination=taker.venue,
            amount=amount,
            distances_before={str(v.venue): v.distance for v in (donor, taker)},
            distances_after={
                str(donor.venue): donor.distance - amount / donor.sensitivity,
                str(taker.venue): taker.distance + amount / taker.sensitivity,
            },
            urgent=taker.distance < min_liquidation_distance,
            capped=capped,
            source_route=source_route,
            destination_route=destination_route,
            warnings=tuple(warnings),
        )
    )


__all__ = ["KNOWN_ROUTES", "CollateralPlan", "TransferRoute", "plan_collateral"]
