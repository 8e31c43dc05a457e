"""``SSL_CERT_DIR`` that holds no CA is named before anything connects.

httpx loads the default CA store from ``SSL_CERT_DIR`` when ``SSL_CERT_FILE`` is not set
(``httpx/_config.py``: ``ssl.create_default_context(capath=...)``). OpenSSL records the
directories and looks a CA up in them at each handshake, by the file name
``<subject hash>.<n>`` (``SSL_CTX_load_verify_locations(3)``; ``openssl rehash``), so a
directory that does not exist, or holds no such file, built a context without error and
every venue failed at connect: ``scan`` reported each venue ``certificate verify failed``
and exited 1, naming no setting (review of the environment-settings work). Now every
command exits 2 naming the setting (:func:`adapters.default_trust.cert_dir_problem`), as a
missing ``SSL_CERT_FILE`` is named (``tests/cli/test_environment_setting_errors.py``); a
rehashed directory holding the venue's CA still verifies it, against a local TLS venue.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import trustme

from adapters import tls
from adapters.default_trust import cert_dir_problem
from bench.replay_server import Servers
from tests.cli.test_sslkeylogfile_error import COMMANDS, PROXY_NAMES, _errors, _run


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(tls, "_contexts", {})  # (the default context is loaded afresh)
    return monkeypatch


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _config(tmp_path: Path, base_url: str | None = None) -> Path:
    config = tmp_path / "atomic-fp.toml"
    if base_url is None:
        text = '[venues.binance]\nkind = "binance"\n[venues.hyperliquid]\nkind = "hyperliquid"\n'
    else:
        text = f'[venues.hyperliquid]\nkind = "hyperliquid"\nbase_url = "{base_url}"\n'
    config.write_text(text)
    return config


def _rehashed(ca: trustme.CA, directory: Path) -> Path:
    """``directory`` holding ``ca`` under its OpenSSL subject-hash name, as ``openssl
    rehash`` would name it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to name the CA by its subject hash")
    directory.mkdir()
    pem = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    digest = subprocess.run(
        [openssl, "x509", "-subject_hash", "-noout", "-in", str(pem)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    pem.rename(directory / f"{digest}.0")
    return directory


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("layout", "reason"),
    [
        ("missing", "[Errno 2] No such directory"),
        ("empty", "no certificate file named by its subject hash"),
        ("unhashed", "no certificate file named by its subject hash"),
    ],
)
def test_an_ssl_cert_dir_without_a_ca_is_named_before_connecting(
    env: pytest.MonkeyPatch,
    tmp_path: Path,
    ca: trustme.CA,
    command: list[str],
    layout: str,
    reason: str,
) -> None:
    directory = tmp_path / "certs"
    if layout != "missing":
        directory.mkdir()
    if layout == "unhashed":  # a CA, but not where OpenSSL looks it up
        ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    env.setenv("SSL_CERT_DIR", str(directory))
    result = _run(_config(tmp_path), command, tmp_path)
    assert result.exit_code == 2, result.output
    (line,) = _errors(result)
    assert line.startswith(
        "atomic-fp: error: venue binance: the default CA store "
        f"(SSL_CERT_DIR '{directory}' from the environment): {reason}"
    ), line
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (tmp_path / "snapshot.json").exists()


def test_a_rehashed_ssl_cert_dir_verifies_the_venue(
    env: pytest.MonkeyPatch, tmp_path: Path, ca: trustme.CA, tls_venues: Servers
) -> None:
    """The setting still works as httpx uses it: a local TLS venue whose CA is in the
    directory under its hash name is scanned; the same venue with an empty directory is
    refused before connecting, not reported as failed."""
    env.setenv("SSL_CERT_DIR", f"{tmp_path / 'missing'}{os.pathsep}{_rehashed(ca, tmp_path / 'd')}")
    config = _config(tmp_path, tls_venues.urls()["hyperliquid"])
    result = _run(config, ["scan", "--format", "json"], tmp_path)
    assert result.exit_code == 0, result.output
    assert '"hyperliquid"' in result.stdout

    (tmp_path / "empty").mkdir()
    env.setenv("SSL_CERT_DIR", str(tmp_path / "empty"))
    env.setattr(tls, "_contexts", {})
    refused = _run(config, ["scan", "--format", "json"], tmp_path)
    assert refused.exit_code == 2, refused.output
    assert "SSL_CERT_DIR" in refused.stderr and refused.stdout == ""


def test_only_ssl_cert_dir_without_ssl_cert_file_is_checked(tmp_path: Path) -> None:
    """httpx prefers ``SSL_CERT_FILE``; without either, certifi's bundle is the store."""
    missing = str(tmp_path / "missing")
    assert cert_dir_problem({}) is None
    assert cert_dir_problem({"SSL_CERT_DIR": ""}) is None
    assert cert_dir_problem({"SSL_CERT_FILE": "/ca.pem", "SSL_CERT_DIR": missing}) is None
    assert isinstance(cert_dir_problem({"SSL_CERT_DIR": missing}), FileNotFoundError)
