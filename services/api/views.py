"""Views: read models queried with asyncpg as a role under row-level security."""

from __future__ import annotations

import base64
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, AsyncIterator
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from domain.organization import RiskLevel
from services.api.auth import Principal, may_read
from services.app import NotFound


class PlanAffiliation(msgspec.Struct, kw_only=True):
    kind: str
    partner_mco: str | None
    state: str
    dates: dict[str, date]


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
    registered_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> AffiliationStatus:
        values = dict(row)
        values["affiliations"] = msgspec.json.decode(values["affiliations"], type=dict[str, PlanAffiliation])
        return cls(**values)


class AffiliationPage(msgspec.Struct):
    items: list[AffiliationStatus]
    next_cursor: str | None


@asynccontextmanager
async def tenant_transaction(pool: asyncpg.Pool, principal: Principal) -> AsyncIterator[asyncpg.Connection]:
    """A read-only transaction that sees only the principal's tenant (RLS reads app.tenant_id)."""
    async with pool.acquire() as con, con.transaction(readonly=True):
        await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)
        yield con


_COLUMNS = (
    "organization_id, legal_name, npi, entity_kind, risk_level, posc_registration, enrollment, provider_number, "
    "affiliations, rendering_npis, sole_enrollment_risk, registered_at, updated_at"
)


def _encode_cursor(name: str, organization_id: UUID) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([name, str(organization_id)])).decode()


def _decode_cursor(cursor: str) -> tuple[str, UUID]:
    from litestar.exceptions import ValidationException

    try:
        name, org = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()))
        return str(name), UUID(org)
    except Exception as error:
        raise ValidationException(
            "The cursor is not one this API returned.", extra=[{"key": "cursor", "message": "invalid cursor"}]
        ) from error


class ViewController(Controller):
    path = "/v1/views"
    tags = ["views"]

    @get("/affiliation-status", operation_id="listAffiliationStatus", guards=[may_read])
    async def affiliation_status(
        self,
        request: Request,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: str | None = None,
        posc_registration: str | None = None,
        enrollment: str | None = None,
        plan: Annotated[str | None, Parameter(description="organizations with an affiliation with this plan")] = None,
        risk_level: RiskLevel | None = None,
        sole_enrollment_risk: bool | None = None,
        organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None,
    ) -> AffiliationPage:
        principal: Principal = request.user
        after = _decode_cursor(cursor) if cursor else ("", UUID(int=0))
        orgs = list(principal.organizations) if principal.organizations is not None else None
        async with tenant_transaction(request.app.state.read_pool, principal) as con:
            rows = await con.fetch(
                f"SELECT {_COLUMNS} FROM affiliation_status "
                "WHERE (legal_name, organization_id) > ($1, $2) AND ($3::uuid[] IS NULL OR organization_id = ANY($3)) "
                "AND ($5::text IS NULL OR posc_registration = $5) AND ($6::text IS NULL OR enrollment = $6) "
                "AND ($7::text IS NULL OR affiliations ? $7) AND ($8::text IS NULL OR risk_level = $8) "
                "AND ($9::boolean IS NULL OR sole_enrollment_risk = $9) "
                "AND ($10::uuid[] IS NULL OR organization_id = ANY($10)) "
                "ORDER BY legal_name, organization_id LIMIT $4",
                after[0],
                after[1],
                orgs,
                limit + 1,
                posc_registration,
                enrollment,
                plan,
                str(risk_level) if risk_level else None,
                sole_enrollment_risk,
                organization_id,
            )
        items = [AffiliationStatus.from_row(r) for r in rows[:limit]]
        next_cursor = _encode_cursor(items[-1].legal_name, items[-1].organization_id) if len(rows) > limit else None
        return AffiliationPage(items=items, next_cursor=next_cursor)

    @get("/affiliation-status/{organization_id:uuid}", operation_id="getAffiliationStatus", guards=[may_read])
    async def affiliation_status_one(self, request: Request, organization_id: UUID) -> AffiliationStatus:
        principal: Principal = request.user
        row = None
        if principal.may_see(organization_id):
            async with tenant_transaction(request.app.state.read_pool, principal) as con:
                row = await con.fetchrow(
                    f"SELECT {_COLUMNS} FROM affiliation_status WHERE organization_id = $1", organization_id
                )
        if row is None:
            raise NotFound(f"No affiliation status for organization {organization_id}.")
        return AffiliationStatus.from_row(row)
