"""Exit codes of ``atomic-fp`` (cron and scripts rely on them)."""

from __future__ import annotations

OK = 0
"""The command did its job (partial venue failures are reported, not fatal)."""
NOTHING_USABLE = 1
"""Nothing usable (no venue answered), or a bad state a person must look at: an order of
unknown fate, a journal/venue position mismatch (openings blocked), a residual (also
after recovering an interrupted signal), a journal that could not be written. Each is one
line on stderr (:mod:`scripts.alarms`)."""
USAGE = 2
"""Usage or configuration error (click's own usage errors exit 2 as well)."""
ALERT = 3
"""``--alert-above APR`` was given and an opportunity exceeded it."""
