"""Database migrations: the event store (created by eventsourcing) and the SQL files in deploy/migrations."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import psycopg

from projections.engine.registry import ddl, digest, projection_modules
from services.composition import open_credledger
from services.store.recorder import EVENTS_TABLE

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
            _rebuild_changed_views(con, database_url)
            return applied
        finally:
            con.execute("SELECT pg_advisory_unlock(hashtext('credledger-migrate'))")


def _rebuild_changed_views(con: psycopg.Connection, database_url: str) -> None:
    """Rebuild, from the store, every view whose DDL or handlers' revision changed since its tables were built (a new
    column or table would otherwise be read empty or half-filled, a changed rule show old answers); record each
    view's digest. A store with no events has nothing to rebuild."""
    digests = {module.name: digest(module) for module in projection_modules()}
    built = dict(con.execute("SELECT view, digest FROM view_schemas").fetchall())
    changed = [name for name, digest in digests.items() if built.get(name) != digest]
    if not changed:
        return
    if con.execute(f"SELECT 1 FROM {EVENTS_TABLE} LIMIT 1").fetchone() is not None:
        from projections.engine.rebuild import rebuild_views

        log.info("rebuilding views whose tables changed: %s", ", ".join(changed))
        asyncio.run(rebuild_views(database_url, [m for m in projection_modules() if m.name in changed]))
    for name in changed:
        con.execute(
            "INSERT INTO view_schemas (view, digest) VALUES (%s, %s) "
            "ON CONFLICT (view) DO UPDATE SET digest = excluded.digest, built_at = now()",
            (name, digests[name]),
        )
