"""Lighter (zkLighter) perps: REST market data and account, ``market_stats`` websocket,
transactions signed by lighter-sdk's native signer (optional extra ``lighter``).

Entry point: :func:`adapters.lighter.client.create` (registered as venue kind ``lighter``).
"""
