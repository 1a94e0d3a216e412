"""Audit export: one tenant's events over a range of days, its views as of the range's end, and a
manifest, in a single tar file that `credledger verify BUNDLE` checks offline.

The bundle (plain ustar, members in this order, every header canonical: mtime 0, mode 0644, no owner):

- ``manifest.json`` - tenant, range, per-file sha256 / line count / size, the chain's link before
  the first exported event and the last exported link (the head), the store's head at export time,
  and ``digest``: sha256 over the rest of the manifest (sorted-key compact JSON).
- ``events.jsonl`` - one line per event, in notification order: notification id, originator id and
  version, topic, timestamp, actor, actor role, the state exactly as stored (PII stays sealed),
  and the event's ``prev`` and ``link``. The events are the contiguous stretch of the tenant's chain
  from its first event on or after the first day to its last event on or before the last day
  (Massachusetts days), so the chain runs unbroken from ``prev_link`` to ``head_link``.
- ``views/<table>.jsonl`` - each view table's rows for the tenant as of the end of the last day
  (rebuilt from the store into a temporary snapshot), one sorted-key JSON object per line, sorted.

The offline check (``verify_bundle``) recomputes the chain, the hashes, counts and sizes, the
manifest's digest, and rebuilds the tar container canonically, so changing any byte fails it.
Anyone can recompute all of that, though: the bundle proves itself against the store (or a head
link the auditor holds from elsewhere, e.g. printed by `credledger verify`), not against a forger.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable
from uuid import UUID

import msgspec

from domain.business_days import MASSACHUSETTS
from services.store.chain import GENESIS, Chained, Stored, Walker, split, walk_sql

FORMAT = "credledger-audit-bundle/1"
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
EVENTS_TABLE = "credledger_events"
_MAX_MANIFEST = 1 << 20

Progress = Callable[[str, int], None]  # (phase, rows read so far)


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
    progress: Progress = lambda phase, n: None,
) -> Exported:
    start, end = window(first_day, last_day)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="credledger-export-", dir=out.parent) as tmp:
        folder = Path(tmp)
        chain = await _write_events(database_url, tenant, start, end, folder / EVENTS, progress)
        files = {EVENTS: _describe(folder / EVENTS)}
        # The views from exactly the events read above, even if more are stored meanwhile.
        up_to = chain["store_head"]["notification_id"] if chain["store_head"] else 0
        for table in await _write_views(database_url, tenant, end, up_to, folder / "views", progress):
            files[f"views/{table}.jsonl"] = _describe(folder / "views" / f"{table}.jsonl")
        manifest = {
            "format": FORMAT,
            "tenant": tenant,
            "from": first_day.isoformat(),
            "to": last_day.isoformat(),
            "timezone": MASSACHUSETTS.key,  # the days of the range are its days
            "window": {"start": start.isoformat(), "end": end.isoformat()},
            "exported_at": datetime.now(timezone.utc).isoformat(),
            "chain": chain,
            "files": files,
        }
        raw = manifest_bytes(manifest)
        partial = folder / "bundle.tar"
        with open(partial, "wb") as sink:
            members: list[tuple[str, int, BinaryIO]] = [(MANIFEST, len(raw), io.BytesIO(raw))]
            opened = [open(folder / name, "rb") for name in sorted(files)]
            try:
                members += [(name, files[name]["bytes"], f) for name, f in zip(sorted(files), opened, strict=True)]
                _pack(sink, members)
            finally:
                for f in opened:
                    f.close()
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
    database_url: str, tenant: str, start: datetime, end: datetime, path: Path, progress: Progress
) -> dict[str, Any]:
    """Write the tenant's stretch of events; returns the manifest's chain section."""
    import asyncpg

    con = await asyncpg.connect(database_url)
    try:
        # One snapshot for both passes and the links, whatever is being written meanwhile.
        async with con.transaction(isolation="repeatable_read", readonly=True):
            first, last = await _stretch(con, tenant, start, end, progress)
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
                    await _copy_stretch(con, walker, f, tenant, first, last, progress)  # type: ignore[arg-type]
    finally:
        await con.close()
    return {
        "definition": "credledger-chain-v1 (services/store/chain.py)",
        "prev_link": prev.hex(),
        "head_link": walker.head.hex(),
        "first_notification_id": None if empty else first,
        "last_notification_id": walker.head_id,
        "store_head": None
        if store_head is None
        else {"notification_id": store_head["notification_id"], "link": bytes(store_head["link"]).hex()},
    }


async def _stretch(con: Any, tenant: str, start: datetime, end: datetime, progress: Progress) -> tuple[Any, Any]:
    """The first notification id on or after ``start`` and the last on or before ``end``."""
    first = last = None
    read = 0
    query = f"SELECT notification_id, state FROM {EVENTS_TABLE} WHERE tenant_id = $1 ORDER BY notification_id"
    async for row in con.cursor(query, tenant, prefetch=2000):
        read += 1
        if read % 2000 == 0:
            progress("scan", read)
        header = _read_header(row["state"])
        if header is None or header.timestamp is None:
            continue
        if first is None and header.timestamp >= start:
            first = row["notification_id"]
        if header.timestamp <= end:
            last = row["notification_id"]
    progress("scan", read)
    return first, last


async def _copy_stretch(
    con: Any, walker: Walker, f: BinaryIO, tenant: str, first: int, last: int, progress: Progress
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
            progress("events", written)
    progress("events", written)


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
    database_url: str, tenant: str, until: datetime, up_to: int, folder: Path, progress: Progress
) -> list[str]:
    """Each view table's rows for the tenant as of ``until``; returns the table names."""
    import asyncpg

    from projections.registry import projection_modules, tables
    from projections.replay import drop_snapshot, replay_views, schema_of

    name = "export_" + uuid.uuid4().hex[:24]
    folder.mkdir()
    written = []
    await replay_views(
        database_url, name=name, until=until, tenant=tenant, up_to=up_to, progress=lambda n: progress("views", n)
    )
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


