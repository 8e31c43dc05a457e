"""Reading a proxy's answer to ``CONNECT`` costs work linear in the bytes received.

Review of the merged proxy work: the tunnel re-parsed every interim (1xx) head from byte 0
after each receive, so 4,097 receives of ``HTTP/1.1 100 C\\n\\n`` cost 20 s of CPU on the
event loop ``run`` shares with order legs. h11 (``h11/_receivebuffer.py``,
``_multiple_lines_search``) resumes its blank-line search two bytes before the end of what
it searched; so does :class:`adapters.streams.proxy_answer.AnswerReader`. Counted here,
never timed: every byte handed to the blank-line search (a wrapper around the module's
regex), and every head checked against h11's grammar.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest
from anyio.abc import ByteStream

from adapters.streams import proxy_answer, proxy_tunnel
from adapters.streams.connection import ConnectionClosed


class _CountingSearch:
    """The blank-line regex, counting the bytes each search is given to look at."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern
        self.scanned = 0
        self.searches = 0

    def search(self, data: Any, pos: int = 0) -> re.Match[bytes] | None:
        self.searches += 1
        found = self.pattern.search(data, pos)
        self.scanned += (found.end() if found else len(data)) - pos
        return found


class _Chunks(ByteStream):
    """A proxy sending its answer in the given pieces, one per receive."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.received = 0

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if self.received == len(self.chunks):
            raise anyio.EndOfStream
        self.received += 1
        return self.chunks[self.received - 1]

    async def send(self, item: bytes) -> None:
        raise AssertionError("not used")

    async def send_eof(self) -> None:
        raise AssertionError("not used")

    async def aclose(self) -> None:
        pass


def _read(chunks: list[bytes]) -> bytes | ConnectionClosed:
    async def main() -> bytes | ConnectionClosed:
        try:
            return await proxy_tunnel._answer_head(_Chunks(chunks), "http://p:1", "v:443")
        except ConnectionClosed as error:
            return error

    return anyio.run(main)


INTERIM = b"HTTP/1.1 100 C\n\n"  # 16 bytes: the reviewer's flood


@pytest.mark.parametrize(
    "chunks",
    [
        [INTERIM] * 4000 + [b"HTTP/1.1 200 OK\n\n"],  # one interim head per receive
        [bytes([b]) for b in INTERIM * 256 + b"HTTP/1.1 200 OK\r\n\r\n"],  # byte by byte
        [bytes([b]) for b in b"HTTP/1.1 200 OK\r\n" + b"X-A: " + b"a" * 5000 + b"\r\n\r\n"],
    ],
    ids=["interim-flood", "trickled-interims", "trickled-long-header"],
)
def test_each_received_byte_is_searched_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]
) -> None:
    counting = _CountingSearch(proxy_answer._BLANK_LINE)
    monkeypatch.setattr(proxy_answer, "_BLANK_LINE", counting)
    checked: list[int] = []
    fault = proxy_answer._fault

    def counted_fault(lines: list[bytes]) -> str:
        checked.append(1)
        return fault(lines)

    monkeypatch.setattr(proxy_answer, "_fault", counted_fault)
    total = len(b"".join(chunks))

    head = _read(chunks)

    assert head == b"".join(chunks)  # the tunnel opens on the final 200
    assert counting.scanned <= 3 * total, (counting.scanned, total)
    assert counting.searches <= len(chunks) + total // 16 + 1
    heads = b"".join(chunks).count(b"HTTP/1.1 ")
    assert len(checked) == heads  # each head checked once, not once per receive


def test_a_flood_past_the_limit_is_refused_after_linear_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = _CountingSearch(proxy_answer._BLANK_LINE)
    monkeypatch.setattr(proxy_answer, "_BLANK_LINE", counting)
    chunks = [INTERIM] * (proxy_tunnel.MAX_ANSWER_HEAD // len(INTERIM) + 10)

    refused = _read(chunks)

    assert isinstance(refused, ConnectionClosed)
    assert "answer to CONNECT v:443 too long" in str(refused)
    assert counting.scanned <= 3 * len(b"".join(chunks))
