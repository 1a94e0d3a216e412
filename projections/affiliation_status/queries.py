"""The affiliation-status view's answers and the SQL that reads them: one row per practice, filtered, sorted and
paged, or one practice's row. Run in the caller's read-only transaction (row-level security: the tenant's rows
only); the API (services/api/affiliation_view.py) parses the request and shapes the page."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from uuid import UUID

import asyncpg
import msgspec

from domain.organization_values import RiskLevel
from projections.engine.paging import KeysetPage


class PlanAffiliation(msgspec.Struct, kw_only=True):
    kind: str
    partner_mco: str | None
    state: str
    dates: dict[str, date]


class LocationEnrollment(msgspec.Struct, kw_only=True):
    # not_started, opened, submitted, deficient, rejected, approved, denied, withdrawn; closed (the location);
    # disenrolled or terminated (the practice's enrollment ended)
    enrollment: str
    application_id: UUID | None = None  # its latest enrollment application


class NppesMismatch(msgspec.Struct):
    field: str
    detail: str


class AffiliationStatus(msgspec.Struct, kw_only=True):
    organization_id: UUID
    legal_name: str
    npi: str
    entity_kind: str
    risk_level: str | None
    posc_registration: str
    enrollment: str
    provider_number: str | None
    affiliations: dict[str, PlanAffiliation]  # by plan name
    locations: dict[str, LocationEnrollment]  # each service location other than A, by its letter
    rendering_npis: list[str]
    sole_enrollment_risk: bool  # enrolled with MassHealth, but active with no ACO or MCO
    nppes_mismatches: list[NppesMismatch]  # open: each one would make MassHealth reject the application
    registered_on: date
    updated_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> AffiliationStatus:
        values = dict(row)
        values["affiliations"] = msgspec.json.decode(values["affiliations"], type=dict[str, PlanAffiliation])
        locations = msgspec.json.decode(values["locations"])
        values["locations"] = {
            code: LocationEnrollment(enrollment=v["enrollment"], application_id=v.get("application_id"))
            for code, v in locations.items()
        }
        values["nppes_mismatches"] = msgspec.json.decode(values["nppes_mismatches"], type=list[NppesMismatch])
        return cls(**values)


class AffiliationPage(msgspec.Struct):
    items: list[AffiliationStatus]
    next_cursor: str | None


_COLUMNS = (
    "organization_id, legal_name, npi, entity_kind, risk_level, posc_registration, enrollment, provider_number, "
    "affiliations, locations, rendering_npis, sole_enrollment_risk, nppes_mismatches, registered_on, updated_at"
)
SORTABLE = {
    "legal_name": ("legal_name", "text"),
    "updated_at": ("updated_at", "timestamptz"),
    "registered_on": ("registered_on", "date"),
    "posc_registration": ("posc_registration", "text"),
    "enrollment": ("enrollment", "text"),
}


async def statuses(
    con: asyncpg.Connection,
    page: KeysetPage,
    *,
    visible: Collection[UUID] | None,
    fetch: int,
    posc_registration: str | None = None,
    enrollment: str | None = None,
    plan: str | None = None,
    risk_level: RiskLevel | None = None,
    sole_enrollment_risk: bool | None = None,
    organization_ids: list[UUID] | None = None,
    nppes_mismatch: bool | None = None,
) -> list[asyncpg.Record]:
    """``fetch`` practices of the page (SORTABLE); each row makes an item with ``AffiliationStatus.from_row``.
    ``visible``: the reader's organizations (None: all the tenant's); ``plan``: with an affiliation with it;
    ``nppes_mismatch``: with (or without) open mismatches."""
    rows: list[asyncpg.Record] = await con.fetch(
        f"SELECT {_COLUMNS} FROM affiliation_status WHERE {page.where(1)} "
        "AND ($3::uuid[] IS NULL OR organization_id = ANY($3)) "
        "AND ($5::text IS NULL OR posc_registration = $5) AND ($6::text IS NULL OR enrollment = $6) "
        "AND ($7::text IS NULL OR affiliations ? $7) AND ($8::text IS NULL OR risk_level = $8) "
        "AND ($9::boolean IS NULL OR sole_enrollment_risk = $9) "
        "AND ($10::uuid[] IS NULL OR organization_id = ANY($10)) "
        "AND ($11::boolean IS NULL OR (nppes_mismatches <> '[]'::jsonb) = $11) "
        f"ORDER BY {page.order_by()} LIMIT $4",
        *page.params(),
        list(visible) if visible is not None else None,
        fetch,
        posc_registration,
        enrollment,
        plan,
        str(risk_level) if risk_level else None,
        sole_enrollment_risk,
        organization_ids,
        nppes_mismatch,
    )
    return rows


async def status_of(con: asyncpg.Connection, organization_id: UUID) -> AffiliationStatus | None:
    """One practice's row; None: no such organization in this view (or not the reader's tenant's)."""
    row = await con.fetchrow(f"SELECT {_COLUMNS} FROM affiliation_status WHERE organization_id = $1", organization_id)
    return AffiliationStatus.from_row(row) if row is not None else None


async def practice_names(con: asyncpg.Connection, organization_ids: Collection[UUID]) -> dict[UUID, str]:
    """The legal names of these practices, for the views that keep only their ids (turnaround, expirables): the
    reports name each practice as the dashboard does. A practice this view has not taken in yet has none."""
    rows = await con.fetch(
        "SELECT organization_id, legal_name FROM affiliation_status WHERE organization_id = ANY($1)",
        list(organization_ids),
    )
    return {row["organization_id"]: row["legal_name"] for row in rows}


async def plan_names(
    con: asyncpg.Connection, *, visible: Collection[UUID] | None, organization_ids: list[UUID] | None
) -> list[str]:
    """Every plan any of these practices (``visible``: the reader's, None: all the tenant's; ``organization_ids``:
    a filter) has an affiliation with, by name: the columns of the affiliation-status report."""
    rows = await con.fetch(
        "SELECT DISTINCT plan FROM affiliation_status, jsonb_object_keys(affiliations) AS plan "
        "WHERE ($1::uuid[] IS NULL OR organization_id = ANY($1)) AND ($2::uuid[] IS NULL OR organization_id = ANY($2)) "
        "ORDER BY plan",
        list(visible) if visible is not None else None,
        organization_ids,
    )
    return [row["plan"] for row in rows]
