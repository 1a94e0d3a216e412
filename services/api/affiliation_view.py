"""The affiliation-status view's routes: each request's parameters go to the view's queries
(projections/affiliation_status/queries.py), run as a role under row-level security, and come back as a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, Parameter

from domain.organization import RiskLevel
from projections.affiliation_status import queries
from projections.affiliation_status.queries import SORTABLE, AffiliationPage, AffiliationStatus
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter, ViewFilters
from services.api.view_reads import read_views
from services.app import NotFound


@dataclass(frozen=True)
class AffiliationFilters(ViewFilters):
    """The list's filters (the affiliation-status report takes the same)."""

    posc_registration: FromQuery[str | None] = None
    enrollment: Annotated[
        str | None,
        Parameter(
            description="MassHealth enrollment state: not_started, opened, submitted, deficient, rejected, "
            "approved, denied, withdrawn, terminated (MassHealth ended it: a revalidation denied) or disenrolled "
            "(at the provider's request)"
        ),
    ] = None
    plan: Annotated[str | None, Parameter(description="organizations with an affiliation with this plan")] = None
    risk_level: FromQuery[RiskLevel | None] = None
    sole_enrollment_risk: FromQuery[bool | None] = None
    nppes_mismatch: Annotated[bool | None, Parameter(description="with (or without) open NPPES mismatches")] = None
    organization_id: Annotated[list[UUID] | None, Parameter(description="client practices")] = None


AFFILIATION_FILTERS = {"filters": Provide(AffiliationFilters, sync_to_thread=False)}


class AffiliationViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/affiliation-status",
        operation_id="listAffiliationStatus",
        guards=[may_read],
        dependencies=AFFILIATION_FILTERS,
        **read_docs("List the practices' affiliation status"),
    )
    async def affiliation_status(
        self,
        request: Request,
        read_pool: ReadPool,
        filters: NamedDependency[AffiliationFilters],
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(SORTABLE)}; prefix with - to reverse")
        ] = "legal_name",
        snapshot: SnapshotParameter = None,
    ) -> AffiliationPage:
        """Each practice's POSC registration, MassHealth enrollment, provider number, ACO/MCO/PCC affiliations,
        rendering NPIs, open NPPES mismatches and sole-enrollment risk (enrolled, but active with no ACO or MCO).
        Filtered, sorted (?sort=), paged (?limit=&cursor=); ?snapshot= reads a past snapshot."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, SORTABLE, "organization_id")
        async with read_views(read_pool, principal, snapshot) as con:
            rows = await queries.statuses(
                con,
                keyset,
                visible=principal.organizations,
                fetch=limit + 1,
                **filters.arguments(),
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
        self,
        request: Request,
        read_pool: ReadPool,
        organization_id: FromPath[UUID],
        snapshot: SnapshotParameter = None,
    ) -> AffiliationStatus:
        """The affiliation-status row of one practice (live, or from a snapshot)."""
        principal: Principal = request.user
        found = None
        if principal.may_see(organization_id):
            async with read_views(read_pool, principal, snapshot) as con:
                found = await queries.status_of(con, organization_id)
        if found is None:
            raise NotFound(f"No affiliation status for organization {organization_id}.")
        return found
