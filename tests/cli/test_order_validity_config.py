"""``[strategy] order_validity``: each order's venue-enforced deadline (issue 13)."""

from __future__ import annotations

import pytest

from scripts.config import ConfigError, parse
from scripts.trading import execution_policy


def strategy(**values: object) -> dict[str, object]:
    return {"strategy": {"trade_size": "0.01", "max_position": "0.05", **values}}


def test_default_is_five_seconds() -> None:
    assert execution_policy(parse(strategy(), "t.toml")).validity_window == 5.0


@pytest.mark.parametrize(("value", "seconds"), [("3s", 3.0), (2.5, 2.5), ("1m", 60.0)])
def test_order_validity_sets_the_window(value: object, seconds: float) -> None:
    config = parse(strategy(order_validity=value), "t.toml")
    assert execution_policy(config).validity_window == seconds


@pytest.mark.parametrize("value", ["61s", "5m", "1h", 0, "-1", "soon"])
def test_order_validity_out_of_range_names_the_key(value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(strategy(order_validity=value), "t.toml")
    assert "strategy.order_validity" in str(caught.value)
    assert "t.toml" in str(caught.value)
