"""What the views hold, read as the database owner: for comparing a live view with a rebuild."""

from __future__ import annotations

from typing import Any

import psycopg

from projections.engine.registry import projection_modules, tables
from services.store.recorder import EVENTS_TABLE


def view_rows(database_url: str, schema: str = "public", tenant: str | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (of one tenant, or all), in a canonical order."""
    found = {}
    with psycopg.connect(database_url) as con:
        for module in projection_modules():
            for table in tables(module):
                columns = [
                    r[0]
                    for r in con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                        "AND table_name = %s ORDER BY column_name",
                        (schema, table),
                    )
                ]
                listed = ", ".join(f"{c}::text" for c in columns)
                rows = con.execute(
                    f"SELECT {listed} FROM {schema}.{table} WHERE %(t)s::text IS NULL OR tenant_id = %(t)s "
                    f"ORDER BY {listed}",
                    {"t": tenant},
                ).fetchall()
                found[table] = [(columns,), *rows]
    return found


def lagging(database_url: str) -> int:
    """Aggregates whose latest stored event some view has not applied yet (0: every view caught up)."""
    behind = 0
    with psycopg.connect(database_url) as con:
        for module in projection_modules():
            behind += con.execute(
                f"SELECT count(*) FROM (SELECT originator_id, max(originator_version) AS version FROM {EVENTS_TABLE} "
                "WHERE split_part(split_part(topic, ':', 1), '.', 2) = ANY(%s) GROUP BY originator_id) AS stored "
                "LEFT JOIN projection_versions AS p ON p.projection = %s AND p.originator_id = stored.originator_id "
                "WHERE p.version IS DISTINCT FROM stored.version",
                (list(module.aggregates), module.name),
            ).fetchone()[0]
    return behind
