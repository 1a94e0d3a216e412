"""The access-audit projection on its own, against real PostgreSQL: the same events give the same rows whatever
order different aggregates' events arrive in (as a rebuild in store order must match the live view), whether
each event's rows are read from the tables (live) or the whole build stays in memory (a rebuild), and a
review that revokes access ends it on the review's business day."""

from __future__ import annotations

import uuid
from collections import deque
from datetime import date
from typing import Any

import asyncpg
import pytest

from domain.application import ApplicationKind
from domain.organization import Organization
from domain.user_account import AccountRole, PoscFunction, ReviewOutcome
from projections.access_audit import handlers as access_audit
from projections.engine.registry import ddl
from projections.engine.rows import ViewRows
from projections.engine.tracking import Envelope, OutOfOrder, fold
from services.migrate import migrate
from tests.domain.builders import LATER, open_account, open_application, register_peach, submitted_application
from tests.support import Infra

TABLES = {
    "access_audit_organizations": "organization_id",
    "access_audit_accounts": "account_id",
    "access_audit_grants": "account_id, function, granted_version",
    "access_audit_primary_terms": "organization_id, started_version",
    "access_audit_modifications": "application_id",
}
ACTOR = "user-1"


# Business days (domain/business_time.py): each fact is dated on or after the facts its record already holds.
DESIGNATED, HANDOVER = date(2026, 1, 12), date(2026, 5, 12)
SAM_REVIEWED = date(2026, 4, 2)


def _story() -> tuple[list[Any], dict[str, Any]]:
    """One organization's POSC access over time, as the application layer saves it (store order)."""
    events: list[Any] = []

    def save(*aggregates: Any) -> None:
        for aggregate in aggregates:
            events.extend(aggregate.collect_events())

    org = register_peach()
    save(org)
    dana = open_account(AccountRole.PRIMARY, organization_id=org.id, person_name="Dana")
    org.designate_primary_user(account_id=dana.id, on=DESIGNATED, actor=ACTOR)
    save(dana, org)
    dana.grant_access(PoscFunction.PROVIDER_DATA_MAINTENANCE, granted_by=None, on=DESIGNATED, actor=ACTOR)
    sam = open_account(AccountRole.SUBORDINATE, organization_id=org.id, person_name="Sam")
    sam.grant_access(PoscFunction.CLAIMS_BATCH, granted_by=dana.id, on=date(2026, 1, 20), actor=ACTOR)
    sam.grant_access(PoscFunction.ELIGIBILITY_VERIFICATION, granted_by=dana.id, on=date(2026, 1, 21), actor=ACTOR)
    sam.complete_step("new_user_email_received", on=date(2026, 3, 1), actor=ACTOR)  # not shown: ignored
    partner = open_account(AccountRole.BUSINESS_PARTNER, organization_id=org.id, person_name="Desk")
    partner.grant_access(PoscFunction.CLAIMS_BATCH, granted_by=dana.id, on=date(2026, 2, 2), actor=ACTOR)
    save(dana, sam, partner)
    posc = submitted_application(ApplicationKind.POSC_REGISTRATION, organization_id=org.id)  # not a POSC-DC-PM
    posc.approve(decided_on=LATER, actor=ACTOR)
    partner.review_access(outcome=ReviewOutcome.CONFIRMED, on=date(2026, 4, 1), reviewer="Dana", actor=ACTOR)
    sam.review_access(outcome=ReviewOutcome.REVOKED, on=SAM_REVIEWED, reviewer="Dana", actor=ACTOR)
    sam.record_departure(on=date(2026, 4, 3), actor=ACTOR)
    dana.record_departure(on=date(2026, 5, 1), actor=ACTOR)
    save(posc, partner, sam, dana)
    pm = open_application(ApplicationKind.PRIMARY_USER_MODIFICATION, organization_id=org.id)
    save(pm)
    pm.submit(submitted_on=date(2026, 5, 2), nppes_mismatches=[], actor=ACTOR)
    pm.approve(decided_on=date(2026, 5, 9), actor=ACTOR)
    save(pm)
    eve = open_account(AccountRole.PRIMARY, organization_id=org.id, person_name="Eve")
    org.replace_primary_user(account_id=eve.id, modification_id=pm.id, on=HANDOVER, actor=ACTOR)
    dana.deactivate(on=HANDOVER, actor=ACTOR)
    save(eve, org, dana)
    org.correct_profile(legal_name="Peach State Medical Practice LLC", on=HANDOVER, actor=ACTOR)
    save(org)
    return events, {"org": org, "dana": dana, "sam": sam, "partner": partner, "eve": eve, "pm": pm, "posc": posc}


async def _schema(owner: asyncpg.Connection) -> str:
    """A fresh schema with the view's tables, as a rebuild makes one."""
    schema = "aa_" + uuid.uuid4().hex[:10]
    await owner.execute(f"CREATE SCHEMA {schema}; GRANT USAGE ON SCHEMA {schema} TO credledger_worker")
    await owner.execute(f"SET search_path TO {schema}")
    await owner.execute(ddl(access_audit))
    return schema


