"""The fake-venue harness: one local HTTP/websocket server base for every venue's tests.

Why a package under ``tests/`` (and not a file beside each venue's tests): the base is
shared by six venues, and it has four small, separate jobs a newcomer looks for by name:

=====================  ==================================================================
``venue.py``           :class:`FakeVenue` (state, per-venue routes via :func:`route`,
                       request log, faults), :class:`Request`, :class:`Reply`
``running.py``         :class:`FakeServer` / :func:`running` / :func:`serve`: a fake on
                       real sockets at 127.0.0.1 (HTTP, optional websocket, can go down
                       and come back on the same port)
``network.py``         :func:`block_internet`: the autouse guard of each venue's conftest
``outcome.py``         :func:`run` (a client call as a ``Result``), :class:`FakeClock`
=====================  ==================================================================

Every venue's tests keep their fake in the same file name,
``tests/adapters/<venue>/fake_venue.py``, holding ``Fake<Venue>(FakeVenue)``: its state,
its routes, and its checks of signatures the way the venue does them (written
independently of the adapter's signing code, so a bug there cannot hide itself).
"""

from tests.harness.network import InternetAccessError, block_internet
from tests.harness.outcome import FakeClock, run
from tests.harness.running import FakeServer, running, serve
from tests.harness.venue import FakeVenue, Reply, Request, not_found, route

__all__ = [
    "FakeClock",
    "FakeServer",
    "FakeVenue",
    "InternetAccessError",
    "Reply",
    "Request",
    "block_internet",
    "not_found",
    "route",
    "run",
    "running",
    "serve",
]
