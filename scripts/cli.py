"""The ``atomic-fp`` command line: a lazy click group.

Start-up time matters (cron runs ``scan`` every few minutes), so importing this module
imports click and nothing else of weight: each command lives in its own module, named
here by ``"module:attribute"``, and is imported only when it is run (or asked for its own
``--help``). ``atomic-fp --help`` lists the commands from the short help strings below
without importing any of them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import NoReturn

import click

from scripts.startup import (
    block_unused_imports,
    freeze_startup_objects,
    mark_console_process,
    pause_collector,
    resume_collector,
    start_up_done,
)

# name -> (import path, short help). Order is the order of ``--help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scripts.scan_command:scan", "Funding spreads across venues, best pair first."),
    "watch": (
        "scripts.watch_command:watch",
        "Live funding spreads as venues push them (streams, REST fallback).",
    ),
    "execute": (
        "scripts.execute_command:execute",
        "One strategy cycle (--dry-run decides without sending).",
    ),
    "positions": (
        "scripts.positions_command:positions",
        "Positions per venue, net and unhedged exposure, funding earned.",
    ),
    "collateral": (
        "scripts.collateral_command:collateral",
        "Where to move collateral so both legs stay equally far from liquidation.",
    ),
    "funding-history": (
        "scripts.funding_history_command:funding_history",
        "Settled funding rates of one symbol on one venue, to CSV or Parquet.",
    ),
    "collect": (
        "scripts.collect_command:collect",
        "Record every venue's current funding rates in the local funding store.",
    ),
    "venues": ("scripts.venues_command:venues", "Venue kinds, capabilities and config keys."),
    "record": (
        "scripts.record_command:record",
        "Capture live public venue responses as a replayable snapshot.",
    ),
    "run": ("scripts.run_command:run", "Run strategy cycles on an interval until stopped."),
    "reconcile": (
        "scripts.reconcile_command:reconcile",
        "Journal against venues per venue/symbol; --accept-venue --yes adopts the venues'.",
    ),
    "backtest": (
        "scripts.backtest_command:backtest",
        "Backtest the decisions on recorded funding history.",
    ),
}


def _available(path: str) -> bool:
    """Whether a command's module exists, without importing it."""
    module = path.partition(":")[0]
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [name for name, (path, _) in self._lazy.items() if _available(path)]
        return [*names, *sorted(n for n in super().list_commands(ctx) if n not in names)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._lazy:
            return super().get_command(ctx, cmd_name)
        path = self._lazy[cmd_name][0]
        if not _available(path):
            return None
        module_name, _, attribute = path.partition(":")
        if cmd_name in FAST_START_COMMANDS and _CODE_CACHE:
            # before any attrs class is defined (scripts.attrs_code_cache)
            import os

            from scripts.attrs_code_cache import install

            install(os.environ, cmd_name)
            _FAST_EXIT.append(True)
        else:
            start_up_done()  # the collector runs as Python's does (scripts.startup)
        try:
            command = getattr(importlib.import_module(module_name), attribute)
            freeze_startup_objects()  # the command's imports are done: see scripts.startup
        except (ImportError, AttributeError) as error:
            # e.g. an optional extra missing: a usage error naming it, not a traceback
            raise click.UsageError(
                f"command {cmd_name!r} is unavailable: {type(error).__name__}: {error}"
            ) from None
        if not isinstance(command, click.Command):
            raise TypeError(f"{path} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> object:
        """Runs the subcommand; with ``--log-json`` a usage error (a bad option value, a
        missing argument) is a JSON record on stderr like every other error, with its
        type and exit code, instead of click's plain text."""
        try:
            return super().invoke(ctx)
        except click.ClickException as problem:
            if not getattr(ctx.obj, "log_json", False):
                raise
            from scripts.context import error

            error(
                problem.format_message(),
                event="usage",
                error_type=type(problem).__name__,
                exit_code=problem.exit_code,
            )
            raise SystemExit(problem.exit_code) from None

    def get_help(self, ctx: click.Context) -> str:
        _FAST_EXIT.append(True)  # the top-level help trades nothing: see FAST_START_COMMANDS
        from click import formatting

        if ctx.terminal_width is None and formatting.FORCED_WIDTH is None:
            from scripts.help_width import help_width

            # the width click would take from shutil, without importing it (issue 20)
            ctx.terminal_width = help_width(ctx.max_content_width)
        return super().get_help(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self._lazy[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="atomic-fp", prog_name="atomic-fp")
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="TOML config (default: $ATOMIC_FP_CONFIG, then ./atomic-fp.toml, then built-ins).",
)
@click.option("--log-json", is_flag=True, help="Structured (JSON lines) logs on stderr.")
@click.option("-v", "--verbose", count=True, help="More log detail on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, log_json: bool, verbose: int, quiet: bool
) -> None:
    """atomic-fp: cross-exchange perpetual funding-rate arbitrage.

    Exit codes: 0 ok (partial venue failures are reported), 1 nothing usable or a bad
    state a person must look at (unresolved order, journal/venue mismatch, residual,
    journal failure: one line on stderr each), 2 usage or configuration error,
    3 --alert-above exceeded.
    """
    from scripts.context import AppContext

    ctx.obj = AppContext(
        config_path=config_path,
        log_json=log_json,
        verbose=verbose,
        quiet=quiet,
        command=ctx.invoked_subcommand,
    )


_CODE_CACHE: list[bool] = []
"""Set by :func:`main`: only the ``atomic-fp`` process keeps attrs' compiled methods on
disk, not a test or a program calling :data:`cli` itself."""

FAST_START_COMMANDS = frozenset({"scan"})
"""The commands whose start-up and exit are trimmed (issue 20: attrs' compiled methods from
the cache directory, no interpreter teardown). Only commands that neither trade nor write a
journal: a command that moves money keeps Python's own start and exit, whatever they cost."""

_FAST_EXIT: list[bool] = []
"""Set when a :data:`FAST_START_COMMANDS` command (or the top-level help) runs."""


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``atomic-fp``). The collector is paused for the start-up
    (:func:`scripts.startup.pause_collector`): resumed when a command not in
    :data:`FAST_START_COMMANDS` is chosen, else once the command has started up."""
    block_unused_imports()
    pause_collector()
    mark_console_process()
    _CODE_CACHE.append(True)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="atomic-fp")
    finally:
        resume_collector()


def run() -> NoReturn:
    """The ``atomic-fp`` console script: :func:`main`; after the top-level help or a
    :data:`FAST_START_COMMANDS` command (``scan``) the process then ends without tearing
    the interpreter down (measured 20-40 ms on this machine: clearing every module and
    collecting its objects, for a process about to end). Every other command, and so every
    command that trades or journals, exits as Python does. Before the fast end, standard
    output and error are flushed and the ``atexit`` functions run (logging's flush, the
    attrs code cache), as at a normal exit; the exit status is the one ``SystemExit`` would
    give. A normal exit is kept where its teardown can matter: a thread that is not a daemon
    still running (the interpreter would wait for it), an output that cannot be flushed (a
    closed pipe: Python's own handling applies), or a profiler or tracer installed
    (``python -m cProfile``, coverage: they write at exit)."""
    from scripts.console import begin_early

    begin_early()  # done already when the console script is scripts.console:run (see there)
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    _end(code)


def _end(code: object) -> NoReturn:
    import os
    import sys
    import threading

    if not _FAST_EXIT:
        raise SystemExit(code)  # a trading command, or any other: Python's own exit
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)  # a profiler or coverage writes its data at the real exit
    if any(t.daemon is False for t in threading.enumerate() if t is not threading.main_thread()):
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(status) from None
    import atexit

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(status) from None
    os._exit(status & 0xFF)  # as the OS truncates exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
