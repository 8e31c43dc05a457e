"""The cyclic garbage collector paused while ``atomic-fp scan`` starts up
(``scripts/startup.py``: :func:`pause_collector`, :func:`start_up_done`; issue 20).

Counted, never timed: in a fresh interpreter running ``scripts.cli:main`` (what the console
script runs), no collection starts before the scan's clients are built (where
``scripts.scan_run`` calls :func:`start_up_done`), collections do run after it, and the
collector is on at the end; the same scan through the click group alone (a program or
test calling ``cli``, which never pauses anything) collects during its start-up, so the
probe can see a collection there. A command outside ``FAST_START_COMMANDS`` runs with the
collector on. In process: a collector the caller turned off stays off."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cli import main as cli_main
from scripts.startup import pause_collector, start_up_done

PROBE = """
import gc, json, sys
import scripts.startup as startup
seen = {"before": 0, "after": 0, "done": False, "enabled_in_command": None, "started": False}
def counted(phase, info):
    if phase == "start" and seen["started"]:  # the probe's own imports are not counted
        seen["after" if seen["done"] else "before"] += 1
gc.callbacks.append(counted)
original = startup.start_up_done
def done():
    if sys._getframe(1).f_globals["__name__"] == "scripts.scan_run":  # the clients are built
        seen["done"] = True
    original()
startup.start_up_done = done
import scripts.venues_command as venues_command
command_body = venues_command.venues.callback
def venues(*args, **kwargs):
    seen["enabled_in_command"] = gc.isenabled()
    return command_body(*args, **kwargs)
venues_command.venues.callback = venues
from scripts.cli import cli, main
sys.argv = ["atomic-fp", *ARGS]
seen["started"] = True
try:
    if ENTRY == "main":
        main()
    else:
        cli.main(args=ARGS, prog_name="atomic-fp")
except SystemExit:
    pass
sys.stdout.flush()
seen["enabled_at_end"] = gc.isenabled()
sys.stderr.write("@@" + json.dumps(seen))
"""


def _probe(entry: str, *args: str) -> dict[str, object]:
    code = PROBE.replace("ARGS", repr(list(args))).replace("ENTRY", repr(entry))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    report: dict[str, object] = json.loads(done.stderr.rsplit("@@", 1)[1])
    return report


def test_no_collection_runs_while_a_scan_starts_up() -> None:
    report = _probe("main", "scan", "--offline", "--format", "json")
    assert report["done"] is True
    assert report["before"] == 0, report
    assert isinstance(report["after"], int) and report["after"] > 0  # resumed: it collects
    assert report["enabled_at_end"] is True


def test_the_click_group_alone_pauses_nothing() -> None:
    report = _probe("cli", "scan", "--offline", "--format", "json")
    assert report["done"] is True
    assert isinstance(report["before"], int) and report["before"] > 0, report


def test_any_other_command_runs_with_the_collector_on() -> None:
    report = _probe("main", "venues")
    assert report["enabled_in_command"] is True, report


@pytest.fixture
def collector_state() -> object:
    was = gc.isenabled()
    yield
    import scripts.startup as startup

    startup._PAUSED.clear()
    gc.unfreeze()
    (gc.enable if was else gc.disable)()


@pytest.mark.usefixtures("collector_state")
def test_a_scan_refused_before_its_start_up_was_done_resumes_the_collector(
    tmp_path: Path,
) -> None:
    gc.enable()
    with pytest.raises(SystemExit) as refused:  # its config does not exist: exit 2
        cli_main(["--config", str(tmp_path / "missing.toml"), "scan"])
    assert refused.value.code == 2
    assert gc.isenabled() is True


@pytest.mark.usefixtures("collector_state")
def test_pause_and_resume_in_process() -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    pause_collector()
    states = [gc.isenabled()]
    made_at_start_up = [object()]  # a tracked container start_up_done must freeze
    start_up_done()
    states.append(gc.isenabled())
    start_up_done()  # again: nothing more to resume
    states.append(gc.isenabled())
    assert states == [False, True, True]
    assert gc.get_freeze_count() > frozen and made_at_start_up


@pytest.mark.usefixtures("collector_state")
def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    pause_collector()
    start_up_done()
    assert gc.isenabled() is False


BATCHES = """
import gc, sys
import scripts.startup as startup
seen = {"young": 0, "middle": 0, "done": False, "threshold_in_scan": None}
def counted(phase, info):
    if phase == "start" and seen["done"]:
        seen["young" if info["generation"] == 0 else "middle"] += 1
