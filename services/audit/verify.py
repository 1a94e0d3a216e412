"""Offline verification of an audit bundle (services/audit/export.py writes them): `credledger verify BUNDLE`.

No database, nothing but the file: it recomputes the chain from the manifest's ``prev_link``, every member's
hash, line count and size, the manifest's digest, and rebuilds the tar container canonically, so changing any
byte of the bundle fails it. (Split from the export so that each module stays readable on its own.)
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

import msgspec

from services.audit.export import _MAX_MANIFEST, EVENTS, FORMAT, MANIFEST, _tar_info, canonical, manifest_bytes
from services.store.chain import Chained, Stored, Walker


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
