"""A live ``scan``'s connections, begun by the console script before it imports anything
else (issue 20, target 1).

A cold scan waits for TCP and TLS handshakes (two round trips; GRVT's websocket three
before its subscribe) that need nothing but the config file's URLs and CA bundles.
:func:`scripts.scan_preconnect.preconnect_venues` begins them once the scan has read and
validated its config, about 0.15 s after the process started (click, the scan command,
the config's parser and the models it builds are imported first). :func:`begin` begins
the same connections from the raw config file as soon as Python is up, with the standard
library's ``tomllib`` and :mod:`adapters.preconnect` (``ssl``, ``socket``), through the
same plan (:func:`scripts.scan_preconnect.begin`); the scan's own call then finds them
begun (:func:`adapters.preconnect.start` is idempotent) and its clients claim them.

It does something only for a command line it recognises completely: the global options
``--config``, ``--log-json``, ``-v``/``-vv``/``--verbose``, ``-q``/``--quiet``, then
``scan`` and the scan options that do not change where its data comes from. Anything
else does nothing: another command (``execute`` and ``run`` trade: they never
pre-connect), ``--offline``, ``--snapshot``, ``--help``, ``--version``, an option it does
not know, an argument, ``--``, a proxy in the environment, ``ATOMIC_FP_PRECONNECT=0``.

The config file is found as :func:`scripts.config.load` finds it
(:func:`scripts.config_location.locate`: ``--config``, ``$ATOMIC_FP_CONFIG``,
``./atomic-fp.toml``, else the built-in venues) and read for what the plan uses: each
venue's kind, URLs, options, timeout, ``enabled`` and CA bundle (its own, else
``[tls] ca_bundle``), as the parser reads them. A file that cannot be read or decoded,
a TOML syntax error, an unknown section, or any of those values the parser would refuse
(an unknown kind, a URL that is not one, a timeout out of range, a CA bundle that is not
a file: ``tests/adapters/test_preconnect_early.py`` checks this against the parser): nothing
is begun and nothing is said; the scan then reports the problem exactly as without this
step. A file the parser refuses for another reason (a fee, a strategy value) costs the
connections begun, which the scan never claims and which are closed at exit
(:func:`adapters.preconnect.discard_unused`); the error is reported as before.

Trust is unchanged: the connections are verified by the process's shared SSL context for
the same CA bundle (:func:`adapters.tls.shared_ssl_context`), the very object the clients
use later, and a connection is handed out only to a caller asking with that object and
the same host name (:meth:`adapters.prepared_connection.PreparedConnection.take`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (the module imports nothing at all before it knows the line is a scan)
    from collections.abc import Mapping, Sequence

GLOBAL_FLAGS = frozenset({"--log-json", "--verbose", "-q", "--quiet"})
"""``scripts.cli.cli``'s options without a value (``-v`` in any count: ``-v``, ``-vv``...)."""
SCAN_FLAGS = frozenset({"--all-pairs", "--both-directions"})
SCAN_VALUES = frozenset(
    {
        "--venues", "--symbols", "--min-apr", "--min-oi", "--min-volume", "--alert-above",
        "--format", "--limit", "--basis", "--store",
    }
)  # fmt: skip
"""``scripts.scan_command.scan``'s options that take a value and leave the scan live
(``--snapshot`` does not: nothing is begun)."""
CHOICES: Mapping[str, tuple[str, ...]] = {
    "--format": ("table", "json", "csv"),
    "--basis": ("current", "predicted", "avg24h", "avg7d"),
}
"""The values click accepts for these options (``scripts.output.FORMATS``, case-sensitive;
``scripts.basis.BASES``, any case; checked equal by the tests): another is a usage error,
and the line is left alone. So is a ``--limit`` that is not a whole number >= 1 (click's
``IntRange(min=1)``: ``int(value)``). The values ``scan`` itself parses (``--min-apr``,
``--min-oi``...) are not checked here: a bad one is refused as before, and costs the
connections begun, closed unused at exit."""

URL_PREFIXES = ("http://", "https://", "ws://", "wss://")
"""What :func:`scripts.config_venues.parse_venue` accepts as a URL (``^(https?|wss?)://``)."""
MAX_TIMEOUT_SECONDS = 3600.0
"""``scripts.config_venues.MAX_TIMEOUT_SECONDS`` (checked equal by the tests)."""


class Refused(Exception):
    """The command line or the config file is not one this step acts on."""


def begin(argv: Sequence[str], environ: Mapping[str, str], cwd: str | None = None) -> int:
    """Begin a live scan's connections if ``argv`` (without the program name) is one
    (see the module's doc); how many were begun. Never raises, never prints."""
    try:
        line = scan_line(argv)
        if line is None:
            return 0
        from scripts.scan_preconnect import turned_off

        if turned_off(environ):
            return 0
        config_path, names = line
        from adapters.preconnect import proxies_configured

        if proxies_configured(environ):
            return 0
        venues = raw_venues(config_path, environ, cwd)
        from scripts.scan_preconnect import begin as begin_chosen

        return begin_chosen(venues, names, environ)
    except Exception:  # a problem of the file or the machine: the scan reports its own
        return 0


_TAKEN: list[bool] = []


