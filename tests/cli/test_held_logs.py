"""``scripts.held_logs``: what a thrown-away loop-free attempt logged is never printed; what
a kept one logged is printed once, in order, redacted as always."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from atomic_fp.concurrency import InlineRefused
from scripts.context import setup_logging
from scripts.held_logs import held_logs


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    setup_logging(log_json=False, verbose=1, quiet=False)
    return out


def test_kept_records_are_printed_once_in_order(stderr: io.StringIO) -> None:
    with held_logs():
        logging.getLogger("adapters.grvt").info("first")
        assert stderr.getvalue() == ""  # held while the attempt may be thrown away
        logging.getLogger("scripts").warning("second")
    assert stderr.getvalue() == "atomic-fp: info: first\natomic-fp: warning: second\n"
    logging.getLogger("adapters").info("after")  # the hold is gone
    assert stderr.getvalue().endswith("atomic-fp: info: after\n")


def test_records_of_a_refused_attempt_are_dropped(stderr: io.StringIO) -> None:
    with pytest.raises(InlineRefused), held_logs():
        logging.getLogger("adapters.binance").info("from the attempt")
        raise InlineRefused("sleep(1)")
    assert stderr.getvalue() == ""
    logging.getLogger("adapters.binance").info("from the anyio run")
    assert stderr.getvalue() == "atomic-fp: info: from the anyio run\n"


def test_records_before_a_real_error_are_printed(stderr: io.StringIO) -> None:
    with pytest.raises(ValueError), held_logs():
        logging.getLogger("atomic_fp").warning("what led to it")
        raise ValueError("broken")
    assert stderr.getvalue() == "atomic-fp: warning: what led to it\n"


def test_a_held_record_is_redacted_as_a_printed_one(
    stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts.context import REDACTOR

    monkeypatch.setattr(REDACTOR, "_secrets", {"hunter2-secret"})
    logging.getLogger("adapters").info("key hunter2-secret")
    direct = stderr.getvalue()
    stderr.truncate(0)
    stderr.seek(0)
    with held_logs():
        logging.getLogger("adapters").info("key hunter2-secret")
    assert stderr.getvalue() == direct == "atomic-fp: info: key ***\n"
