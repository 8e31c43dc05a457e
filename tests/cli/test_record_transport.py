"""``record`` connects as every other command's venue clients do: with the venue's CA
bundle (config ``ca_bundle``) and through the environment's proxies
(:func:`adapters.tls.default_transport`). Before, its recorder wrapped a bare
``httpx.AsyncHTTPTransport()``: certifi's store and no proxy, so a venue that needs its
``ca_bundle`` was "not recorded" (exit 1) and a mandatory proxy was gone around.

Against the benchmarks' local venue servers (``bench/replay_server.py``, TLS with a
``trustme`` CA) and the counting forward proxy (``tests/adapters/forward_proxy.py``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from bench.replay_server import Servers
from scripts.cli import cli
from tests.adapters.forward_proxy import forward_proxy

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _config(directory: Path, base_url: str, bundle: Path | None = None) -> None:
    tls = f'[tls]\nca_bundle = "{bundle}"\n' if bundle else ""
    (directory / "atomic-fp.toml").write_text(
        f'{tls}[venues.hyperliquid]\nkind = "hyperliquid"\nbase_url = "{base_url}"\n'
    )


def _recorded(out: Path) -> int:
    (venue,) = json.loads(out.read_text())["venues"]
    assert venue["venue"] == "hyperliquid"
    return len(venue["exchanges"])


def test_record_verifies_with_the_configured_ca_bundle(
    runner: CliRunner, isolated: Path, env: pytest.MonkeyPatch, tls_venues: Servers, ca: trustme.CA
) -> None:
    bundle = isolated / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    _config(isolated, tls_venues.urls()["hyperliquid"], bundle)
    out = isolated / "snap.json"
    result = runner.invoke(cli, ["record", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _recorded(out) >= 2  # markets and funding


def test_record_still_refuses_a_certificate_nothing_trusts(
    runner: CliRunner, isolated: Path, env: pytest.MonkeyPatch, tls_venues: Servers
) -> None:
    _config(isolated, tls_venues.urls()["hyperliquid"])
    out = isolated / "snap.json"
    result = runner.invoke(cli, ["record", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "venue hyperliquid not recorded" in result.stderr
    assert not out.exists()


def test_record_goes_through_the_environments_proxy(
    runner: CliRunner, isolated: Path, env: pytest.MonkeyPatch, plain_venues: Servers
) -> None:
    venue = plain_venues.urls()["hyperliquid"]
    _config(isolated, venue)
    out = isolated / "snap.json"
    with forward_proxy() as proxy:
        env.setenv("HTTP_PROXY", proxy.url)
        result = runner.invoke(cli, ["record", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _recorded(out) >= 2
    assert proxy.relayed and all(target.startswith(venue) for _, target in proxy.relayed)


def test_record_exits_2_on_a_broken_proxy_setting_writing_nothing(
    runner: CliRunner, isolated: Path, env: pytest.MonkeyPatch, plain_venues: Servers
) -> None:
    _config(isolated, plain_venues.urls()["hyperliquid"])
    out = isolated / "snap.json"
    env.setenv("HTTP_PROXY", "http://user:s3cret@proxy.corp:99999")
    plain_venues.take_logs()
    result = runner.invoke(cli, ["record", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert (
        "atomic-fp: error: venue hyperliquid: proxy for 'http://' (HTTP_PROXY) from the "
        "environment (http://proxy.corp:99999): its port 99999 is not in 1-65535"
    ) in result.stderr
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert all(log == [] for log in plain_venues.take_logs().values())
