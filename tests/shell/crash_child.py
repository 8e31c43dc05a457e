"""Child process of the crash and lock drills (run as ``python -m tests.shell.crash_child``).

``trade DIR``: paper venues ``a`` and ``b`` persisted under DIR, SQLite journal DIR/journal.db;
leg A fills at once, leg B's venue takes 60 s to answer, so the parent can SIGKILL us after
A was sent and before B reached its venue.
``hold DIR``: open the journal (taking its lock), say so, and wait to be killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

from adapters.journal import SqliteJournal
from tests.shell.helpers import hedge, orchestrator, paper


async def trade(directory: Path) -> None:
    a = paper("a", state_path=directory / "a.json")
    b = paper("b", state_path=directory / "b.json")
    journal = SqliteJournal.open(directory / "journal.db", synchronous="NORMAL").unwrap()
    orch = orchestrator([a, b], journal=journal)
    for queryer in orch.queryers.values():
        (await queryer.get_market()).unwrap()
    b.faults.latency = 60.0
    print("READY", flush=True)
    await orch.execute_signal(hedge())
    print("FINISHED (should have been killed)", flush=True)


async def hold(directory: Path) -> None:
    journal = SqliteJournal.open(directory / "journal.db", synchronous="NORMAL")
    print("LOCKED" if journal else f"FAILED {journal}", flush=True)
    await anyio.sleep(60)


def main() -> None:
    command, directory = sys.argv[1], Path(sys.argv[2])
    anyio.run(trade if command == "trade" else hold, directory)


if __name__ == "__main__":
    main()
