"""One JSON document per line, for the long-running commands' streams (``run --json-lines``,
``watch --format json``), encoded by orjson.

Why only there (issue 20, ``python -m bench.bench_json_output``, at load average ~12 on
2 CPUs): orjson writes a run line of the bundled snapshot's scan report ~80x faster than
the standard library (best per symbol, 33 kB: 2.67 ms -> 0.034 ms; ``--all-pairs
--both-directions``, 81 kB: 7.45 ms -> 0.09 ms), but importing it costs ~20 ms of CPU,
more than one indented ``render_json`` takes (1.6 / 4.6 ms), so a one-shot command
(``scan``, ``positions``...) keeps :func:`scripts.output.render_json`. A ``run`` or
``watch`` process pays the import once and gets it back within 3-8 documents; ``run``
used to encode each report three times (indented, parsed back, compacted).

The text keeps the standard library's meaning, checked against it on the same objects
(``tests/cli/test_json_lines.py``, with hypothesis-generated Decimals):

- Decimals, datetimes and timedeltas go through :func:`scripts.output._json_default`
  (Decimals as strings, datetimes as ``...Z``), as before: ``OPT_PASSTHROUGH_DATETIME``
  stops orjson from writing datetimes its own way;
- keys keep their order; non-string keys become strings (``OPT_NON_STR_KEYS``);
- the output is printable ASCII: DEL and non-ASCII characters are written as ``\\uXXXX``
  escapes, as ``json.dumps`` does by default (``ensure_ascii``);
- separators are compact (``,`` and ``:``, as ``watch`` wrote already; ``run`` wrote
  ``, `` and ``: ``: the same JSON);
- what orjson refuses (an integer beyond 64 bits) is encoded by the standard library.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from scripts.output import _json_default

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_NON_ASCII = re.compile(r"[^\x00-\x7e]")
"""What ``json.dumps`` escapes and orjson writes as is: DEL and everything beyond ASCII
(orjson escapes the control characters below space exactly as ``json.dumps`` does)."""


def _escape(match: re.Match[str]) -> str:
    # json.dumps(ensure_ascii=True): \uXXXX, characters beyond the BMP as surrogate pairs
    return json.dumps(match.group())[1:-1]


def json_line(payload: Any) -> str:
    """``payload`` as one line of compact, ASCII-only JSON (no trailing newline)."""
    try:
        text = orjson.dumps(payload, default=_json_default, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(payload, separators=(",", ":"), default=_json_default)
    if not text.isascii() or "\x7f" in text:
        text = _NON_ASCII.sub(_escape, text)
    return text


__all__ = ["json_line"]
