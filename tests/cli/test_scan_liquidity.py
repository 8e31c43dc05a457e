"""``scan`` liquidity: open interest and 24 h volume (quote currency) from the venues that
publish them, ``--min-oi`` / ``--min-volume`` and the ``[strategy]`` floors, and the legs'
mark-price gap.

Hand-computed from the bundled snapshot's recorded responses:

- GRVT ticker BTC_USDT_Perp: ``open_interest`` 1523.218935908 BTC x ``mark_price``
  92697.300078773 = 141,198,282.79 USDT; volume ``buy_volume_24h_q`` 266,955,739.1606 +
  ``sell_volume_24h_q`` 268,170,211.7109 = 535,125,950.8715 USDT.
- Lighter ``orderBookDetails`` ETH: ``open_interest`` 39559.3278 ETH x ``last_trade_price``
  3550.69 = 140,462,909.626182; ``daily_quote_token_volume`` 1,671,431,095.263844.
- Binance ``premiumIndex`` and the snapshot's Hyperliquid ctxs carry no liquidity figure:
  unknown, so no floor removes them.
- BTC long binance / short grvt mark gap: (92333.85671014 - 92697.300078773) / mean =
  -0.003928455888 (negative: the long leg is cheaper than the short leg sells for).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from scripts.cli import cli


def _scan(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["scan", "--offline", "--all-pairs", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _pairs(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(o["symbol"], o["long_venue"], o["short_venue"]) for o in data["opportunities"]}


def test_legs_carry_published_liquidity_in_quote_currency(runner: CliRunner) -> None:
    data = _scan(runner, "--symbols", "BTC,ETH")
    row = next(
        o
        for o in data["opportunities"]
        if (o["symbol"], o["long_venue"], o["short_venue"]) == ("BTC", "binance", "grvt")
    )
    grvt = row["short"]
    oi = Decimal("1523.218935908") * Decimal("92697.300078773")
    assert Decimal(grvt["open_interest"]) == oi.quantize(Decimal("1e-12"))  # JSON: 12 places
    assert Decimal(grvt["volume_24h"]) == Decimal("535125950.8715")
    assert row["long"]["open_interest"] is None  # Binance premiumIndex: not published
    assert row["mark_gap"] == "-0.003928455888"
    lighter = next(o["short"] for o in data["opportunities"] if o["short_venue"] == "lighter")
    assert Decimal(lighter["open_interest"]) == Decimal("140462909.626182")
    assert Decimal(lighter["volume_24h"]) == Decimal("1671431095.263844")


def test_min_oi_leaves_out_thin_markets_and_says_why(runner: CliRunner) -> None:
    everything = _pairs(_scan(runner, "--symbols", "BTC,ETH"))
    data = _scan(runner, "--symbols", "BTC,ETH", "--min-oi", "141M")
    kept = _pairs(data)
    # Lighter ETH (140.46M) is below 141M, GRVT BTC (141.198M) is not
    assert all("lighter" not in pair for pair in kept)
    assert ("BTC", "binance", "grvt") in kept
    assert {p for p in everything if "lighter" not in p} == kept
    assert data["left_out"] == [
        "lighter ETH: open interest 140,462,910 below the floor 141,000,000"
    ]


def test_min_volume_and_the_strategy_floor(runner: CliRunner, isolated: Path) -> None:
    data = _scan(runner, "--symbols", "BTC", "--min-volume", "600M")
    assert all("grvt" not in pair for pair in _pairs(data))  # 535M of volume
    (isolated / "atomic-fp.toml").write_text('[strategy]\nmin_volume_24h = "600000000"\n')
    from_config = _scan(runner, "--symbols", "BTC")
    assert _pairs(from_config) == _pairs(data)
    assert from_config["left_out"] == data["left_out"]


def test_a_bad_amount_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["scan", "--offline", "--min-oi", "lots"])
    assert result.exit_code == 2
    assert "--min-oi" in result.stderr and "not an amount" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_strategy_floor_names_the_key(runner: CliRunner, isolated: Path) -> None:
    (isolated / "atomic-fp.toml").write_text('[strategy]\nmin_open_interest = "-5"\n')
    result = runner.invoke(cli, ["scan", "--offline"])
    assert result.exit_code == 2
    assert "strategy.min_open_interest" in result.stderr