async def _apply_all(con: asyncpg.Connection, schema: str, events: list[Any], aggregate_order: list[Any]) -> int:
    """Apply every aggregate's events in its own order, taking aggregates in ``aggregate_order`` and coming
    back to any that waits (OutOfOrder), as the worker's redeliveries do. Returns how many waits there were."""
    positions = {id(e): i + 1 for i, e in enumerate(events)}
    queues = {a: deque(e for e in events if e.originator_id == a) for a in aggregate_order}
    waits = 0
    await con.execute(f"SET ROLE credledger_worker; SET search_path TO {schema}")
    while any(queues.values()):
        progressed = False
        for queue in queues.values():
            while queue:
                try:
                    async with con.transaction():  # as the live worker: rows not read yet come from the tables
                        rows = ViewRows(con, access_audit.row_types, starts_empty=False)
                        await fold(rows, access_audit, [Envelope("firm-a", positions[id(queue[0])], queue[0])])
                        await rows.flush()
                except OutOfOrder:
                    waits += 1
                    break
                queue.popleft()
                progressed = True
        assert progressed, "an event waits for nothing that will come"
    await con.execute("RESET ROLE")
    return waits


async def _build_in_memory(con: asyncpg.Connection, schema: str, events: list[Any]) -> None:
    """As a rebuild does it: every event in store order into rows kept in memory, written once."""
    await con.execute(f"SET ROLE credledger_worker; SET search_path TO {schema}")
    async with con.transaction():
        rows = ViewRows(con, access_audit.row_types, starts_empty=True)
        await fold(rows, access_audit, [Envelope("firm-a", i + 1, e) for i, e in enumerate(events)])
        await rows.flush()
    await con.execute("RESET ROLE")


async def _rows(con: asyncpg.Connection, schema: str) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [dict(r) for r in await con.fetch(f"SELECT * FROM {schema}.{table} ORDER BY tenant_id, {key}")]
        for table, key in TABLES.items()
    }


@pytest.fixture(scope="module")
def database_url(infra: Infra) -> str:
    url = infra.new_database()
    migrate(url)
    return url


async def test_rows_do_not_depend_on_the_order_aggregates_arrive_in(database_url: str) -> None:
    events, story = _story()
    in_store_order = list(dict.fromkeys(e.originator_id for e in events))
    con = await asyncpg.connect(database_url)
    try:
        live = await _schema(con)
        assert await _apply_all(con, live, events, in_store_order) == 0
        # Accounts and applications before their organization: each waits, then lands the same.
        rebuilt = await _schema(con)
        assert await _apply_all(con, rebuilt, events, in_store_order[::-1]) > 0
        rows = await _rows(con, live)
        assert rows == await _rows(con, rebuilt)
        in_memory = await _schema(con)
        await _build_in_memory(con, in_memory, events)
        assert rows == await _rows(con, in_memory)
    finally:
        await con.close()

    _org, dana, sam, eve, pm = (story[k] for k in ("org", "dana", "sam", "eve", "pm"))
    [organization] = rows["access_audit_organizations"]
    assert organization["legal_name"] == "Peach State Medical Practice LLC"
    assert organization["primary_user_account_id"] == eve.id
    # The latest change shown (the name correction), though the reversed run applied it before the accounts'.
    [correction] = [e for e in events if isinstance(e, Organization.ProfileCorrected)]
    assert organization["updated_at"] == correction.timestamp
    terms = rows["access_audit_primary_terms"]
    assert [(t["account_id"], t["modification_id"]) for t in terms] == [(dana.id, None), (eve.id, pm.id)]
    assert [(t["started_on"], t["ended_on"]) for t in terms] == [(DESIGNATED, HANDOVER), (HANDOVER, None)]
    accounts = {a["account_id"]: a for a in rows["access_audit_accounts"]}
    assert accounts[dana.id]["status"] == "deactivated" and accounts[dana.id]["grants"] == []
    assert accounts[sam.id]["departed_on"] == date(2026, 4, 3) and accounts[sam.id]["last_review_outcome"] == "revoked"
    assert accounts[story["partner"].id]["access_since"] is not None and "date_of_birth" not in accounts[dana.id]
    # Sam's review on 2026-04-02 ended both grants on its business day, whenever it was recorded.
    sam_grants = [g for g in rows["access_audit_grants"] if g["account_id"] == sam.id]
    assert [(g["function"], g["granted_on"], g["ended_on"], g["ended_by"]) for g in sam_grants] == [
        ("claims_batch", date(2026, 1, 20), SAM_REVIEWED, "review"),
        ("eligibility_verification", date(2026, 1, 21), SAM_REVIEWED, "review"),
    ]
    [dana_grant] = [g for g in rows["access_audit_grants"] if g["account_id"] == dana.id]
    assert (dana_grant["granted_on"], dana_grant["ended_on"]) == (DESIGNATED, HANDOVER)
    assert dana_grant["ended_by"] == "deactivated" and dana_grant["granted_by"] is None
    assert accounts[dana.id]["deactivated_on"] == HANDOVER
    # Only the POSC-DC-PM is a modification; the POSC registration is not.
    assert [(m["application_id"], m["approved_on"]) for m in rows["access_audit_modifications"]] == [
        (pm.id, date(2026, 5, 9))
    ]
