"""``atomic-fp run`` with a venue that streams: a Binance venue (the adapter tests' fake
Binance on 127.0.0.1, its ``!markPrice@arr`` pushed by a local websocket server) beside a
REST-only paper venue. The cycle decides on the pushed rate without a REST rates call
(``/fapi/v1/premiumIndex`` is never asked), says where each rate came from, and with
``--no-streams`` asks REST as before. (Fallback and staleness: tests/streams/.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.binance.fake_venue import FakeBinance, serve
from tests.cli.test_trading_commands import _config
from tests.streams.local_ws import Frame, LocalWs
from tests.streams.venues import binance_mark_price, binance_server, now_ms_value

KEY, SECRET = "stream-test-key", "stream-test-secret"


@pytest.fixture
def binance(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeBinance, LocalWs]]:
    fake = FakeBinance(KEY, SECRET)
    monkeypatch.setenv("T_BIN_KEY", KEY)
    monkeypatch.setenv("T_BIN_SECRET", SECRET)

    def on_connect() -> list[Frame]:
        # one !markPrice@arr frame (an array), stamped when the stream connects
        return [[binance_mark_price("BTCUSDT", "-0.0002", now_ms_value(), mark="65000")]]

    with serve(fake) as url, binance_server(on_connect) as ws:
        extra = (
            f'[venues.binance]\nbase_url = "{url}"\nws_url = "{ws.url}"\ntimeout = 5\n'
            'api_key_env = "T_BIN_KEY"\napi_secret_env = "T_BIN_SECRET"\n'
        )
        _config(isolated, extra=extra)
        yield fake, ws


def _run(runner: CliRunner, *more: str) -> list[dict[str, object]]:
    result = runner.invoke(
        cli,
        ["run", "--yes", "--max-cycles", "1", "--json-lines", "--venues", "binance,paper-b", *more],
    )
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_run_decides_on_the_pushed_rate_without_a_rest_rates_call(
    runner: CliRunner, binance: tuple[FakeBinance, LocalWs]
) -> None:
    fake, ws = binance
    (cycle,) = _run(runner)
    sources = cycle["rate_sources"]
    assert isinstance(sources, dict)
    assert str(sources["binance"]).startswith("stream (age ")
    assert sources["paper-b"] == "REST"  # no stream for this kind
    assert "/fapi/v1/premiumIndex" not in fake.paths()  # the rate was pushed
    assert ws.handshakes == 1 and ws.request_paths == ["/market/ws/!markPrice@arr"]
    # the decision saw the pushed -0.02 %/8 h (-21.90 % a year), not the fake's REST
    # 0.012 %/8 h (13.14 %); the pair itself is refused for its entry gap (the fake
    # Binance's book is at 65,000, paper-b's at 50,000)
    (funding,) = [why for why in cycle["no_trade"] if str(why).startswith("funding:")]  # type: ignore[attr-defined]
    assert "long binance at -21.90% APR" in str(funding)


def test_no_streams_asks_rest_for_every_rate(
    runner: CliRunner, binance: tuple[FakeBinance, LocalWs]
) -> None:
    fake, ws = binance
    (cycle,) = _run(runner, "--no-streams")
    assert cycle["rate_sources"] == {}
    assert "/fapi/v1/premiumIndex" in fake.paths()
    assert ws.handshakes == 0
