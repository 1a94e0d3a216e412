"""Views: read models queried with asyncpg as a role under row-level security."""

from __future__ import annotations

import base64
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, AsyncIterator
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from services.api.auth import Principal, may_read
from services.app import NotFound


class AffiliationStatus(msgspec.Struct, kw_only=True):
    organization_id: UUID
    legal_name: str
    npi: str
    entity_kind: str
    posc_registration: str
    enrollment: str
    registered_at: datetime
    updated_at: datetime


class AffiliationPage(msgspec.Struct):
    items: list[AffiliationStatus]
    next_cursor: str | None


@asynccontextmanager
async def tenant_transaction(pool: asyncpg.Pool, principal: Principal) -> AsyncIterator[asyncpg.Connection]:
    """A read-only transaction that sees only the principal's tenant (RLS reads app.tenant_id)."""
    async with pool.acquire() as con, con.transaction(readonly=True):
        await con.execute("SELECT set_config('app.tenant_id', $1, true)", principal.tenant_id)
        yield con


_COLUMNS = "organization_id, legal_name, npi, entity_kind, posc_registration, enrollment, registered_at, updated_at"


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
    ) -> AffiliationPage:
        principal: Principal = request.user
        after = _decode_cursor(cursor) if cursor else ("", UUID(int=0))
        orgs = list(principal.organizations) if principal.organizations is not None else None
        async with tenant_transaction(request.app.state.read_pool, principal) as con:
            rows = await con.fetch(
                f"SELECT {_COLUMNS} FROM affiliation_status "
                "WHERE (legal_name, organization_id) > ($1, $2) AND ($3::uuid[] IS NULL OR organization_id = ANY($3)) "
                "ORDER BY legal_name, organization_id LIMIT $4",
                after[0],
                after[1],
                orgs,
                limit + 1,
            )
        items = [AffiliationStatus(**dict(r)) for r in rows[:limit]]
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
        return AffiliationStatus(**dict(row))
