"""Where the default CA store comes from, named when it cannot be loaded.

A venue without ``ca_bundle`` verifies with httpx's default context
(:func:`adapters.tls.shared_ssl_context` ``(None)``: ``httpx.create_ssl_context(
trust_env=True)``), which httpx builds from ``SSL_CERT_FILE`` when set, else from
``SSL_CERT_DIR``, else from certifi's bundle (``httpx/_config.py``, 0.28/0.29). A
``SSL_CERT_FILE`` naming a missing file fails with ``[Errno 2] No such file or
directory``, without the file's name; before, the venue's build failure then read
``ca_bundle None: [Errno 2] ...`` and ``scan`` reported it as an invalid configuration
of the config file, which names no CA at all. :func:`described` names the setting.

Building any default context also opens the file ``SSLKEYLOGFILE`` names
(``ssl.create_default_context``: ``context.keylog_filename = keylogfile``, CPython
``Lib/ssl.py``), and that error, unlike the store's, carries the file's name
(``OSError.filename``). :func:`blamed` uses the CA-store wording only for the store's own
errors (no file name, or the store's path); another file is named as what failed:
``SSLKEYLOGFILE=/nonexistent/dir/keys.log`` is reported as that setting, not as a broken
``SSL_CERT_FILE``.

``SSL_CERT_DIR`` (used when ``SSL_CERT_FILE`` is not set) never fails when the context is
built: ``load_verify_locations(capath=...)`` only records the directories, and OpenSSL
looks a CA up in them at each handshake, by the file name ``<subject hash>.<n>``
(``SSL_CTX_load_verify_locations(3)``: "the certificates in CApath are only looked up when
required ... named by the hash value" as ``openssl rehash`` makes them; several
directories separated by ``:``, OpenSSL's ``by_dir.c``). A directory that does not exist,
or holds no such file, verifies nothing: every venue then failed only at connect, with
``certificate verify failed``, and ``scan`` reported each venue "failed" (exit 1) without
naming the setting. :func:`cert_dir_problem` finds it before any client is built.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping

_HASHED_NAME = re.compile(r"[0-9a-f]{8}\.[0-9]+")  # "5ad8a5d6.0": by_dir.c's "%08lx.%d"


def default_store_source(environ: Mapping[str, str] = os.environ) -> str:
    """The setting httpx's default context is loaded from, as httpx chooses it."""
    if environ.get("SSL_CERT_FILE"):
        return f"SSL_CERT_FILE {environ['SSL_CERT_FILE']!r} from the environment"
    if environ.get("SSL_CERT_DIR"):
        return f"SSL_CERT_DIR {environ['SSL_CERT_DIR']!r} from the environment"
    return "certifi's CA bundle"


def described(error: Exception, environ: Mapping[str, str] = os.environ) -> str:
    """What went wrong loading the default CA store, naming where it comes from."""
    return f"the default CA store ({default_store_source(environ)}): {error}"


def cert_dir_problem(environ: Mapping[str, str] = os.environ) -> OSError | None:
    """Why the default store httpx would load from ``SSL_CERT_DIR`` holds no CA
    (``None``: it may, or ``SSL_CERT_FILE`` / certifi is the store): none of its
    directories exists, or none holds a file named as OpenSSL looks certificates up. The
    error names no file (the store is the setting, as :func:`blamed` words it)."""
    if environ.get("SSL_CERT_FILE") or not environ.get("SSL_CERT_DIR"):
        return None
    directories = [d for d in environ["SSL_CERT_DIR"].split(os.pathsep) if d]
    existing = [d for d in directories if os.path.isdir(d)]
    if not existing:
        return FileNotFoundError(errno.ENOENT, "No such directory")
    for directory in existing:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        if any(_HASHED_NAME.fullmatch(name) for name in names):
            return None
    return OSError(
        "no certificate file named by its subject hash (<hash>.0, as `openssl rehash` "
        "names them) in it, so no venue's certificate could be verified"
    )


def _other_file(error: Exception, store: str | None) -> str | None:
    """The file ``error`` names when it is not the CA store's (``None``: the store's)."""
    filename = getattr(error, "filename", None) if isinstance(error, OSError) else None
    if filename is None or not isinstance(filename, str | bytes):
        return None
    path = os.fsdecode(filename)
    return None if path == store else path


def blamed(error: Exception, ca_bundle: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """What failed building the SSL context for ``ca_bundle`` (``None``: the default
    store): the store, worded as :func:`described` (default) or ``ca_bundle '...'``; or,
    when the error names another file, that file (``SSLKEYLOGFILE '...' from the
    environment`` when it is the one that setting names)."""
    store = ca_bundle if ca_bundle is not None else environ.get("SSL_CERT_FILE") or None
    other = _other_file(error, store)
    if other is None:
        if ca_bundle is None:
            return described(error, environ)
        return f"ca_bundle {ca_bundle!r}: {error}"
    reason = f"[Errno {error.errno}] {error.strerror}" if isinstance(error, OSError) else ""
    if other == environ.get("SSLKEYLOGFILE"):
        return f"SSLKEYLOGFILE {other!r} from the environment: {reason or error}"
    return f"{other!r}: {reason or error}"


def default_store_problem() -> str | None:
    """:func:`blamed` for the default context when it cannot be built (the message a
    venue client's build gives for it: the CA store, or another file the environment
    names), or ``None`` when it loads."""
    from adapters.tls import shared_ssl_context

    try:
        shared_ssl_context(None)
    except (OSError, ValueError) as error:
        return blamed(error, None)
    return None


__all__ = [
    "blamed",
    "cert_dir_problem",
    "default_store_problem",
    "default_store_source",
    "described",
]
