"""Awaiting a client call as a plain ``Result`` (the harness's :func:`tests.harness.run`)."""

from tests.harness import run

__all__ = ["run"]
