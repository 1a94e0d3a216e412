"""The views' rows in memory (projections/engine/rows.py) against real PostgreSQL: each row class is its table, rows
come back from the tables exactly as they were written (so a live batch, which reads them back, and a rebuild,
which never does, fold the same values), and tenants stay apart as under row-level security."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import asyncpg
import pytest

from projections.access_audit import handlers as access_audit
from projections.affiliation_status import handlers as affiliation_status
from projections.affiliation_status.organization import StatusRow
from projections.engine.registry import ddl, projection_modules, tables
from projections.engine.rows import TenantMismatch, ViewRows
from projections.turnaround import handlers as turnaround
from services.migrate import migrate
from tests.support import Infra

MOMENT = datetime(2026, 4, 20, 13, 45, 12, 345678, tzinfo=UTC)
DAY = date(2026, 4, 20)  # a business day (domain/business_time.py): the rows' dates other than updated_at


@pytest.fixture(scope="module")
def database_url(infra: Infra) -> str:
    url = infra.new_database()
    migrate(url)
    return url


async def _schema(con: asyncpg.Connection) -> str:
    """Every view's tables in a fresh schema, as a rebuild makes them; the connection then writes as the worker."""
    schema = "rows_" + uuid.uuid4().hex[:10]
    await con.execute(f"CREATE SCHEMA {schema}; GRANT USAGE ON SCHEMA {schema} TO credledger_worker")
    await con.execute(f"SET search_path TO {schema}")
    for module in projection_modules():
        await con.execute(ddl(module))
    await con.execute("SET ROLE credledger_worker")
    return schema


async def test_each_row_class_is_its_table(database_url: str) -> None:
    con = await asyncpg.connect(database_url)
    try:
        schema = await _schema(con)
        for module in projection_modules():
            assert [t.table for t in module.row_types] == tables(module)
            for row_type in module.row_types:
                columns = await con.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
                    schema,
                    row_type.table,
                )
                assert set(row_type.__struct_fields__) == {c["column_name"] for c in columns}, row_type.table
                key = await con.fetchval(
                    "SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
                    "CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                    "WHERE i.indisprimary AND i.indrelid = $1::regclass",
                    f"{schema}.{row_type.table}",
                )
                assert tuple(key) == row_type.key, row_type.table
    finally:
        await con.close()


def _account(tenant: str, **changes: Any) -> access_audit.AccountRow:
    values: dict[str, Any] = dict(
        tenant_id=tenant,
        account_id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        person_name='Dana "D" O\'Neil, {jr}',
        role="primary",
        grants=["provider_data_maintenance", "claim_status_remittance", "claims_batch"],
        access_since=DAY,
        departed_on=date(2026, 5, 1),
        opened_on=DAY - timedelta(days=1),
        updated_at=MOMENT.astimezone(timezone(timedelta(hours=-4))),  # the same instant, another offset
    )
    values.update(changes)
    return access_audit.AccountRow(**values)


def _status(tenant: str) -> StatusRow:
    return StatusRow(
        tenant_id=tenant,
        organization_id=uuid.uuid4(),
        legal_name="Berkshire Family Health",
        npi="1234567893",
        entity_kind="group",
        risk_level=None,
        enrollment_application_id=uuid.uuid4(),
        enrollment_position=2**40,
        affiliations={"aco_a": {"kind": "aco", "partner_mco": None, "state": "active", "dates": {"active": "2026-04"}}},
        rendering_npis=["1234567893", "1003000126"],
        sole_enrollment_risk=True,
        nppes_mismatches=[{"field": "address", "detail": "ZIP+4 differs"}],
        registered_on=DAY,
        updated_at=MOMENT,
    )


def _application(tenant: str) -> turnaround.ApplicationRow:
    return turnaround.ApplicationRow(
        tenant_id=tenant,
        application_id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        kind="enrollment",
        provider_type="physician group",
        opened_on=date(2026, 4, 17),
        steps=3,
        updated_at=MOMENT,
    )


def _step(application: turnaround.ApplicationRow) -> turnaround.StepRow:
    return turnaround.StepRow(
        tenant_id=application.tenant_id,
        application_id=application.application_id,
        organization_id=application.organization_id,
        step=application.steps,
        effective_on=date(2026, 4, 21),
        stage="open",
        submitted_on=date(2026, 4, 17),
        submitted_index=2843,
        client_days=None,
    )


