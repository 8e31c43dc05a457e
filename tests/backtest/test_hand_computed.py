"""A tiny backtest whose every number is computed by hand below.

Two venues, one symbol (BTC), 16 hours:

========  =========================================  ====================================
time      alpha (8 h interval, has marks)            beta (4 h interval, no marks)
========  =========================================  ====================================
00:00     rate 0.0001, mark 100                      rate 0.0004
04:00                                                rate 0.0004
08:00     rate 0.0001, mark 110                      rate 0.0004
12:00                                                rate 0.00005
16:00     rate 0.0001, mark 110                      rate 0.00005
========  =========================================  ====================================

Config: build 50 % APR, close 10 % APR, trade size = max position = 1 BTC, taker fee
0.0005 on both, holding horizon 7 days (168 h); slippage model: fills at mark +- 0.1 %.
Beta has no marks, so its price is the reference (alpha's latest mark).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from adapters.paper.backtest import backtest_venue
from atomic_fp.backtest.engine import BacktestSettings, run_backtest
from atomic_fp.backtest.report import summary
from atomic_fp.backtest.series import HistoryRow, build_series
from atomic_fp.models import ArbitrageConfig, Side, Symbol, VenueFees

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
BTC = Symbol("BTC")


def _row(venue: str, hour: int, rate: str, interval: int, mark: str | None) -> HistoryRow:
    return HistoryRow(
        venue=venue,
        symbol=BTC,
        venue_symbol="BTCUSDT" if venue == "alpha" else "BTC",
        contract_multiplier=Decimal(1),
        funding_time=T0 + timedelta(hours=hour),
        rate=Decimal(rate),
        interval=timedelta(hours=interval),
        mark_price=None if mark is None else Decimal(mark),
        source="hand",
    )


ROWS = [
    _row("alpha", 0, "0.0001", 8, "100"),
    _row("alpha", 8, "0.0001", 8, "110"),
    _row("alpha", 16, "0.0001", 8, "110"),
    _row("beta", 0, "0.0004", 4, None),
    _row("beta", 4, "0.0004", 4, None),
    _row("beta", 8, "0.0004", 4, None),
    _row("beta", 12, "0.00005", 4, None),
    _row("beta", 16, "0.00005", 4, None),
]

FEES = VenueFees(maker=Decimal("0.0002"), taker=Decimal("0.0005"))
CONFIG = ArbitrageConfig(
    build_threshold=Decimal("0.5"),
    close_threshold=Decimal("0.1"),
    max_position=Decimal(1),
    trade_size=Decimal(1),
    fees={"alpha": FEES, "beta": FEES},
)
SETTINGS = BacktestSettings(config=CONFIG, half_spread=Decimal("0.001"), capital=Decimal(1000))


def test_hand_computed_open_funding_close() -> None:
    result = run_backtest(build_series(ROWS).series, SETTINGS, venues=backtest_venue)

    # 00:00 -- both venues' first rates become known.
    #   alpha APR = 0.0001 / 8 h * 8760 = 10.95 %;  beta APR = 0.0004 / 4 h * 8760 = 87.6 %
    #   spread = 76.65 %; fees = 2 * (0.0005 + 0.0005) = 0.002 over 168 h -> 10.4286 % APR;
    #   entry gap: buy alpha at 100.1, sell beta at 99.9 -> 0.2 / 100 = 0.002 -> 10.4286 %
    #   net = 76.65 - 20.857 = 55.79 % >= 50 %  ->  OPEN: buy 1 alpha, sell 1 beta.
    #   fills: alpha 100.1 (fee 100.1 * 0.0005 = 0.05005, slippage 0.1)
    #          beta   99.9 (fee  99.9 * 0.0005 = 0.04995, slippage 0.1)
    # 04:00 -- beta settles 0.0004 on -1 BTC at 100: -0.0004 * -1 * 100 = +0.04
    # 08:00 -- alpha's mark is 110 (beta's reference too) before settling:
    #   alpha: -0.0001 * +1 * 110 = -0.011;  beta: -0.0004 * -1 * 110 = +0.044
    #   carry still 76.65 % >= 10 %, and max_position is reached: no trade.
    # 12:00 -- beta settles 0.00005 on -1 at 110: +0.0055; beta's rate is now
    #   0.00005 / 4 h -> 10.95 % APR, alpha 10.95 %: carry 0 % < 10 %  ->  CLOSE.
    #   fills: alpha sells at 109.89 (fee 0.054945, slippage 0.11)
    #          beta  buys  at 110.11 (fee 0.055055, slippage 0.11)
    # 16:00 -- both settle, but we are flat: nothing is paid.
    funding = Decimal("0.04") + Decimal("-0.011") + Decimal("0.044") + Decimal("0.0055")
    fees = Decimal("0.05005") + Decimal("0.04995") + Decimal("0.054945") + Decimal("0.055055")
    slippage = Decimal("0.1") + Decimal("0.1") + Decimal("0.11") + Decimal("0.11")
    # price PnL excluding slippage: alpha 100 -> 110 long (+10), beta 100 -> 110 short (-10)
    assert funding == Decimal("0.0785")
    assert fees == Decimal("0.21")
    assert slippage == Decimal("0.42")
    net = funding - fees - slippage
    assert net == Decimal("-0.5515")

    last = result.equity[-1]
    assert last.funding == funding
    assert last.fees == fees
    assert last.slippage == slippage
    assert last.price_pnl == 0
    assert last.net_pnl == net
    totals = result.per_symbol["BTC"]
    assert (totals.funding, totals.fees, totals.slippage, totals.net_pnl) == (
        funding,
        fees,
        slippage,
        net,
    )

    fills = [(f.time.hour, f.kind, f.venue, f.side, f.price, f.fee) for f in result.fills]
    assert fills == [
        (0, "open", "alpha", Side.BUY, Decimal("100.1"), Decimal("0.05005")),
        (0, "open", "beta", Side.SELL, Decimal("99.9"), Decimal("0.04995")),
        (12, "close", "alpha", Side.SELL, Decimal("109.89"), Decimal("0.054945")),
        (12, "close", "beta", Side.BUY, Decimal("110.11"), Decimal("0.055055")),
    ]
    paid = [(e.time.hour, e.venue, e.rate, e.price, e.amount) for e in result.funding]
    assert paid == [
        (4, "beta", Decimal("0.0004"), Decimal(100), Decimal("0.04")),
        (8, "alpha", Decimal("0.0001"), Decimal(110), Decimal("-0.011")),
        (8, "beta", Decimal("0.0004"), Decimal(110), Decimal("0.044")),
        (12, "beta", Decimal("0.00005"), Decimal(110), Decimal("0.0055")),
    ]
    # in the market from 00:00 to 12:00 of a 16 h window
    assert result.time_in_market["BTC"] == timedelta(hours=12)
    block = summary(result)["total"]
    assert block["net_pnl"] == "-0.55150000"
    assert block["return_on_capital"] == "-0.00055150"  # -0.5515 / 1000
    assert block["trades"] == 2
    assert block["trades_by_kind"] == {"close": 1, "open": 1}
    assert block["fills"] == 4
    assert block["time_in_market"] == "0.75000000"
    assert result.problems == ()
