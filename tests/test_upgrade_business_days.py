"""Upgrading a store whose views were built before business days: migration 013 turns the views' recording times
into Massachusetts days in place, and `credledger migrate` then rebuilds every view whose tables changed shape, so
the upgraded views equal views built from scratch, row for row."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from projections.engine.rebuild import rebuild_views
from projections.engine.registry import ddl, projection_modules
from services.migrate import MIGRATIONS, migrate
from tests.mixed_workload import MixedWorkload
from tests.support import Infra
from tests.test_recovery import setup
from tests.view_state import view_rows

pytestmark = pytest.mark.timeout(300)
# What the views' columns were called and typed before (issue 13).
BEFORE = {
    "access_audit_organizations": {"registered_on": "registered_at", "primary_user_since": "primary_user_since"},
    "access_audit_accounts": {
        "deactivated_on": "deactivated_at",
        "access_since": "access_since",
        "opened_on": "opened_at",
    },
    "access_audit_grants": {"granted_on": "granted_at", "ended_on": "ended_at"},
    "access_audit_primary_terms": {"started_on": "started_at", "ended_on": "ended_at"},
    "access_audit_modifications": {"opened_on": "opened_at"},
    "affiliation_status": {"registered_on": "registered_at"},
}


def _as_before(con: psycopg.Connection) -> None:
    """Put the views back as an older version left them: timestamps at noon UTC of each day, no review or
    deactivation history, no record of the tables' digests, migration 013 not applied."""
    for table, columns in BEFORE.items():
        for new, old in columns.items():
            noon = f"({new} + time '12:00') AT TIME ZONE 'UTC'"
            con.execute(f"ALTER TABLE {table} ALTER COLUMN {new} TYPE timestamptz USING {noon}")
            if new != old:
                con.execute(f"ALTER TABLE {table} RENAME COLUMN {new} TO {old}")
    con.execute("DROP TABLE access_audit_reviews, access_audit_deactivations, view_schemas")
    con.execute("ALTER TABLE view_snapshots DROP COLUMN known_at")
    con.execute("DELETE FROM schema_migrations WHERE name = '013_business_days.sql'")


def test_migration_013_turns_recording_times_into_days(infra: Infra) -> None:
    url, _, app = setup(infra)
    try:
        MixedWorkload(app, ("upgrade-a", "upgrade-b"), seed=13).run(200)
    finally:
        app.close()
    asyncio.run(rebuild_views(url, projection_modules()))
    built = view_rows(url)
    with psycopg.connect(url, autocommit=True) as con:
        _as_before(con)
        con.execute((Path(MIGRATIONS) / "013_business_days.sql").read_text())
        for table, columns in BEFORE.items():
            types = dict(
                con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", (table,)
                ).fetchall()
            )
            assert all(types[new] == "date" for new in columns), (table, types)
        for module in projection_modules():  # as migrate does next: the tables 013 leaves to the views' DDL
            con.execute(ddl(module))
    converted = view_rows(url)
    for table in ("access_audit_grants", "access_audit_accounts", "affiliation_status"):
        assert converted[table] == built[table], f"{table}: noon UTC is the same day in Massachusetts"


def test_migrate_rebuilds_the_views_whose_tables_changed(infra: Infra) -> None:
    url, _, app = setup(infra)
    try:
        MixedWorkload(app, ("upgrade-c",), seed=14).run(200)
    finally:
        app.close()
    asyncio.run(rebuild_views(url, projection_modules()))
    built = view_rows(url)
    assert len(built["access_audit_reviews"]) > 1  # the workload reviews access: there is history to rebuild
    with psycopg.connect(url, autocommit=True) as con:
        _as_before(con)
    migrate(url)
    assert view_rows(url) == built
    with psycopg.connect(url) as con:
        digests = con.execute("SELECT view FROM view_schemas ORDER BY view").fetchall()
    assert [d[0] for d in digests] == sorted(m.name for m in projection_modules())
    migrate(url)  # unchanged tables: nothing rebuilt, nothing different
    assert view_rows(url) == built
