"""Alert delivery through ``apprise`` (Telegram, Slack, Discord, e-mail, webhooks... one
URL scheme per service; https://github.com/caronc/apprise).

Effects only: :meth:`AppriseNotifier.send` hands a title and body to every configured URL
and returns a value, never raises: an alert channel that fails must never stop trading.
The URLs carry secrets (bot tokens, webhook keys): they are kept out of ``repr`` and out
of every error text this module produces. ``apprise`` is an optional dependency (extra
``alerts``), imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import attrs
from returns.result import Failure, Result, Success


@attrs.define
class AppriseNotifier:
    urls: Sequence[str] = attrs.field(repr=False)
    timeout: float = 15.0

    def check(self) -> Result[None, str]:
        """Whether apprise is installed and understands every URL (no secret in the text)."""
        try:
            import apprise
        except ImportError:
            return Failure("alerts need apprise: pip install 'atomic-fp[alerts]'")
        for i, url in enumerate(self.urls):
            if not apprise.Apprise().add(url):
                scheme = url.split("://", 1)[0] if "://" in url else "?"
                return Failure(f"alert URL #{i + 1} ({scheme}://...) is not a valid apprise URL")
        return Success(None)

    async def send(self, title: str, body: str) -> Result[None, str]:
        checked = self.check()
        if isinstance(checked, Failure):
            return checked

        def deliver() -> bool:
            import apprise

            sender = apprise.Apprise()
            sender.add(list(self.urls))
            return bool(sender.notify(body=body, title=title))

        try:
            with anyio.fail_after(self.timeout):
                delivered = await anyio.to_thread.run_sync(deliver, abandon_on_cancel=True)
        except TimeoutError:
            return Failure(f"no alert channel answered within {self.timeout:g}s")
        except Exception as error:  # a channel's failure is a value, never a crash
            return Failure(f"alert channel failed: {type(error).__name__}")
        return Success(None) if delivered else Failure("an alert channel refused the message")
