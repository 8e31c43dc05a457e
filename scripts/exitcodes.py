"""Exit codes of ``atomic-fp`` (cron and scripts rely on them)."""

from __future__ import annotations

OK = 0
"""The command did its job (partial venue failures are reported, not fatal)."""
NOTHING_USABLE = 1
"""Nothing usable: e.g. no venue answered, or an execution left exposure unresolved."""
USAGE = 2
"""Usage or configuration error (click's own usage errors exit 2 as well)."""
ALERT = 3
"""``--alert-above APR`` was given and an opportunity exceeded it."""
