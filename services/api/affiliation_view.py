"""The affiliation-status view, queried with asyncpg as a role under row-level security."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from domain.organization import RiskLevel
from services.api.auth import Principal, may_read
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, tenant_transaction
from services.app import NotFound


class PlanAffiliation(msgspec.Struct, kw_only=True):
    kind: str
    partner_mco: str | None
    state: str
    dates: dict[str, date]


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
    rendering_npis: list[str]
    sole_enrollment_risk: bool  # enrolled with MassHealth, but active with no ACO or MCO
    nppes_mismatches: list[NppesMismatch]  # open: each one would make MassHealth reject the application
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> AffiliationStatus:
        values = dict(row)
        values["affiliations"] = msgspec.json.decode(values["affiliations"], type=dict[str, PlanAffiliation])
        values["nppes_mismatches"] = msgspec.json.decode(values["nppes_mismatches"], type=list[NppesMismatch])
        return cls(**values)


class AffiliationPage(msgspec.Struct):
    items: list[AffiliationStatus]
    next_cursor: str | None


_COLUMNS = (
    "organization_id, legal_name, npi, entity_kind, risk_level, posc_registration, enrollment, provider_number, "
    "affiliations, rendering_npis, sole_enrollment_risk, nppes_mismatches, registered_at, updated_at"
)
_SORTABLE = {
    "legal_name": ("legal_name", "text"),
    "updated_at": ("updated_at", "timestamptz"),
    "registered_at": ("registered_at", "timestamptz"),
    "posc_registration": ("posc_registration", "text"),
    "enrollment": ("enrollment", "text"),
}


class AffiliationViewController(Controller):
    path = "/v1/views"
    tags = ["views"]

    @get(
        "/affiliation-status",
        operation_id="listAffiliationStatus",
        guards=[may_read],
        **read_docs("List the practices' affiliation status"),
    )
    async def affiliation_status(
        self,
        request: Request,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: str | None = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(_SORTABLE)}; prefix with - to reverse")
        ] = "legal_name",
        posc_registration: str | None = None,
        enrollment: str | None = None,
        plan: Annotated[str | None, Parameter(description="organizations with an affiliation with this plan")] = None,
        risk_level: RiskLevel | None = None,
        sole_enrollment_risk: bool | None = None,
        nppes_mismatch: Annotated[bool | None, Parameter(description="with (or without) open NPPES mismatches")] = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
        snapshot: SnapshotParameter = None,
    ) -> AffiliationPage:
        """Each practice's POSC registration, MassHealth enrollment, provider number, ACO/MCO/PCC affiliations,
        rendering NPIs, open NPPES mismatches and sole-enrollment risk (enrolled, but active with no ACO or MCO).
        Filtered, sorted (?sort=), paged (?limit=&cursor=); ?snapshot= reads a past snapshot."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, _SORTABLE, "organization_id")
        orgs = list(principal.organizations) if principal.organizations is not None else None
        async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
            rows = await con.fetch(
                f"SELECT {_COLUMNS} FROM affiliation_status WHERE {keyset.where(1)} "
                "AND ($3::uuid[] IS NULL OR organization_id = ANY($3)) "
                "AND ($5::text IS NULL OR posc_registration = $5) AND ($6::text IS NULL OR enrollment = $6) "
                "AND ($7::text IS NULL OR affiliations ? $7) AND ($8::text IS NULL OR risk_level = $8) "
                "AND ($9::boolean IS NULL OR sole_enrollment_risk = $9) "
                "AND ($10::uuid[] IS NULL OR organization_id = ANY($10)) "
                "AND ($11::boolean IS NULL OR (nppes_mismatches <> '[]'::jsonb) = $11) "
                f"ORDER BY {keyset.order_by()} LIMIT $4",
                *keyset.params(),
                orgs,
                limit + 1,
                posc_registration,
                enrollment,
                plan,
                str(risk_level) if risk_level else None,
                sole_enrollment_risk,
                organization_id,
                nppes_mismatch,
            )
        items = [AffiliationStatus.from_row(r) for r in rows[:limit]]
        return AffiliationPage(items=items, next_cursor=keyset.next_cursor(rows, limit))

    @get(
        "/affiliation-status/{organization_id:uuid}",
        operation_id="getAffiliationStatus",
        guards=[may_read],
        **read_docs("Read one practice's affiliation status"),
    )
    async def affiliation_status_one(
        self, request: Request, organization_id: UUID, snapshot: SnapshotParameter = None
    ) -> AffiliationStatus:
        """The affiliation-status row of one practice (live, or from a snapshot)."""
        principal: Principal = request.user
        row = None
        if principal.may_see(organization_id):
            async with tenant_transaction(request.app.state.read_pool, principal, snapshot) as con:
                row = await con.fetchrow(
                    f"SELECT {_COLUMNS} FROM affiliation_status WHERE organization_id = $1", organization_id
                )
        if row is None:
            raise NotFound(f"No affiliation status for organization {organization_id}.")
        return AffiliationStatus.from_row(row)
