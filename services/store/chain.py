"""Tamper evidence: a hash chain over each tenant's stored events.

Each event's link is SHA-256 over a canonical encoding of the previous link of the same
tenant and the event exactly as stored::

    link = sha256( b"credledger-chain-v1\\0" || prev (32 bytes)
                   || F(tenant_id) || int8(notification_id) || uuid(originator_id)
                   || int8(originator_version) || F(topic) || F(state) || F(actor_role) )

    F(x) = int4(byte length of x) || x, or int4(-1) for NULL; integers big-endian;
    text as UTF-8; the first event of a tenant has prev = 32 zero bytes.

It covers the stored, already-sealed state bytes, so destroying a tenant's PII key (which
leaves the rows as they are) leaves the chain verifying. The encoding is the one PostgreSQL
computes in ``event_chain_link()`` (migration 008, which chains events stored before it):
the two are tested against each other.

The recorder appends the links in the transaction that inserts the events, under the store's
table lock, so each tenant's chain follows commit order with no race (services/store/recorder.py).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = bytes(32)
DOMAIN = b"credledger-chain-v1\x00"
CHAIN_TABLE = "event_chain"

# Why a link is broken, as `credledger verify` reports it.
CONTENT_CHANGED = "content changed"
LINK_MISSING = "link missing"
OUT_OF_ORDER = "out of order"
EVENT_MISSING = "event missing"


def _field(value: bytes | None) -> bytes:
    return struct.pack(">i", -1) if value is None else struct.pack(">i", len(value)) + value


def _text(value: str | None) -> bytes | None:
    return None if value is None else value.encode()


def link(
    prev: bytes,
    tenant_id: str,
    notification_id: int,
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    actor_role: str | None,
) -> bytes:
    if len(prev) != 32:
        raise ValueError("A previous link is 32 bytes.")
    return hashlib.sha256(
        b"".join(
            (
                DOMAIN,
                prev,
                _field(tenant_id.encode()),
                struct.pack(">q", notification_id),
                originator_id.bytes,
                struct.pack(">q", originator_version),
                _field(topic.encode()),
                _field(bytes(state)),
                _field(_text(actor_role)),
            )
        )
    ).digest()


@dataclass(frozen=True)
class Stored:
    """An event's row as it is in the store (or in a bundle)."""

    notification_id: int
    tenant_id: str
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    actor_role: str | None


@dataclass(frozen=True)
class Chained:
    """An event's row in the chain: which event it covered, and its links."""

    notification_id: int
    tenant_id: str
    originator_id: UUID
    originator_version: int
    prev: bytes
    link: bytes


@dataclass(frozen=True)
class Break:
    tenant_id: str
    notification_id: int
    originator_id: UUID
    originator_version: int
    why: str  # CONTENT_CHANGED, LINK_MISSING, OUT_OF_ORDER or EVENT_MISSING
    detail: str

    def __str__(self) -> str:
        return (
            f"notification {self.notification_id} (originator {self.originator_id} v{self.originator_version}): "
            f"{self.why} - {self.detail}"
        )


class Walker:
    """Checks one tenant's chain, row by row in notification order; keeps the first break.

    Each step gets the event as stored and the chain's row at one notification id (either may
    be absent). What is checked: the event is chained, the chain's row covers that very event
    (same originator and version), the row follows the previous link, and the link recomputed
    over the stored bytes equals the recorded one.
    """

    def __init__(self, tenant_id: str, prev: bytes = GENESIS) -> None:
        self.tenant_id = tenant_id
        self.head = prev  # the last good link
        self.head_id: int | None = None
        self.last_id: int | None = None  # the last notification id seen: ids only increase
        self.events = 0
        self.broken: Break | None = None

    def step(self, event: Stored | None, chained: Chained | None) -> None:
        self.events += event is not None
        if self.broken is not None:
            return
        row = event or chained
        assert row is not None
        if self.last_id is not None and row.notification_id <= self.last_id:
            self._break(row, OUT_OF_ORDER, f"it comes after notification {self.last_id}")
            return
        self.last_id = row.notification_id
        if chained is None:
            assert event is not None
            self._break(event, LINK_MISSING, "the event has no link: it was stored without the recorder")
            return
        if event is None:
            self._break(chained, EVENT_MISSING, "the chain covers an event that is no longer stored")
            return
        if (event.originator_id, event.originator_version) != (chained.originator_id, chained.originator_version):
            self._break(
                event,
                OUT_OF_ORDER,
                f"the chain has {chained.originator_id} v{chained.originator_version} at this position",
            )
            return
        if chained.prev != self.head:
            self._break(
                event,
                EVENT_MISSING,
                "this event's chain row does not follow the previous link: an earlier event was deleted "
                "with its link (or that link was altered)",
            )
            return
        expected = link(
            self.head,
            event.tenant_id,
            event.notification_id,
            event.originator_id,
            event.originator_version,
            event.topic,
            event.state,
            event.actor_role,
        )
        if expected != chained.link:
            self._break(event, CONTENT_CHANGED, "the stored event (or its link) differs from what was chained")
            return
        self.head, self.head_id = chained.link, chained.notification_id

    def _break(self, row: Stored | Chained, why: str, detail: str) -> None:
        self.broken = Break(self.tenant_id, row.notification_id, row.originator_id, row.originator_version, why, detail)


