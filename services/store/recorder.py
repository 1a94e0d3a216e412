"""eventsourcing's PostgreSQL recorder, extended to stamp every event row with its tenant.

The library inserts rows through a composite type with a fixed set of fields, so
rather than fork its insert statement we give the ``tenant_id`` column a default
read from a transaction-local setting, and set that setting in the same
transaction just before the insert (the recorder's ``_insert_events`` hook runs
first inside the insert transaction). The column is NOT NULL, so an insert that
forgot its tenant fails instead of landing untenanted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.sql import SQL, Identifier

from services.store.chain import append_links

TENANT_SETTING = "credledger.tenant_id"
ROLE_SETTING = "credledger.actor_role"


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str  # of the request: same key with another body is an error
    response: bytes  # what to answer a retry with


class KeyAlreadyUsed(Exception):
    """Another command with this Idempotency-Key committed first."""


class TenantRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        table = SQL("{0}.{1}").format(Identifier(datastore.schema), Identifier(events_table_name))
        self.sql_create_statements.append(
            SQL(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS tenant_id text NOT NULL "
                "DEFAULT NULLIF(current_setting('credledger.tenant_id', true), '')"
            ).format(table=table)
        )
        # The acting user's role (from the bearer token) at the time: the compliance
        # history shows who acted in which capacity. Events carry the user id themselves.
        self.sql_create_statements.append(
            SQL(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS actor_role text "
                "DEFAULT NULLIF(current_setting('credledger.actor_role', true), '')"
            ).format(table=table)
        )

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        tenant_id = kwargs.get("tenant_id")
        if not tenant_id:
            raise ValueError("Events must be saved with a tenant_id.")
        # is_local=true: the setting ends with this transaction, so a pooled
        # connection never carries one tenant's id into another's insert.
        curs.execute("SELECT set_config(%s, %s, true)", (TENANT_SETTING, tenant_id))
        curs.execute("SELECT set_config(%s, %s, true)", (ROLE_SETTING, kwargs.get("actor_role") or ""))
        idempotency: IdempotencyRecord | None = kwargs.get("idempotency")
        if idempotency is not None:
            # Same transaction as the events: both land, or neither. A concurrent
            # request with the same key waits on the unique index here, then finds
            # the row and does nothing; it then answers with the first result.
            curs.execute(
                "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, response) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING 1",
                (tenant_id, idempotency.key, idempotency.fingerprint, idempotency.response),
            )
            if curs.fetchone() is None:
                raise KeyAlreadyUsed(idempotency.key)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if notification_ids:
            # Same transaction, still under the table lock the insert took: writers are
            # serialised, so reading the tenant's last link and appending to it cannot race.
            append_links(
                curs,
                tenant_id=kwargs["tenant_id"],
                actor_role=kwargs.get("actor_role"),
                stored_events=stored_events,
                notification_ids=notification_ids,
            )
        return notification_ids


class TenantPostgresFactory(PostgresFactory):
    application_recorder_class = TenantRecorder
