"""``mypy --strict`` passes on a user's file written in the seed design's style (issue 14,
"what it must show" 3): string venue keys, float quantities, string sides and contract
types, the seed's method names, the cycle's result used as the list of orders.

mypy runs as a user's would: ``--strict`` on their own file in their own directory, with
atomic-fp found as an installed, typed package (``MYPYPATH`` points at the checkout, and
``--follow-imports=silent`` keeps the library's own modules out of the user's report, as
for any installed package). A file with seed-style *mistakes* must fail, so this test can.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

USER_FILE = '''
"""A bot in the seed's style."""
import asyncio
from decimal import Decimal

from adapters.binance import BinanceClient, BinanceConfig
from adapters.grvt import GrvtClient, GrvtConfig
from adapters.lighter import LighterClient, LighterConfig
from atomic_fp import (
    ArbitrageConfig,
    ArbitrageOrchestrator,
    AtomicQueryer,
    AtomicTrader,
    ExchangeIdentifier,
    FundingArbitrageDecision,
    FundingRateAggregator,
    Order,
    Position,
    PositionAggregator,
    Symbol,
    TradeLeg,
    TradingSignal,
)


async def main() -> None:
    symbol = Symbol(base="BTC", quote="USDT", contract_type="PERP")
    config = ArbitrageConfig(
        build_threshold=Decimal("0.05"),
        close_threshold=Decimal("0.02"),
        max_position=Decimal("10"),
        trade_size=Decimal("0.1"),
    )
    grvt_client = GrvtClient(GrvtConfig(api_key="k", sub_account_id=1, private_key="0x1"))
    lighter_client = LighterClient(LighterConfig(account_index=1))
    await grvt_client.connect()
    await lighter_client.connect()
    queryers = {
        "grvt": AtomicQueryer(grvt_client, symbol),
        "lighter": AtomicQueryer(lighter_client, symbol),
    }
    traders = {
        "grvt": AtomicTrader(grvt_client, symbol),
        "lighter": AtomicTrader(lighter_client, symbol),
    }
    orchestrator = ArbitrageOrchestrator(
        queryers=queryers, traders=traders, config=config, symbol=symbol
    )
    orders = await orchestrator.run_strategy_cycle()
    first: Order = orders[0]
    count: int = len(orders)
    sides = [order.side for order in orders]
    print(first, count, sides, orders.describe())

    binance_client = BinanceClient(BinanceConfig())
    await binance_client.connect()
    queryers["binance"] = AtomicQueryer(binance_client, symbol)
    traders["binance"] = AtomicTrader(binance_client, symbol)

    position_agg = PositionAggregator(queryers)
    funding_agg = FundingRateAggregator(queryers)
    positions = await position_agg.get_all_positions()
    rates = await funding_agg.get_all_rates()
    grvt_position = positions["grvt"]
    maybe_binance = positions.get("binance")
    total_exposure = await position_agg.get_total_exposure()
    signal = FundingArbitrageDecision.analyze_opportunity(
        rates=rates, positions=positions, config=config
    )
    print(grvt_position, maybe_binance, total_exposure, signal)

    one = await queryers["grvt"].get_position()
    rate = await queryers["lighter"].get_funding_rate()
    market = await queryers["grvt"].get_market()
    trade = await traders["grvt"].execute_trade(side="buy", qty=0.1)
    print(one, rate, market, trade)

    position = Position(
        exchange=ExchangeIdentifier("grvt"),
        symbol=Symbol("BTC", "USDT", "PERP"),
        quantity=Decimal("5.0"),
        side="long",
    )
    manual = TradingSignal(
        legs=[
            TradeLeg(exchange_id="grvt", side="buy", quantity=0.1),
            TradeLeg(exchange_id="lighter", side="sell", quantity=0.1),
        ],
        reason="Funding spread 8% > threshold 5%",
    )
    report = await orchestrator.execute_signal(manual)
    print(position, report.describe())


asyncio.run(main())
'''

MISTAKES = """
from decimal import Decimal

from atomic_fp import AtomicQueryer, Symbol, TradeLeg

symbol = Symbol(base=1)
leg = TradeLeg(exchange_id="grvt", side="buy", quantity=[0.1])
count: str = AtomicQueryer.get_position
"""


def run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    user = tmp_path / "bot.py"
    user.write_text(source)
    env = {**os.environ, "MYPYPATH": str(REPO_ROOT)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            str(user),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,
        check=False,
    )


def test_a_seed_style_user_file_passes_mypy_strict(tmp_path: Path) -> None:
    done = run_mypy(tmp_path, USER_FILE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout


def test_seed_style_mistakes_fail_mypy_strict(tmp_path: Path) -> None:
    done = run_mypy(tmp_path, MISTAKES)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'Argument "base" to "Symbol" has incompatible type "int"' in done.stdout
    assert 'Argument "quantity" to "TradeLeg" has incompatible type "list[float]"' in done.stdout
    assert "bot.py:8: error" in done.stdout
