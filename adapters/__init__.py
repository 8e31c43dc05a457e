"""Layer 0: effectful venue clients (network, clock, disk) and the SQLite journal.

Each venue package exposes a client implementing :class:`atomic_fp.venue.VenueClient`.
Heavy imports (signing libraries) stay inside the modules that need them.
"""
