"""The event store: eventsourcing's PostgreSQL persistence with tenant ids and a msgspec transcoder."""
