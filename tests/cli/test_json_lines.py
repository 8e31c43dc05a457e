"""``run --json-lines`` and ``watch --format json`` lines (orjson, :mod:`scripts.json_lines`)
say exactly what the standard library's encoder said on the same objects: the same text
for everything but float formatting, with Decimals as strings, datetimes as ``...Z``, keys
in their order and ASCII-only output; a real ``run`` report reads back the same as the old
three-pass encoding (``json.dumps(json.loads(render_json(...)))``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.json_lines import json_line
from scripts.output import _json_default, dec, render_json


def stdlib_line(payload: Any) -> str:
    """What ``watch`` wrote before (``run`` wrote the same with spaced separators)."""
    return json.dumps(payload, separators=(",", ":"), default=_json_default)


def ordered(text: str) -> Any:
    """The parsed document with every object as a list of pairs (so key order counts)."""
    return json.loads(text, object_pairs_hook=list)


decimals = st.decimals(allow_nan=False, allow_infinity=False) | st.decimals(
    allow_nan=False, allow_infinity=False, places=12
)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # beyond 64 bits: the fallback
    | st.text()  # any code point: the ASCII escaping
    | decimals
    | instants
    | st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000))
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(0, 99), inner, max_size=4)
    ),
    max_leaves=25,
)


def outcome(encode: Any, payload: Any) -> tuple[str, str]:
    """The text, or the exception's type: ``dec`` refuses a Decimal it cannot quantize to
    12 places (more than 28 digits) with the standard library as with orjson."""
    try:
        return "text", encode(payload)
    except Exception as error:
        return "raised", type(error).__name__


@settings(max_examples=400, deadline=None)
@given(documents)
def test_same_text_as_the_standard_library(payload: Any) -> None:
    assert outcome(json_line, payload) == outcome(stdlib_line, payload)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=5))
def test_floats_mean_the_same_number(payload: list[float]) -> None:
    """Only float formatting may differ (``1e-07`` vs ``1e-7``): the value read back is
    the same."""
    assert json.loads(json_line(payload)) == json.loads(stdlib_line(payload))


@given(decimals)
def test_decimals_are_strings_exactly_as_before(value: Decimal) -> None:
    """Plain decimal strings, at most 12 places (``scripts.output.dec``), never floats."""
    assert outcome(json_line, {"rate": value}) == outcome(stdlib_line, {"rate": value})
    if abs(value) < Decimal(10) ** 15:  # within what ``dec`` can write
        assert json.loads(json_line({"rate": value})) == {"rate": dec(value)}


def test_key_order_datetimes_and_non_ascii() -> None:
    payload = {
        "z": Decimal("0.0001000"),
        "a": datetime(2025, 12, 3, 15, 12, 10, 25055, tzinfo=timezone.utc),
        "venue": "café 🚀",
        1: None,
    }
    line = json_line(payload)
    assert line == (
        '{"z":"0.0001","a":"2025-12-03T15:12:10.025055Z",'
        '"venue":"caf\\u00e9 \\ud83d\\ude80","1":null}'
    )
    assert line.isascii() and "\n" not in line


def test_what_neither_encoder_knows_is_refused() -> None:
    with pytest.raises(TypeError):
        json_line({"x": object()})


@pytest.fixture(scope="module")
def offline_scan_report() -> dict[str, Any]:
    """A real report's payload: ``scan --offline --all-pairs`` as JSON, parsed back with
    its Decimals (what ``render_json`` gets is built from models; this is the nearest
    real, large document)."""
    from click.testing import CliRunner

    from scripts.cli import cli

    done = CliRunner().invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "json"])
    assert done.exit_code == 0, done.output
    payload: dict[str, Any] = json.loads(done.stdout, parse_float=Decimal)
    return payload


def test_a_real_report_reads_back_as_the_old_run_line(offline_scan_report: dict[str, Any]) -> None:
    old = json.dumps(json.loads(render_json(offline_scan_report)))  # run's old three passes
    new = json_line(offline_scan_report)
    assert ordered(new) == ordered(old)
    assert new == stdlib_line(offline_scan_report)
    assert len(offline_scan_report["opportunities"]) >= 10  # a document of real size
