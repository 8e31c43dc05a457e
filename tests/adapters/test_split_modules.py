"""Modules split by job keep their old import paths, and a class split into a chain keeps its
method resolution.

Five modules over ~400 lines were split into smaller ones by pure moves (the same source,
each definition in one new place): ``adapters/paper/venue.py``, ``adapters/kit/components.py``,
``adapters/history/loaders.py``, ``adapters/grvt/market_data.py``,
``adapters/paradex/signing.py``. Callers, subclasses and other engineers' code import from
the old paths; these tests fail when a name disappears from one, when a re-exported name
is a copy instead of the moved object, or when one job's class in the paper venue's chain
starts defining a method another already defines (a subclass overriding it would then
override only one of the two, and which one wins would depend on the chain's order).
"""

from __future__ import annotations

import importlib

import pytest

from adapters.grvt.factory import GrvtClient
from adapters.grvt.instruments import GrvtInstruments
from adapters.grvt.market_data import GrvtMarketData
from adapters.paper.accounts import PaperAccounts
from adapters.paper.calls import PaperVenueCalls
from adapters.paper.funding import PaperFunding
from adapters.paper.margin_account import PaperMarginAccount
from adapters.paper.matching import PaperMatching
from adapters.paper.state import PaperVenueState
from adapters.paper.venue import PaperVenue

OLD_PUBLIC_NAMES = {
    # each old module's ``__all__`` (and names imported from it elsewhere) before the split,
    # with the module each now lives in (``module:name`` where it has another name there)
    "adapters.paper.venue": {
        "Clock": "adapters.paper.records",
        "PaperMarketState": "adapters.paper.records",
        "PaperPosition": "adapters.paper.records",
        "PaperVenue": "adapters.paper.venue",
        "SubmitRecord": "adapters.paper.records",
        "CallEvent": "adapters.paper.records",
        "ceil_to": "atomic_fp.rounding:ceil_to_step",
        "floor_to": "atomic_fp.rounding:floor_to_step",
        "next_boundary": "adapters.paper.funding",
    },
    "adapters.kit.components": {
        "CAPABILITY_SOURCES": "adapters.kit.parts",
        "AccountOrPublishedFees": "adapters.kit.parts",
        "AccountSource": "adapters.kit.parts",
        "Credentials": "adapters.kit.parts",
        "DeclaredVenue": "adapters.kit.components",
        "FeeReader": "adapters.kit.parts",
        "FundingPaymentsSource": "adapters.kit.parts",
        "MarginSource": "adapters.kit.parts",
        "MarketDataSource": "adapters.kit.parts",
        "OrderExecution": "adapters.kit.parts",
        "PreparedExecution": "adapters.kit.parts",
        "ScrubbingTransport": "adapters.kit.parts",
        "Secrets": "adapters.kit.parts",
        "Transport": "adapters.kit.parts",
        "VenueParts": "adapters.kit.parts",
    },
    "adapters.history.loaders": {
        "ALL": "adapters.history.row_reading",
        "FETCHER_UTC_PLUS_3": "adapters.history.fetcher_format",
        "Filters": "adapters.history.row_reading",
        "RowsResult": "adapters.history.row_reading",
        "data_files": "adapters.history.loaders",
        "load_csv": "adapters.history.loaders",
        "load_parquet": "adapters.history.loaders",
        "load_path": "adapters.history.loaders",
        "_collect": "adapters.history.row_reading",
        "_read_csv_records": "adapters.history.loaders",
    },
    "adapters.grvt.market_data": {
        "BOOK_DEPTHS": "adapters.grvt.market_data",
        "HISTORY_PAGE_LIMIT": "adapters.grvt.market_data",
        "MAX_PAGES": "adapters.grvt.market_data",
        "GrvtMarketData": "adapters.grvt.market_data",
        "ns": "adapters.grvt.market_data",
    },
    "adapters.paradex.signing": {
        "CHAIN_DECIMALS": "adapters.paradex.messages",
        "EXTRA_HINT": "adapters.paradex.stark_crypto",
        "MAINNET_CHAIN_ID": "adapters.paradex.messages",
        "TESTNET_CHAIN_ID": "adapters.paradex.messages",
        "OrderMessage": "adapters.paradex.messages",
        "SigningUnavailable": "adapters.paradex.stark_crypto",
        "StarkSigner": "adapters.paradex.signing",
        "TypedData": "adapters.paradex.signing",
        "auth_typed_data": "adapters.paradex.messages",
        "chain_id_felt": "adapters.paradex.messages",
        "chain_quantity": "adapters.paradex.messages",
        "compute_hash_on_elements": "adapters.paradex.stark_crypto",
        "crypto_available": "adapters.paradex.stark_crypto",
        "encode_shortstring": "adapters.paradex.stark_crypto",
        "flatten_signature": "adapters.paradex.stark_crypto",
        "generate_k": "adapters.paradex.stark_crypto",
        "load_crypto": "adapters.paradex.stark_crypto",
        "parse_felt": "adapters.paradex.stark_crypto",
        "pedersen": "adapters.paradex.stark_crypto",
        "public_key": "adapters.paradex.stark_crypto",
        "sign_hash": "adapters.paradex.stark_crypto",
        "starknet_keccak": "adapters.paradex.stark_crypto",
        "unflatten_signature": "adapters.paradex.stark_crypto",
        "verify_hash": "adapters.paradex.stark_crypto",
        "verify_typed": "adapters.paradex.signing",
    },
}

