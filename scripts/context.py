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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("venue", "event", "symbol", "code", "todo", "details"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_text:
            payload["exception"] = record.exc_text
        return REDACTOR.scrub(json.dumps(payload, default=str))


def setup_logging(*, log_json: bool, verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
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
    _LOG.error(REDACTOR.scrub(message), extra=fields)


def fail(message: str, code: int = exitcodes.USAGE) -> NoReturn:
    """Report an error on stderr and exit with ``code``."""
    if not _LOG.handlers:  # before the group set logging up (a bare command in a test)
        click.echo(f"atomic-fp: error: {REDACTOR.scrub(message)}", err=True)
    else:
        error(message)
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
    ) -> None:
        self.config_path = config_path
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
