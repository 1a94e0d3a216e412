"""The eventsourcing Application that every use case builds on: tenant-aware load and save."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.base import TenantAggregate
from domain.errors import DomainError
from services.store.idempotency import Idempotency, Saved, current_claim
from services.store.pii import FieldCipher, Keyring, tenant_scope
from services.store.recorder import EVENTS_TABLE, TenantPostgresFactory, retrying
from services.store.transcoder import EventMapper, MsgspecTranscoder

A = TypeVar("A", bound=TenantAggregate)


@dataclass(frozen=True)
class Actor:
    """Who issues a command: from the bearer token, never from the request body."""

    tenant_id: str
    user_id: str
    role: str
    request_id: str | None = None  # the HTTP request's id (X-Request-ID), stored with the events it records


class NotFound(DomainError):
    rule = "not-found"


class VersionConflict(Exception):
    """The aggregate changed since the caller read it (or a concurrent command won)."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


def postgres_env(
    database_url: str, master_key: bytes | None = None, *, create_table: bool = False, pool_size: int = 10
) -> dict[str, str]:
    """eventsourcing's PostgreSQL settings from a postgresql:// URL, plus what our mapper needs."""
    url = urlsplit(database_url)
    query = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": unquote(url.hostname or query.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        # Up to twice pool_size connections, as many as concurrent commands need; only two are kept open while
        # idle (psycopg's pool opens the others on demand): every `credledger up` of a shared PostgreSQL, and each
        # of its workers, holds connections, and a default server has 100.
        "POSTGRES_POOL_SIZE": str(min(2, pool_size)),
        "POSTGRES_MAX_OVERFLOW": str(2 * pool_size - min(2, pool_size)),
        "POSTGRES_PRE_PING": "y",
        # How long a caller waits for a pooled connection (the library's default is 30 s, retried 10 times):
        # while the database is away a command answers 503 within seconds instead of hanging.
        "POSTGRES_CONNECT_TIMEOUT": "2",
        # Concurrent writers queue on the store's table lock; bound the wait.
        "POSTGRES_LOCK_TIMEOUT": "5",
        "CREATE_TABLE": "y" if create_table else "n",
        # Pinned, not inherited from the process environment (eventsourcing merges
        # os.environ): DB functions would skip the tenant stamp and the table lock
        # that commit order relies on; the relay reads the table in "public".
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "POSTGRES_SCHEMA": "public",
        "IS_SNAPSHOTTING_ENABLED": "n",
        "MAPPER_TOPIC": "",
        "APPLICATION_RECORDER_TOPIC": "",
        "CREDLEDGER_DATABASE_URL": database_url,
        "CREDLEDGER_MASTER_KEY": base64.b64encode(master_key).decode() if master_key else "",
    }


