"""The statements ViewRows reads and writes rows with: whole rows as JSON, in and out.

Rows travel as one JSON document per statement (msgspec encodes and decodes them in C), and PostgreSQL maps
JSON to and from the table's own row type (json_populate_recordset, json_agg), so each table needs no
statement of its own and no column types repeated here. Table and column names come from the row classes,
never from event data.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.rows import Row


def _value(row_type: type[Row], column: str) -> str:
    if column in row_type.sorted_arrays:
        # Sorted by the database's collation, as `ORDER BY` sorted it when this was done in SQL.
        return f"ARRAY(SELECT unnest(r.{column}) ORDER BY 1)"
    return f"r.{column}"


def _source(row_type: type[Row]) -> str:
    return f"json_populate_recordset(NULL::{row_type.table}, $1::json) AS r"


@lru_cache(maxsize=None)
def insert_statement(row_type: type[Row]) -> str:
    columns = row_type.__struct_fields__
    values = ", ".join(_value(row_type, c) for c in columns)
    return f"INSERT INTO {row_type.table} ({', '.join(columns)}) SELECT {values} FROM {_source(row_type)}"


@lru_cache(maxsize=None)
def update_statement(row_type: type[Row]) -> str:
    assignments = ", ".join(f"{c} = {_value(row_type, c)}" for c in row_type.__struct_fields__ if c not in row_type.key)
    matches = " AND ".join(f"t.{c} = r.{c}" for c in row_type.key)
    return f"UPDATE {row_type.table} AS t SET {assignments} FROM {_source(row_type)} WHERE {matches}"


@lru_cache(maxsize=None)
def select_statement(row_type: type[Row], columns: tuple[str, ...]) -> str:
    """The current tenant's rows (``$1``) where ``columns`` equal ``$2``, ``$3``...: a JSON array."""
    matches = "".join(f" AND t.{c} = ${i}" for i, c in enumerate(columns, start=2))
    return f"SELECT coalesce(json_agg(t), '[]')::text FROM {row_type.table} AS t WHERE t.tenant_id = $1{matches}"


@lru_cache(maxsize=None)
def select_any_statement(row_type: type[Row], column: str) -> str:
    """The current tenant's rows (``$1``) whose ``column`` is one of ``$2`` (uuid[]): a JSON array."""
    return (
        f"SELECT coalesce(json_agg(t), '[]')::text FROM {row_type.table} AS t "
        f"WHERE t.tenant_id = $1 AND t.{column} = ANY($2::uuid[])"
    )
