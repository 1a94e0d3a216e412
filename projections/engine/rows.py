"""A view's rows in memory, for the handlers to read and change, written back in bulk.

Every handler (projections/<view>/handlers.py) folds one event into a ``ViewRows``: it looks rows up, adds
rows and changes them, in memory, and the changes reach the database when the caller flushes, a few
statements per table and tenant instead of several round trips per event. The same handlers run live and in
a rebuild; only where rows come from differs:

- live (one worker batch): a row not read yet in this batch is read from the database, so the handler sees
  exactly what the per-event statements saw (most are read ahead, a few statements per batch: read_ahead);
  the batch's changes are written in its transaction.
- building a fresh schema (rebuild, replay): the schema starts empty and every write to it goes through this
  object, so memory is the whole truth and nothing is read back; the rows stay in memory between batches.

Every row of every view belongs to one organization of one tenant, so the handlers' only lookups besides a
primary key are "this table's rows of one organization". As under row-level security, lookups see only the
current tenant's rows, and a row added for another tenant is refused (the database would refuse it too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from projections.engine.row_sql import insert_statement, select_any_statement, select_statement, update_statement

R = TypeVar("R", bound="Row")


class Row(msgspec.Struct, kw_only=True):
    """A row of a view table: the fields are the table's columns (a test compares them with the DDL)."""

    table: ClassVar[str]
    key: ClassVar[tuple[str, ...]]  # the primary key's columns, tenant_id first
    sorted_arrays: ClassVar[tuple[str, ...]] = ()  # text[] columns sorted by the database's collation on write

    key_of: ClassVar[Callable[[Any], tuple[Any, ...]]]  # a row's key values: see primary_key()

    tenant_id: str
    organization_id: UUID

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        if "key" in cls.__dict__:
            assert len(cls.key) > 1, "tenant_id and at least one more column"
            # attrgetter of several names returns their values as a tuple, in C.
            cls.key_of = attrgetter(*cls.key)


def primary_key(row: Row) -> tuple[Any, ...]:
    return type(row).key_of(row)


def _write_statement(row_type: type[Row], is_new: bool) -> str:
    """The INSERT of a table's new rows, or the UPDATE of its stored ones (row_sql.py)."""
    columns = row_type.__struct_fields__
    if is_new:
        return insert_statement(row_type.table, columns, row_type.sorted_arrays)
    return update_statement(row_type.table, columns, row_type.key, row_type.sorted_arrays)


class TenantMismatch(Exception):
    """A row for another tenant than the event's: what row-level security's WITH CHECK refuses."""