gc.callbacks.append(counted)
original = startup.start_up_done
def done():
    if sys._getframe(1).f_globals["__name__"] == "scripts.scan_run":
        seen["done"] = True
        seen["threshold_in_scan"] = gc.get_threshold()[0]
    original()
startup.start_up_done = done
"""


def test_a_scan_collects_in_larger_batches_once_started_and_restores_the_threshold() -> None:
    """After its start-up the ``atomic-fp`` scan collects every
    :data:`~scripts.startup.READ_YOUNG_THRESHOLD` allocations instead of 700: on
    ``scan --offline``, 24 young and 2 middle collections before, 2 and 0 now (counted);
    collections still run; ``main`` leaves Python's threshold as it found it."""
    from scripts.startup import READ_YOUNG_THRESHOLD
    from tests.cli.fresh_process import environment, run_atomic_fp

    report, stdout = run_atomic_fp(
        "scan",
        "--offline",
        "--format",
        "json",
        probe=BATCHES,
        report_code="seen.update(code=code, threshold_at_end=gc.get_threshold()[0])\nreport = seen",
        env=environment(),
    )
    assert report["code"] == 0 and '"opportunities"' in stdout
    assert report["done"] is True
    assert report["threshold_in_scan"] == READ_YOUNG_THRESHOLD
    assert 0 < report["young"] <= 10, report  # 24 with the default threshold
    assert report["threshold_at_end"] == gc.get_threshold()[0] == 700


@pytest.mark.usefixtures("collector_state")
def test_batches_only_while_the_start_up_pause_holds() -> None:
    """A command that resumed the collector when it was chosen (every command but
    ``scan``), or a caller that never paused it, keeps Python's threshold."""
    from scripts.startup import collect_in_batches, resume_collector

    before = gc.get_threshold()
    gc.enable()
    collect_in_batches()  # not paused: nothing
    assert gc.get_threshold() == before
    pause_collector()
    collect_in_batches()
    assert gc.get_threshold()[0] > before[0]
    start_up_done()  # resumed, still in batches until the command ends
    assert gc.isenabled() and gc.get_threshold()[0] > before[0]
    resume_collector()
    assert gc.get_threshold() == before


FROM_THE_FIRST_STEP = """
import gc, json, sys
import scripts.startup as startup
seen = {"before": 0, "done": False, "started": False}
def counted(phase, info):
    if phase == "start" and seen["started"] and not seen["done"]:
        seen["before"] += 1
gc.callbacks.append(counted)
original = startup.start_up_done
def done():
    if sys._getframe(1).f_globals["__name__"] == "scripts.scan_run":
        seen["done"] = True
    original()
startup.start_up_done = done
import atexit
atexit.register(lambda: sys.stderr.write("@@" + json.dumps(seen)))
from scripts.console import run
sys.argv = ["atomic-fp", "scan", "--offline", "--format", "json"]
seen["started"] = True
run()
"""


def test_no_collection_runs_from_the_console_scripts_first_step() -> None:
    """The console script's entry (``scripts.console:run``) pauses the collector before
    click and the command line are imported: from ``main`` on, those imports triggered
    ~15 collections finding nothing to free (issue 20)."""
    done = subprocess.run(
        [sys.executable, "-c", FROM_THE_FIRST_STEP],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stderr.rsplit("@@", 1)[1])
    assert report["done"] is True and report["before"] == 0, report
