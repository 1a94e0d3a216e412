"""Reads of the views: the tenant's read-only transaction, sorting (``?sort=name`` or ``?sort=-name``)
and keyset pagination with opaque cursors (``?limit=&cursor=`` -> ``{"items", "next_cursor"}``)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import asyncpg
import msgspec
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from domain.business_days import MASSACHUSETTS
from services.api.auth import Principal
from services.app import NotFound

SnapshotParameter = Annotated[
    str | None,
    Parameter(
        description="read a snapshot of the views as of a past date (`credledger replay`) instead of the live views",
        pattern=r"^[a-z0-9_]{1,40}$",
    ),
]


@asynccontextmanager
async def tenant_transaction(
    pool: asyncpg.Pool, principal: Principal, snapshot: str | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A read-only transaction that sees only the principal's tenant (RLS reads app.tenant_id),
    over the live views or, with ``snapshot``, over that snapshot's tables."""
    async with pool.acquire() as con, con.transaction(readonly=True):
        await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)
        if snapshot is not None:
            as_of = await con.fetchval("SELECT as_of FROM view_snapshots WHERE name = $1", snapshot)
            if as_of is None:
                raise NotFound(f"No snapshot named {snapshot!r}.")
            # The name matched ^[a-z0-9_]{1,40}$ (the parameter's pattern and the table's check).
            await con.execute(f"SET LOCAL search_path = snapshot_{snapshot}, public")
            await con.execute("SELECT set_config('app.as_of', $1, true)", as_of.isoformat())
        yield con


async def reference_time(con: asyncpg.Connection) -> datetime:
    """Now for the live views; the snapshot's moment when reading a snapshot."""
    as_of = await con.fetchval("SELECT current_setting('app.as_of', true)")
    return datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)


async def reference_day(con: asyncpg.Connection) -> date:
    """The Massachusetts day of reference_time: a snapshot of the end of April 28 is April 28, not the 29th
    it already is in UTC, and so is a live view read after 8 p.m. there."""
    return (await reference_time(con)).astimezone(MASSACHUSETTS).date()


def invalid(key: str, message: str, detail: str) -> ValidationException:
    return ValidationException(detail, extra=[{"key": key, "message": message}])


def _timestamp(text: str) -> str:
    if datetime.fromisoformat(text).tzinfo is None:
        raise ValueError("no offset")
    return text


def _integer(text: str) -> str:
    if not -(2**31) <= int(text) < 2**31:
        raise ValueError("out of range")
    return text


# A cursor's sort value is checked against its column's type here, so that an edited one is a 400
# rather than a cast error in the query. Each returns the value as text, as the query casts it.
_CURSOR_VALUES: dict[str, Callable[[str], str]] = {
    "text": str,
    "timestamptz": _timestamp,
    "date": lambda text: date.fromisoformat(text).isoformat(),
    "integer": _integer,
    "float8": lambda text: str(float(text)),
}


@dataclass(frozen=True)
class Keyset:
    """One sort order over a view table, paged by (sort column, unique id) so that a page
    boundary never skips or repeats a row, whatever changes between requests.

    ``sortable`` maps each public sort name to a NOT NULL column and its SQL type.
    """

    sort: str  # as requested, e.g. "-updated_at"
    column: str
    cast: str
    id_column: str
    after: tuple[str, UUID] | None  # from the cursor: the last row's sort value (as text) and id

    @classmethod
    def parse(cls, sort: str, cursor: str | None, sortable: Mapping[str, tuple[str, str]], id_column: str) -> Keyset:
        name = sort.removeprefix("-")
        if name not in sortable:
            raise invalid("sort", f"one of {', '.join(sorted(sortable))}, optionally prefixed with -", "Unknown sort.")
        column, cast = sortable[name]
        after = None
        if cursor:
            checked = _CURSOR_VALUES[cast]  # outside the try: a sort of a type not listed there is a bug
            try:
                cursor_sort, value, last_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()))
                after = (checked(value), UUID(last_id))
            except Exception as error:  # an edited or foreign cursor is the client's error, never the database's
                raise invalid("cursor", "invalid cursor", "The cursor is not one this API returned.") from error
            if cursor_sort != sort:
                raise invalid("cursor", "cursor of another sort", "The cursor belongs to another sort order.")
        return cls(sort=sort, column=column, cast=cast, id_column=id_column, after=after)

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def where(self, first: int) -> str:
        """The page condition, using parameters ``$first`` (value) and ``$first+1`` (id)."""
        op = "<" if self.descending else ">"
        return (
            f"(${first}::text IS NULL OR ({self.column}, {self.id_column}) "
            f"{op} (${first}::{self.cast}, ${first + 1}::uuid))"
        )

    def params(self) -> list[Any]:
        return [self.after[0], self.after[1]] if self.after else [None, None]

    def order_by(self) -> str:
        direction = "DESC" if self.descending else "ASC"
        return f"{self.column} {direction}, {self.id_column} {direction}"

    def next_cursor(self, rows: list[Any], limit: int) -> str | None:
        """A cursor after the last row shown, if more rows were fetched than shown (fetch limit + 1)."""
        if len(rows) <= limit:
            return None
        last = rows[limit - 1]
        value = last[self.column]
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return base64.urlsafe_b64encode(msgspec.json.encode([self.sort, text, str(last[self.id_column])])).decode()