# --- offline verification -----------------------------------------------------------------------


class _Line(msgspec.Struct, forbid_unknown_fields=True):
    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    timestamp: datetime | None
    actor: str | None
    actor_role: str | None
    prev: str
    link: str
    state: str | None = None
    state_base64: bytes | None = None


_line = msgspec.json.Decoder(_Line)


@dataclass
class BundleReport:
    manifest: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Member:
    """Reads a member for the canonical copy while hashing, counting and (events) chaining it."""

    def __init__(self, source: BinaryIO, walker: Walker | None, report: BundleReport) -> None:
        self.source, self.walker, self.report = source, walker, report
        self.digest, self.size, self.lines = hashlib.sha256(), 0, 0
        self.partial = b""
        self.bad_line: int | None = None

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        self.size += len(data)
        self.lines += data.count(b"\n")
        if self.walker is not None and data:
            *complete, self.partial = (self.partial + data).split(b"\n")
            for raw in complete:
                self._event(raw)
        return data

    def _event(self, raw: bytes) -> None:
        assert self.walker is not None
        number = self.walker.events + 1
        if self.bad_line is not None:
            return
        try:
            line = _line.decode(raw)
            state = line.state.encode() if line.state is not None else line.state_base64
            if state is None:
                raise ValueError("no state")
            prev, link = bytes.fromhex(line.prev), bytes.fromhex(line.link)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError):
            self.bad_line = number
            return
        tenant = self.walker.tenant_id
        key = (line.notification_id, tenant, line.originator_id, line.originator_version)
        self.walker.step(Stored(*key, line.topic, state, line.actor_role), Chained(*key, prev, link))


def verify_bundle(path: Path, progress: Callable[[int], None] = lambda n: None) -> BundleReport:
    """Check a bundle offline: no database, nothing but the file."""
    report = BundleReport()
    whole = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            whole.update(chunk)
    rebuilt = _HashSink()
    try:
        with (
            tarfile.open(path, "r:") as tar,
            tarfile.open(fileobj=rebuilt, mode="w", format=tarfile.USTAR_FORMAT) as out,
        ):
            _check_members(tar, out, report, progress)
    except (tarfile.TarError, EOFError, OSError, UnicodeError) as error:
        report.problems.append(f"not a readable bundle: {type(error).__name__}: {error}")
        return report
    if rebuilt.digest.digest() != whole.digest():
        report.problems.append("the tar container was altered (a header, padding or bytes beyond the end)")
    return report


