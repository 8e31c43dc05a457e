"""``parse_meta_and_asset_ctxs`` reads a common asset context inline (issue 20: ~200 per
scan) and leaves every other one to the checked path.

The oracle is the loop as it was (b14d6a8, kept below with its market built as then): on
the real 2023 universe with nautilus' recorded per-coin contexts, on the benchmark's
200-asset answer, and on contexts mutated by hypothesis (fields deleted or replaced by
padded, signed, exponent, zero and negative spellings, JSON numbers, bools, NaN, huge
magnitudes, subclasses, non-objects, delisted flags), both give equal snapshots with
identical fields, or the very same refusal message.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from adapters._liquidity import non_negative, quote_value
from adapters._parse import arr, dec_field, field, obj, opt_dec, parse_guard
from adapters.hyperliquid import parsing
from adapters.hyperliquid.parsing import (
    HOUR,
    MIN_ORDER_VALUE,
    SETTLE_ASSET,
    AssetInfo,
    MetaSnapshot,
    Overrides,
    _positive_or_none,
    next_hour,
    parse_meta_and_asset_ctxs,
    parse_universe,
)
from adapters.hyperliquid.rounding import finest_tick, lot_size
from atomic_fp.errors import MalformedResponse
from atomic_fp.models import FundingKind, FundingRate, Market
from atomic_fp.models.funding import checked_funding_rate
from atomic_fp.models.identifiers import ExchangeIdentifier
from atomic_fp.models.market import checked_market
from tests.adapters.hyperliquid._data import NAUTILUS_HL, count_markets_built, fixture, research

HL = ExchangeIdentifier("hyperliquid")
NOW = datetime(2026, 7, 2, 12, 34, 56, tzinfo=timezone.utc)


def _reference_market(
    exchange: ExchangeIdentifier,
    asset: AssetInfo,
    open_interest: Decimal | None,
    volume_24h: Decimal | None,
) -> Market:
    lot = lot_size(asset.sz_decimals)
    return checked_market(
        exchange=exchange,
        symbol=asset.symbol,
        venue_symbol=asset.name,
        tick_size=finest_tick(asset.sz_decimals),
        lot_size=lot,
        min_size=lot,
        min_notional=MIN_ORDER_VALUE,
        contract_multiplier=asset.multiplier,
        funding_interval=HOUR,
        settle_asset=SETTLE_ASSET,
        max_leverage=asset.max_leverage,
        open_interest=open_interest,
        volume_24h=volume_24h,
    )


def reference(
    exchange: ExchangeIdentifier, payload: Any, observed_at: datetime, overrides: Overrides
) -> Result[MetaSnapshot, MalformedResponse]:
    """The loop before the inline read (b14d6a8's ``_meta_and_ctxs``, no memo)."""

    def parse() -> MetaSnapshot:
        pair = arr(payload)
        if len(pair) != 2:
            raise ValueError(f"$: expected [meta, assetCtxs], got {len(pair)} items")
        meta, raw_ctxs = pair
        universe = arr(field(obj(meta, "$[0]"), "universe", "$[0]"), "$[0].universe")
        ctxs = arr(raw_ctxs, "$[1]")
        if len(ctxs) != len(universe):
            raise ValueError(
                f"$[1]: {len(ctxs)} asset contexts for {len(universe)} universe entries"
            )
        assets = parse_universe(meta, overrides)
        markets: list[Market] = []
        rates: list[FundingRate] = []
        next_funding = next_hour(observed_at)
        for asset in assets:
            path = f"$[1][{asset.index}]"
            ctx = obj(ctxs[asset.index], path)
            if asset.delisted:
                continue
            mark = _positive_or_none(opt_dec(ctx, "markPx", path))
            open_interest = quote_value(opt_dec(ctx, "openInterest", path), mark)
            volume = non_negative(opt_dec(ctx, "dayNtlVlm", path))
            markets.append(_reference_market(exchange, asset, open_interest, volume))
            rates.append(
                checked_funding_rate(
                    exchange=exchange,
                    symbol=asset.symbol,
                    rate=dec_field(ctx, "funding", path),
                    interval=HOUR,
                    kind=FundingKind.CURRENT,
                    observed_at=observed_at,
                    next_funding_time=next_funding,
                    mark_price=mark,
                    index_price=_positive_or_none(opt_dec(ctx, "oraclePx", path)),
                    venue_symbol=asset.name,
                    open_interest=open_interest,
                    volume_24h=volume,
                )
            )
        return MetaSnapshot(assets=assets, markets=tuple(markets), rates=tuple(rates))

    return parse_guard(str(exchange), parse)


def _same(ours: Result[Any, Any], theirs: Result[Any, Any]) -> None:
    assert type(ours) is type(theirs)
    if not isinstance(theirs, Success):
        assert ours.failure() == theirs.failure()
        return
    mine, expected = ours.unwrap(), theirs.unwrap()
    assert mine == expected
    for kind, a_items, b_items in (
        (Market, mine.markets, expected.markets),
        (FundingRate, mine.rates, expected.rates),
    ):
        for a, b in zip(a_items, b_items, strict=True):
            for f in attrs.fields(kind):
                x, y = getattr(a, f.name), getattr(b, f.name)
                assert type(x) is type(y) and repr(x) == repr(y), f.name


def _recorded() -> list[Any]:
    """The 2023 universe with nautilus' real per-coin contexts (as test_parsers_recorded)."""
    meta = fixture("sdk_meta_2023.json")
    message = research(f"{NAUTILUS_HL}/ws_all_dexs_asset_ctxs.json")
    main = dict((name, ctxs) for name, ctxs in message["data"]["ctxs"])[""]
    return [meta, main[: len(meta["universe"])]]


def _bench() -> list[Any]:
    from adapters.snapshot.replay import bundled_snapshot
    from bench.realistic_bodies import realistic_snapshot

    recording = realistic_snapshot(bundled_snapshot()).venue("hyperliquid")
    assert recording is not None
    for exchange in recording.exchanges:
        if isinstance(exchange.json, dict) and exchange.json.get("type") == "metaAndAssetCtxs":
            body: list[Any] = exchange.body
            return body
    raise AssertionError("no metaAndAssetCtxs in the benchmark's bodies")


def test_recorded_and_benchmark_answers_read_inline_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[int] = []
    original = parsing._asset_ctx

    def counting(*args: Any) -> Any:
        checked.append(args[1].index)
        return original(*args)

    monkeypatch.setattr(parsing, "_asset_ctx", counting)
    recorded, bench = _recorded(), _bench()
    assert len(bench[1]) >= 200
    for body in (recorded, bench):
        ours = parse_meta_and_asset_ctxs(HL, body, NOW)
        _same(ours, reference(HL, body, NOW, {}))
        assert len(ours.unwrap().rates) > 0
    assert checked == []  # every context of both was a common one
    odd = copy.deepcopy(bench)
    odd[1][3]["markPx"] = 101.5  # a JSON number: the checked path reads it exactly
    odd[1][7] = dict(odd[1][7], funding=" 0.0001")  # padded: read inline, as opt_dec does
    ours = parse_meta_and_asset_ctxs(HL, odd, NOW)
    _same(ours, reference(HL, odd, NOW, {}))
    assert checked == [3]


JUNK: list[object] = [
    "<delete>",
    None,
    "",
    "  ",
    "abc",
    "NaN",
    "-Infinity",
    "1e999",
    "1e31",
    "0",
    "-0",
    "0.0",
    "-1.5",
    "+2.5",
    " 3.25 ",
    "1E-3",
    "9" * 70,
    0,
    -3,
    7,
    1.5,
    float("nan"),
    True,
    False,
    Decimal("2.5"),
    Decimal("-2.5"),
    Decimal("NaN"),
    [],
    {},
]
FIELDS = ["markPx", "openInterest", "dayNtlVlm", "funding", "oraclePx", "premium"]


class _Ctx(dict):  # type: ignore[type-arg]
    """A context that is a ``dict`` subclass (read by the checked path)."""


_BENCH = _bench()


def _mutated_body(
    edits: list[tuple[int, str, object]], whole: object, delist: list[int]
) -> list[Any]:
    """The benchmark's answer with ``delist``ed assets, field ``edits`` and the first
    edited context replaced by ``whole`` (a subclass, another type) when given."""
    body: list[Any] = copy.deepcopy(_BENCH)
    for index in delist:
        body[0]["universe"][index]["isDelisted"] = True
    for index, name, value in edits:
        if value == "<delete>":
            body[1][index].pop(name, None)
        else:
            body[1][index][name] = value
    target = edits[0][0]
    if whole == "subclass":
        body[1][target] = _Ctx(body[1][target])
    elif whole is not None:
        body[1][target] = whole
    return body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 199), st.sampled_from(FIELDS), st.sampled_from(JUNK)),
        min_size=1,
        max_size=4,
    ),
    whole=st.sampled_from([None, "subclass", "not an object", 5, None]),
    delist=st.lists(st.integers(0, 199), max_size=3),
)
def test_mutated_contexts_read_or_refused_as_before(
    edits: list[tuple[int, str, object]], whole: object, delist: list[int]
) -> None:
    body = _mutated_body(edits, whole, delist)
    _same(parse_meta_and_asset_ctxs(HL, body, NOW), reference(HL, body, NOW, {}))


