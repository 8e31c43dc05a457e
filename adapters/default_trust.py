"""Where the default CA store comes from, named when it cannot be loaded.

A venue without ``ca_bundle`` verifies with httpx's default context
(:func:`adapters.tls.shared_ssl_context` ``(None)``: ``httpx.create_ssl_context(
trust_env=True)``), which httpx builds from ``SSL_CERT_FILE`` when set, else from
``SSL_CERT_DIR``, else from certifi's bundle (``httpx/_config.py``, 0.28/0.29). A
``SSL_CERT_FILE`` naming a missing file fails with ``[Errno 2] No such file or
directory``, without the file's name; before, the venue's build failure then read
``ca_bundle None: [Errno 2] ...`` and ``scan`` reported it as an invalid configuration
of the config file, which names no CA at all. :func:`described` names the setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def default_store_source(environ: Mapping[str, str] = os.environ) -> str:
    """The setting httpx's default context is loaded from, as httpx chooses it."""
    if environ.get("SSL_CERT_FILE"):
        return f"SSL_CERT_FILE {environ['SSL_CERT_FILE']!r} from the environment"
    if environ.get("SSL_CERT_DIR"):
        return f"SSL_CERT_DIR {environ['SSL_CERT_DIR']!r} from the environment"
    return "certifi's CA bundle"


def described(error: Exception) -> str:
    """What went wrong loading the default CA store, naming where it comes from."""
    return f"the default CA store ({default_store_source()}): {error}"


def default_store_problem() -> str | None:
    """:func:`described` for the default CA store when it cannot be loaded (the message
    a venue client's build gives for it), or ``None`` when it loads."""
    from adapters.tls import shared_ssl_context

    try:
        shared_ssl_context(None)
    except (OSError, ValueError) as error:
        return described(error)
    return None


__all__ = ["default_store_problem", "default_store_source", "described"]
