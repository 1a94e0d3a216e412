"""The statements ViewRows reads and writes rows with: whole rows as JSON, in and out.

Rows travel as one JSON document per statement (msgspec encodes and decodes them in C), and PostgreSQL maps
JSON to and from the table's own row type (json_populate_recordset, json_agg), so each table needs no
statement of its own and no column types repeated here. Table and column names come from the row classes,
never from event data: ViewRows passes a row class's ``table``, columns (its fields, in order), ``key`` and
``sorted_arrays``, as plain values, so this module needs nothing of rows.py.
"""

from __future__ import annotations

from functools import cache


def _value(column: str, sorted_arrays: tuple[str, ...]) -> str:
    if column in sorted_arrays:
        # Sorted by the database's collation, as `ORDER BY` sorted it when this was done in SQL.
        return f"ARRAY(SELECT unnest(r.{column}) ORDER BY 1)"
    return f"r.{column}"


def _source(table: str) -> str:
    return f"json_populate_recordset(NULL::{table}, $1::json) AS r"


@cache
def insert_statement(table: str, columns: tuple[str, ...], sorted_arrays: tuple[str, ...]) -> str:
    values = ", ".join(_value(c, sorted_arrays) for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {_source(table)}"


@cache
def update_statement(table: str, columns: tuple[str, ...], key: tuple[str, ...], sorted_arrays: tuple[str, ...]) -> str:
    assignments = ", ".join(f"{c} = {_value(c, sorted_arrays)}" for c in columns if c not in key)
    matches = " AND ".join(f"t.{c} = r.{c}" for c in key)
    return f"UPDATE {table} AS t SET {assignments} FROM {_source(table)} WHERE {matches}"


@cache
def select_statement(table: str, columns: tuple[str, ...]) -> str:
    """The current tenant's rows (``$1``) where ``columns`` equal ``$2``, ``$3``...: a JSON array."""
    matches = "".join(f" AND t.{c} = ${i}" for i, c in enumerate(columns, start=2))
    return f"SELECT coalesce(json_agg(t), '[]')::text FROM {table} AS t WHERE t.tenant_id = $1{matches}"


@cache
def select_any_statement(table: str, column: str) -> str:
    """The current tenant's rows (``$1``) whose ``column`` is one of ``$2`` (uuid[]): a JSON array."""
    return (
        f"SELECT coalesce(json_agg(t), '[]')::text FROM {table} AS t "
        f"WHERE t.tenant_id = $1 AND t.{column} = ANY($2::uuid[])"
    )
