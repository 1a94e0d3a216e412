"""Lists of the views: sorting (``?sort=name`` or ``?sort=-name``)
and keyset pagination with opaque cursors (``?limit=&cursor=`` -> ``{"items", "next_cursor"}``)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
from litestar.exceptions import ValidationException
from litestar.params import Parameter

SnapshotParameter = Annotated[
    str | None,
    Parameter(
        description="read a snapshot of the views as of a past date (`credledger replay`) instead of the live views",
        pattern=r"^[a-z0-9_]{1,40}$",
    ),
]


@dataclass(frozen=True)
class ViewFilters:
    """A view list's filters: each field a query parameter, declared once. Litestar builds a subclass from the
    query as a dependency (``Provide(TheFilters)``), so the list route and its report (services/api/reports.py)
    take, document and validate the same ones."""

    # The parameters whose query-function keyword has another name (organization_id is organization_ids in all).
    renamed: ClassVar[dict[str, str]] = {}

    def arguments(self) -> dict[str, Any]:
        """The filters as the view's query function takes them."""
        names = {"organization_id": "organization_ids", **self.renamed}
        return {names.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}


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
        following = self.next_page(rows, limit)
        if following is None or following.after is None:
            return None
        text, last_id = following.after
        return base64.urlsafe_b64encode(msgspec.json.encode([self.sort, text, str(last_id)])).decode()

    def next_page(self, rows: list[Any], limit: int) -> Keyset | None:
        """The same sort after the last row shown, if more rows were fetched than shown (fetch limit + 1): how a
        report reads a whole view page by page without a cursor's round trip."""
        if len(rows) <= limit:
            return None
        last = rows[limit - 1]
        value = last[self.column]
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return replace(self, after=(text, last[self.id_column]))
