"""``Symbol.key`` is memoised (issue 20: the backtest asks it ~3,700 times a year through
``signal_id``): the memo answers exactly what the old code built fresh, raises where it
raised, is bounded and safe to call from several threads at once."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atomic_fp.models import identifiers
from atomic_fp.models.identifiers import ContractType, Symbol


def _old_key(symbol: Symbol) -> str:
    """The code before the memo (63e122f), kept as the oracle."""
    return str(Symbol(symbol.base, contract_type=symbol.contract_type))


_ASSETS = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:\-]{0,8}\Z")
_SPELLINGS = st.sampled_from(["PERP", "perp", "perpetual", "swap", ContractType.PERPETUAL])


@given(
    base=_ASSETS,
    quote=_ASSETS,
    spelling=_SPELLINGS,
    strict=st.booleans(),
    padding=st.sampled_from(["", " ", "\t"]),
)
def test_key_equals_the_symbol_built_fresh(
    base: str, quote: str, spelling: ContractType | str, strict: bool, padding: str
) -> None:
    symbol = Symbol(padding + base + padding, quote, spelling, strict_quote=strict)
    assert symbol.key == _old_key(symbol)
    assert symbol.key == Symbol(base).key  # quote, spelling and strictness never enter it
    assert type(symbol.key) is str


def test_equal_symbols_with_other_quotes_share_the_key() -> None:
    assert Symbol("BTC", "USDT", "PERP").key == Symbol("btc").key == "BTC/USD"
    assert Symbol.parse("eth-usdc").key == "ETH/USD"


def test_a_field_that_would_not_validate_still_raises_like_the_old_code() -> None:
    broken = Symbol("BTC")
    object.__setattr__(broken, "base", "not an asset")
    with pytest.raises(ValueError, match="base must be an upper-case asset code") as old:
        _old_key(broken)
    with pytest.raises(ValueError, match="base must be an upper-case asset code") as new:
        _ = broken.key
    assert str(new.value) == str(old.value)
    # the failure is not remembered as an answer either
    with pytest.raises(ValueError):
        _ = broken.key


def test_the_memo_is_bounded() -> None:
    info = identifiers._symbol_key.cache_info()
    assert info.maxsize is not None and info.maxsize > 0
    for index in range(info.maxsize + 50):
        assert Symbol(f"A{index}").key == f"A{index}/USD"
    assert identifiers._symbol_key.cache_info().currsize <= info.maxsize


def test_threads_asking_at_once_get_the_same_answers() -> None:
    symbols = [Symbol(f"T{index}", "USDT") for index in range(200)]
    expected = [_old_key(symbol) for symbol in symbols]
    identifiers._symbol_key.cache_clear()
    barrier = threading.Barrier(8)
    answers: list[list[str]] = []
    lock = threading.Lock()

    def ask() -> None:
        barrier.wait()
        got = [symbol.key for symbol in symbols]
        with lock:
            answers.append(got)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [expected] * 8
