"""The kit's shared parsing pieces (adapters/kit/readers.py): lists of objects with their
JSON paths, and order-book sides as Bybit v5 (``[["price", "size"], ...]``) and OKX v5
(``[["price", "contracts", "0", "orders"], ...]``) send them (their docs' examples)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters._parse import ParseError
from adapters.kit.readers import book_side, objects, settled_rates
from atomic_fp.models import BookLevel, FundingKind, Symbol
from atomic_fp.models.identifiers import ExchangeIdentifier


def test_objects_gives_each_item_with_its_path() -> None:
    assert list(objects([{"a": 1}, {"b": 2}], "$.data")) == [
        ("$.data[0]", {"a": 1}),
        ("$.data[1]", {"b": 2}),
    ]


def test_objects_names_the_path_of_an_item_that_is_not_an_object() -> None:
    with pytest.raises(ParseError, match=r"\$\.data\[1\]"):
        list(objects([{"a": 1}, "junk"], "$.data"))
    with pytest.raises(ParseError, match=r"\$\.data"):
        list(objects({"not": "a list"}, "$.data"))


def test_book_side_skips_empty_levels_and_stops_at_depth() -> None:
    bybit = [["65485.47", "47.081829"], ["65485.46", "0"], ["65485.45", "1.5"], ["65485.4", "2"]]
    assert book_side(bybit, "$.result.b", 2) == (
        BookLevel(Decimal("65485.47"), Decimal("47.081829")),
        BookLevel(Decimal("65485.45"), Decimal("1.5")),
    )


def test_book_side_scales_contracts_to_base_units() -> None:
    okx = [["41006.8", "0.60038921", "0", "1"]]  # ETH-USDT-SWAP ctVal 0.1 -> 0.060038921 ETH
    assert book_side(okx, "$.data[0].asks", 400, Decimal("0.1")) == (
        BookLevel(Decimal("41006.8"), Decimal("0.060038921")),
    )


@pytest.mark.parametrize("level", [["1"], ["1", "-2"], ["x", "1"], "1,2"])
def test_book_side_refuses_a_malformed_level(level: object) -> None:
    with pytest.raises(ParseError, match=r"\$\.b\[0\]"):
        book_side([level], "$.b", 10)


def test_settled_rates_are_oldest_first_once_per_time_with_the_venues_intervals() -> None:
    hour = 3_600_000
    first, second = 490_000 * hour, 490_008 * hour  # 2025-11-24 16:00 and 2025-11-25 00:00 UTC
    rows = [(second, Decimal("0.0003")), (first, Decimal("0.0001")), (second, Decimal("0.0004"))]
    seen: list[tuple[int | None, int, int | None]] = []

    def interval_of(before: int | None, millis: int, after: int | None) -> timedelta:
        seen.append((before, millis, after))
        return timedelta(hours=8)

    rates = settled_rates(ExchangeIdentifier("toy"), Symbol("BTC"), "BTCUSDT", rows, interval_of)
    assert [r.rate for r in rates] == [Decimal("0.0001"), Decimal("0.0004")]  # last read wins
    assert seen == [(None, first, second), (first, second, None)]
    assert all(r.kind is FundingKind.SETTLED and r.funding_time == r.observed_at for r in rates)
    assert rates[0].funding_time == datetime(2025, 11, 24, 16, tzinfo=timezone.utc)
