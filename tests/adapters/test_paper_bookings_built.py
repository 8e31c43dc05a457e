"""The backtest venue's orders and funding payments, built from the models' slots
(``adapters/paper/backtest_bookings.py``), are exactly what the live paper venue's code
builds through the constructors (``PaperMatching._new_order``,
``PaperFunding._funding_payment``: the oracles), or the same refusal, for any value a
caller can pass; and a settlement's ledger reference is ``at.isoformat()``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.paper import backtest_bookings
from adapters.paper.backtest import BacktestPaperVenue
from adapters.paper.funding import PaperFunding
from adapters.paper.matching import PaperMatching
from atomic_fp.clock import ManualClock
from atomic_fp.models import (
    ExchangeIdentifier,
    FundingPayment,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Symbol,
    TimeInForce,
)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
SYMBOL = Symbol("AAA")
VENUE = ExchangeIdentifier("paper")


class _Sub(Decimal):
    pass


_number = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["0", "-0", "1", "1.000", "0E-8", "-1", "5", "1E+2", "sNaN"]).map(Decimal),
    st.sampled_from(["1", "-2"]).map(_Sub),
    st.sampled_from([None, 1, 1.5, "1"]),
)
_time = st.one_of(
    st.sampled_from(
        [
            START,
            START.astimezone(timezone(timedelta(hours=-5))),
            START.replace(tzinfo=None),
            START + timedelta(microseconds=7),
        ]
    ),
    st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=1))])),
)


class _Text(str):
    pass


_client_id = st.one_of(
    st.sampled_from(["o1", "", " ", "x" * 36, "x" * 37, "x" * 200, "é", "a b", "\t"]),
    st.text(max_size=40),
    st.sampled_from([b"o1", None, 5, _Text("o1"), _Text(" ")]),
)


def _venue() -> BacktestPaperVenue:
    return BacktestPaperVenue("paper", (), clock=ManualClock(START), auto_funding=False)


def _outcome(build: Any) -> tuple[str, ...]:
    try:
        built = build()
    except (ValueError, TypeError, ArithmeticError) as error:
        return "raised", type(error).__name__, str(error)
    return "built", type(built).__name__, repr(built), str(hash(built))


def _request(cid: str, size: Decimal) -> OrderRequest:
    return OrderRequest(
        exchange=VENUE, symbol=SYMBOL, side=Side.SELL, size=size, client_order_id=cid,
        order_type=OrderType.MARKET, time_in_force=TimeInForce.IOC, reduce_only=True,
    )  # fmt: skip


_valid_number = st.sampled_from(["1", "2.5", "0.001", "1E+2", "100.05"]).map(Decimal)
_order_fields = st.fixed_dictionaries(
    {
        "cid": st.sampled_from(["o1", "x" * 36, "sig-0"]),
        "size": _valid_number,
        "filled": st.sampled_from(["0", "0.001", "1", "0E-3"]).map(Decimal),
        "average": st.one_of(st.none(), _valid_number),
        "fee": st.sampled_from(["0", "-0.05", "0.0005"]).map(Decimal),
        "now": st.just(START),
    }
)
_odd_order_field = st.one_of(
    st.tuples(st.just("cid"), _client_id),
    *(st.tuples(st.just(name), _number) for name in ("size", "filled", "average", "fee")),
    st.tuples(st.just("now"), st.one_of(_time, st.none())),
)


@settings(max_examples=600, deadline=None)
@given(
    fields=_order_fields,
    odd=st.lists(_odd_order_field, max_size=2),
    status=st.sampled_from(list(OrderStatus)),
)
@example(
    fields={
        "cid": "o", "size": Decimal(1), "filled": Decimal(1), "average": None,
        "fee": Decimal(1), "now": START,
    },
    odd=[("fee", Decimal("NaN"))],
    status=OrderStatus.FILLED,
)  # fmt: skip
@example(
    fields={
        "cid": "o", "size": Decimal(1), "filled": Decimal(1), "average": None,
        "fee": Decimal(1), "now": START,
    },
    odd=[("cid", b"o1")],
    status=OrderStatus.FILLED,
)  # fmt: skip
def test_an_order_is_what_the_constructor_builds(
    fields: dict[str, Any], odd: list[tuple[str, Any]], status: OrderStatus
) -> None:
    """Valid fields with up to two odd ones (any value: the request's own are set
    around its validators, so only the order's checks see them)."""
    for name, value in odd:
        fields[name] = value
    request = _request("o", Decimal(1))
    object.__setattr__(request, "client_order_id", fields["cid"])
    object.__setattr__(request, "size", fields["size"])
    venue = _venue()
    args = (
        request, status, fields["filled"], fields["average"], fields["fee"], "paper-1",
        fields["now"],
    )  # fmt: skip
    expected = _outcome(lambda: PaperMatching._new_order(venue, *args))
    assert _outcome(lambda: venue._new_order(*args)) == expected
    if expected[0] == "built":
        assert venue._new_order(*args) == PaperMatching._new_order(venue, *args)


_payment_fields = st.fixed_dictionaries(
    {
        "amount": st.sampled_from(["-0.0012", "0", "5E+1", "3.14"]).map(Decimal),
        "asset": st.sampled_from(["USD", "USDC"]),
        "at": st.just(START),
        "rate": st.sampled_from(["0.0001", "-0.0002", "0E-8"]).map(Decimal),
        "size": _valid_number,
    }
)
_odd_payment_field = st.one_of(
    *(st.tuples(st.just(name), _number) for name in ("amount", "rate", "size")),
    st.tuples(st.just("asset"), st.sampled_from(["", " ", "\t", "é", "USD "])),
    st.tuples(st.just("at"), _time),
)


@settings(max_examples=400, deadline=None)
@given(fields=_payment_fields, odd=st.lists(_odd_payment_field, max_size=2))
def test_a_funding_payment_is_what_the_constructor_builds(
    fields: dict[str, Any], odd: list[tuple[str, Any]]
) -> None:
    for name, value in odd:
        fields[name] = value
    venue = _venue()
    args = (
        SYMBOL, fields["amount"], fields["asset"], fields["at"], fields["rate"], fields["size"]
    )  # fmt: skip
    expected = _outcome(lambda: PaperFunding._funding_payment(venue, *args))
    assert _outcome(lambda: venue._funding_payment(*args)) == expected


@given(times=st.lists(_time, max_size=8), repeat=st.lists(st.integers(0, 7), max_size=8))
def test_a_settlement_reference_is_its_iso_text(times: list[datetime], repeat: list[int]) -> None:
    venue = _venue()
    sequence = times + [times[i] for i in repeat if i < len(times)]
    for at in sequence:
        assert venue._settlement_reference(at) == at.isoformat()


def test_the_builders_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """The properties above mean something: the models are as the checks were written
    for, and a backtest fill and settlement build neither through its constructor."""
    assert backtest_bookings._ORDER is not None
    assert backtest_bookings._PAYMENT is not None
    built: list[str] = []
    for cls in (Order, FundingPayment):
        original = cls.__init__

        def counting(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    venue = _venue()
    order = venue._new_order(
        _request("o", Decimal(1)), OrderStatus.FILLED, Decimal(1), Decimal(5), Decimal(0),
        "paper-1", START,
    )  # fmt: skip
    payment = venue._funding_payment(SYMBOL, Decimal(1), "USD", START, Decimal(0), Decimal(1))
    assert (order.filled_size, payment.amount) == (Decimal(1), Decimal(1))
    assert built == []
    venue._funding_payment(SYMBOL, Decimal(1), "USD", START, Decimal(0), _Sub(1))
    assert built == ["FundingPayment"]
