"""Every table with a tenant_id has row-level security enabled AND forced, with a tenant policy;
the one exception, the event store, is out of the API role's reach."""

from __future__ import annotations

import psycopg

from projections.engine.registry import projection_modules, tables
from services.migrate import migrate
from services.store.recorder import EVENTS_TABLE
from tests.support import Infra

# Not a read model: written only by the application layer, which checks each aggregate's
# tenant before it loads or saves it (services/app/base.py); the API role has no grant on it.
EXEMPT = {EVENTS_TABLE}


def test_every_table_with_a_tenant_id_forces_row_level_security(infra: Infra) -> None:
    database_url = infra.new_database()
    migrate(database_url)
    with psycopg.connect(database_url) as con:
        rows = con.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.attname = 'tenant_id' AND NOT a.attisdropped AND n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        ).fetchall()
        found = {name: (enabled, forced, policies) for name, enabled, forced, policies in rows}
        # The views' tables are all there: the check covers what the projections create.
        view_tables = {t for module in projection_modules() for t in tables(module)}
        assert view_tables and view_tables <= set(found)
        unprotected = {
            name for name, (enabled, forced, policies) in found.items() if not (enabled and forced and policies)
        }
        assert unprotected == EXEMPT, f"tables with tenant_id but without forced row-level security: {unprotected}"
        for table in EXEMPT:
            assert not con.execute(
                "SELECT has_table_privilege('credledger_api', %s, 'SELECT,INSERT,UPDATE,DELETE')", (table,)
            ).fetchone()[0]
