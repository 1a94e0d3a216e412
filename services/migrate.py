"""Database migrations: the event store (created by eventsourcing) and the SQL files in deploy/migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from projections.engine.registry import ddl, projection_modules
from services.composition import open_credledger

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "deploy" / "migrations"


def migrate(database_url: str) -> list[str]:
    """Apply what is not applied yet; returns the names applied. Safe to run concurrently."""
    with psycopg.connect(database_url, autocommit=True) as con:
        # One migrator at a time, cluster-wide roles included.
        con.execute("SELECT pg_advisory_lock(hashtext('credledger-migrate'))")
        try:
            # eventsourcing creates its table (IF NOT EXISTS); our recorder adds tenant_id.
            open_credledger(database_url, pool_size=1, create_table=True).close()
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in con.execute("SELECT name FROM schema_migrations")}
            applied = []
            for path in sorted(MIGRATIONS.glob("*.sql")):
                if path.name in done:
                    continue
                with con.transaction():
                    con.execute(path.read_text())
                    con.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.name,))
                log.info("applied migration %s", path.name)
                applied.append(path.name)
            # The views' tables: idempotent, so a new view is created on the next start.
            for module in projection_modules():
                with con.transaction():
                    con.execute(ddl(module))
            return applied
        finally:
            con.execute("SELECT pg_advisory_unlock(hashtext('credledger-migrate'))")