async def test_rows_read_back_equal_the_rows_written(database_url: str) -> None:
    con = await asyncpg.connect(database_url)
    try:
        await _schema(con)
        account, status, application = _account("firm-a"), _status("firm-a"), _application("firm-a")
        types = (*access_audit.row_types, *affiliation_status.row_types, *turnaround.row_types)
        async with con.transaction():
            built = ViewRows(con, types, starts_empty=True)  # as a rebuild: written, never read
            built.tenant = "firm-a"
            step = _step(application)
            for row in (account, status, application, step):
                built.add(row)
            await built.flush()

            live = ViewRows(con, types, starts_empty=False)  # as a live batch: read from the tables
            live.tenant = "firm-a"
            read = await live.get(StatusRow, status.organization_id)
            assert read == status
            assert await live.of_organization(turnaround.ApplicationRow, application.organization_id) == [application]
            assert await live.get(turnaround.StepRow, application.application_id, step.step) == step
            stored = await live.get(access_audit.AccountRow, account.account_id)
            # Grants are kept sorted by the database's collation, as the SQL that built them sorted them.
            collated = await con.fetchval("SELECT array_agg(g ORDER BY g) FROM unnest($1::text[]) AS g", account.grants)
            assert stored == _account(
                "firm-a", account_id=account.account_id, organization_id=account.organization_id, grants=collated
            )

            # Changed rows are written back (an UPDATE) and read back as changed.
            assert read is not None
            live.update(read, affiliations={}, sole_enrollment_risk=False, updated_at=MOMENT + timedelta(days=1))
            await live.flush()
            again = ViewRows(con, types, starts_empty=False)
            again.tenant = "firm-a"
            assert await again.get(StatusRow, status.organization_id) == read
    finally:
        await con.close()


async def test_tenants_stay_apart(database_url: str) -> None:
    con = await asyncpg.connect(database_url)
    try:
        await _schema(con)
        async with con.transaction():
            rows = ViewRows(con, access_audit.row_types, starts_empty=False)
            rows.tenant = "firm-a"
            account = _account("firm-a")
            rows.add(account)
            with pytest.raises(TenantMismatch):
                rows.add(_account("firm-b"))  # what row-level security's WITH CHECK refuses
            await rows.flush()
            other = ViewRows(con, access_audit.row_types, starts_empty=False)
            other.tenant = "firm-b"
            assert await other.get(access_audit.AccountRow, account.account_id) is None
            assert await other.of_organization(access_audit.AccountRow, account.organization_id) == []
    finally:
        await con.close()


async def test_a_build_writes_its_rows_transaction_after_transaction(database_url: str) -> None:
    # A rebuild keeps one ViewRows over many transactions, and app.tenant_id ends with each of them.
    con = await asyncpg.connect(database_url)
    try:
        await _schema(con)
        rows = ViewRows(con, access_audit.row_types, starts_empty=True)
        rows.tenant = "firm-a"
        first, second = _account("firm-a"), _account("firm-a")
        for account in (first, second):
            async with con.transaction():
                rows.add(account)
                await rows.flush()
        async with con.transaction():
            await con.execute("SELECT set_config('app.tenant_id', 'firm-a', true)")
            assert await con.fetchval("SELECT count(*) FROM access_audit_accounts") == 2
    finally:
        await con.close()


class _Counting(asyncpg.Connection):
    reads = 0

    async def fetchval(self, *args: Any, **kwargs: Any) -> Any:
        type(self).reads += 1
        return await super().fetchval(*args, **kwargs)


async def test_reading_ahead_answers_the_lookups_as_reading_on_demand_would(database_url: str) -> None:
    con = await asyncpg.connect(database_url, connection_class=_Counting)
    try:
        await _schema(con)
        organization_id, missing = uuid.uuid4(), uuid.uuid4()
        account = _account("firm-a", organization_id=organization_id)
        grant = access_audit.GrantRow(
            tenant_id="firm-a",
            account_id=account.account_id,
            organization_id=organization_id,
            function="claims_batch",
            granted_version=2,
            granted_on=DAY,
        )
        async with con.transaction():
            built = ViewRows(con, access_audit.row_types, starts_empty=True)
            built.tenant = "firm-a"
            for row in (account, grant):
                built.add(row)
            await built.flush()

            async def lookups(rows: ViewRows) -> list[Any]:
                rows.tenant = "firm-a"
                return [
                    await rows.get(access_audit.AccountRow, account.account_id),
                    await rows.get(access_audit.AccountRow, missing),
                    await rows.get(access_audit.OrganizationRow, organization_id),  # none stored
                    await rows.get(access_audit.ModificationRow, account.account_id),
                    await rows.of_organization(access_audit.GrantRow, organization_id),
                    await rows.of_organization(access_audit.PrimaryTermRow, organization_id),
                ]

            on_demand = await lookups(ViewRows(con, access_audit.row_types, starts_empty=False))
            ahead = ViewRows(con, access_audit.row_types, starts_empty=False)
            # As a batch of the account's events names them: its own id, and an unknown aggregate.
            await ahead.read_ahead({"firm-a": {account.account_id, missing}})
            reads = _Counting.reads
            assert await lookups(ahead) == on_demand
            assert _Counting.reads == reads  # every lookup was answered from what was read ahead
    finally:
        await con.close()
