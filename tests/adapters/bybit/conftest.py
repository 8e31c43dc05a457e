"""Bybit adapter tests: no test touches the internet. The Binance folder's autouse guard
(every socket connection and name lookup outside the loopback interface fails) applies
here too, so a test that tried to reach api.bybit.com could not pass."""

from tests.adapters.binance.conftest import no_internet

__all__ = ["no_internet"]