def mutate_all(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's project_aggregate without its assert: an isinstance check against a runtime-checkable
    Protocol per event cost about a third of loading an aggregate on Python 3.11 (profiled)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


@dataclass
class UnitOfWork:
    """Commands run together and saved as one (an import): each aggregate a command loads or creates is kept here
    with its pending events, so the next command of the unit sees it as it now stands, and nothing is stored until
    ``TenantApplication.commit``."""

    aggregates: dict[UUID, TenantAggregate] = field(default_factory=dict)


_unit: ContextVar[UnitOfWork | None] = ContextVar("credledger_unit_of_work", default=None)


class TenantApplication(Application[UUID]):
    name = "Credledger"

    def construct_factory(self, env):  # type: ignore[no-untyped-def]
        return TenantPostgresFactory(env)

    def construct_mapper(self):  # type: ignore[no-untyped-def]
        master_key = self.env.get("CREDLEDGER_MASTER_KEY")
        cipher = None
        if master_key:
            database_url = self.env.get("CREDLEDGER_DATABASE_URL") or ""  # postgres_env() always sets it
            cipher = FieldCipher(Keyring(database_url, base64.b64decode(master_key)))
        return EventMapper(transcoder=MsgspecTranscoder(), field_cipher=cipher)

    @cached_property
    def idempotency(self) -> Idempotency:
        """Idempotency-Keys over the store's pool, fingerprinted with the tenants' keyring."""
        cipher = getattr(self.mapper, "field_cipher", None)
        return Idempotency(self.recorder.datastore, cipher.keyring if cipher is not None else None)  # type: ignore[attr-defined]

    def close(self) -> None:
        cipher = getattr(self.mapper, "field_cipher", None)
        if cipher is not None:
            cipher.keyring.close()  # its connection for the tenants' keys
        super().close()

    def load(self, actor: Actor, kind: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        """The tenant's aggregate of that kind, or NotFound: another tenant's id is simply not found. Inside a
        unit of work, the one it holds, if any (with the changes of the unit's earlier commands)."""
        unit = _unit.get()
        if unit is not None and aggregate_id in unit.aggregates:
            held = unit.aggregates[aggregate_id]
            if not isinstance(held, kind) or held.tenant_id != actor.tenant_id:
                raise NotFound(f"No {kind.__name__} {aggregate_id}.")
            return held
        aggregate = self._load_stored(actor, kind, aggregate_id, expected_version)
        if unit is not None:
            unit.aggregates[aggregate_id] = aggregate
        return aggregate

    def _load_stored(self, actor: Actor, kind: type[A], aggregate_id: UUID, expected_version: int | None) -> A:
        rows = self.fetch(
            f"SELECT originator_id, originator_version, topic, state, tenant_id FROM {EVENTS_TABLE} "
            "WHERE originator_id = %s ORDER BY originator_version",
            aggregate_id,
        )
        # Check the owner from the rows before decoding anything: another tenant's
        # PII would not even decrypt under this tenant's key.
        if not rows or rows[0]["tenant_id"] != actor.tenant_id:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")
        stored = (StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])) for r in rows)
        with tenant_scope(actor.tenant_id):  # PII is opened under the caller's tenant key
            aggregate = mutate_all(None, map(self.mapper.to_domain_event, stored))
        if not isinstance(aggregate, kind) or aggregate.tenant_id != actor.tenant_id:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(
                f"{kind.__name__} {aggregate_id} is at version {aggregate.version}, not {expected_version}.",
                aggregate.version,
            )
        return aggregate

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """Run commands together: inside, they change aggregates in memory only (see UnitOfWork)."""
        unit = UnitOfWork()
        token = _unit.set(unit)
        try:
            yield unit
        finally:
            _unit.reset(token)

    def commit(self, actor: Actor, unit: UnitOfWork) -> Saved | None:
        """Store every change of the unit in one transaction (None: it changed nothing)."""
        changed = [a for a in unit.aggregates.values() if a.pending_events]
        if not changed:
            return None
        token = _unit.set(None)  # this save is the real one, wherever it is called from
        try:
            return self.record(actor, *changed)
        finally:
            _unit.reset(token)

    def held(self, aggregate_id: UUID) -> TenantAggregate | None:
        """The aggregate as the current unit of work holds it (None: no unit, or not in it)."""
        unit = _unit.get()
        return unit.aggregates.get(aggregate_id) if unit is not None else None

    def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        """One read statement, on an autocommit connection of the store's pool (no BEGIN, no COMMIT); retried on
        a lost connection as the library retries its reads, but only briefly (recorder.RETRY_WITHIN)."""

        def read() -> list[dict[str, Any]]:
            with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
                curs.execute(query, params, prepare=True)
                rows: list[dict[str, Any]] = curs.fetchall()
                return rows

        return retrying(read)

    def owner_of(self, aggregate_id: UUID) -> str | None:
        """The tenant stamped on the aggregate's first event, or None if there is none."""
        rows = self.fetch(
            f"SELECT tenant_id FROM {EVENTS_TABLE} WHERE originator_id = %s AND originator_version = 1", aggregate_id
        )
        return rows[0]["tenant_id"] if rows else None

    def record(self, actor: Actor, aggregate: TenantAggregate, *others: TenantAggregate) -> Saved:
        """Save the aggregates' new events in one transaction; the result names the first. Inside a unit of work,
        keep them for its commit instead (the result has no store position yet)."""
        if any(a.tenant_id != actor.tenant_id for a in (aggregate, *others)):  # a bug, never a user error
            raise RuntimeError("An aggregate may only be saved by its own tenant.")
        unit = _unit.get()
        if unit is not None:
            for held in (aggregate, *others):
                unit.aggregates[held.id] = held
            return Saved(aggregate.id, aggregate.version, None)
        claim = current_claim()  # an Idempotency-Key, claimed with these events (services/store/idempotency.py)
        idempotency = claim.record_for(aggregate.id, aggregate.version) if claim is not None else None
        try:
            with tenant_scope(actor.tenant_id):
                recordings = self.save(
                    aggregate,
                    *others,
                    tenant_id=actor.tenant_id,
                    actor_role=actor.role,
                    request_id=actor.request_id,
                    idempotency=idempotency,
                )
        except IntegrityError as error:
            # Primary key (originator_id, originator_version): another command
            # saved this version first. https://eventsourcing.readthedocs.io/en/stable/topics/persistence.html
            raise VersionConflict(f"{type(aggregate).__name__} {aggregate.id} was changed concurrently.") from error
        position = max((r.notification.id for r in recordings), default=None)
        return Saved(aggregate.id, aggregate.version, position)
