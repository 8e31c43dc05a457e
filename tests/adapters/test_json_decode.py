"""``loads_like_json`` (GRVT's ticker messages, issue 20) is ``json.loads``, and
``adapters.kit.http.loads`` (REST bodies) is the strict standard decoder it was (floats as
Decimal, NaN/Infinity refused): the same value with the same types and key order, or the
same refusal, on every document hypothesis writes (JSON of every kind, big integers,
floats, NaN, duplicate keys, surrogates, and arbitrary text), on recorded GRVT stream
messages and on the recorded REST answers."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.json_decode as json_decode
from adapters.json_decode import _LEVELS, _float_free, _float_free_by_levels, loads_like_json
from adapters.kit.http import ORJSON_FROM_BYTES, loads
from tests.conftest import research_file

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)
documents = st.one_of(
    values.map(json.dumps),
    values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.sampled_from(
        [
            '{"a": 1, "b": 2, "a": 3}',
            '"\\ud800"',
            "1E400",
            "[-0, 0.0, -0.0, 1e-400]",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            '{"feed": {"mark_price": "92697.300078773"}}',
            "[" * 2000 + "]" * 2000,
            "",
            "nul",
        ]
    ),
    st.text(max_size=30),
)


def outcome(decode: Any, message: bytes | str) -> tuple[str, str]:
    try:
        return "value", repr(decode(message))  # repr: types and key order count
    except Exception as error:
        return "raised", f"{type(error).__name__}: {error}"  # the message names what was wrong


@settings(max_examples=800, deadline=None)
@given(text=documents, as_bytes=st.booleans())
def test_the_same_as_the_standard_decoder(text: str, as_bytes: bool) -> None:
    message: bytes | str = text.encode("utf-8", "surrogatepass") if as_bytes else text
    if as_bytes:
        try:
            text.encode()
        except UnicodeEncodeError:
            message = text.encode("utf-8", "replace")
    assert outcome(loads_like_json, message) == outcome(json.loads, message)


@given(st.binary(max_size=40))
def test_any_bytes(message: bytes) -> None:
    assert outcome(loads_like_json, message) == outcome(json.loads, message)


def test_grvt_stream_docs_examples() -> None:
    """Every JSON example of GRVT's market-data streams page (api-spec, MIT, read in place):
    subscribe answers and ticker feeds, as the venue writes them."""
    text = research_file("grvt-api-spec/artifacts/apidocs/market_data_streams.md").read_text()
    examples = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
        try:
            json.loads(block)
        except ValueError:
            continue
        examples.append(block)
    assert len(examples) >= 4
    for block in examples:
        assert outcome(loads_like_json, block.encode()) == outcome(json.loads, block.encode())


def test_a_float_or_a_big_integer_is_left_to_the_standard_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted: ``json.loads`` runs only for the documents orjson cannot give exactly."""
    calls: list[object] = []
    real = json.loads

    def counted(message: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(message)
        return real(message, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counted)
    ticker = b'{"stream": "v1.ticker.s", "feed": {"funding_rate": "0.0037", "seq": 5}}'
    assert loads_like_json(ticker) == real(ticker)
    assert calls == []
    for odd in (b'{"x": 2.5}', b'{"x": 123456789012345678901234567890}', b'{"x": NaN}'):
        assert repr(loads_like_json(odd)) == repr(real(odd))
    assert len(calls) == 3


# ---------------------------------------------------------------- REST bodies (kit.http.loads)


def _strict_oracle(text: bytes | str) -> Any:
    """``adapters.kit.http.loads`` as it was before orjson: the oracle, kept here."""

    def reject(name: str) -> Any:
        raise ValueError(f"JSON constant {name} is not a number we accept")

    return json.loads(text, parse_float=Decimal, parse_constant=reject)


def _padded(text: str, as_bytes: bool) -> bytes | str:
    """``text`` after enough leading whitespace to reach orjson's size (whitespace is
    insignificant in JSON: both decoders skip it, or refuse what follows alike)."""
    padded = " " * ORJSON_FROM_BYTES + text
    if not as_bytes:
        return padded
    try:
        return padded.encode()
    except UnicodeEncodeError:
        return padded.encode("utf-8", "replace")


@settings(max_examples=500, deadline=None)
@given(text=documents, as_bytes=st.booleans(), long=st.booleans())
def test_rest_bodies_decode_as_the_strict_standard_decoder(
    text: str, as_bytes: bool, long: bool
) -> None:
    """Floats as Decimal, NaN/Infinity refused, big integers, duplicate keys, surrogates,
    invalid text: the same value (types and key order) or the same kind of refusal, for
    bodies below and above the size from which orjson decodes."""
    short = text.encode("utf-8", "replace") if as_bytes else text
    message = _padded(text, as_bytes) if long else short
    assert outcome(loads, message) == outcome(_strict_oracle, message)


@given(st.binary(max_size=40))
def test_rest_bodies_of_any_bytes(message: bytes) -> None:
    long = b" " * ORJSON_FROM_BYTES + message
    assert outcome(loads, long) == outcome(_strict_oracle, long)
    assert outcome(loads, message) == outcome(_strict_oracle, message)


def test_rest_bodies_recorded_and_at_bench_sizes() -> None:
    """Every recorded answer of the bundled snapshot, and the benchmark's realistic bodies
    (Binance 500 rows, Lighter's float rates...), decode to the oracle's value."""
    from adapters.snapshot import bundled_snapshot
    from bench.realistic_bodies import realistic_snapshot

    bodies = 0
    for snapshot in (bundled_snapshot(), realistic_snapshot(bundled_snapshot())):
        for recording in snapshot.venues:
            for exchange in recording.exchanges:
                raw = json.dumps(exchange.body).encode()
                assert repr(loads(raw)) == repr(_strict_oracle(raw))
                bodies += 1
    assert bodies > 20


def test_a_long_body_is_decoded_by_orjson_unless_it_holds_a_float(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted: the standard decoder runs for a long body only when it holds a float or a
    constant (then it decides, as before), and always for a short one."""
    calls: list[object] = []
    real = json.loads

    def counted(message: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(message)
        return real(message, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counted)
    rows = [{"symbol": f"S{i:03d}USDT", "lastFundingRate": "0.0001", "time": i} for i in range(400)]
    body = json.dumps(rows).encode()
    assert len(body) >= ORJSON_FROM_BYTES
    assert loads(body) == rows
    assert calls == []
    assert loads(b'{"x": "1"}') == {"x": "1"}
    assert len(calls) == 1
    with_float = json.dumps([*rows, {"rate": 0.5}]).encode()
    assert loads(with_float)[-1] == {"rate": Decimal("0.5")}
    with pytest.raises(ValueError):
        loads(json.dumps(rows).encode()[:-1] + b", NaN]")
    assert len(calls) == 3


def _float_free_oracle(value: Any) -> bool:
    """The earlier per-leaf walk, verbatim."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float
    for item in items:
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue
        if kind is float or not _float_free_oracle(item):
            return False
    return True


@settings(max_examples=800, deadline=None)
@given(values)
def test_the_float_check_is_the_per_leaf_walk(value: Any) -> None:
    assert _float_free(value) == _float_free_oracle(value)


@settings(max_examples=800, deadline=None)
@given(values)
def test_the_float_check_by_levels_is_the_per_leaf_walk(value: Any) -> None:
    assert _float_free_by_levels(value) == _float_free_oracle(value)


@pytest.mark.parametrize("leaf", ['"x"', "0.5", "1"])
def test_the_float_check_by_levels_leaves_a_deeper_document_to_the_walk(leaf: str) -> None:
    """A document ``_LEVELS`` deep is decided by levels; one level deeper is left to
    ``_float_free`` (None), which runs out of recursion on very deep ones as before."""
    for depth in (_LEVELS - 1, _LEVELS):
        for opening, closing in (("[", "]"), ('{"a": ', "}")):
            fits = json.loads(opening * (depth - 1) + leaf + closing * (depth - 1))
            assert _float_free_by_levels(fits) == _float_free_oracle(fits)
            deeper = [fits] if depth == _LEVELS else None
            if deeper is not None:
                assert _float_free_by_levels(deeper) is None


def test_a_long_list_of_rows_is_checked_without_a_call_per_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted (issue 20, warm scan CPU): Binance's ~500 ``premiumIndex`` rows and
    Hyperliquid's contexts are typed by levels, not by one ``_float_free`` call per row as
    before (401 calls here); a dict still goes to ``_float_free``; the same values."""
    calls: list[object] = []
    walk = json_decode._float_free

    def counted(value: Any) -> bool:
        calls.append(value)
        return walk(value)

    monkeypatch.setattr(json_decode, "_float_free", counted)
    rows = [
        {"symbol": f"S{i:03d}USDT", "lastFundingRate": "0.0001", "time": i, "px": [None, "1"]}
        for i in range(400)
    ]
    assert loads(json.dumps(rows).encode()) == rows
    assert calls == []
    assert loads(json.dumps([*rows, {"rate": 0.5}]).encode())[-1] == {"rate": Decimal("0.5")}
    assert calls == []
    wrapped = {"rows": rows}
    assert loads(json.dumps(wrapped).encode()) == wrapped
    assert len(calls) > len(rows)


def test_a_document_too_deep_for_the_float_check_is_left_to_the_standard_decoder() -> None:
    """600 levels: orjson reads it (its limit is 1,024), the float check runs out of
    recursion, and the standard decoder decides, as for any document holding a float."""
    deep = "[" * 600 + '{"rate": 0.5}' + "]" * 600
    for message in (_padded(deep, as_bytes=True), _padded(deep, as_bytes=False)):
        assert outcome(loads, message) == outcome(_strict_oracle, message)
        assert "Decimal('0.5')" in outcome(loads, message)[1]


@pytest.mark.parametrize(
    "message",
    [None, 7, memoryview(b" " * ORJSON_FROM_BYTES + b"[1]"), memoryview(b"[1]")],
    ids=["None", "int", "long memoryview", "short memoryview"],
)
def test_what_is_not_text_or_bytes_is_refused_as_before(message: Any) -> None:
    assert outcome(loads, message) == outcome(_strict_oracle, message)
    assert outcome(loads, message)[0] == "raised"
