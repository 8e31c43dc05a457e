"""A proxy's answer to the websocket's ``CONNECT`` is read as httpx reads it, and at once.

The outside reference is h11 (0.16, httpcore's HTTP/1.1 parser, which reads the answer to
the ``CONNECT`` httpcore sends for the REST clients' tunnels): a head ends at the first
``LF [CR] LF`` (``h11/_receivebuffer.py``, ``blank_line_regex``; bare LF tolerated since
python-hyper/h11#7, as RFC 9112 section 2.2 allows: "a recipient MAY recognize a single LF
as a line terminator and ignore any preceding CR"), and httpcore reads past interim 1xx
answers other than 101 (``httpcore/_async/http11.py``, ``_receive_response_headers``).
Before, :mod:`adapters.streams.proxy_tunnel` waited for ``CRLF CRLF``: a proxy answering
``HTTP/1.1 200 OK\\n\\n`` was recognised only when the websocket's timeout ended the wait.

Here h11 itself, fed byte by byte, is the oracle over generated answers (line ends mixed
per line, interim answers, headers, bytes after the answer): the tunnel takes the answer
at the same byte as h11 (not one byte later), with the same final status; and a local
proxy on 127.0.0.1 answering with bare LFs opens a websocket with a one-hour timeout, the
proxy seeing the client use the tunnel after its answer (event order, no duration).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import anyio
import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.grvt.ticker_snapshot import MAX_FRAME
from adapters.streams.connection import ConnectionClosed, open_connection
from adapters.streams.proxy_tunnel import answer_end, check_answer
from tests.adapters.forward_proxy import echo_through_proxy, forward_proxy
from tests.streams.local_ws import LocalWs, local_ws

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _h11_reads(data: bytes) -> tuple[int, int] | None:
    """``(final status, bytes read when h11 had it)`` as httpcore reads the answer to a
    ``CONNECT``, fed one byte at a time; ``None``: h11 wants more, or refuses it."""
    client = h11.Connection(our_role=h11.CLIENT)
    client.send(h11.Request(method="CONNECT", target="v:443", headers=[("Host", "v:443")]))
    client.send(h11.EndOfMessage())
    try:
        for fed in range(1, len(data) + 1):
            client.receive_data(data[fed - 1 : fed])
            while (event := client.next_event()) is not h11.NEED_DATA:
                if isinstance(event, h11.InformationalResponse) and event.status_code != 101:
                    continue  # httpcore reads past it
                assert isinstance(event, h11.Response | h11.InformationalResponse), event
                return event.status_code, fed
    except h11.ProtocolError:
        return None
    return None


LINE_END = st.sampled_from([b"\r\n", b"\n"])
TOKEN = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1)
VALUE = st.text("abcdefghijklmnopqrstuvwxyz 0123456789/;=.", max_size=12).map(str.strip)
REASON = st.one_of(st.none(), st.text("abcdefghijklmnopqrstuvwxyz ABCDEFG", max_size=20))


@st.composite
def heads(draw: st.DrawFn, status: st.SearchStrategy[int]) -> bytes:
    """One answer head as a proxy may spell it: every line end CRLF or a bare LF (its
    headers named ``X-...``: no framing header, whose values h11 checks)."""
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0"]))
    reason = draw(REASON)
    line = f"{version} {draw(status)}" + ("" if reason is None else f" {reason}")
    lines = [line.encode(), *(f"X-{n}: {v}".encode() for n, v in draw(st.lists(
        st.tuples(TOKEN, VALUE), max_size=3)))]  # fmt: skip
    return b"".join(text + draw(LINE_END) for text in lines) + draw(LINE_END)


ANSWERS = st.builds(
    lambda interim, final, extra: b"".join(interim) + final + extra,
    st.lists(heads(st.sampled_from([100, 102, 103])), max_size=2),
    heads(st.sampled_from([200, 201, 204, 299, 301, 403, 407, 500, 502, 503])),
    st.one_of(st.just(b""), st.binary(min_size=1, max_size=4)),
)


@settings(max_examples=500, deadline=None)
@given(data=ANSWERS)
def test_the_answer_is_taken_where_and_as_h11_takes_it(data: bytes) -> None:
    read = _h11_reads(data)
    assert read is not None, data  # (every generated answer is one h11 reads)
    status, needed = read
    assert answer_end(data[: needed - 1]) is None  # not before h11 has it...
    found = answer_end(data[:needed])  # ...and at once when it has
    assert found is not None and found[1] == needed, (data, found, needed)
    assert found[0].split(" ")[1] == str(status)
    if 200 <= status < 300 and needed == len(data):
        check_answer(data, "http://p:1", "v:443")  # the tunnel opens
    else:  # refused: the proxy's status, or bytes after its answer
        with pytest.raises(ConnectionClosed) as refused:
            check_answer(data, "http://p:1", "v:443")
        message = str(refused.value)
        if not 200 <= status < 300:
            assert f"refused CONNECT v:443: {status}" in message, message
        else:
            assert f"{len(data) - needed} bytes after its answer" in message, message


@pytest.mark.parametrize(
    "data",
    [b"\x16\x03\x03\x00\x02", b" HTTP/1.1 200 OK", b"\x00", b"\rHTTP/1.1 200 OK\r\n"],
)
def test_what_cannot_begin_an_answer_is_refused_before_any_blank_line(data: bytes) -> None:
    """A TLS record (an ``https://`` proxy named ``http://``), a leading space or control
    byte: h11 refuses it at once (``is_next_line_obviously_invalid_request_line``), and
    so does the tunnel, rather than waiting for a blank line that never comes."""
    assert _h11_reads(data) is None
    assert answer_end(data[:1]) is not None
    with pytest.raises(ConnectionClosed, match="not an HTTP answer to CONNECT v:443"):
        check_answer(data, "http://p:1", "v:443")


def _h11_verdict(data: bytes) -> tuple[str, int, int]:
    """h11's verdict on ``data`` fed one byte at a time: ``("status", code, bytes fed)``,
    ``("refused", 0, bytes fed)`` (a ``ProtocolError``), or ``("more", 0, len(data))``."""
    client = h11.Connection(our_role=h11.CLIENT)
    client.send(h11.Request(method="CONNECT", target="v:443", headers=[("Host", "v:443")]))
    client.send(h11.EndOfMessage())
    fed = 0
    try:
        for fed in range(1, len(data) + 1):
            client.receive_data(data[fed - 1 : fed])
            while (event := client.next_event()) is not h11.NEED_DATA:
                if isinstance(event, h11.InformationalResponse) and event.status_code != 101:
                    continue
                assert isinstance(event, h11.Response | h11.InformationalResponse), event
                return "status", event.status_code, fed
    except h11.ProtocolError:
        return "refused", 0, fed
    return "more", 0, len(data)


def _ours(data: bytes) -> tuple[str, int, int]:
    """The tunnel's verdict on ``data`` fed one byte at a time, in h11's terms: a ``101``
    is refused (h11 raises on a ``101`` no upgrade asked for; the tunnel refuses it as a
    status that is not 2xx, at the same byte)."""
    for fed in range(1, len(data) + 1):
        found = answer_end(data[:fed])
        if found is not None:
            status = 0 if found.fault else int(found.status_line.split(" ")[1])
            if found.fault or status == 101:
                return "refused", 0, fed
            return "status", status, fed
    return "more", 0, len(data)


ODD = st.sampled_from(
    [b"\xb2", b"\xb9", b"\x00", b"\r", b"\t", b" ", b"x", b":", b"\x0b", b"\x0c", b"\x1f",
     b"\x7f", b"\xff", b"1", b".", b"/", b"HTTP/1.1 200 OK\r\n"]
)  # fmt: skip


@st.composite
def awkward_answers(draw: st.DrawFn) -> bytes:
    """A well-formed answer with a few bytes replaced or inserted anywhere before its
    last blank line: Latin-1 digits, NUL, bare CR, stray white space, a status line
    where a header belongs."""
    data = bytearray(draw(ANSWERS))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(0, len(data) - 2)))
        odd = draw(ODD)
        if draw(st.booleans()):
            data[at : at + 1] = odd
        else:
            data[at:at] = odd
    return bytes(data)


def _assert_as_h11(data: bytes) -> None:
    verdict = _h11_verdict(data)
    if verdict == ("refused", 0, 0):  # (nothing fed: cannot happen with data)
        raise AssertionError(data)
    assert _ours(data) == verdict, (data, _ours(data), verdict)
    kind, status, fed = verdict
    if kind == "refused":
        with pytest.raises(ConnectionClosed, match=r"not an HTTP answer|malformed answer|: 101"):
            check_answer(data[:fed], "http://p:1", "v:443")
    elif kind == "status" and 200 <= status < 300 and fed == len(data):
        check_answer(data, "http://p:1", "v:443")
    elif kind == "status":
        with pytest.raises(ConnectionClosed):
            check_answer(data, "http://p:1", "v:443")


FRAMING = st.tuples(
    st.sampled_from([b"Content-Length", b"content-length", b"Transfer-Encoding"]),
    st.sampled_from([b"0", b"5", b"5, 5", b"5,6", b"x", b"-1", b"1" * 21, b"chunked", b"Chunked",
                     b"gzip", b"chunked, gzip", b""]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(fields=st.lists(FRAMING, min_size=1, max_size=3), status=st.sampled_from([100, 200, 407]))
def test_framing_headers_are_judged_as_h11_judges_them(
    fields: list[tuple[bytes, bytes]], status: int
) -> None:
    head = b"HTTP/1.1 %d X\r\n" % status + b"".join(n + b": " + v + b"\r\n" for n, v in fields)
    _assert_as_h11(head + b"\r\n" + (b"HTTP/1.1 200 OK\r\n\r\n" if status == 100 else b""))


@settings(max_examples=1000, deadline=None)
@given(data=awkward_answers())
def test_what_h11_refuses_is_refused_at_the_same_byte(data: bytes) -> None:
    """h11 decides accept or refuse (its status-line and header-line grammar, ``_abnf.py``
    and ``_readers.py``), over answers with odd bytes in them: the tunnel's verdict is
    h11's, at the same byte; nothing h11 refuses opens the tunnel."""
    _assert_as_h11(data)


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 2\xb2\xb2 OK\r\n\r\n",  # Latin-1 superscripts pass str.isdigit()
        b"HTTP/1.1 1\xb9\xb9 X\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
        b"HTTP/1.x 200 OK\r\n\r\n",
        b"HTTP/1.12 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\x00\r\n\r\n",
        b"HTTP/1.1 200 OK\rX: y\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nnot a header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n \r\n\r\n",  # continuation line at start of headers
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX : a\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\nHTTP/1.1 200 OK\r\n\r\n",  # no longer waits
        b"\r\n",
        b"\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",  # framing headers, as h11
        b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: " + b"1" * 21 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 101 Switching\r\n\r\n",  # h11: no upgrade was asked for
        b"HTTP/1.1 100 C\r\n\r\nHTTP/1.1 101 S\n\n",
    ],
)
def test_a_malformed_answer_is_refused_where_h11_refuses_it(data: bytes) -> None:
    assert _h11_verdict(data)[0] == "refused"
    _assert_as_h11(data)
    with pytest.raises(ConnectionClosed):
        check_answer(data, "http://p:1", "v:443")


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200\r\n\r\n",  # no reason (h11 allows it)
        b"HTTP/2.0 200 OK\r\n\r\n",  # any digit.digit version (h11's rule)
        b"HTTP/1.1 200 \xe9t\xe9 \x1b\t ok\r\n\r\n",  # obs-text, tab, ESC in the reason
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n",  # obsolete line folding
        b"HTTP/1.1 200 OK\r\nX-A:\r\n\r\n",  # empty value
        b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n",
    ],
)
def test_what_h11_accepts_opens_the_tunnel(data: bytes) -> None:
    assert _h11_verdict(data) == ("status", 200, len(data))
    _assert_as_h11(data)
    check_answer(data, "http://p:1", "v:443")


