"""``atomic-fp backtest``'s option parsers (:mod:`scripts.backtest_options`, and the value
parsers it shares with other commands, :mod:`scripts.option_values`).

The command's own number parser and the sweep's used to be two copies (``_decimal`` in
``scripts/backtest_command.py``, ``decimal_option`` in ``scripts/backtest_sweep.py``, and
two ``_split``); they are one now. The copies as they were at 1d1297c are kept below as
the reference: on any text, the shared parsers return the same value or refuse with the
same message. Through the command line, each bad value still exits 2 naming the option,
before anything is read.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from scripts.backtest_options import prices_option
from scripts.cli import cli
from scripts.option_values import decimal_option, optional_decimal, split_commas


def _old_decimal(value: str | None, name: str) -> Decimal | None:
    """``scripts/backtest_command.py``'s ``_decimal`` at 1d1297c."""
    if value is None:
        return None
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not a number", param_hint=name) from None
    if not parsed.is_finite():
        raise click.BadParameter(f"{value!r} is not finite", param_hint=name)
    return parsed


def _old_split_many(values: tuple[str, ...]) -> list[str]:
    """``scripts/backtest_command.py``'s ``_split`` at 1d1297c."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _old_split_one(text: str) -> list[str]:
    """``scripts/backtest_sweep.py``'s ``_split`` at 1d1297c."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _outcome(parse: object, *args: object) -> tuple[str, object]:
    assert callable(parse)
    try:
        value = parse(*args)
    except click.BadParameter as refused:
        return "refused", (refused.message, refused.param_hint)
    # Decimal("NaN") != itself: compare what it is, exponent and digits included
    return "value", None if value is None else (str(value), repr(value))


NUMBER_LIKE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["nan", "NaN", "-inf", "Infinity", "sNaN", " 1 ", "1e999999", "1_0", "0x1"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


@given(NUMBER_LIKE)
def test_the_shared_number_parser_equals_both_old_copies(text: str) -> None:
    old = _outcome(_old_decimal, text, "--capital")
    assert _outcome(optional_decimal, text, "--capital") == old
    # the sweep's copy was the command's without None
    assert _outcome(decimal_option, text, "--capital") == old


def test_no_value_is_none_not_zero() -> None:
    assert optional_decimal(None, "--capital") is None


@given(st.lists(st.text(alphabet=" ,ab1", max_size=8), max_size=4))
def test_the_shared_comma_split_equals_both_old_copies(values: list[str]) -> None:
    assert split_commas(values) == _old_split_many(tuple(values))
    for text in values:
        assert split_commas((text,)) == _old_split_one(text)


def test_prices_keep_their_refusals() -> None:
    assert prices_option(("btc=100, ETH=2.5",)) == {"BTC": Decimal(100), "ETH": Decimal("2.5")}
    for bad in ("BTC", "BTC=0", "=5", "BTC=-1"):
        with pytest.raises(click.BadParameter, match="expected BASE=PRICE"):
            prices_option((bad,))
    with pytest.raises(click.BadParameter, match="'nan' is not finite"):
        prices_option(("BTC=nan",))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--capital", "lots"], "'lots' is not a number"),
        (["--trade-size", "nan"], "'nan' is not finite"),
        (["--half-spread", "inf"], "'inf' is not finite"),
        (["--price", "BTC=0"], "'BTC=0': expected BASE=PRICE"),
        (["--from", "yesterday"], "'yesterday' is not a date"),
        (["--to", "2026-13-01"], "'2026-13-01' is not a date (YYYY-MM-DD or ISO-8601)"),
        (["--sweep", "--close-thresholds", "0,-inf"], "'-inf' is not finite"),
    ],
)
def test_a_bad_option_exits_2_naming_it(tmp_path: Path, args: list[str], message: str) -> None:
    data = tmp_path / "history.csv"
    data.write_text(
        "venue,symbol,venue_symbol,funding_time,rate,interval_hours,mark_price\n"
        "alpha,BTC,BTC,2026-01-01T00:00:00Z,0.0001,8,100\n",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["backtest", "--data", str(data), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    option = next(a for a in args if a.startswith("--") and a != "--sweep")
    assert option in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_funding_history_refuses_a_bad_date_with_the_same_parser(
    tmp_path: Path, option: str
) -> None:
    """``funding-history`` shares the date parser (:func:`scripts.option_values.parse_when`):
    the same refusal, exit 2, before anything is fetched or written."""
    out = tmp_path / "history.csv"
    args = ["--since", "2026-01-01", "--until", "2026-02-01", "--out", str(out)]
    args[args.index(option) + 1] = "soon"
    result = CliRunner().invoke(cli, ["funding-history", "binance", "BTC", *args])
    assert result.exit_code == 2, result.output
    assert "'soon' is not a date (YYYY-MM-DD or ISO-8601)" in result.output
    assert option in result.output
    assert not out.exists()
