"""Fixtures shared by the adapters' TLS tests (pre-connect, proxy routing): one test CA per
module and its PEM bundle, a local TLS server of that CA counting its connections, and a
clean slate of pre-made connections around a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trustme

from tests.adapters.tls_server import TlsServer, server_context, write_bundle


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_bundle(ca, tmp_path_factory.mktemp("ca"))


@pytest.fixture
def forget_preconnections() -> Iterator[None]:
    """No pre-made connection from another test is claimed, none of this test's is left."""
    from adapters import preconnect

    preconnect.reset()
    yield
    preconnect.reset()


@pytest.fixture
def server(ca: trustme.CA) -> Iterator[TlsServer]:
    """A TLS server for 127.0.0.1 with a certificate of ``ca`` (``tls_server.TlsServer``)."""
    running = TlsServer(server_context(ca))
    yield running
    running.stop()
