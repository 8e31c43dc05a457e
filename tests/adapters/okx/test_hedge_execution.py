"""A live ``atomic-fp execute --yes`` opens a hedge with one leg on OKX and one on Binance,
each a venue-speaking server on 127.0.0.1 that checks every signature: both legs filled
and journaled, the same BTC on each (OKX sent whole contracts of 0.01 BTC), positions read
back hedged to zero net."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import cli
from tests.adapters.binance.fake_venue import FakeBinance
from tests.adapters.okx.fake_venue import FakeOkx
from tests.harness import serve

OKX_KEY, OKX_SECRET, OKX_PHRASE = "okx-key-1", "okx-secret-2", "okx-phrase-3"
BN_KEY, BN_SECRET = "b" * 64, "bn-secret-" + "y" * 54
H = 3_600_000

CONFIG = """
[venues.okx]
kind = "okx"
base_url = "{okx}"
api_key_env = "T_OKX_KEY"
api_secret_env = "T_OKX_SECRET"
passphrase_env = "T_OKX_PASSPHRASE"
[venues.binance]
kind = "binance"
base_url = "{binance}"
api_key_env = "T_BN_KEY"
api_secret_env = "T_BN_SECRET"
[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "0.01"
max_position = "0.05"
symbols = ["BTC"]
[journal]
path = "journal.sqlite"
"""


@pytest.fixture
def okx() -> Iterator[tuple[FakeOkx, str]]:
    fake = FakeOkx(OKX_KEY, OKX_SECRET, OKX_PHRASE)
    fake.rates["BTC-USDT-SWAP"] = "0.0030"  # OKX pays shorts a lot: short OKX
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def binance() -> Iterator[tuple[FakeBinance, str]]:
    fake = FakeBinance(BN_KEY, BN_SECRET)
    fake.rate_overrides["BTCUSDT"] = "0.00010000"
    fake.next_funding_overrides["BTCUSDT"] = (int(time.time() * 1000) // (8 * H) + 1) * 8 * H
    with serve(fake) as url:
        yield fake, url


def test_execute_opens_an_okx_binance_hedge_with_equal_base_legs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    okx: tuple[FakeOkx, str],
    binance: tuple[FakeBinance, str],
) -> None:
    okx_fake, okx_url = okx
    binance_fake, binance_url = binance
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ATOMIC_FP_CONFIG", raising=False)
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    env = {"T_OKX_KEY": OKX_KEY, "T_OKX_SECRET": OKX_SECRET, "T_OKX_PASSPHRASE": OKX_PHRASE}
    env |= {"T_BN_KEY": BN_KEY, "T_BN_SECRET": BN_SECRET}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "atomic-fp.toml").write_text(CONFIG.format(okx=okx_url, binance=binance_url))
    runner = CliRunner()
    result = runner.invoke(cli, ["execute", "--yes", "--format", "json"])
    assert result.exit_code == 0, result.output
    (cycle,) = json.loads(result.stdout)["cycles"]
    legs = {leg["venue"]: (leg["side"], leg["size"]) for leg in cycle["signal"]["legs"]}
    assert legs == {"binance": ("buy", "0.01"), "okx": ("sell", "0.01")}
    execution = cycle["execution"]
    assert execution["status"] == "complete" and execution["hedged"] is True
    assert {o["outcome"] for o in execution["orders"]} == {"filled"}

    [okx_order] = [
        r for r in okx_fake.requests if r.path == "/api/v5/trade/order" and r.method == "POST"
    ]
    assert okx_order.json()["sz"] == "1"  # 0.01 BTC = 1 contract of 0.01 BTC
    assert int(okx_order.headers["expTime"]) > 0  # the order's venue-enforced deadline
    binance_orders = [
        q for m, p, q in binance_fake.requests if m == "POST" and p == "/fapi/v1/order"
    ]
    assert len(binance_orders) == 1 and "quantity=0.01" in binance_orders[0]

    positions = runner.invoke(cli, ["positions", "--format", "json", "--funding-days", "0"])
    assert positions.exit_code == 0, positions.output
    held = json.loads(positions.stdout)
    sizes = {(p["venue"], p["symbol"]): p["base_size"] for p in held["positions"]}
    assert sizes == {("okx", "BTC"): "-0.01", ("binance", "BTC"): "0.01"}
    assert held["net_exposure"] == {"BTC": "0"}
    for secret in (OKX_SECRET, OKX_PHRASE, BN_SECRET):
        assert secret not in result.output + positions.output
