"""A long REST body with a float literal near its start goes to the standard decoder at
once (``adapters.json_decode.loads_like``'s float hint, issue 20): the same value or the
same refusal as before, and orjson is not asked for an answer that would be thrown away.

Equality: hypothesis documents (floats, NaN, big integers, duplicate keys, surrogates,
arbitrary text) padded *after* their text to the long-body size, so their floats sit inside
the searched span (test_json_decode.py pads before the text, which puts them beyond it), and
false hints (float-like text inside strings). Counted, not timed: which decoder ran.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.json_decode as json_decode
from adapters.json_decode import FLOAT_HINT_FROM, FLOAT_HINT_SPAN, loads_like_json
from adapters.kit.http import ORJSON_FROM_BYTES, loads
from tests.adapters.test_json_decode import _strict_oracle, documents, outcome

assert ORJSON_FROM_BYTES >= FLOAT_HINT_FROM  # every body orjson may decode is searched


def _long(text: str, as_bytes: bool) -> bytes | str:
    padded = text + " " * FLOAT_HINT_FROM
    return padded.encode("utf-8", "replace") if as_bytes else padded


@settings(max_examples=500, deadline=None)
@given(text=documents, as_bytes=st.booleans())
def test_long_bodies_with_early_floats_decode_as_the_strict_standard_decoder(
    text: str, as_bytes: bool
) -> None:
    message = _long(text, as_bytes)
    assert outcome(loads, message) == outcome(_strict_oracle, message)
    assert outcome(loads_like_json, message) == outcome(json.loads, message)


@settings(max_examples=300, deadline=None)
@given(
    key=st.text(max_size=8),
    inside=st.sampled_from(["a:1.5", "[2e3", ",-0.5,", ": 1.0", "x,[7E-2"]),
    as_bytes=st.booleans(),
)
def test_a_false_hint_in_a_string_changes_nothing(key: str, inside: str, as_bytes: bool) -> None:
    """Float-like text inside a string: the standard decoder decides (the hint fired) and
    the value is the oracle's."""
    message = _long(json.dumps({key: inside}), as_bytes)
    hint = json_decode._FLOAT_HINT_BYTES if as_bytes else json_decode._FLOAT_HINT
    assert hint.search(message, 0, FLOAT_HINT_SPAN)  # type: ignore[arg-type]
    assert outcome(loads, message) == outcome(_strict_oracle, message)


class _Counted:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import orjson

        self.orjson = 0
        real = orjson.loads

        def counted(message: Any) -> Any:
            self.orjson += 1
            return real(message)

        monkeypatch.setattr(orjson, "loads", counted)


def test_a_float_near_the_start_skips_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lighter's ``orderBookDetails`` shape (prices as JSON numbers in the first row): the
    standard decoder only. A float-free body of the same size, or one whose first float
    comes after the searched span: orjson, then the walk decides, as before."""
    counted = _Counted(monkeypatch)
    rows = [
        {"symbol": f"S{i:03d}", "market_id": i, "last_trade_price": 3550.69, "status": "active"}
        for i in range(400)
    ]
    body = json.dumps({"code": 200, "order_book_details": rows}).encode()
    assert len(body) >= ORJSON_FROM_BYTES
    assert repr(loads(body)) == repr(_strict_oracle(body))
    assert loads(body)["order_book_details"][0]["last_trade_price"] == Decimal("3550.69")
    assert counted.orjson == 0

    plain = json.dumps([{"symbol": f"S{i:03d}", "rate": "0.0001"} for i in range(600)]).encode()
    assert len(plain) >= ORJSON_FROM_BYTES
    assert loads(plain) == _strict_oracle(plain)
    assert counted.orjson == 1

    late = plain[:-1] + b', {"rate": 0.5}]'
    assert late.find(b"0.5}") > FLOAT_HINT_SPAN
    assert repr(loads(late)) == repr(_strict_oracle(late))
    assert counted.orjson == 2  # orjson asked, its answer refused by the walk


def test_short_messages_are_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GRVT ticker message (under 1 KB): orjson and the walk as before, no search (it
    would cost more than both)."""
    counted = _Counted(monkeypatch)
    searched: list[object] = []

    class Spy:
        def search(self, *args: Any) -> Any:
            searched.append(args)
            return None

    monkeypatch.setattr(json_decode, "_FLOAT_HINT_BYTES", Spy())
    message = b'{"stream": "v1.ticker.s", "feed": {"funding_rate": "0.0037", "x": 1.5}}'
    assert repr(loads_like_json(message)) == repr(json.loads(message))
    assert (counted.orjson, searched) == (1, [])
