"""Any venue ccxt speaks, as ``kind = "ccxt"`` with ``exchange = "<ccxt id>"``.

The package is named ``ccxt_venue`` so it never shadows the ``ccxt`` package. Nothing here
imports ``ccxt`` at module level except :mod:`adapters.ccxt_venue.factory`, which the
registry loads only when a venue of this kind is built (start-up stays fast; ``ccxt`` is
the optional extra ``atomic-fp[ccxt]``).

Modules: ``parsing.py`` (pure: ccxt's unified structures -> our models, interval rules),
``parsing_account.py`` (pure: positions, balances, book, funding payments), ``errors.py``
(ccxt's exception hierarchy -> our typed errors), ``market_data.py`` (markets and funding
on the venue kit's :class:`~adapters.kit.facade.GuardedVenue`), ``factory.py`` (the full
client: book, account, orders by client id; and ``create``).
"""
