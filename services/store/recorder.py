"""eventsourcing's PostgreSQL recorder, writing concurrent saves as group commits (group_commit.py).

The library's own insert serialises writers on an EXCLUSIVE table lock, one transaction per save;
this recorder keeps that lock (notification ids become visible in commit order, which the relay
relies on) and the library's tables, reader and subscriptions, but stores every save queued
meanwhile in one transaction, as set-based statements:

- under the lock, a request whose event is stored already at that (originator, version), or taken
  by an earlier request of the same batch, is refused with IntegrityError (a 409 for the API) and
  stores nothing; so is one whose Idempotency-Key was used (KeyAlreadyUsed);
- the other requests' events go in with one INSERT, in the batch's order, each row stamped with
  its tenant and the acting user's role (both NOT NULL / nullable columns of the events table);
- each tenant's hash chain is extended in the same transaction (chain.py), from the link the
  tenant's last stored event has;
- a batch that fails for a reason not tied to one request (a lost connection, the lock's timeout)
  is retried whole, as the library retries a save; one that fails for a reason that one request
  must carry (bad data) is written again request by request, so only that one fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar

import msgspec
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.sql import SQL, Identifier

from services.store.chain import chain_rows
from services.store.group_commit import GroupCommit, Request

T = TypeVar("T")
# eventsourcing names the table after the application (name "Credledger"): "<name>_events".
EVENTS_TABLE = "credledger_events"
TENANT_SETTING = "credledger.tenant_id"
RETRY_ATTEMPTS, RETRY_WAIT = 10, 0.2  # as the library's own insert_events retries
# ... but for this long at most since the save was asked for: while the database is away a command must
# fail fast (503, retry with the Idempotency-Key), not hold a request and every save queued behind it.
RETRY_WITHIN = 2.0  # seconds


def connection_lost(error: BaseException) -> bool:
    """The error says the database is unreachable: a failed connection or pool wait (no SQLSTATE), a broken
    connection (class 08), or a server shutting down or starting up (57P)."""
    state = getattr(error.__cause__, "sqlstate", None) or getattr(error, "sqlstate", None) or ""
    return state == "" or state.startswith(("08", "57P"))


def retrying(call: Callable[[], T], within: float = RETRY_WITHIN) -> T:
    """``call()``, retried on a lost connection as the library retries, for ``within`` seconds at most."""
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except (InterfaceError, OperationalError):
            if time.monotonic() + RETRY_WAIT > deadline:
                raise
            time.sleep(RETRY_WAIT)


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str  # of the request: same key with another body is an error
    response: list[Any]  # what to answer a retry with; the save's last notification id is appended when stored

    def stored_response(self, position: int) -> bytes:
        return msgspec.json.encode([*self.response, position])


class KeyAlreadyUsed(Exception):
    """Another command with this Idempotency-Key committed first."""


@dataclass(eq=False)
class Save(Request):
    """One ``insert_events`` call: its events, who stores them, and its Idempotency-Key."""

    events: Sequence[StoredEvent] = ()
    tenant_id: str | None = None
    actor_role: str | None = None
    request_id: str | None = None  # metadata, not a fact: outside the hash chain
    idempotency: IdempotencyRecord | None = None
    submitted: float = field(default_factory=time.monotonic)


class TenantRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        table = SQL("{0}.{1}").format(Identifier(datastore.schema), Identifier(events_table_name))
        # Written with every row (below); NOT NULL, so a row stored some other way without a tenant fails.
        self.sql_create_statements.append(
            SQL("ALTER TABLE {table} ADD COLUMN IF NOT EXISTS tenant_id text NOT NULL").format(table=table)
        )
        # The acting user's role (from the bearer token) at the time: the compliance
        # history shows who acted in which capacity. Events carry the user id themselves.
        self.sql_create_statements.append(
            SQL("ALTER TABLE {table} ADD COLUMN IF NOT EXISTS actor_role text").format(table=table)
        )
        # The id of the HTTP request that recorded the event (X-Request-ID), to follow a request from a client's
        # log to its events; not part of the hash chain (it says how the fact arrived, not what it is).
        self.sql_create_statements.append(
            SQL("ALTER TABLE {table} ADD COLUMN IF NOT EXISTS request_id text").format(table=table)
        )
        self._table = table
        # One round trip: the library's lock statements (lock_timeout, LOCK TABLE ... EXCLUSIVE) and its NOTIFY.
        self._lock_and_notify = SQL("; ").join(
            [*self.lock_table_statements, SQL("NOTIFY {0}").format(Identifier(self.channel_name))]
        )
        self._group_commit: GroupCommit[Save] = GroupCommit(self._write_with_retries)
        # Told each batch's size (the API's /metrics: group-commit batch sizes); the store knows no metrics library.
        self.batch_observer: Callable[[int], None] | None = None
        self._lost_at = float("-inf")  # when a batch last gave up because the database was unreachable

    def select_events(self, originator_id: Any, **kwargs: Any) -> Sequence[StoredEvent]:
        """The library's read of one aggregate's events (as-of state, personal-data reads, access logs), retried
        on a lost connection for RETRY_WITHIN like every read here, not the library's 10 attempts of a 2 s wait."""
        read_once = PostgresApplicationRecorder.select_events.__wrapped__
        return retrying(lambda: read_once(self, originator_id, **kwargs))

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Queue the save; returns once its batch has committed (or raises what refused it)."""
        save = Save(
            events=stored_events,
            tenant_id=kwargs.get("tenant_id"),
            actor_role=kwargs.get("actor_role") or None,
            request_id=kwargs.get("request_id") or None,
            idempotency=kwargs.get("idempotency"),
        )
        ids: Sequence[int] | None = self._group_commit.submit(save)
        return ids

    # --- one batch ------------------------------------------------------------------------------------------

    def _fail_fast(self, batch: list[Save]) -> tuple[list[Save], int]:
        """The saves still worth trying, and how many attempts they get."""
        if time.monotonic() - self._lost_at >= RETRY_WITHIN:
            return batch, RETRY_ATTEMPTS
        # The database was unreachable a moment ago: saves that waited their time in the queue fail now,
        # the others get one attempt, so no caller waits for the batches ahead of it to time out too.
        now = time.monotonic()
        for save in batch:
            if now - save.submitted > RETRY_WITHIN:
                save.error = OperationalError("The database is unreachable.")
        return [save for save in batch if save.error is None], 1

    def _write_with_retries(self, batch: list[Save]) -> None:
        if self.batch_observer is not None:
            self.batch_observer(len(batch))
        batch, attempts = self._fail_fast(batch)
        for attempt in range(1, attempts + 1):
            for save in batch:
                save.reset()
            try:
                self._write(batch)
                return
            except (InterfaceError, OperationalError) as error:
                oldest = min((save.submitted for save in batch), default=0.0)
                if attempt == attempts or time.monotonic() + RETRY_WAIT - oldest > RETRY_WITHIN:
                    if connection_lost(error):
                        self._lost_at = time.monotonic()
                    for save in batch:
                        save.error = error
                    return
                time.sleep(RETRY_WAIT)
            except PersistenceError as error:
                if len(batch) == 1:
                    batch[0].error = error
                    return
                for save in batch:  # one of them carries the error: write each on its own
                    self._write_with_retries([save])
                return

    def _write(self, batch: list[Save]) -> None:
        pending = []
        for save in batch:
            if not save.tenant_id:
                save.error = ValueError("Events must be saved with a tenant_id.")
            elif not save.events:
                save.result = []
            else:
                pending.append(save)
        if not pending:
            return
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            curs.execute(self._lock_and_notify)  # the NOTIFY is delivered at commit: it wakes the relay
            pending = self._decide(curs, pending)
            if pending:
                self._insert(curs, pending)
        # Committed (leaving the block without an error): the outcomes set above stand.

    def _decide(self, curs: Any, saves: list[Save]) -> list[Save]:
        """Under the table lock, in the batch's order: a save whose Idempotency-Key was used (stored, or by an
        earlier save of this batch) is refused with KeyAlreadyUsed; one whose (originator, version) is stored
        already, or taken by an earlier save of this batch, with IntegrityError. The rest go in."""
        keys = [(e.originator_id, e.originator_version) for save in saves for e in save.events]
        curs.execute(
            SQL(
                "SELECT e.originator_id, e.originator_version FROM {table} e "
                "JOIN unnest(%s::uuid[], %s::bigint[]) AS k(originator_id, originator_version) "
                "USING (originator_id, originator_version)"
            ).format(table=self._table),
            ([k[0] for k in keys], [k[1] for k in keys]),
            # Planned afresh each time, for the table as it is now: the writers' EXCLUSIVE lock keeps autovacuum
            # from ever analyzing the store, so a plan cached while it was small (a scan of every event) would
            # stay for good, and this check runs under the lock every writer waits for.
            prepare=False,
        )
        taken = {(row["originator_id"], row["originator_version"]) for row in curs.fetchall()}
        accepted = []
        for save in saves:
            mine = [(e.originator_id, e.originator_version) for e in save.events]
            conflict = bool(taken.intersection(mine)) or len(set(mine)) != len(mine)
            key_used = save.idempotency is not None and (
                self._key_used(curs, save) if conflict else not self._claim(curs, save)
            )
            if key_used:
                save.error = KeyAlreadyUsed(save.idempotency.key)  # type: ignore[union-attr]
            elif conflict:
                save.error = IntegrityError(
                    "duplicate key value violates unique constraint: (originator_id, originator_version) exists"
                )
            else:
                taken.update(mine)
                accepted.append(save)
        return accepted

    # Idempotency-Keys are recorded in the same transaction as their events: both land, or neither. The keys'
    # table is under row-level security by the tenant setting (migration 003).
    def _claim(self, curs: Any, save: Save) -> bool:
        record = save.idempotency
        assert record is not None
        curs.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, save.tenant_id))
        curs.execute(
            "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, response) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING 1",
            (save.tenant_id, record.key, record.fingerprint, msgspec.json.encode(record.response)),
        )
        return curs.fetchone() is not None

    def _key_used(self, curs: Any, save: Save) -> bool:
        assert save.idempotency is not None
        curs.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, save.tenant_id))
        curs.execute(
            "SELECT 1 FROM idempotency_keys WHERE tenant_id = %s AND key = %s", (save.tenant_id, save.idempotency.key)
        )
        return curs.fetchone() is not None

    def _insert(self, curs: Any, saves: list[Save]) -> None:
        rows = [(save, e) for save in saves for e in save.events]
        curs.execute(
            SQL(
                "INSERT INTO {table} (originator_id, originator_version, topic, state, tenant_id, actor_role, "
                "request_id) SELECT originator_id, originator_version, topic, state, tenant_id, actor_role, request_id "
                "FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::text[], %s::text[], %s::text[]) "
                "WITH ORDINALITY AS e(originator_id, originator_version, topic, state, tenant_id, actor_role, "
                "request_id, n) "
                "ORDER BY n RETURNING notification_id, originator_id, originator_version"
            ).format(table=self._table),
            (
                [e.originator_id for _, e in rows],
                [e.originator_version for _, e in rows],
                [e.topic for _, e in rows],
                [e.state for _, e in rows],
                [save.tenant_id for save, _ in rows],
                [save.actor_role for save, _ in rows],
                [save.request_id for save, _ in rows],
            ),
            prepare=True,
        )
        stored = {(r["originator_id"], r["originator_version"]): r["notification_id"] for r in curs.fetchall()}
        ids = [stored.get((e.originator_id, e.originator_version), 0) for _, e in rows]
        # Rows take their ids in the order inserted (ORDER BY n): the batch's order is the commit order.
        if len(stored) != len(rows) or any(b <= a for a, b in pairwise(ids)) or 0 in ids:
            raise PersistenceError(f"Stored {len(stored)} of {len(rows)} events, or not in the batch's order.")
        chain_rows(curs, [(save.tenant_id, save.actor_role, e) for save, e in rows], ids)  # type: ignore[misc]
        start = 0
        for save in saves:
            save.result = ids[start : start + len(save.events)]
            start += len(save.events)
        # A retry with the key answers the same position as the first request: its events' last notification id,
        # known only now. Same transaction as the key's claim (_claim) and the events.
        for save in saves:
            if save.idempotency is not None:
                curs.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, save.tenant_id))
                curs.execute(
                    "UPDATE idempotency_keys SET response = %s WHERE tenant_id = %s AND key = %s",
                    (save.idempotency.stored_response(save.result[-1]), save.tenant_id, save.idempotency.key),
                )


class TenantPostgresFactory(PostgresFactory):
    application_recorder_class = TenantRecorder