# -- a local proxy answering with bare LFs -----------------------------------------------

WATCHDOG = 300.0
"""Only ends the test if the tunnel never opens (the code before this fix waited for the
websocket's timeout, here an hour); nothing is asserted about how long it took."""


@pytest.fixture
def venue(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalWs]:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES:
            monkeypatch.delenv(name)
    with local_ws(lambda request: [{"echo": request}]) as server:
        yield server


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\n\n",
        b"HTTP/1.1 200 Connection established\nProxy-Agent: test\n\n",
        b"HTTP/1.0 200 OK\r\n\n",
        b"HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\n\n",
    ],
)
def test_a_proxy_answering_with_bare_lf_opens_the_tunnel_at_once(
    venue: LocalWs, monkeypatch: pytest.MonkeyPatch, answer: bytes
) -> None:
    with forward_proxy(established=answer) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)

        reply = echo_through_proxy(venue.url, limit=3600.0, watchdog=WATCHDOG)
    port = venue.url.rsplit(":", 1)[1].strip("/")
    assert proxy.relayed == [("CONNECT", f"127.0.0.1:{port}")]
    assert proxy.events == ["answered", "used"]  # the client spoke after the answer
    assert reply == b'{"echo": {"ping": 1}}'
    assert venue.received == [{"ping": 1}]


def test_a_refusal_with_bare_lf_is_reported_at_once(
    venue: LocalWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = b"HTTP/1.1 407 Proxy Authentication Required\nProxy-Authenticate: Basic\n\n"
    with forward_proxy(established=answer) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)

        async def attempt() -> None:
            with anyio.fail_after(WATCHDOG):
                await open_connection(venue.url, limit=3600.0, max_frame=MAX_FRAME)

        with pytest.raises(ConnectionClosed) as refused:
            anyio.run(attempt)
    port = venue.url.rsplit(":", 1)[1].strip("/")
    assert str(refused.value) == (
        f"proxy {proxy.url} refused CONNECT 127.0.0.1:{port}: 407 Proxy Authentication Required"
    )
    assert proxy.events == ["answered"]  # the tunnel was never used
    assert venue.received == []
