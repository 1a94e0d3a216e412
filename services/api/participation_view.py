"""The participation view's route: each clinician's participation with each payer through each client practice on
a day (projections/participation/queries.py), filtered, sorted and paged."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromQuery, Parameter, QueryParameter

from projections.participation import queries
from projections.participation.queries import ParticipationPage, ParticipationState, PayerKind
from services.api.auth import Principal, may_read
from services.api.dependencies import ReadPool
from services.api.openapi_docs import read_docs
from services.api.paging import Keyset, SnapshotParameter
from services.api.view_reads import read_views, reference_day


class ParticipationViewController(Controller):
    path = "/v1/views"
    tags = ("views",)

    @get(
        "/participation",
        operation_id="listParticipation",
        guards=[may_read],
        **read_docs("List clinicians' participation with each payer"),
    )
    async def participation(
        self,
        request: Request,
        read_pool: ReadPool,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
        cursor: FromQuery[str | None] = None,
        sort: Annotated[
            str, Parameter(description=f"one of {', '.join(queries.SORTS)}; prefix with - to reverse")
        ] = "practitioner_name",
        organization_id: Annotated[
            list[UUID] | None, Parameter(description="only through these client practices")
        ] = None,
        practitioner_id: Annotated[UUID | None, Parameter(description="only this clinician's")] = None,
        payer: Annotated[
            list[str] | None, Parameter(description="only these payers: MassHealth, or a plan's name")
        ] = None,
        payer_kind: Annotated[
            list[PayerKind] | None, Parameter(description="only these kinds of payer: masshealth, aco, mco, pcc")
        ] = None,
        states: Annotated[  # "state" is litestar's reserved name for the application's state
            list[ParticipationState] | None, QueryParameter(name="state", description="only these states")
        ] = None,
        as_of: Annotated[
            date | None,
            Parameter(description="each participation's state on this business day (Massachusetts; default: today)"),
        ] = None,
        snapshot: SnapshotParameter = None,
    ) -> ParticipationPage:
        """Each clinician with each payer (MassHealth, every ACO, MCO and the PCC Plan) through each client practice,
        as its own applications decide it (opened with practitioner_id): applying, submitted, deficient, returned,
        denied, withdrawn, participating (with the payer's id and effective date), ended (the clinician left the
        practice, or the practice's enrollment or plan contract ended: with the end date and reason) or terminated
        (its revalidation denied). On any past business day with as_of; the count per state for the filters given.
        A client viewer sees its own practice's."""
        principal: Principal = request.user
        keyset = Keyset.parse(sort, cursor, queries.SORTS, "participation_id")
        async with read_views(read_pool, principal, snapshot) as con:
            day = as_of or await reference_day(con)
            rows, counts = await queries.participations(
                con,
                keyset,
                day=day,
                fetch=limit + 1,
                visible=principal.organizations,
                organization_ids=organization_id,
                practitioner_id=practitioner_id,
                payers=payer,
                payer_kinds=payer_kind,
                states=states,
            )
        items = [queries.participation_of(r) for r in rows[:limit]]
        return ParticipationPage(as_of=day, counts=counts, items=items, next_cursor=keyset.next_cursor(rows, limit))
