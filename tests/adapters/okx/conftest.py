"""OKX adapter tests: the same loopback-only network guard as the Binance tests, so a test
that tried to reach www.okx.com could not pass."""

from tests.adapters.binance.conftest import no_internet

__all__ = ["no_internet"]
