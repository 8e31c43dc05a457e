"""What every command shares: the loaded config, logging to stderr, secret redaction."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, NoReturn

import click

from scripts import exitcodes

if TYPE_CHECKING:
    from scripts.config import AppConfig

LOGGER_NAMES = ("atomic_fp", "adapters", "scripts")
_MIN_SECRET_LENGTH = 4


class Redactor(logging.Filter):
    """Replaces every known secret value with ``***`` in log records (message and args).

    The secrets are the resolved credential values; they are registered as soon as the
    config is loaded, before any venue client exists.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, values: Iterable[str]) -> None:
        self._secrets.update(v for v in values if len(v) >= _MIN_SECRET_LENGTH)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
            if record.exc_info:
                record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


REDACTOR = Redactor()


STRUCTURED_FIELDS = (
    "command",
    "venue",
    "symbol",
    "event",
    "error_type",
    "code",
    "exit_code",
    "todo",
    "details",
)
"""Fields a ``--log-json`` record carries when they apply (``extra=`` of the log call):
the command that ran, the venue and symbol concerned, what happened (``event``), the
error's type (a :class:`~atomic_fp.errors.VenueError` kind such as ``NetworkError``, or
``UsageError`` / ``ConfigurationError`` / ``NothingUsable``), the venue's own error
``code``, the process ``exit_code`` when the record ends the command, and an alarm's
``todo`` and ``details`` (:mod:`scripts.alarms`)."""


class CommandField(logging.Filter):
    """Stamps every record with the command being run (``scan``, ``execute``...)."""

    command: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.command is not None and not hasattr(record, "command"):
            record.command = self.command
        return True


COMMAND_FIELD = CommandField()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in STRUCTURED_FIELDS:
            if getattr(record, key, None) is not None:
                payload[key] = getattr(record, key)
        if record.exc_text:
            payload["exception"] = record.exc_text
        return REDACTOR.scrub(json.dumps(payload, default=str))


def setup_logging(*, log_json: bool, verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(COMMAND_FIELD)
    handler.addFilter(REDACTOR)
    handler.setFormatter(JsonFormatter() if log_json else PlainFormatter())
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


_LOG = logging.getLogger("scripts")


def warn(message: str, **fields: object) -> None:
    """A warning on stderr (a JSON line with ``--log-json``), secrets scrubbed."""
    _LOG.warning(REDACTOR.scrub(message), extra=fields)


def error(message: str, **fields: object) -> None:
    """An error on stderr; with an ``exit_code`` field the ``error_type`` defaults to
    what the code means (``UsageError``, ``NothingUsable``)."""
    code = fields.get("exit_code")
    if isinstance(code, int) and "error_type" not in fields:
        fields["error_type"] = ERROR_TYPES.get(code, "Error")
    _LOG.error(REDACTOR.scrub(message), extra=fields)


ERROR_TYPES = {exitcodes.USAGE: "UsageError", exitcodes.NOTHING_USABLE: "NothingUsable"}


def fail(message: str, code: int = exitcodes.USAGE, **fields: object) -> NoReturn:
    """Report an error on stderr and exit with ``code``. ``fields`` are structured log
    fields (``venue``, ``symbol``, ``error_type``...); ``error_type`` defaults from the
    code (``ConfigurationError`` for an invalid configuration)."""
    if not _LOG.handlers:  # before the group set logging up (a bare command in a test)
        click.echo(f"atomic-fp: error: {REDACTOR.scrub(message)}", err=True)
    else:
        kind = "ConfigurationError" if message.startswith("invalid configuration") else None
        fields.setdefault("error_type", kind or ERROR_TYPES.get(code, "Error"))
        error(message, exit_code=code, **fields)
    raise SystemExit(code)


class PlainFormatter(logging.Formatter):
    """``atomic-fp: warning: ...``: what a person reads on a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return REDACTOR.scrub(f"atomic-fp: {record.levelname.lower()}: {record.getMessage()}")


class AppContext:
    """Passed to every command as ``ctx.obj``; loads the config on first use."""

    def __init__(
        self,
        *,
        config_path: str | None,
        log_json: bool,
        verbose: int,
        quiet: bool,
        environ: Mapping[str, str] | None = None,
        command: str | None = None,
    ) -> None:
        self.config_path = config_path
        self.command = command
        COMMAND_FIELD.command = command
        self.log_json = log_json
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self._config: AppConfig | None = None
        setup_logging(log_json=log_json, verbose=verbose, quiet=quiet)

    def config(self) -> AppConfig:
        """The configuration; an invalid one exits 2 naming the file and the key."""
        if self._config is None:
            from scripts.config import ConfigError, load

            try:
                self._config = load(self.config_path, self.environ)
            except ConfigError as error:
                fail(f"invalid configuration: {error}")
            for venue in self._config.venues:
                REDACTOR.add(venue.resolve_credentials(self.environ).values())
        return self._config


def app_context(ctx: click.Context) -> AppContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a command invoked outside the group (tests)
        obj = AppContext(config_path=None, log_json=False, verbose=0, quiet=False)
        ctx.find_root().obj = obj
    return obj
