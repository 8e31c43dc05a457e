"""Live market streams: one websocket engine shared by every venue.

Each venue supplies only its wire format (:class:`adapters.streams.types.WireFormat`: URL,
subscription messages, heartbeat, pure frame parsing); :class:`adapters.streams.feed.StreamFeed`
does the rest: heartbeat, bounded reconnect with back-off, resubscription on every connect,
gap detection (connection gaps and sequence gaps) and a state the caller uses to fall back
to REST while a stream is down.
"""
