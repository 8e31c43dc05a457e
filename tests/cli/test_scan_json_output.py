"""``scan --format json`` is written by orjson (issue 20, the cold tail: the standard
library's indented encoder is pure Python, ~0.1 s for a 900-symbol scan) and must be byte
for byte what ``json.dumps(indent=2)`` wrote (:func:`scripts.output.render_json`).

Hypothesis compares the two encoders on documents of the types a scan report is built of
(and of what the fallback must catch: integer keys, integers beyond 64 bits, lone
surrogates, non-UTC and naive datetimes, string subclasses, NaN Decimals); a real scan's
output is compared with the old encoder on the same report, and the old encoder is counted
out of the scan's path."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, cast

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import scripts.output
import scripts.scan_render
from scripts.output import render_json, render_json_of_models


class _Name(str):
    """A str subclass (a venue name type could be one): orjson must hand it to the default
    like any other subclass, which refuses it, and json.dumps writes it: the fallback."""


_ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=-5)), None])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.text()
    | st.text(max_size=4).map(_Name)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False, allow_infinity=False, places=12)
    | st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=cast(Any, _ZONES)
    )
    | st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000))
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(0, 99), inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)


def outcome(encode: Any, payload: Any) -> tuple[str, str]:
    try:
        return "text", encode(payload)
    except Exception as error:  # the same refusal from both (dec of a NaN, an object)
        return "raised", type(error).__name__


@settings(max_examples=500, deadline=None)
@given(documents)
def test_the_same_bytes_as_the_standard_library(payload: Any) -> None:
    assert outcome(render_json_of_models, payload) == outcome(render_json, payload)


def test_escapes_and_empty_containers() -> None:
    payload = {"venue": "café 🚀\x7f\x1f", "empty": [], "none": {}, "nested": [[], {}]}
    text = render_json_of_models(payload)
    assert text == render_json(payload)
    assert '"caf\\u00e9 \\ud83d\\ude80\\u007f\\u001f"' in text


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[Any], list[Any]]:
    """``scan --offline --all-pairs --format json``: its output, the report payload it
    rendered and every call of the indented standard-library encoder during the scan."""
    payloads: list[Any] = []
    indented: list[Any] = []
    real_render = scripts.output.render_json_of_models
    real_dumps = json.dumps

    def keep(payload: Any) -> str:
        payloads.append(payload)
        return real_render(payload)

    def counted(obj: Any, *args: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") is not None:
            indented.append(obj)
        return real_dumps(obj, *args, **kwargs)

    monkeypatch.setattr(scripts.scan_render, "render_json_of_models", keep)
    monkeypatch.setattr(json, "dumps", counted)
    from scripts.cli import cli

    done = CliRunner().invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "json"])
    assert done.exit_code == 0, done.output
    return done.stdout, payloads, indented


def test_a_real_scan_prints_what_the_old_encoder_wrote(
    scanned: tuple[str, list[Any], list[Any]],
) -> None:
    out, payloads, indented = scanned
    assert len(payloads) == 1
    old = json.JSONEncoder(indent=2, default=scripts.output._json_default)  # render_json's
    assert out == old.encode(payloads[0]) + "\n"
    assert len(json.loads(out)["opportunities"]) >= 10  # a document of real size
    assert indented == []  # the slow encoder never ran
