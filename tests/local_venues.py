"""The replayed venues on 127.0.0.1 as module-scoped fixtures, over TLS and plain HTTP
(registered by ``tests/conftest.py``). ``tls_venues`` serves a certificate for 127.0.0.1
issued by the requesting module's ``ca`` fixture, which that module's clients trust."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from bench.replay_server import Servers, serving


@pytest.fixture(scope="module")
def tls_venues(ca: trustme.CA) -> Iterator[Servers]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with serving(0.0, tls=context) as servers:
        yield servers


@pytest.fixture(scope="module")
def plain_venues() -> Iterator[Servers]:
    with serving(0.0) as servers:
        yield servers