@given(st.integers(-3, 20) | st.booleans())
def test_steps_are_the_rounding_rules(sz_decimals: int) -> None:
    assert parsing._steps(sz_decimals) == (finest_tick(sz_decimals), lot_size(sz_decimals))
    tick, lot = parsing._steps(sz_decimals)
    assert repr(tick) == repr(finest_tick(sz_decimals)) and repr(lot) == repr(lot_size(sz_decimals))


# ------------------------------------------------ a funding read (with_markets=False)


def _same_funding(ours: Result[Any, Any], theirs: Result[Any, Any]) -> None:
    """A funding-only read: no markets, and the very rates (field types and reprs) or the
    very refusal of the full read's reference."""
    assert type(ours) is type(theirs)
    if not isinstance(theirs, Success):
        assert ours.failure() == theirs.failure()
        return
    mine, expected = ours.unwrap(), theirs.unwrap()
    assert mine.markets == ()
    assert (mine.assets, mine.rates) == (expected.assets, expected.rates)
    for a, b in zip(mine.rates, expected.rates, strict=True):
        for f in attrs.fields(FundingRate):
            x, y = getattr(a, f.name), getattr(b, f.name)
            assert type(x) is type(y) and repr(x) == repr(y), f.name


def test_a_funding_read_builds_each_universes_markets_once_and_then_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted: with the client's memo, the first funding read builds each asset's market
    once (to know it builds); the next reads of the same universe build none."""
    built = count_markets_built(monkeypatch)
    memo = parsing.UniverseMemo()
    for body in (_recorded(), _bench()):
        for _ in range(3):
            ours = parse_meta_and_asset_ctxs(HL, body, NOW, memo=memo, with_markets=False)
            _same_funding(ours, reference(HL, body, NOW, {}))
        assets = [a for a in ours.unwrap().assets]
        assert built == [a.name for a in assets]  # the first read's check, then nothing
        built.clear()
    full = parse_meta_and_asset_ctxs(HL, _bench(), NOW, memo=memo)
    assert len(built) == len(full.unwrap().markets) > 0  # a full read builds them all


def test_an_asset_whose_market_is_refused_is_refused_in_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Were an asset's market refused (no real universe gives one: the refusal is forced
    here), a funding read refuses the answer as the full read does, with the same error
    at the same row, rather than skipping the market."""
    original = parsing._market
    body = _bench()
    bad = body[0]["universe"][5]["name"]

    def refusing(exchange: ExchangeIdentifier, asset: Any, *args: Any) -> Market:
        if asset.name == bad:
            raise ValueError(f"market of {asset.name} refused")
        return original(exchange, asset, *args)

    monkeypatch.setattr(parsing, "_market", refusing)
    odd = copy.deepcopy(body)
    odd[1][9]["funding"] = "NaN"  # a later row's refusal must not come first
    for payload in (body, odd):
        full = parse_meta_and_asset_ctxs(HL, payload, NOW)
        for memo in (None, parsing.UniverseMemo()):
            funding = parse_meta_and_asset_ctxs(HL, payload, NOW, memo=memo, with_markets=False)
            assert not isinstance(full, Success)
            assert funding.failure() == full.failure()
            assert bad in str(full.failure())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 199), st.sampled_from(FIELDS), st.sampled_from(JUNK)),
        min_size=1,
        max_size=4,
    ),
    whole=st.sampled_from([None, "subclass", "not an object", 5, None]),
    delist=st.lists(st.integers(0, 199), max_size=3),
    memo=st.booleans(),
)
def test_mutated_contexts_read_for_funding_as_before(
    edits: list[tuple[int, str, object]], whole: object, delist: list[int], memo: bool
) -> None:
    body = _mutated_body(edits, whole, delist)
    kept = parsing.UniverseMemo() if memo else None
    for _ in range(2 if memo else 1):
        ours = parse_meta_and_asset_ctxs(HL, body, NOW, memo=kept, with_markets=False)
        _same_funding(ours, reference(HL, body, NOW, {}))
