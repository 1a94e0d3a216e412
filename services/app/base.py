"""The eventsourcing Application that every use case builds on: tenant-aware load and save."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.base import TenantAggregate
from domain.errors import DomainError
from services.store.pii import FieldCipher, Keyring, tenant_scope
from services.store.recorder import TenantPostgresFactory
from services.store.transcoder import EventMapper, MsgspecTranscoder

A = TypeVar("A", bound=TenantAggregate)

# eventsourcing names the table after the application: "<name>_events".
EVENTS_TABLE = "credledger_events"


@dataclass(frozen=True)
class Actor:
    """Who issues a command: from the bearer token, never from the request body."""

    tenant_id: str
    user_id: str
    role: str


@dataclass(frozen=True)
class Saved:
    id: UUID
    version: int


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
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(pool_size),
        "POSTGRES_PRE_PING": "y",
        # Concurrent writers queue on the store's table lock; bound the wait.
        "POSTGRES_LOCK_TIMEOUT": "5",
        "CREATE_TABLE": "y" if create_table else "n",
        "CREDLEDGER_DATABASE_URL": database_url,
        "CREDLEDGER_MASTER_KEY": base64.b64encode(master_key).decode() if master_key else "",
    }


class TenantApplication(Application):
    name = "Credledger"

    def construct_factory(self, env):  # type: ignore[no-untyped-def]
        return TenantPostgresFactory(env)

    def construct_mapper(self):  # type: ignore[no-untyped-def]
        master_key = self.env.get("CREDLEDGER_MASTER_KEY")
        cipher = None
        if master_key:
            cipher = FieldCipher(Keyring(self.env.get("CREDLEDGER_DATABASE_URL"), base64.b64decode(master_key)))
        return EventMapper(transcoder=MsgspecTranscoder(), field_cipher=cipher)

    def load(self, actor: Actor, kind: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        """The tenant's aggregate of that kind, or NotFound: another tenant's id is simply not found."""
        # Check the owner from the row before decoding anything: another tenant's
        # PII would not even decrypt under this tenant's key.
        if self.owner_of(aggregate_id) != actor.tenant_id:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")
        try:
            with tenant_scope(actor.tenant_id):  # PII is opened under the caller's tenant key
                aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, kind) or aggregate.tenant_id != actor.tenant_id:
            raise NotFound(f"No {kind.__name__} {aggregate_id}.")
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(
                f"{kind.__name__} {aggregate_id} is at version {aggregate.version}, not {expected_version}.",
                aggregate.version,
            )
        return aggregate

    def owner_of(self, aggregate_id: UUID) -> str | None:
        """The tenant stamped on the aggregate's first event, or None if there is none."""
        with self.recorder.datastore.transaction(commit=False) as curs:  # type: ignore[attr-defined]
            curs.execute(
                f"SELECT tenant_id FROM {EVENTS_TABLE} WHERE originator_id = %s AND originator_version = 1",
                (aggregate_id,),
                prepare=True,
            )
            row = curs.fetchone()
        return row["tenant_id"] if row else None

    def record(self, actor: Actor, aggregate: TenantAggregate) -> Saved:
        if aggregate.tenant_id != actor.tenant_id:  # a bug, never a user error
            raise RuntimeError("An aggregate may only be saved by its own tenant.")
        try:
            with tenant_scope(actor.tenant_id):
                self.save(aggregate, tenant_id=actor.tenant_id)
        except IntegrityError as error:
            # Primary key (originator_id, originator_version): another command
            # saved this version first. https://eventsourcing.readthedocs.io/en/stable/topics/persistence.html
            raise VersionConflict(f"{type(aggregate).__name__} {aggregate.id} was changed concurrently.") from error
        return Saved(aggregate.id, aggregate.version)
