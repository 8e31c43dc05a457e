"""Rebuild the bundled snapshot (``data/``) from ``shared/research-data``.

Developer tool, not used at run time (it needs ``pyarrow`` to read the parquet source)::

    python -m adapters.snapshot.build ../shared/research-data

Every value is copied from a REAL recorded source (see ``PROVENANCE.md``); only the wire
wrapping around the values is derived. Fields no source recorded (Binance ``indexPrice``,
``interestRate``, fundingInfo caps; Hyperliquid ``markPx``/``oraclePx``...) are left out,
never invented; the parsers treat them as optional. The instant: GRVT's recorded BTC ticker
(``event_time`` 2025-12-03T15:12:10.025Z, ``next_funding_time`` 16:00Z). Binance and
Hyperliquid show the rates that settled at that 16:00Z settlement (funding_rate_data), i.e.
what was accruing at the snapshot instant. Lighter's row is the one ccxt recorded in
November 2025 (the only real Lighter ``/funding-rates`` row with a licence we may copy;
the same-day Lighter history in the research data has no licence): it is served with its
own recording time, so the scan shows its true age.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.snapshot.replay import Exchange, Snapshot, VenueRecording

AS_OF = datetime(2025, 12, 3, 15, 12, 10, 25055, tzinfo=timezone.utc)
"""GRVT's recorded ticker ``event_time`` (1764774730025055205 ns), to the microsecond."""
SETTLEMENT = datetime(2025, 12, 3, 16, 0, tzinfo=timezone.utc)
DATA_DIR = Path(__file__).resolve().parent / "data"
HL_META_CASSETTE = "hyperliquid-python-sdk/tests/cassettes/info_test/test_get_info.yaml"
GRVT_DOCS_BTC_HASH = "0x030501"
"""BTC_USDT_Perp's hash in grvt-api-spec ``market_data_api.md`` (MIT; DOCS example); same
layout as the real AAVE row's ``0x032201`` (kind 03 = perpetual, base id, quote 01 = USDT)."""
FRD = "funding_rate_data/data/funding/venue={venue}/data.parquet"
GRVT_BTC_INSTRUMENT: dict[str, Any] = {
    "instrument": "BTC_USDT_Perp",
    "instrument_hash": "0x030501",
    "base": "BTC",
    "quote": "USDT",
    "kind": "PERPETUAL",
    "venues": ["ORDERBOOK", "RFQ"],
    "settlement_period": "PERPETUAL",
    "base_decimals": 9,
    "quote_decimals": 6,
    "tick_size": "0.1",
    "min_size": "0.001",
    "create_time": "1768040726362828205",
    "max_position_size": "1000.0",
    "funding_interval_hours": 8,
    "adjusted_funding_rate_cap": "0.3",
    "adjusted_funding_rate_floor": "-0.3",
    "min_notional": "100.0",
}
"""GRVT's REAL BTC_USDT_Perp instrument row, verbatim from the response pasted in ccxt's
``ts/src/grvt.ts`` ``parseMarket`` comment (ccxt/ccxt, MIT; the same source as the ticker
this snapshot replays): BTC's own limits (tick 0.1, min size 0.001, min notional 100, cap
+-0.3 % per 8 h), not AAVE's."""
LIGHTER_RECORDED_AT = datetime.fromtimestamp(1763005601, tz=timezone.utc)
"""2025-11-13T03:46:41Z: the ``timestamp`` of the root status response in the same ccxt
Lighter fixture. ``/funding-rates`` carries no time; this is the best recorded bound of when
ccxt captured it, so the offline scan shows the Lighter row about 20 days old."""


def _plain(value: float) -> str:
    """A recorded double as the exact decimal text of its shortest repr."""
    return format(Decimal(repr(value)), "f")


def _fixed8(value: float) -> str:
    """Binance renders rates and prices with 8 decimals; refuse any rounding."""
    exact = Decimal(repr(value))
    fixed = exact.quantize(Decimal("1e-8"))
    if fixed != exact:
        raise ValueError(f"{value!r} does not fit Binance's 8 decimals")
    return format(fixed, "f")