# The full join of the store and the chain, in notification order, over the rows each side's
# filter keeps. A row whose tenant was changed in the store stays with the tenant the chain
# recorded (and fails its link there).
def walk_sql(events_table: str, events_filter: str, chain_filter: str) -> str:
    return f"""
SELECT coalesce(c.tenant_id, e.tenant_id) AS walk_tenant, coalesce(e.notification_id, c.notification_id) AS nid,
       e.notification_id, e.tenant_id, e.originator_id, e.originator_version, e.topic, e.state, e.actor_role,
       c.notification_id, c.tenant_id, c.originator_id, c.originator_version, c.prev, c.link
FROM (SELECT * FROM {events_table} WHERE {events_filter}) e
FULL JOIN (SELECT * FROM {CHAIN_TABLE} WHERE {chain_filter}) c ON c.notification_id = e.notification_id
ORDER BY nid"""


def split(row: Sequence[Any]) -> tuple[str, Stored | None, Chained | None]:
    walk_tenant, _, nid, tenant, originator, version, topic, state, role, c_nid, c_tenant, c_orig, c_ver, prev, lk = row
    event = None if nid is None else Stored(nid, tenant, originator, version, topic, bytes(state), role)
    chained = None if c_nid is None else Chained(c_nid, c_tenant, c_orig, c_ver, bytes(prev), bytes(lk))
    return walk_tenant, event, chained


def walk(rows: Iterable[Sequence[Any]]) -> dict[str, Walker]:
    walkers: dict[str, Walker] = {}
    for row in rows:
        tenant, event, chained = split(row)
        walker = walkers.get(tenant)
        if walker is None:
            walker = walkers[tenant] = Walker(tenant)
        walker.step(event, chained)
    return walkers


def verify_store(
    database_url: str,
    *,
    tenant: str | None = None,
    events_table: str = "credledger_events",
    progress: Callable[[int], None] = lambda _: None,
) -> list[Walker]:
    """Walk every tenant's chain (or one tenant's) in one consistent snapshot; sorted by tenant."""
    import psycopg

    def rows(cur: Any) -> Iterable[Sequence[Any]]:
        for n, row in enumerate(cur, 1):
            if n % 5000 == 0:
                progress(row[1])
            yield row

    with psycopg.connect(database_url) as con, con.transaction():
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # A server-side cursor: the walk holds one batch in memory, whatever the store's size.
        with con.cursor(name="chain_walk") as cur:
            cur.itersize = 5000
            only = "%(tenant)s::text IS NULL OR tenant_id = %(tenant)s"
            cur.execute(walk_sql(events_table, only, only), {"tenant": tenant})
            walkers = walk(rows(cur))
    return [walkers[t] for t in sorted(walkers)]


def chain_rows(
    curs: Any,
    events: Sequence[tuple[str, str | None, StoredEvent]],
    notification_ids: Sequence[int],
) -> None:
    """Chain events just inserted, inside their insert transaction (the recorder's batch).

    ``events`` are (tenant, actor role, stored event) in notification order, possibly of several
    tenants; each tenant's links continue from its last stored link (one query for all of them)
    and go in with one INSERT. The rows' tenant_id and actor_role are these same values, so the
    links cover what is stored. `credledger verify` recomputes them from the rows.
    """
    if len(notification_ids) != len(events) or any(b <= a for a, b in pairwise(notification_ids)):
        raise RuntimeError(f"Cannot chain {len(events)} events with notification ids {notification_ids}.")
    curs.execute(
        f"SELECT t.tenant_id, (SELECT c.link FROM {CHAIN_TABLE} c WHERE c.tenant_id = t.tenant_id "
        "ORDER BY c.notification_id DESC LIMIT 1) AS link FROM unnest(%s::text[]) AS t(tenant_id)",
        (sorted({tenant for tenant, _, _ in events}),),
        prepare=True,
    )
    heads = {row["tenant_id"]: GENESIS if row["link"] is None else bytes(row["link"]) for row in curs.fetchall()}
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [])
    for nid, (tenant, role, event) in zip(notification_ids, events, strict=True):
        prev = heads[tenant]
        heads[tenant] = new = link(
            prev, tenant, nid, cast(UUID, event.originator_id), event.originator_version, event.topic, event.state, role
        )
        row = (tenant, nid, event.originator_id, event.originator_version, prev, new)
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    curs.execute(
        f"INSERT INTO {CHAIN_TABLE} (tenant_id, notification_id, originator_id, originator_version, prev, link) "
        "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::uuid[], %s::bigint[], %s::bytea[], %s::bytea[])",
        columns,
        prepare=True,
    )
