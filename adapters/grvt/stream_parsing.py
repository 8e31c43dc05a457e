"""GRVT ``v1.ticker.s`` frames -> :class:`~adapters.streams.types.Decoded` (pure).

Wire format (GRVT api-spec ``artifacts/apidocs/market_data_streams.md`` "Ticker Snap" and
``schemas/ws_ticker_feed_data_v1.md``, MIT; fact sheet section 9):

- subscribe (JSON-RPC) ``{"jsonrpc":"2.0","method":"subscribe","params":{"stream":
  "v1.ticker.s","selectors":["BTC_USDT_Perp@500",...]},"id":1}``, answered by
  ``{"jsonrpc":"2.0","result":{"stream":..,"subs":[..],"unsubs":[],..},"id":1}``;
- feed ``{"stream":"v1.ticker.s","selector":"BTC_USDT_Perp","sequence_number":"..",
  "prev_sequence_number":"..","feed":{ticker}}``: the ticker is the REST ticker's shape
  (``funding_rate`` in percent per the instrument's interval, ``event_time`` and
  ``next_funding_time`` in ns), read with the same unit rule
  (:func:`adapters.grvt.parsers.funding_rate_fraction`);
- errors ``{"jsonrpc":"2.0","error":{"code":..,"message":..},"id":..}`` or the legacy
  ``{"code":..,"message":..,"status":..}``.

Sequence numbers "increment by one locally within each stream" (schema): each frame's
``prev_sequence_number`` is checked against the last number seen for its selector; a jump
is reported as a gap (the next snapshot heals the value itself).
"""

from __future__ import annotations

from datetime import datetime

from adapters._parse import (
    ParseError,
    field,
    integer,
    obj,
    opt_dec,
    str_field,
    ts_nanos,
)
from adapters.grvt.parsers import funding_rate_fraction
from adapters.streams.types import Decoded, RateUpdate, SequenceMark

TICKER_STREAM = "v1.ticker.s"


def decode_ticker_frame(message: object, received_at: datetime) -> Decoded:
    try:
        body = obj(message)
        if "error" in body:
            return Decoded(error=str(body["error"])[:200])
        if "code" in body and "message" in body and "feed" not in body:
            return Decoded(error=f"{body.get('code')}: {body.get('message')}"[:200])
        if "result" in body:
            return Decoded(subscribed=True)
        if body.get("stream") != TICKER_STREAM or "feed" not in body:
            return Decoded()
        selector = str_field(body, "selector", "$")
        feed = obj(field(body, "feed", "$"), "$.feed")
        raw_rate = opt_dec(feed, "funding_rate", "$.feed")
        if raw_rate is None:
            raw_rate = opt_dec(feed, "funding_rate_8h_curr", "$.feed")
        if raw_rate is None:
            raise ParseError("$.feed.funding_rate: missing")
        event = feed.get("event_time")
        next_time = feed.get("next_funding_time")
        mark = opt_dec(feed, "mark_price", "$.feed")
        index = opt_dec(feed, "index_price", "$.feed")
        update = RateUpdate(
            venue_symbol=str(feed.get("instrument") or selector),
            rate=funding_rate_fraction(raw_rate),
            observed_at=ts_nanos(event, "$.feed.event_time") if event else received_at,
            next_funding_time=(
                ts_nanos(next_time, "$.feed.next_funding_time") if next_time else None
            ),
            mark_price=mark if mark is not None and mark > 0 else None,
            index_price=index if index is not None and index > 0 else None,
        )
        sequences: tuple[SequenceMark, ...] = ()
        if "sequence_number" in body:
            previous = body.get("prev_sequence_number")
            sequences = (
                SequenceMark(
                    channel=f"{TICKER_STREAM}:{selector}",
                    number=integer(body["sequence_number"], "$.sequence_number"),
                    previous=(
                        integer(previous, "$.prev_sequence_number")
                        if previous not in (None, "")
                        else None
                    ),
                ),
            )
        return Decoded(updates=(update,), sequences=sequences)
    except ParseError as error:
        return Decoded(garbage=str(error)[:200])
