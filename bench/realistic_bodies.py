"""The bundled snapshot's RECORDED answers scaled up to realistic symbol counts (issue 20).

The snapshot holds Binance 21 rates, Hyperliquid 14, GRVT 1 and Lighter 1; real venues list
about 500, 200, 80 and 120 perpetuals. Each recorded body keeps its recorded rows, in the
venue's wire shape, and gets SYNTHESISED rows appended: a copy of the venue's first recorded
row with the symbol renamed ``S001``, ``S002``... (the same bases on every venue, so the scan
finds cross-venue pairs at real sizes) and the rate / mark moved a little. GRVT also gets one
recorded-shape ``full/v1/ticker`` answer per instrument (REST fan-out path) and
:func:`grvt_ticker_feeds`, its ``v1.ticker.s`` snapshot feeds (websocket path: the REST
ticker's body under ``feed``, GRVT api-spec ``market_data_streams.md``).

Bybit (~500) and OKX (~250) are not recorded anywhere: :mod:`bench.documented_bodies`
serves them in their documented shapes for the six-venue variant.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import attrs

from adapters.snapshot import Exchange, Snapshot, VenueRecording

REALISTIC_COUNTS: Mapping[str, int] = {
    "binance": 500,
    "hyperliquid": 200,
    "grvt": 80,
    "lighter": 120,
}


def _base(index: int) -> str:
    return f"S{index:03d}"


def _rate(index: int, scale: float) -> float:
    return (index % 9 - 4) * scale


def _binance(exchange: Exchange, count: int) -> Exchange:
    if not exchange.path.endswith("/premiumIndex"):
        return exchange  # fundingInfo lists only non-default intervals: keep as recorded
    rows = list(exchange.body)
    template = rows[0]
    for index in range(1, count - len(rows) + 1):
        row = dict(template)
        row["symbol"] = f"{_base(index)}USDT"
        row["lastFundingRate"] = f"{_rate(index, 0.00001):.8f}"
        row["markPrice"] = f"{1 + index % 97 / 10:.8f}"
        rows.append(row)
    return _with_body(exchange, rows)


def _hyperliquid(exchange: Exchange, count: int) -> Exchange:
    body = copy.deepcopy(exchange.body)
    meta = body[0] if isinstance(body, list) else body
    universe = meta["universe"]
    contexts = body[1] if isinstance(body, list) else None
    for index in range(1, count - len(universe) + 1):
        asset = dict(universe[0])
        asset["name"] = _base(index)
        universe.append(asset)
        if contexts is not None:
            context = dict(contexts[0])
            context["funding"] = f"{_rate(index, 0.000002):.10f}"
            contexts.append(context)
    return _with_body(exchange, body)


def grvt_name(index: int) -> str:
    return f"{_base(index)}_USDT_Perp"


def _grvt(exchange: Exchange, count: int) -> tuple[Exchange, ...]:
    if exchange.path.endswith("/ticker"):
        ticker = exchange.body["result"]
        answers = [exchange]
        for index in range(1, count):
            answers.append(_grvt_ticker(exchange, ticker, index))
        return tuple(answers)
    body = copy.deepcopy(exchange.body)
    rows = body["result"]
    for index in range(1, count - len(rows) + 1):
        row = dict(rows[0])
        row.update(instrument=grvt_name(index), base=_base(index), instrument_hash=f"0x{index:06x}")
        rows.append(row)
    return (_with_body(exchange, body),)


def _grvt_ticker(exchange: Exchange, ticker: Mapping[str, Any], index: int) -> Exchange:
    row = dict(ticker)
    rate = f"{_rate(index, 0.001):.4f}"
    row.update(instrument=grvt_name(index), funding_rate=rate, funding_rate_8h_curr=rate)
    return Exchange(
        exchange.method,
        exchange.path,
        exchange.status,
        {"result": row},
        exchange.query,
        {"instrument": grvt_name(index)},
    )


def grvt_ticker_feeds(exchanges: tuple[Exchange, ...]) -> dict[str, dict[str, Any]]:
    """Instrument name -> its ``v1.ticker.s`` feed frame (a snapshot: sequence 0)."""
    feeds: dict[str, dict[str, Any]] = {}
    for exchange in exchanges:
        if exchange.path.endswith("/ticker") and exchange.json:
            name = str(exchange.json["instrument"])
            feeds[name] = {
                "stream": "v1.ticker.s",
                "selector": name,
                "sequence_number": "0",
                "prev_sequence_number": "0",
                "feed": exchange.body["result"],
            }
    return feeds


def _lighter(exchange: Exchange, count: int) -> Exchange:
    body = copy.deepcopy(exchange.body)
    key = "order_book_details" if "order_book_details" in body else "funding_rates"
    rows = body[key]
    used = {int(r["market_id"]) for r in rows}
    for index in range(1, count - len(rows) + 1):
        row = dict(rows[0])
        row["symbol"] = _base(index)
        row["market_id"] = max(used) + index
        if key == "funding_rates":
            row["rate"] = _rate(index, 0.00001)
        rows.append(row)
    return _with_body(exchange, body)


def _with_body(exchange: Exchange, body: Any) -> Exchange:
    return Exchange(
        exchange.method, exchange.path, exchange.status, body, exchange.query, exchange.json
    )


def realistic_snapshot(
    snapshot: Snapshot, counts: Mapping[str, int] = REALISTIC_COUNTS
) -> Snapshot:
    """``snapshot`` with every venue's exchanges scaled to ``counts`` (module docstring)."""
    scaled: list[VenueRecording] = []
    for recording in snapshot.venues:
        count = counts.get(recording.venue, 0)
        out: list[Exchange] = []
        for exchange in recording.exchanges:
            if recording.venue == "binance":
                out.append(_binance(exchange, count))
            elif recording.venue == "hyperliquid":
                out.append(_hyperliquid(exchange, count))
            elif recording.venue == "grvt":
                out.extend(_grvt(exchange, count))
            elif recording.venue == "lighter":
                out.append(_lighter(exchange, count))
            else:
                out.append(exchange)
        scaled.append(attrs.evolve(recording, exchanges=tuple(out)))
    return attrs.evolve(snapshot, venues=tuple(scaled))


__all__ = ["REALISTIC_COUNTS", "grvt_name", "grvt_ticker_feeds", "realistic_snapshot"]