class ViewRows:
    def __init__(self, con: asyncpg.Connection, row_types: Sequence[type[Row]], *, starts_empty: bool) -> None:
        self.con = con
        self.starts_empty = starts_empty
        self.tenant: str | None = None  # the current event's tenant: set by the caller before each event
        # app.tenant_id as _read() last set it. Only reads rely on it, and only a live batch's object reads,
        # within its one transaction; a flush sets the tenant of each of its groups whatever this says.
        self._db_tenant: str | None = None
        self._rows: dict[type[Row], dict[tuple[Any, ...], Row]] = {t: {} for t in row_types}
        self._absent: dict[type[Row], set[tuple[Any, ...]]] = {t: set() for t in row_types}
        self._by_organization: dict[type[Row], dict[tuple[str, UUID], list[Row]]] = {
            t: defaultdict(list) for t in row_types
        }
        self._organizations_read: dict[type[Row], set[tuple[str, UUID]]] = {t: set() for t in row_types}
        # Rows changed since the last flush, and those never written yet, by id(): every row stays referenced
        # from _rows, so its id is stable, and an id is cheaper to take than a key.
        self._dirty: dict[int, Row] = {}
        self._new: set[int] = set()
        # A build's as-of day and known-at moment (None live): what a correction's refold keeps of a record's events
        # (projections/engine/corrections.py).
        self.as_of: date | None = None
        self.known_at: datetime | None = None

    # ---- what the handlers call ----------------------------------------------------------------------

    async def get(self, row_type: type[R], *key: Any) -> R | None:
        """The current tenant's row with this primary key (without the tenant), or None."""
        tenant = self.tenant
        if tenant is None:
            raise RuntimeError("no tenant set for this event")
        full_key = (tenant, *key)
        row = self._rows[row_type].get(full_key)
        if row is not None or self.starts_empty or full_key in self._absent[row_type]:
            return row  # type: ignore[return-value]
        found = await self._read(row_type, row_type.key[1:], key)
        if not found:
            self._absent[row_type].add(full_key)
            return None
        return self._rows[row_type][full_key]  # type: ignore[return-value]

    async def of_organization(self, row_type: type[R], organization_id: UUID) -> list[R]:
        """The current tenant's rows of this table that belong to the organization."""
        scope = (self._current_tenant(), organization_id)
        if not self.starts_empty and scope not in self._organizations_read[row_type]:
            await self._read(row_type, ("organization_id",), (organization_id,))
            self._organizations_read[row_type].add(scope)
        # A copy: the handler may add rows of the organization while it goes through these.
        return list(self._by_organization[row_type].get(scope, ()))  # type: ignore[arg-type]

    def add(self, row: Row) -> None:
        """A new row (an INSERT when written: a row already stored with its key is an error, as it was)."""
        if row.tenant_id != self._current_tenant():
            raise TenantMismatch(f"a row of tenant {row.tenant_id!r} while applying an event of {self.tenant!r}")
        row_type, key = type(row), primary_key(row)
        if key in self._rows[row_type]:
            raise KeyError(f"{row_type.table}: a row with key {key} exists")
        self._remember(row)
        self._absent[row_type].discard(key)
        self._new.add(id(row))
        self._dirty[id(row)] = row

    def update(self, row: Row, **changes: Any) -> None:
        """Change columns of a row this object returned."""
        for column, value in changes.items():
            setattr(row, column, value)
        self._dirty[id(row)] = row

    async def drop_organization(self, organization_id: UUID) -> None:
        """Forget every row of the current tenant's organization, in memory and where stored: the engine folds them
        again (projections/engine/corrections.py). Rows added again later are new rows."""
        tenant = self._current_tenant()
        scope = (tenant, organization_id)
        # Always set: a build writes in several transactions, and app.tenant_id ends with each.
        await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
        self._db_tenant = tenant
        for row_type in self._rows:
            await self.con.execute(
                f"DELETE FROM {row_type.table} WHERE tenant_id = $1 AND organization_id = $2", tenant, organization_id
            )
            for row in self._by_organization[row_type].pop(scope, ()):
                key = primary_key(row)
                del self._rows[row_type][key]
                self._absent[row_type].add(key)
                self._dirty.pop(id(row), None)
                self._new.discard(id(row))
            self._organizations_read[row_type].add(scope)

    # ---- what the callers call -----------------------------------------------------------------------

    async def read_ahead(self, aggregates: dict[str, set[UUID]]) -> None:
        """A live batch: read at once, per tenant, what its events are likely to look up, a few statements
        instead of a read per row on first use: the rows keyed by the events' aggregates (or the ones they
        name), then every row of the organizations all those belong to. Only what a lookup would read
        anyway, read sooner: a row not read here is still read when asked for."""
        for tenant, ids in aggregates.items():
            self.tenant = tenant
            organizations = set(ids)
            for row_type in self._rows:
                column = row_type.key[1]
                if len(row_type.key) == 2 and column != "organization_id":  # keyed by an aggregate's id
                    found = await self._read_any(row_type, column, ids)
                    self._absent[row_type].update((tenant, i) for i in ids - {getattr(r, column) for r in found})
                    organizations.update(row.organization_id for row in found)
            for row_type in self._rows:
                found = await self._read_any(row_type, "organization_id", organizations)
                self._organizations_read[row_type].update((tenant, o) for o in organizations)
                if row_type.key == ("tenant_id", "organization_id"):
                    self._absent[row_type].update(
                        (tenant, o) for o in organizations - {r.organization_id for r in found}
                    )

    def pending(self) -> int:
        """Rows changed since the last flush."""
        return len(self._dirty)

    async def flush(self) -> None:
        """Write every changed row, per tenant (row-level security) and table: new rows with one INSERT,
        rows already stored with one UPDATE. Inside the caller's transaction."""
        by_tenant: dict[str, dict[tuple[type[Row], bool], list[Row]]] = defaultdict(lambda: defaultdict(list))
        for row_id, row in self._dirty.items():
            by_tenant[row.tenant_id][(type(row), row_id in self._new)].append(row)
        for tenant, groups in by_tenant.items():
            # Always set here: a build flushes in several transactions, and app.tenant_id ends with each.
            await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            self._db_tenant = tenant
            for (row_type, is_new), rows in groups.items():
                await self.con.execute(_write_statement(row_type, is_new), msgspec.json.encode(rows).decode())
        self._dirty.clear()
        self._new.clear()

    # ---- inside ----------------------------------------------------------------------------------------

    def _current_tenant(self) -> str:
        if self.tenant is None:
            raise RuntimeError("no tenant set for this event")
        return self.tenant

    def _remember(self, row: Row) -> None:
        self._rows[type(row)][primary_key(row)] = row
        self._by_organization[type(row)][(row.tenant_id, row.organization_id)].append(row)

    async def _read(self, row_type: type[Row], columns: tuple[str, ...], values: tuple[Any, ...]) -> int:
        """Read the current tenant's stored rows matching ``columns = values``; rows already in memory win
        (they may have changed since). Returns how many were stored."""
        tenant = self._current_tenant()
        await self._use_tenant(tenant)
        text = await self.con.fetchval(select_statement(row_type.table, columns), tenant, *values)
        stored = msgspec.json.decode(text, type=list[row_type])  # type: ignore[valid-type]
        known = self._rows[row_type]
        for row in stored:
            if primary_key(row) not in known:
                self._remember(row)
        return len(stored)

    async def _read_any(self, row_type: type[Row], column: str, values: set[UUID]) -> list[Row]:
        """The current tenant's rows whose ``column`` is one of ``values``, as they are in memory."""
        tenant = self._current_tenant()
        await self._use_tenant(tenant)
        text = await self.con.fetchval(select_any_statement(row_type.table, column), tenant, list(values))
        known = self._rows[row_type]
        found = []
        for row in msgspec.json.decode(text, type=list[row_type]):  # type: ignore[valid-type]
            key = primary_key(row)
            if key not in known:
                self._remember(row)
            found.append(known[key])
        return found

    async def _use_tenant(self, tenant: str) -> None:
        if tenant != self._db_tenant:
            await self.con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            self._db_tenant = tenant