def _settled_rows(research: Path, venue: str) -> list[dict[str, Any]]:
    import pyarrow as pa  # dev-only dependency of this tool
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(research / FRD.format(venue=venue))
    lo = pa.scalar(SETTLEMENT - timedelta(minutes=1), table.schema.field("settlement_ts").type)
    hi = pa.scalar(SETTLEMENT + timedelta(minutes=1), table.schema.field("settlement_ts").type)
    when = table["settlement_ts"]
    rows = table.filter(pc.and_(pc.greater_equal(when, lo), pc.less_equal(when, hi))).to_pylist()
    return [
        r
        for r in rows
        if abs((r["settlement_ts"] - SETTLEMENT).total_seconds()) < 60 and r["rate_raw"] is not None
    ]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def binance(research: Path) -> VenueRecording:
    rows = sorted(
        (r for r in _settled_rows(research, "binance") if r["venue_symbol"].endswith("USDT")),
        key=lambda r: r["venue_symbol"],
    )
    premium = [
        {
            "symbol": r["venue_symbol"],
            "markPrice": _fixed8(r["mark_price"]),
            "lastFundingRate": _fixed8(r["rate_raw"]),
            "nextFundingTime": _ms(SETTLEMENT),
            "time": _ms(AS_OF),
        }
        for r in rows
    ]
    funding_info = [
        {
            "symbol": r["venue_symbol"],
            "fundingIntervalHours": int(r["interval_hours"]),
        }
        for r in rows
        if int(r["interval_hours"]) != 8
    ]
    return VenueRecording(
        venue="binance",
        kind="binance",
        base_url="https://fapi.binance.com",
        exchanges=(
            Exchange("GET", "/fapi/v1/premiumIndex", 200, premium),
            Exchange("GET", "/fapi/v1/fundingInfo", 200, funding_info),
        ),
    )


def _hl_meta(research: Path) -> dict[str, Any]:
    text = (research / HL_META_CASSETTE).read_text()
    start = text.index("string: '") + len("string: '")
    end = text.index("'\n", start)
    return dict(json.loads(text[start:end].replace("''", "'")))


def hyperliquid(research: Path) -> VenueRecording:
    meta = _hl_meta(research)
    rates = {r["venue_symbol"]: r for r in _settled_rows(research, "hyperliquid")}
    universe = [u for u in meta["universe"] if u["name"] in rates]
    ctxs = [{"funding": _plain(rates[u["name"]]["rate_raw"])} for u in universe]
    body = [{"universe": universe}, ctxs]
    return VenueRecording(
        venue="hyperliquid",
        kind="hyperliquid",
        base_url="https://api.hyperliquid.xyz",
        exchanges=(
            Exchange("POST", "/info", 200, body, json={"type": "metaAndAssetCtxs"}),
            Exchange("POST", "/info", 200, {"universe": universe}, json={"type": "meta"}),
        ),
    )


def grvt(research: Path) -> VenueRecording:
    fixtures = json.loads((research / "ccxt-static/grvt/grvt_http_responses.json").read_text())
    ticker = fixtures["fetchTicker_from_ccxt_source_comment"][0]["httpResponse"]
    history = fixtures["fetchFundingRateHistory"][0]["httpResponse"]["result"][0]
    btc = dict(GRVT_BTC_INSTRUMENT)
    # cross-checks against the recorded fixture: same instrument, same interval
    assert btc["instrument"] == ticker["result"]["instrument"] == history["instrument"]
    assert btc["funding_interval_hours"] == history["funding_interval_hours"]
    assert btc["instrument_hash"] == GRVT_DOCS_BTC_HASH
    instruments = {"result": [btc]}
    return VenueRecording(
        venue="grvt",
        kind="grvt",
        base_url="https://market-data.grvt.io",
        exchanges=(
            Exchange("POST", "/full/v1/all_instruments", 200, instruments),
            Exchange("POST", "/full/v1/instruments", 200, instruments),
            Exchange("POST", "/full/v1/ticker", 200, ticker, json={"instrument": "BTC_USDT_Perp"}),
        ),
    )


def lighter(research: Path) -> VenueRecording:
    fixtures = json.loads(
        (research / "ccxt-static/lighter/lighter_http_responses.json").read_text()
    )
    details = fixtures["fetchMarkets"][0]["httpResponse"]
    rates = fixtures["fetchFundingRates"][0]["httpResponse"]
    status = fixtures["fetchStatus"][0]["httpResponse"]
    assert datetime.fromtimestamp(status["timestamp"], tz=timezone.utc) == LIGHTER_RECORDED_AT
    return VenueRecording(
        venue="lighter",
        kind="lighter",
        base_url="https://mainnet.zklighter.elliot.ai",
        recorded_at=LIGHTER_RECORDED_AT,
        exchanges=(
            Exchange("GET", "/api/v1/orderBookDetails", 200, details),
            Exchange("GET", "/api/v1/funding-rates", 200, rates),
        ),
    )


def build(research: Path) -> Snapshot:
    return Snapshot(
        as_of=AS_OF,
        venues=(binance(research), hyperliquid(research), grvt(research), lighter(research)),
        description=(
            "Real recorded funding state around 2025-12-03T15:12:10Z (Lighter: Nov 2025); "
            "see PROVENANCE.md"
        ),
    )


def main(argv: list[str]) -> int:
    research = Path(argv[1] if len(argv) > 1 else "../shared/research-data")
    build(research).write(DATA_DIR)
    print(f"wrote {DATA_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
