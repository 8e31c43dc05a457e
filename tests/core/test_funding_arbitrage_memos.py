"""FundingArbitrageDecision's two shortcuts decide exactly what it decided without them
(``atomic_fp/decisions/funding_arbitrage.py``):

- the fee APR per ordered venue pair is kept for the config last decided with (the same
  object) instead of computed for every pair of every decision;
- a pair rejected for its net spread formats its reason only when it is read (only the
  best rejection's reason reaches ``NoTrade``).

References: the decision with its memo emptied before every call (what it computed
before), the fees from :func:`atomic_fp.costs.fee_apr` itself, and the reason text as
the decision wrote it, from :func:`pct` (hypothesis over rates, intervals, fees and
sequences of configs).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure

from atomic_fp import costs
from atomic_fp.decisions import funding_arbitrage
from atomic_fp.decisions._common import pct
from atomic_fp.decisions.funding_arbitrage import FundingArbitrageDecision
from atomic_fp.models import VenueFees
from tests.core.builders import NOW, by_venue, config, flat, rate

decide = FundingArbitrageDecision.analyze_opportunity
VENUES = ("a", "b", "c")

_rate = st.decimals(min_value=Decimal("-0.002"), max_value=Decimal("0.002"), places=6)
_interval = st.sampled_from([timedelta(hours=1), timedelta(hours=4), timedelta(hours=8)])
_taker = st.sampled_from(["0", "0.0002", "0.0004", "0.00055", "0.001"]).map(Decimal)
_fees = st.fixed_dictionaries({v: _taker for v in VENUES}).map(
    lambda takers: {v: VenueFees(maker=Decimal(0), taker=t) for v, t in takers.items()}
)
_threshold = st.sampled_from(["0.01", "0.05", "0.2", "1"]).map(Decimal)


def _fresh(**kwargs: object) -> object:
    """The decision as it computed before the memo: nothing remembered."""
    funding_arbitrage._last_fees = None
    return decide(**kwargs)  # type: ignore[arg-type]


@given(
    st.lists(st.tuples(_rate, _interval), min_size=3, max_size=3),
    st.lists(st.tuples(_fees, _threshold), min_size=1, max_size=4),
    st.lists(st.integers(0, 3), min_size=1, max_size=8),
)
def test_decisions_equal_those_of_a_fresh_memo_whatever_the_config_sequence(
    inputs: list[tuple[Decimal, timedelta]],
    configs: list[tuple[dict[str, VenueFees], Decimal]],
    order: list[int],
) -> None:
    rates = by_venue(*(rate(v, str(r), i) for v, (r, i) in zip(VENUES, inputs, strict=True)))
    built = [config(fees=fees, build_threshold=threshold) for fees, threshold in configs]
    for index in order:
        cfg = built[index % len(built)]
        kwargs = {"rates": rates, "positions": flat(*VENUES), "config": cfg, "now": NOW}
        remembered = decide(**kwargs)  # type: ignore[arg-type]
        assert remembered == _fresh(**kwargs)
        assert repr(remembered) == repr(_fresh(**kwargs))
        # an equal config that is another object: equal answers, nothing borrowed
        twin = attrs.evolve(cfg)
        assert decide(**{**kwargs, "config": twin}) == remembered  # type: ignore[arg-type]


@given(st.lists(st.tuples(_rate, _interval), min_size=3, max_size=3), _fees)
def test_the_remembered_fees_are_costs_fee_apr(
    inputs: list[tuple[Decimal, timedelta]], fees: dict[str, VenueFees]
) -> None:
    cfg = config(fees=fees, build_threshold=Decimal(100))
    rates = by_venue(*(rate(v, str(r), i) for v, (r, i) in zip(VENUES, inputs, strict=True)))
    decide(rates=rates, positions=flat(*VENUES), config=cfg, now=NOW)
    last = funding_arbitrage._last_fees
    assert last is not None and last[0] is cfg
    assert last[1] == {
        (long, short): costs.fee_apr(cfg, long, short)
        for long in VENUES
        for short in VENUES
        if long != short
    }


@given(st.lists(st.tuples(_rate, _interval), min_size=2, max_size=2), _fees)
def test_a_pair_below_the_threshold_reads_as_it_did(
    inputs: list[tuple[Decimal, timedelta]], fees: dict[str, VenueFees]
) -> None:
    cfg = config(fees=fees, build_threshold=Decimal(100))  # no pair can clear 10,000 %
    a, b = (rate(v, str(r), i) for v, (r, i) in zip(("a", "b"), inputs, strict=True))
    result = decide(rates=by_venue(a, b), positions=flat("a", "b"), config=cfg, now=NOW)
    assert isinstance(result, Failure)
    long, short = (a, b) if b.apr - a.apr >= a.apr - b.apr else (b, a)
    if b.apr - a.apr == a.apr - b.apr:  # a tie: the venue order decides
        long, short = a, b
    spread = short.apr - long.apr
    net = spread - costs.fee_apr(cfg, long.exchange.name, short.exchange.name)
    assert result.failure().reason.endswith(
        f"net before entry gap {pct(net)}: net {pct(net)} below build threshold"
    )
