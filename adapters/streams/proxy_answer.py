"""A proxy's answer to ``CONNECT``, read as h11 (httpcore's HTTP/1.1 parser) reads it.

Framing (h11 0.16, ``h11/_receivebuffer.py``): a head ends at the first ``LF [CR] LF``
(``blank_line_regex``; a bare LF ends a line, RFC 9112 section 2.2); an immediate ``LF``
or ``CRLF`` is a head with no status line, which h11 refuses ("no response line"); data
whose first byte is a control character or a space is refused at once, without waiting
for a blank line (``is_next_line_obviously_invalid_request_line``). Interim 1xx answers
other than 101 are skipped as httpcore skips them (``httpcore/_async/http11.py``,
``_receive_response_headers``).

Grammar (h11 ``_abnf.py`` and ``_readers.py``, MIT licence, python-hyper/h11; the
patterns below are h11's, spelled out): the status line must fully match
``HTTP/[0-9]\\.[0-9] [0-9]{3}`` (ASCII digits only: ``str.isdigit`` would take Latin-1
``\\xb2``) with an optional `` reason`` of spaces, tabs and bytes that are neither NUL nor
ASCII white space; every header line, after h11's obsolete line folding (a line starting
with a space or tab continues the previous one; at the start of the headers it is an
error), must fully match h11's ``header_field`` (a token, ``:``, optional white space, a
value of ``[^\\x00\\s]`` runs separated by spaces/tabs), and the framing headers as h11's
``_headers.normalize_and_validate`` checks them (``Content-Length`` 1-20 digits, all
equal; one ``Transfer-Encoding``, ``chunked``). What h11 refuses is refused here at the
same byte.

Work is linear in the bytes received (a proxy trickling bytes, or a flood of interim
heads, must not stall the event loop shared with order legs): :class:`AnswerReader`
keeps where the skipped interim heads end and resumes the blank-line search two bytes
before the end of what it already searched, as h11's ``_multiple_lines_search`` does.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_BLANK_LINE = re.compile(rb"\n\r?\n")
"""Where a head ends: h11's ``blank_line_regex`` (``h11/_receivebuffer.py``)."""

_STATUS_LINE = re.compile(
    rb"HTTP/(?P<version>[0-9]\.[0-9]) (?P<code>[0-9]{3})(?: (?P<reason>(?:[ \t]|[^\x00\s])*))?"
)
"""h11 ``_abnf.status_line`` (``http_version``, ``status_code``, ``reason_phrase``)."""

_HEADER_FIELD = re.compile(
    rb"(?P<name>[-!#$%&'*+.^_`|~0-9a-zA-Z]+):[ \t]*"
    rb"(?P<value>(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?)[ \t]*"
)
"""h11 ``_abnf.header_field`` (``token ":" OWS field_value OWS``)."""

_CONTENT_LENGTH = re.compile(rb"[0-9]{1,20}")
"""h11 ``_headers._content_length_re`` with ``CONTENT_LENGTH_MAX_DIGITS`` (20)."""

_FOLD = re.compile(rb"[ \t]+")
"""h11 ``_readers.obs_fold_re``: a header line continuing the previous one."""


class AnswerHead(NamedTuple):
    """The head that decides the answer: its status line (Latin-1 decoded), where it ends
    in the data, and what is wrong with it (``""``: it is well formed)."""

    status_line: str
    end: int
    fault: str


def _fault(lines: list[bytes]) -> str:
    """What h11 refuses in a head's ``lines`` (``""``: nothing)."""
    if not lines:
        return "no status line"
    if _STATUS_LINE.fullmatch(lines[0]) is None:
        return "not an HTTP answer"
    last: bytes | None = None
    folded: list[bytes] = []
    for line in lines[1:]:
        fold = _FOLD.match(line)
        if fold is not None:
            if last is None:
                return "continuation line at start of headers"
            last = last + b" " + line[fold.end() :]
        else:
            if last is not None:
                folded.append(last)
            last = line
    if last is not None:
        folded.append(last)
    fields = []
    for line in folded:
        field = _HEADER_FIELD.fullmatch(line)
        if field is None:
            return f"malformed header line {line[:80].decode('latin-1')!r}"
        fields.append((field["name"].lower(), field["value"]))
    return _framing_fault(fields)


def _framing_fault(fields: list[tuple[bytes, bytes]]) -> str:
    """What h11 refuses in the framing headers (``_headers.normalize_and_validate``):
    ``Content-Length`` values that disagree or are not 1-20 digits; ``Transfer-Encoding``
    twice or other than ``chunked``."""
    content_length: bytes | None = None
    transfer_encoding = False
    for name, value in fields:
        if name == b"content-length":
            lengths = {length.strip() for length in value.split(b",")}
            if len(lengths) != 1:
                return "conflicting Content-Length headers"
            (length,) = lengths
            if _CONTENT_LENGTH.fullmatch(length) is None:
                return "bad Content-Length"
            if content_length is not None and content_length != length:
                return "conflicting Content-Length headers"
            content_length = length
        elif name == b"transfer-encoding":
            if transfer_encoding:
                return "multiple Transfer-Encoding headers"
            if value.lower() != b"chunked":
                return "Transfer-Encoding other than chunked"
            transfer_encoding = True
    return ""


def _is_skipped_interim(lines: list[bytes]) -> bool:
    """An interim answer httpcore reads past: 1xx other than 101 (well formed)."""
    code = lines[0][9:12]
    return code[:1] == b"1" and code != b"101"


class AnswerReader:
    """Reads a proxy's answer as it arrives; :meth:`feed` says when the deciding head is
    all received. Every received byte is searched a bounded number of times."""

    def __init__(self) -> None:
        self.data = bytearray()
        self._start = 0  # past the interim heads already skipped
        self._search = 0  # where the next blank-line search starts

    def feed(self, chunk: bytes) -> AnswerHead | None:
        self.data += chunk
        data = self.data
        while True:
            start = self._start
            if data[start : start + 1] == b"\n":
                lines: list[bytes] = []
                end = start + 1
            elif data[start : start + 2] == b"\r\n":
                lines, end = [], start + 2
            else:
                blank = _BLANK_LINE.search(data, max(start, self._search))
                if blank is None:
                    self._search = max(start, len(data) - 2)
                    if start < len(data) and data[start] < 0x21:
                        first = bytes(data[start:]).split(b"\n", 1)[0]
                        return AnswerHead(first.decode("latin-1"), len(data), "not an HTTP answer")
                    return None
                end = blank.end()
                raw = bytes(data[start:end]).split(b"\n")
                lines = [line.removesuffix(b"\r") for line in raw[:-2]]
            fault = _fault(lines)
            status_line = lines[0].decode("latin-1") if lines else ""
            if fault or not _is_skipped_interim(lines):
                return AnswerHead(status_line, end, fault)
            self._start = self._search = end


def answer_end(data: bytes) -> AnswerHead | None:
    """The deciding head of the proxy's answer in ``data`` (the final answer, or the
    first malformed head); ``None`` while it is not all received."""
    return AnswerReader().feed(data)


__all__ = ["AnswerHead", "AnswerReader", "answer_end"]
