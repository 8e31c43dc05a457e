"""``SSLKEYLOGFILE`` naming a file that cannot be opened is named as what failed, not
blamed on the CA store.

``ssl.create_default_context`` (CPython ``Lib/ssl.py``) opens the file ``SSLKEYLOGFILE``
names whenever it builds a context (``context.keylog_filename = keylogfile``), for the
default store (httpx's ``create_ssl_context``) and for a venue's own ``ca_bundle`` alike;
the error it raises carries that file's name (``OSError.filename``), the CA store's does
not. Review of the merged proxy work: ``SSLKEYLOGFILE=/nonexistent/dir/keys.log atomic-fp
--config one.toml scan`` exited 2 blaming ``SSL_CERT_FILE``/the default CA store (and a
venue with a ``ca_bundle`` blamed that bundle). Now: exit 2, no traceback, the setting
and its file named (:func:`adapters.default_trust.blamed`); a missing ``SSL_CERT_FILE``
keeps the CA-store wording (``tests/cli/test_environment_setting_errors.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import certifi
import pytest
from click.testing import CliRunner, Result

from adapters import tls
from adapters.default_trust import blamed
from scripts.cli import cli

PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.lower() in PROXY_NAMES or name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ATOMIC_FP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tls, "_contexts", {})  # (contexts are built afresh)
    return monkeypatch


def _config(tmp_path: Path, ca_bundle: str | None) -> Path:
    text = ""
    for venue in ("binance", "hyperliquid"):
        text += f'[venues.{venue}]\nkind = "{venue}"\n'
        if ca_bundle is not None:
            text += f'ca_bundle = "{ca_bundle}"\n'
    config = tmp_path / "atomic-fp.toml"
    config.write_text(text)
    return config


def _run(config: Path, command: list[str], tmp_path: Path) -> Result:
    if command == ["collect"]:
        command = [*command, "--store", str(tmp_path / "funding.sqlite")]
    if command == ["record"]:
        command = [*command, "--out", str(tmp_path / "snapshot.json")]
    return CliRunner().invoke(cli, ["--config", str(config), *command])


def _errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("atomic-fp: error:")]


COMMANDS = [["scan"], ["collect"], ["watch", "--duration", "5"], ["positions"], ["record"]]


@pytest.mark.parametrize("ca_bundle", [None, certifi.where()], ids=["default-store", "ca-bundle"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unopenable_sslkeylogfile_is_named_not_the_ca_store(
    env: pytest.MonkeyPatch, tmp_path: Path, command: list[str], ca_bundle: str | None
) -> None:
    keylog = tmp_path / "nonexistent" / "dir" / "keys.log"
    env.setenv("SSLKEYLOGFILE", str(keylog))
    result = _run(_config(tmp_path, ca_bundle), command, tmp_path)
    assert result.exit_code == 2, result.output
    assert _errors(result) == [
        f"atomic-fp: error: venue binance: SSLKEYLOGFILE '{keylog}' from the environment: "
        "[Errno 2] No such file or directory"
    ]
    assert "CA store" not in result.output and "ca_bundle" not in result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert not (tmp_path / "snapshot.json").exists()


def test_the_ca_store_s_own_errors_keep_its_wording(tmp_path: Path) -> None:
    """No file name (how ``load_verify_locations`` fails) or the store's own path: the
    store is blamed; another file is named as itself."""
    store = str(tmp_path / "ca.pem")
    environ = {"SSL_CERT_FILE": store, "SSLKEYLOGFILE": str(tmp_path / "k.log")}
    bare = FileNotFoundError(2, "No such file or directory")
    assert blamed(bare, None, environ) == (
        f"the default CA store (SSL_CERT_FILE '{store}' from the environment): {bare}"
    )
    own = FileNotFoundError(2, "No such file or directory", store)
    assert blamed(own, None, environ).startswith("the default CA store (SSL_CERT_FILE")
    assert blamed(bare, "/b.pem", environ) == f"ca_bundle '/b.pem': {bare}"
    bundle_own = PermissionError(13, "Permission denied", "/b.pem")
    assert blamed(bundle_own, "/b.pem", environ).startswith("ca_bundle '/b.pem': ")
    keylog = FileNotFoundError(2, "No such file or directory", str(tmp_path / "k.log"))
    assert blamed(keylog, "/b.pem", environ) == (
        f"SSLKEYLOGFILE '{tmp_path / 'k.log'}' from the environment: "
        "[Errno 2] No such file or directory"
    )
    other = IsADirectoryError(21, "Is a directory", "/etc")
    assert blamed(other, None, environ) == "'/etc': [Errno 21] Is a directory"
