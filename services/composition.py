"""The composition root: the one place the application service is built, for the API, the CLI, the demo and
the tests. Everything that runs commands gets its ``Credledger`` here, so its settings (pool, master key, the
store's table) are decided once."""

from __future__ import annotations

from services.app import Credledger
from services.app.base import postgres_env


def open_credledger(
    database_url: str, master_key: bytes | None = None, *, pool_size: int = 10, create_table: bool = False
) -> Credledger:
    """The application service over the event store at ``database_url``.

    ``master_key``: wraps the tenants' keys for personal data and Idempotency-Key fingerprints (without it,
    commands that carry personal data or an Idempotency-Key fail). ``create_table``: create the store's table
    (migrations only). Close it when done.
    """
    return Credledger(env=postgres_env(database_url, master_key, create_table=create_table, pool_size=pool_size))