PAPER_CHAIN = (
    PaperVenue,
    PaperVenueCalls,
    PaperMatching,
    PaperFunding,
    PaperMarginAccount,
    PaperAccounts,
    PaperVenueState,
)


@pytest.mark.parametrize(
    ("old", "name", "home"),
    [(old, name, home) for old, names in OLD_PUBLIC_NAMES.items() for name, home in names.items()],
)
def test_an_old_import_path_gives_the_moved_object(old: str, name: str, home: str) -> None:
    """``from <old module> import <name>`` still works and is the very object of its new
    home (a monkeypatch or an ``is`` check through either path sees the same thing)."""
    module, _, attribute = home.partition(":")
    moved = getattr(importlib.import_module(module), attribute or name)
    assert getattr(importlib.import_module(old), name) is moved


def test_the_old_public_lists_are_unchanged() -> None:
    """Each old module still declares its old public names (``__all__``)."""
    for old, names in OLD_PUBLIC_NAMES.items():
        declared = set(importlib.import_module(old).__all__)
        public = {name for name in names if not name.startswith("_")}
        if old == "adapters.paper.venue":
            public.discard("CallEvent")  # was importable, now also declared
        assert public <= declared, (old, sorted(public - declared))


def test_the_paper_venue_is_one_chain_of_one_job_classes() -> None:
    assert PaperVenue.__mro__[: len(PAPER_CHAIN)] == PAPER_CHAIN
    assert PaperVenue.__mro__[len(PAPER_CHAIN) :] == (object,)


def test_no_two_parts_of_the_paper_venue_define_the_same_method() -> None:
    seen: dict[str, str] = {}
    for part in PAPER_CHAIN:
        for name, value in vars(part).items():
            if name.startswith("__") or not (callable(value) or isinstance(value, property)):
                continue
            assert name not in seen, f"{name} defined by {seen[name]} and {part.__name__}"
            seen[name] = part.__name__
    # the methods subclasses (the backtest venue, the fault drills) override are among them
    assert {"_place", "_accept", "_book", "_rates_now", "margin", "_save"} <= set(seen)


def test_grvt_market_data_reads_instruments_from_its_base() -> None:
    """The instrument list moved to a base class; GrvtClient still finds every instrument
    method there, before any kit facade that could define the same name."""
    mro = GrvtClient.__mro__
    assert mro.index(GrvtMarketData) + 1 == mro.index(GrvtInstruments)
    for name in ("_instrument_list", "_instrument_for", "_fetch_markets", "_by_symbol"):
        owner = next(cls for cls in mro if name in vars(cls))
        assert owner is GrvtInstruments, (name, owner)