def begin_once(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """:func:`begin`, the first time it is called in the process (the console script's
    entry and :func:`scripts.cli.run` both call it; the flag lives here, in a module never
    run as ``__main__``, so ``python -m scripts.console`` takes the step once too); then,
    if it began connections, the scan's code cache (only the ``atomic-fp`` process, which
    alone calls this, installs it)."""
    if _TAKEN:
        return 0
    _TAKEN.append(True)
    begun = begin(argv, environ)
    if begun:
        _install_code_cache(environ)
    return begun


def _install_code_cache(environ: Mapping[str, str]) -> None:
    """The scan's code cache (:func:`scripts.attrs_code_cache.install`, which
    :func:`scripts.cli.main` installs for ``scan`` anyway, once per process), now that the
    connections are begun: the regular expressions the threads compile meanwhile (the
    websocket library's, ~50) come from it too, as they did when the threads began after
    the scan had started."""
    try:
        from scripts.attrs_code_cache import install

        install(environ, "scan")
    except Exception:  # (it ignores a bad file itself) the scan installs it as before
        return


def scan_line(argv: Sequence[str]) -> tuple[str | None, list[str] | None] | None:
    """``(--config, --venues names)`` of a live ``scan`` command line, else ``None``.

    Read as click reads it: an option's value is the next word (or after ``=``), a
    repeated option's last value wins, ``-vv`` counts as two ``-v``."""
    config: str | None = None
    words = list(argv)
    while words and words[0] != "scan":
        word = words.pop(0)
        name, has_value, value = word.partition("=")
        if name == "--config":
            if not has_value:
                if not words:
                    return None
                value = words.pop(0)
            config = value
        elif has_value or not _global_flag(word):
            return None
    if not words:
        return None
    words.pop(0)  # scan
    venues: str | None = None
    while words:
        word = words.pop(0)
        name, has_value, value = word.partition("=")
        if name in SCAN_VALUES:
            if not has_value:
                if not words:
                    return None
                value = words.pop(0)
            if name == "--venues":
                venues = value
            elif not _valid(name, value):
                return None
        elif has_value or word not in SCAN_FLAGS:
            return None
    from scripts.list_option import split_list

    return config, split_list(venues)


def _valid(option: str, value: str) -> bool:
    if option == "--limit":
        try:
            return int(value) >= 1
        except ValueError:
            return False
    choices = CHOICES.get(option)
    if choices is None:
        return True
    if option == "--basis":
        return value.casefold() in (choice.casefold() for choice in choices)
    return value in choices


def _global_flag(word: str) -> bool:
    return word in GLOBAL_FLAGS or (len(word) > 1 and word[0] == "-" and set(word[1:]) == {"v"})


class RawVenue:
    """A ``[venues.<id>]`` section as :func:`adapters.preconnect.plan` reads it, from the
    decoded TOML (values checked as :func:`scripts.config_venues.parse_venue` checks
    them; :class:`Refused` where it would refuse one)."""

    __slots__ = ("base_url", "ca_bundle", "enabled", "id", "kind", "options", "timeout", "ws_url")

    def __init__(self, name: str, section: Mapping[str, Any], global_bundle: str | None) -> None:
        from scripts.config_location import BUILTIN_KIND_NAMES

        self.id = name
        kind = section.get("kind", name if name in BUILTIN_KIND_NAMES else None)
        if not isinstance(kind, str) or (kind not in BUILTIN_KIND_NAMES and ":" not in kind):
            raise Refused(f"venues.{name}.kind")
        self.kind = kind
        self.base_url = _url(section.get("base_url"))
        self.ws_url = _url(section.get("ws_url"))
        options = section.get("options", {})
        if not isinstance(options, dict):
            raise Refused(f"venues.{name}.options")
        self.options = {str(key): str(value) for key, value in options.items()}
        self.timeout = _timeout(section.get("timeout", 10.0))
        enabled = section.get("enabled", True)
        if not isinstance(enabled, bool):
            raise Refused(f"venues.{name}.enabled")
        self.enabled = enabled
        own = _bundle(section.get("ca_bundle"))
        self.ca_bundle = own if own is not None else global_bundle


def raw_venues(
    explicit: str | None, environ: Mapping[str, str], cwd: str | None = None
) -> list[RawVenue]:
    """The venues of the config file :func:`scripts.config.load` would read, or the
    built-in ones; :class:`Refused` (or the ``OSError``, ``UnicodeDecodeError``,
    ``tomllib.TOMLDecodeError`` of reading it) where ``load`` would refuse the file."""
    from pathlib import Path

    from scripts.config_location import DEFAULT_VENUES, SECTIONS, locate

    path = locate(explicit, environ, Path(cwd) if cwd is not None else Path.cwd())
    data: Mapping[str, Any] = {}
    if path is not None:
        import stat
        import tomllib

        # only a regular file: a pipe (``--config <(...)``, ``/dev/stdin``) or a FIFO read
        # here would leave the scan's own read empty (the built-in venues) or blocked
        if not stat.S_ISREG(path.stat().st_mode):
            raise Refused("not a regular file")
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    if set(data) - set(SECTIONS):
        raise Refused("an unknown section")
    tls = _table(data.get("tls", {}))
    if set(tls) - {"ca_bundle"}:
        raise Refused("tls")
    global_bundle = _bundle(tls.get("ca_bundle"))
    if "venues" not in data:
        return [RawVenue(name, {}, global_bundle) for name in DEFAULT_VENUES]
    return [
        RawVenue(str(name), _table(section), global_bundle)
        for name, section in _table(data["venues"]).items()
    ]


def _table(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Refused("not a table")
    return value


def _url(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith(URL_PREFIXES):
        raise Refused("a URL")
    return value


def _timeout(value: object) -> float:
    import math

    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_TIMEOUT_SECONDS
    ):
        raise Refused("timeout")
    return float(value)


def _bundle(value: object) -> str | None:
    """As :func:`scripts.config_values.parse_ca_bundle`: a path to a file, or ``None``."""
    if value is None:
        return None
    from pathlib import Path

    if not isinstance(value, str) or not Path(value).is_file():
        raise Refused("ca_bundle")
    return value


__all__ = ["RawVenue", "Refused", "begin", "begin_once", "raw_venues", "scan_line"]
