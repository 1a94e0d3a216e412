"""Audit export: one tenant's events over a range of days, its views as of the range's end, and a
manifest, in a single tar file that `credledger verify BUNDLE` checks offline.

The bundle (plain ustar, members in this order, every header canonical: mtime 0, mode 0644, no owner):

- ``manifest.json`` - tenant, range, per-file sha256 / line count / size, the chain's link before
  the first exported event and the last exported link (the head), the store's head at export time,
  and ``digest``: sha256 over the rest of the manifest (sorted-key compact JSON).
- ``events.jsonl`` - one line per event, in notification order: notification id, originator id and
  version, topic, timestamp, actor, actor role, the state exactly as stored (PII stays sealed),
  and the event's ``prev`` and ``link``. The events are the contiguous stretch of the tenant's chain
  that holds every event of the range: each one that took effect on a day of it (its business day,
  domain/business_time.py, whenever it was recorded) or was recorded on one (Massachusetts days). So
  the chain runs unbroken from ``prev_link`` to ``head_link``; a fact of the range recorded late
  brings the events recorded between with it.
- ``views/<table>.jsonl`` - each view table's rows for the tenant as of the last day (the facts
  effective by its end, rebuilt from the store into a temporary snapshot), one sorted-key JSON object
  per line, sorted.

The offline check (``verify_bundle``) recomputes the chain, the hashes, counts and sizes, the
manifest's digest, and rebuilds the tar container canonically, so changing any byte fails it.
Anyone can recompute all of that, though: the bundle proves itself against the store (or a head
link the auditor holds from elsewhere, e.g. printed by `credledger verify`), not against a forger.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import tarfile
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from eventsourcing.persistence import StoredEvent

from domain.business_days import MASSACHUSETTS
from domain.business_time import effective_day
from services.store.chain import GENESIS, Chained, Stored, Walker, split, walk_sql
from services.store.transcoder import EventMapper, MsgspecTranscoder

FORMAT = "credledger-audit-bundle/1"
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
EVENTS_TABLE = "credledger_events"
_mapper = EventMapper(MsgspecTranscoder())  # no key: an export never opens personal data
_MAX_MANIFEST = 1 << 20  # the offline check refuses a larger manifest (services/audit/verify.py)

Progress = Callable[[str, int, "int | None"], None]  # (phase, rows so far, the phase's total when known)


class ExportError(Exception):
    """The export could not be made (e.g. the store's chain is broken in the range)."""


@dataclass
class Exported:
    path: Path
    manifest: dict[str, Any]


def range_problem(first_day: date, last_day: date) -> str | None:
    """What is wrong with a range of days to export, if anything. The views are as of the last day's end, so
    that day must have ended or be today: a bundle never shows a day that has not happened as if it had."""
    if last_day < first_day:
        return "the range ends before it starts"
    if first_day.year < 2:
        return "the range starts before the calendar does"
    if last_day > datetime.now(MASSACHUSETTS).date():
        return "the range ends after today (Massachusetts)"
    return None


def window(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The first day's start and the last day's end, Massachusetts time."""
    return (
        datetime.combine(first_day, time.min, tzinfo=MASSACHUSETTS),
        datetime.combine(last_day, time.max, tzinfo=MASSACHUSETTS),
    )


def canonical(obj: Any) -> bytes:
    return msgspec.json.encode(obj, order="sorted")


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "digest"}
    signed = dict(body, digest=hashlib.sha256(canonical(body)).hexdigest())
    return msgspec.json.format(canonical(signed), indent=2) + b"\n"


class _Header(msgspec.Struct):
    """What an event line shows beside the raw state: when and by whom (read from the state)."""

    timestamp: datetime | None = None
    actor: str | None = None


_header = msgspec.json.Decoder(_Header)


def _read_header(state: bytes) -> _Header | None:
    try:
        return _header.decode(state)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # an altered state: the chain check names it


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = size, 0, 0o644, 0, 0, "", ""
    return info


def _pack(out: BinaryIO, members: list[tuple[str, int, BinaryIO]]) -> None:
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, size, content in members:
            tar.addfile(_tar_info(name, size), content)


# --- export -------------------------------------------------------------------------------------


async def export_bundle(
    database_url: str,
    *,
    tenant: str,
    first_day: date,
    last_day: date,
    out: Path,
    progress: Progress = lambda phase, n, total: None,
    require_events: bool = False,
) -> Exported:
    """Write the bundle to ``out``. ``require_events``: refuse (ExportError, nothing written) a tenant with no
    event at all in the store, e.g. a mistyped tenant id, whose "bundle" would prove nothing."""
    start, end = window(first_day, last_day)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="credledger-export-", dir=out.parent) as tmp:
        folder = Path(tmp)
        total, chain = await _write_events(database_url, tenant, start, end, folder / EVENTS, progress, require_events)
        files = {EVENTS: _describe(folder / EVENTS)}
        # The views from exactly the events read above, even if more are stored meanwhile.
        up_to = chain["store_head"]["notification_id"] if chain["store_head"] else 0
        views_progress: Callable[[int], None] = lambda n: progress("views", n, total)  # noqa: E731
        for table in await _write_views(database_url, tenant, last_day, up_to, folder / "views", views_progress):
            files[f"views/{table}.jsonl"] = _describe(folder / "views" / f"{table}.jsonl")
        manifest = {
            "format": FORMAT,
            "tenant": tenant,
            "from": first_day.isoformat(),
            "to": last_day.isoformat(),
            "timezone": MASSACHUSETTS.key,  # the days of the range are its days
            "window": {"start": start.isoformat(), "end": end.isoformat()},
            "exported_at": datetime.now(UTC).isoformat(),
            "chain": chain,
            "files": files,
        }
        raw = manifest_bytes(manifest)
        partial = folder / "bundle.tar"
        with open(partial, "wb") as sink, contextlib.ExitStack() as opened:
            members: list[tuple[str, int, BinaryIO]] = [(MANIFEST, len(raw), io.BytesIO(raw))]
            members += [
                (name, files[name]["bytes"], opened.enter_context(open(folder / name, "rb"))) for name in sorted(files)
            ]
            _pack(sink, members)
        os.replace(partial, out)  # whole or not at all
    return Exported(out, msgspec.json.decode(raw))


def _describe(path: Path) -> dict[str, Any]:
    digest, lines, size = hashlib.sha256(), 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "count": lines, "bytes": size}


async def _write_events(
    database_url: str, tenant: str, start: datetime, end: datetime, path: Path, progress: Progress, required: bool
) -> tuple[int, dict[str, Any]]:
    """Write the tenant's stretch of events; returns how many events the tenant has (a progress bar's total)
    and the manifest's chain section."""
    import asyncpg

    con = await asyncpg.connect(database_url)
    try:
        # One snapshot for both passes and the links, whatever is being written meanwhile.
        async with con.transaction(isolation="repeatable_read", readonly=True):
            # Counted (an index-only scan) for the progress bars' totals.
            total = await con.fetchval(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE tenant_id = $1", tenant)
            if required and not total:
                raise ExportError(f"tenant {tenant!r} has no events in this store (is the tenant id right?)")
            first, last, length = await _stretch(con, tenant, start, end, progress, total)
            store_head = await con.fetchrow(
                "SELECT notification_id, link FROM event_chain WHERE tenant_id = $1 "
                "ORDER BY notification_id DESC LIMIT 1",
                tenant,
            )
            empty = first is None or last is None or first > last
            # The link just before the stretch: after `last` when nothing falls in the range.
            before = await con.fetchval(
                "SELECT link FROM event_chain WHERE tenant_id = $1 AND notification_id "
                + ("<= $2" if empty else "< $2")
                + " ORDER BY notification_id DESC LIMIT 1",
                tenant,
                (last or 0) if empty else first,
            )
            prev = bytes(before) if before is not None else GENESIS
            walker = Walker(tenant, prev)
            with open(path, "wb") as f:
                if not empty:
                    await _copy_stretch(con, walker, f, tenant, first, last, progress, length)  # type: ignore[arg-type]
    finally:
        await con.close()
    return total, {
        "definition": "credledger-chain-v1 (services/store/chain.py)",
        "prev_link": prev.hex(),
        "head_link": walker.head.hex(),
        "first_notification_id": None if empty else first,
        "last_notification_id": walker.head_id,
        "store_head": None
        if store_head is None
        else {"notification_id": store_head["notification_id"], "link": bytes(store_head["link"]).hex()},
    }


async def _stretch(
    con: Any, tenant: str, start: datetime, end: datetime, progress: Progress, total: int
) -> tuple[Any, Any, int]:
    """The first and the last notification id of the events in the range (recorded in it, or effective on one
    of its days), and how many events lie between them (both included). With none in it, no first, and as the
    last the latest event recorded before the range ended: where the empty stretch anchors the chain."""
    first = last = recorded_by_end = None
    read = first_at = last_at = 0
    days = (start.date(), end.date())  # the window's own days, Massachusetts time
    query = (
        f"SELECT notification_id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE} "
        "WHERE tenant_id = $1 ORDER BY notification_id"
    )
    async for row in con.cursor(query, tenant, prefetch=2000):
        read += 1
        if read % 2000 == 0:
            progress("scan", read, total)
        header = _read_header(row["state"])
        if header is None or header.timestamp is None:
            continue
        if header.timestamp <= end:
            recorded_by_end = row["notification_id"]
        if start <= header.timestamp <= end or days[0] <= _business_day(row) <= days[1]:
            if first is None:
                first, first_at = row["notification_id"], read
            last, last_at = row["notification_id"], read
    progress("scan", read, total)
    if first is None:
        return None, recorded_by_end, 0
    return first, last, (last_at - first_at + 1 if first is not None and last is not None and first <= last else 0)


def _business_day(row: Any) -> date:
    """The day the stored event took effect; an event this code cannot read counts as outside any range (the
    chain check, which reads every event of the stretch, names an altered one)."""
    try:
        stored = StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
        return effective_day(_mapper.to_domain_event(stored))
    except Exception:
        return date.min


async def _copy_stretch(
    con: Any, walker: Walker, f: BinaryIO, tenant: str, first: int, last: int, progress: Progress, length: int
) -> None:
    only = "tenant_id = $1 AND notification_id BETWEEN $2 AND $3"
    written = 0
    async for row in con.cursor(walk_sql(EVENTS_TABLE, only, only), tenant, first, last, prefetch=2000):
        _, event, chained = split(row)
        walker.step(event, chained)
        if walker.broken is not None:
            raise ExportError(f"the store's chain is broken at {walker.broken}; run `credledger verify`")
        assert event is not None and chained is not None
        f.write(_event_line(event, chained))
        written += 1
        if written % 2000 == 0:
            progress("events", written, length)
    progress("events", written, length)


def _event_line(event: Stored, chained: Chained) -> bytes:
    header = _read_header(event.state) or _Header()
    line = {
        "notification_id": event.notification_id,
        "originator_id": str(event.originator_id),
        "originator_version": event.originator_version,
        "topic": event.topic,
        "timestamp": header.timestamp,
        "actor": header.actor,
        "actor_role": event.actor_role,
        "prev": chained.prev.hex(),
        "link": chained.link.hex(),
    }
    try:  # msgspec writes UTF-8 JSON: kept as text, readable, and byte-exact on the way back
        line["state"] = event.state.decode()
    except UnicodeDecodeError:
        line["state_base64"] = base64.b64encode(event.state).decode()
    return canonical(line) + b"\n"


async def _write_views(
    database_url: str, tenant: str, as_of: date, up_to: int, folder: Path, progress: Callable[[int], None]
) -> list[str]:
    """Each view table's rows for the tenant as of business day ``as_of``; returns the table names."""
    import asyncpg

    from projections.engine.registry import projection_modules, tables
    from projections.engine.replay import drop_snapshot, replay_views, schema_of

    name = "export_" + uuid.uuid4().hex[:24]
    folder.mkdir()
    written = []
    await replay_views(database_url, name=name, as_of=as_of, tenant=tenant, up_to=up_to, progress=progress)
    try:
        con = await asyncpg.connect(database_url)
        try:
            for kind in ("json", "jsonb"):  # as values, not as JSON text inside JSON
                await con.set_type_codec(
                    kind, schema="pg_catalog", encoder=msgspec.json.encode, decoder=msgspec.json.decode
                )
            for module in projection_modules():
                for table in tables(module):
                    async with con.transaction(readonly=True):
                        # The views force row-level security, on their owner too.
                        await con.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
                        rows = await con.fetch(f"SELECT * FROM {schema_of(name)}.{table} WHERE tenant_id = $1", tenant)
                    lines = sorted(canonical(dict(row)) + b"\n" for row in rows)
                    (folder / f"{table}.jsonl").write_bytes(b"".join(lines))
                    written.append(table)
        finally:
            await con.close()
    finally:
        await drop_snapshot(database_url, name)
    return written
