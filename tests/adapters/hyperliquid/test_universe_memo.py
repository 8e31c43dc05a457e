"""A Hyperliquid client remembers the universe it parsed last (issue 20: every scan's
``metaAndAssetCtxs`` repeats the same 200-odd entries): the same document is not parsed
again, any change (even ``1`` -> ``True`` or ``"1"``) is, and the answers are the ones
parsed without the memo, on the recorded body."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapters.hyperliquid import parsing
from adapters.hyperliquid.parsers import UniverseMemo, parse_meta_and_asset_ctxs
from tests.adapters.hyperliquid.test_parsers_recorded import HL, NOW, _meta_and_ctxs


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = parsing.parse_universe

    def count(meta: Any, overrides: Any) -> Any:
        calls.append(len(meta["universe"]))
        return real(meta, overrides)

    monkeypatch.setattr(parsing, "parse_universe", count)
    return calls


def test_the_same_universe_is_parsed_once(counted: list[int]) -> None:
    memo = UniverseMemo()
    body = _meta_and_ctxs()
    plain = parse_meta_and_asset_ctxs(HL, body, NOW).unwrap()
    first = parse_meta_and_asset_ctxs(HL, body, NOW, memo=memo).unwrap()
    again = parse_meta_and_asset_ctxs(HL, copy.deepcopy(body), NOW, memo=memo).unwrap()
    assert first == plain and again == plain
    assert counted == [28, 28]  # the plain parse and the memo's first; not the third


@pytest.mark.parametrize("odd", [True, "1", 1.0, None, -1])
def test_a_changed_universe_is_parsed_afresh(counted: list[int], odd: Any) -> None:
    memo = UniverseMemo()
    meta, ctxs = _meta_and_ctxs()
    assert parse_meta_and_asset_ctxs(HL, [meta, ctxs], NOW, memo=memo).unwrap().assets
    changed = copy.deepcopy(meta)
    changed["universe"][0]["szDecimals"] = odd  # 1 == True == 1.0: equality would miss it
    again = parse_meta_and_asset_ctxs(HL, [changed, ctxs], NOW, memo=memo)
    plain = parse_meta_and_asset_ctxs(HL, [changed, ctxs], NOW)
    assert repr(again) == repr(plain)
    assert len(counted) == 3
    if any(odd is refused for refused in (True, None)) or odd == -1:  # refused
        assert "szDecimals" in again.failure().message
        # a refused universe is not remembered: the good one is parsed again after it
        parse_meta_and_asset_ctxs(HL, [meta, ctxs], NOW, memo=memo).unwrap()
        assert len(counted) == 4


def test_overrides_are_part_of_what_is_remembered(counted: list[int]) -> None:
    from decimal import Decimal

    from atomic_fp.models import Symbol

    memo = UniverseMemo()
    body = _meta_and_ctxs()
    parse_meta_and_asset_ctxs(HL, body, NOW, memo=memo)
    renamed = parse_meta_and_asset_ctxs(
        HL, body, NOW, {"BTC": (Symbol("XBT"), Decimal(1))}, memo=memo
    ).unwrap()
    assert Symbol("XBT") in {asset.symbol for asset in renamed.assets}
    assert len(counted) == 2
