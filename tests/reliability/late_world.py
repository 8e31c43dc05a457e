"""Two late-executing Binance venues in their own processes, and the real CLI against them.

:class:`VenueProcess` starts ``python -m tests.reliability.late_binance`` (state in that
process: it outlives a killed client); :func:`write_config` writes an ``atomic-fp.toml``
naming both (long on ``bin-a``, short on ``bin-b``: their funding rates differ); :func:`cli`
runs ``atomic-fp`` as a subprocess, as cron would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import REPO_ROOT
from tests.reliability.late_binance import KEY, SECRET

VENUES = ("bin-a", "bin-b")
RATES = {"bin-a": "-0.00050000", "bin-b": "0.00050000"}
TRADE_SIZE = Decimal("0.01")
ENV = {"T_LATE_KEY": KEY, "T_LATE_SECRET": SECRET}


class VenueProcess:
    def __init__(self, directory: Path, name: str, seed: int) -> None:
        self.name = name
        port_file = directory / f"{name}.port"
        port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.late_binance",
                str(port_file),
                "--seed",
                str(seed),
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"venue {name} did not start: {self.process.stderr!r}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{int(port_file.read_text())}"
        self.configure(rate=RATES[name])

    def configure(self, **settings: object) -> dict[str, Any]:
        answer = httpx.post(
            f"{self.url}/_drill/config", params={k: str(v) for k, v in settings.items()}
        )
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def state(self) -> dict[str, Any]:
        answer = httpx.get(f"{self.url}/_drill/state", timeout=10)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def settle(self, timeout: float = 10.0) -> dict[str, Any]:
        """The state once no late order is pending any more."""
        deadline = time.monotonic() + timeout
        state = self.state()
        while state["pending"] and time.monotonic() < deadline:
            time.sleep(0.1)
            state = self.state()
        return state

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


CONFIG = """
[venues.bin-a]
kind = "binance"
base_url = "{a}"
timeout = 2
api_key_env = "T_LATE_KEY"
api_secret_env = "T_LATE_SECRET"

[venues.bin-b]
kind = "binance"
base_url = "{b}"
timeout = 2
api_key_env = "T_LATE_KEY"
api_secret_env = "T_LATE_SECRET"

[strategy]
build_threshold = "0.05"
close_threshold = "0.01"
trade_size = "{size}"
max_position = "100"
symbols = ["BTC"]

[journal]
path = "{journal}"
"""


def write_config(directory: Path, venues: Mapping[str, VenueProcess]) -> Path:
    path = directory / "atomic-fp.toml"
    path.write_text(
        CONFIG.format(
            a=venues["bin-a"].url,
            b=venues["bin-b"].url,
            size=TRADE_SIZE,
            journal=directory / "journal.sqlite",
        )
    )
    return path


def cli_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "scripts.cli", "--config", str(config), *args]


def cli_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATOMIC_FP_")}
    env.update(ENV, NO_COLOR="1", ATOMIC_FP_CACHE_DIR=str(directory / "cache"))
    return env


def cli(
    directory: Path, config: Path, args: Sequence[str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(config, *args),
        cwd=directory,
        env=cli_env(directory),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def positions(venues: Mapping[str, VenueProcess]) -> dict[str, Decimal]:
    return {name: Decimal(v.settle()["position"]) for name, v in venues.items()}


def double_placements(venues: Mapping[str, VenueProcess]) -> list[str]:
    """Client ids a venue acted on more than once (re-sent ids it had to refuse count:
    they mean we re-sent an id whose fate we did not know)."""
    return [
        f"{name}:{cid}"
        for name, venue in venues.items()
        for cid, count in venue.state()["posted"].items()
        if count > 1
    ]


__all__ = [
    "RATES",
    "TRADE_SIZE",
    "VENUES",
    "VenueProcess",
    "cli",
    "cli_command",
    "cli_env",
    "double_placements",
    "positions",
    "write_config",
]