def _check_members(
    tar: tarfile.TarFile, out: tarfile.TarFile, report: BundleReport, progress: Callable[[int], None]
) -> None:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg() or first.size > _MAX_MANIFEST:
        report.problems.append(f"the first member is not {MANIFEST}")
        return
    raw = tar.extractfile(first).read()  # type: ignore[union-attr]
    out.addfile(_tar_info(MANIFEST, len(raw)), io.BytesIO(raw))
    manifest = _check_manifest(raw, report)
    files: dict[str, Any] = manifest.get("files", {}) if manifest else {}
    seen = []
    while (member := tar.next()) is not None:
        seen.append(member.name)
        if not member.isreg():
            report.problems.append(f"{member.name}: not a regular file")
            continue
        walker = None
        if member.name == EVENTS and manifest:
            walker = Walker(manifest["tenant"], bytes.fromhex(manifest["chain"]["prev_link"]))
        reader = _Member(tar.extractfile(member), walker, report)  # type: ignore[arg-type]
        out.addfile(_tar_info(member.name, member.size), reader)  # type: ignore[arg-type]
        if walker is not None:
            _check_chain(reader, manifest, report)  # type: ignore[arg-type]
            progress(walker.events)
        _check_file(member.name, reader, files.get(member.name), report)
    if manifest and seen != sorted(files):
        missing, extra = sorted(set(files) - set(seen)), sorted(set(seen) - set(files))
        report.problems.append(
            f"the members are not the manifest's files in order (missing: {missing or 'none'}, "
            f"not listed: {extra or 'none'})"
        )


def _check_manifest(raw: bytes, report: BundleReport) -> dict[str, Any] | None:
    try:
        manifest = msgspec.json.decode(raw)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        digest = manifest.get("digest")
        body = {k: v for k, v in manifest.items() if k != "digest"}
        bytes.fromhex(body["chain"]["prev_link"]), bytes.fromhex(body["chain"]["head_link"])
        str(body["tenant"]), dict(body["files"])
    except (msgspec.DecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        report.problems.append(f"{MANIFEST}: unreadable ({type(error).__name__}: {error})")
        return None
    report.manifest = manifest
    if digest != hashlib.sha256(canonical(body)).hexdigest():
        report.problems.append(f"{MANIFEST}: its digest does not match its content (the manifest was altered)")
    elif manifest_bytes(manifest) != raw:
        report.problems.append(f"{MANIFEST}: not in its canonical form (the manifest was altered)")
    return manifest


def _check_chain(reader: _Member, manifest: dict[str, Any], report: BundleReport) -> None:
    walker = reader.walker
    assert walker is not None
    report.events = walker.events
    if reader.partial:
        report.problems.append(f"{EVENTS}: the last line is incomplete")
    if reader.bad_line is not None:
        report.problems.append(f"{EVENTS}: line {reader.bad_line} is not an event record")
    elif walker.broken is not None:
        report.problems.append(f"{EVENTS}: chain broken at {walker.broken}")
    elif walker.head.hex() != manifest["chain"]["head_link"]:
        report.problems.append(
            f"{EVENTS}: the chain ends at {walker.head.hex()}, not at the manifest's head link "
            f"(events were removed from or added to the end)"
        )
    elif walker.head_id != manifest["chain"].get("last_notification_id"):
        report.problems.append(f"{EVENTS}: the last event is not the manifest's last_notification_id")


def _check_file(name: str, reader: _Member, spec: Any, report: BundleReport) -> None:
    if not isinstance(spec, dict):
        return  # reported with the member list
    for key, actual in (("sha256", reader.digest.hexdigest()), ("count", reader.lines), ("bytes", reader.size)):
        if spec.get(key) != actual:
            report.problems.append(f"{name}: {key} differs from the manifest's")


class _HashSink:
    """A write-only file that hashes what tarfile writes: the canonical container's digest."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.written = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written
