"""HTTPS to the venues: the local replay servers speak TLS with a test certificate
(``trustme``: a throwaway CA, the certificate for 127.0.0.1 signed by it), and the real
``atomic-fp scan`` trusts it only when told to (``[tls] ca_bundle`` or ``[venues.<id>]
ca_bundle``); every client of the process verifies with one shared SSL context
(``adapters/tls.py``)."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from adapters import tls
from adapters.registry import VenueSettings, build_client
from atomic_fp.models.identifiers import ExchangeIdentifier
from bench.bench_scan_latency import VENUES
from bench.replay_server import Servers, serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_servers(ca: trustme.CA) -> Iterator[Servers]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with serving(0.0, tls=context) as servers:
        yield servers


def _scan(tmp_path: Path, urls: dict[str, str], extra: str) -> subprocess.CompletedProcess[str]:
    lines = [extra]
    for venue in VENUES:
        lines += [f"[venues.{venue}]", f'kind = "{venue}"', f'base_url = "{urls[venue]}"', ""]
    config = tmp_path / "atomic-fp.toml"
    config.write_text("\n".join(lines))
    env = {**os.environ, "ATOMIC_FP_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", "--config", str(config), "scan", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_scan_over_tls_trusts_the_configured_ca(
    tls_servers: Servers, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    urls = tls_servers.urls()
    assert all(url.startswith("https://") for url in urls.values())
    done = _scan(tmp_path, urls, f'[tls]\nca_bundle = "{bundle}"\n')
    assert done.returncode == 0, done.stderr
    venues = json.loads(done.stdout)["venues"]
    assert {name: venues[name]["ok"] for name in VENUES} == dict.fromkeys(VENUES, True)


def test_scan_over_tls_refuses_an_untrusted_certificate(
    tls_servers: Servers, tmp_path: Path
) -> None:
    done = _scan(tmp_path, tls_servers.urls(), "")
    assert done.returncode == 1  # nothing usable: every venue failed, as values
    assert "Traceback" not in done.stderr
    # the same servers answer with the CA trusted (the test above): only trust differs
    for venue in VENUES:
        assert f"venue {venue} left out" in done.stderr
    assert "could not connect" in done.stderr


def test_every_client_of_the_process_shares_one_ssl_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[object] = []
    real = tls.default_transport

    def recording(ca_bundle: str | None = None) -> object:
        transport = real(ca_bundle)
        built.append(transport)
        return transport

    monkeypatch.setattr(tls, "default_transport", recording)
    for kind in VENUES:
        client = build_client(VenueSettings(id=ExchangeIdentifier(kind), kind=kind)).unwrap()
        del client
    assert len(built) == len(VENUES)
    contexts = {id(t._pool._ssl_context) for t in built}  # type: ignore[attr-defined]
    assert contexts == {id(tls.shared_ssl_context())}


def test_a_missing_ca_bundle_is_a_named_failure(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    settings = VenueSettings(id=ExchangeIdentifier("binance"), kind="binance", ca_bundle=missing)
    failure = build_client(settings).failure()
    assert "binance" in failure and "ca_bundle" in failure and "nope.pem" in failure
