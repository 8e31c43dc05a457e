"""``loads_like_json`` (GRVT's ticker messages, issue 20) is ``json.loads``: the same value
with the same types and key order, or the same refusal, on every document hypothesis
writes (JSON of every kind, big integers, floats, NaN, duplicate keys, surrogates, and
arbitrary text), and on recorded GRVT stream messages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.json_decode import loads_like_json
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
        return "raised", type(error).__name__


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
