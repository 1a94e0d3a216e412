"""Import an exclusion list file (OIG LEIE, SAM.gov extract) as an edition: streamed, all or nothing, idempotent.

A file is read twice, never held in memory: first to take its SHA-256 (an edition already stored with that digest
is the answer, nothing is written) and count its lines for the progress bar; then row by row, each row checked
(domain/exclusion_lists.py) and copied to the database in batches, inside one transaction, so a malformed row
anywhere leaves nothing behind and names its line. The listed dates of birth are stored only as keyed digests.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from domain.business_time import check_effective_day
from domain.errors import InvalidValue
from domain.exclusion_lists import SOURCES, Entry, Layout, MalformedRow, column_names, detect_layout, read_row
from domain.list_matching import dob_digest

BATCH = 5_000  # rows per COPY: bounded memory whatever the file's size
_CHUNK = 1 << 20
_COLUMNS = ("edition_id", "line", "entity", "last_name", "first_name", "middle_name", "business_name", "name_key",
            "npi", "dob_digest", "state", "exclusion_type", "excluded_on", "ends_on", "reinstated_on", "waiver_on",
            "waiver_state", "record_id")  # fmt: skip


@dataclass(frozen=True)
class Edition:
    edition_id: UUID
    source: str
    layout: str
    file_date: date
    file_name: str
    sha256: str
    row_count: int
    imported_at: datetime
    imported_by: str
    created: bool  # False: the same file was imported before, and this is that edition


def digest_and_lines(path: Path) -> tuple[str, int]:
    sha, lines = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            sha.update(chunk)
            lines += chunk.count(b"\n")
    return sha.hexdigest(), lines


async def find_edition(con: asyncpg.Connection, sha256: str) -> Edition | None:
    row = await con.fetchrow("SELECT * FROM exclusion_list_editions WHERE sha256 = $1", sha256)
    return None if row is None else Edition(**dict(row), created=False)


async def import_list(
    con: asyncpg.Connection,
    path: Path,
    *,
    file_date: date,
    file_name: str,
    imported_by: str,
    key: bytes,
    progress: Callable[[int, int], None] | None = None,
) -> Edition:
    """The file's edition: found by its digest, or imported now. ``progress(rows_done, lines_in_file)`` after each
    batch. InvalidValue (MalformedRow, an unknown layout, an empty file): nothing stored."""
    check_effective_day(file_date, "the list's file date")  # a publisher's date: never in the future
    # The CPU work (hashing, reading and checking rows) runs in a thread: an API process goes on serving meanwhile.
    sha256, lines = await asyncio.to_thread(digest_and_lines, path)
    if (found := await find_edition(con, sha256)) is not None:
        return found
    edition_id = uuid4()
    try:
        async with con.transaction():
            layout = await _insert_edition_header(con, path, edition_id, file_date, file_name, sha256, imported_by)
            count, batches = 0, _batches(path, layout, edition_id, key)
            while (batch := await asyncio.to_thread(next, batches, None)) is not None:
                await con.copy_records_to_table("exclusion_list_entries", records=batch, columns=_COLUMNS)
                count += len(batch)
                if progress is not None:
                    progress(count, lines)
            if count == 0:
                raise InvalidValue("The file has a header and no rows: not an edition of a list.", field="file")
            await con.execute(
                "UPDATE exclusion_list_editions SET row_count = $2 WHERE edition_id = $1", edition_id, count
            )
    except asyncpg.UniqueViolationError:  # the same file imported meanwhile, by another process: that edition
        if (found := await find_edition(con, sha256)) is not None:
            return found
        raise
    edition = await con.fetchrow("SELECT * FROM exclusion_list_editions WHERE edition_id = $1", edition_id)
    return Edition(**dict(edition), created=True)


async def _insert_edition_header(
    con: asyncpg.Connection, path: Path, edition_id: UUID, file_date: date, file_name: str, sha256: str, by: str
) -> Layout:
    try:
        with _open(path) as file:
            header = next(csv.reader(file, strict=True), None)
    except (csv.Error, UnicodeDecodeError) as error:  # a ZIP as downloaded, another encoding, a huge first field
        raise MalformedRow(1, f"not a CSV file in UTF-8 ({type(error).__name__}).") from None
    if not header:
        raise InvalidValue("The file is empty: an exclusion list starts with its header.", field="file")
    layout = detect_layout(header)
    await con.execute(
        "INSERT INTO exclusion_list_editions (edition_id, source, layout, file_date, file_name, sha256, row_count, "
        "imported_by) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        edition_id,
        str(SOURCES[layout]),
        str(layout),
        file_date,
        file_name,
        sha256,
        by,
    )
    return layout


def _open(path: Path) -> Any:
    return path.open(newline="", encoding="utf-8-sig")  # SAM's extract may start with a byte-order mark


def _batches(path: Path, layout: Layout, edition_id: UUID, key: bytes) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    with _open(path) as file:
        reader = csv.reader(file, strict=True)
        try:
            names = column_names(next(reader))
            for row in reader:
                if not row:
                    continue  # a blank line (the last one, often)
                batch.append(_record(edition_id, read_row(layout, names, row, reader.line_num), key))
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
        except csv.Error as error:
            raise MalformedRow(reader.line_num, f"not CSV ({error}).") from None
        except UnicodeDecodeError:
            raise MalformedRow(reader.line_num + 1, "not UTF-8 text.") from None
    if batch:
        yield batch


def _record(edition_id: UUID, e: Entry, key: bytes) -> tuple[Any, ...]:
    dob = dob_digest(key, e.date_of_birth) if e.date_of_birth else None
    return (edition_id, e.line, e.entity, e.last_name, e.first_name, e.middle_name, e.business_name, e.name_key,
            e.npi, dob, e.state, e.exclusion_type, e.excluded_on, e.ends_on, e.reinstated_on, e.waiver_on,
            e.waiver_state, e.record_id)  # fmt: skip


async def editions(con: asyncpg.Connection, limit: int = 100) -> list[Edition]:
    rows = await con.fetch(
        "SELECT * FROM exclusion_list_editions ORDER BY file_date DESC, imported_at DESC LIMIT $1", limit
    )
    return [Edition(**dict(row), created=False) for row in rows]
