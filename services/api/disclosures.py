"""An organization's owners (5% or more) and managing employees: disclosed, screened against the exclusion lists
like the practice itself, ended when they sell or leave."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.screening import ExclusionSource
from services.api.auth import may_read, may_write
from services.api.commands import SavedOut, call, found
from services.api.dependencies import Runner, Service
from services.api.openapi_docs import command_docs, read_docs
from services.app import NotFound
from services.app.details import DisclosureOut
from services.app.disclosure_commands import (
    ClearPersonScreening,
    DiscloseOwnerOrManagingEmployee,
    EndDisclosure,
    RecordPersonScreening,
)


class DisclosureController(Controller):
    path = "/v1/organizations/{organization_id:uuid}/disclosures"
    tags = ("organizations",)

    @post(
        "/",
        operation_id="discloseOwnerOrManagingEmployee",
        guards=[may_write],
        status_code=201,
        **command_docs("Disclose an owner or managing employee", created=True, pii=True),
    )
    async def disclose(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[DiscloseOwnerOrManagingEmployee],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records an owner of 5% or more or a managing employee (42 CFR 455.104), their SSN (an entity's EIN) and
        date of birth sealed. Answers 201 with the disclosure's `id` (its Location) and the organization's `version`
        (the ETag to send as If-Match on the organization's next command). The owners disclosed at one time hold at
        most 100%; a person is disclosed once per role."""
        return await command.run(
            credledger.disclose_owner_or_managing_employee,
            organization_id,
            data,
            created=f"/v1/organizations/{organization_id}/disclosures",
        )

    @get(
        "/{person_id:uuid}",
        operation_id="getDisclosure",
        guards=[may_read],
        **read_docs("Read an owner or managing employee", etag=True),
    )
    async def get_one(
        self, request: Request, organization_id: FromPath[UUID], person_id: FromPath[UUID], credledger: Service
    ) -> Response[DisclosureOut]:
        """The disclosure (without personal data: GET /v1/organizations/{id}/pii has the SSN and date of birth) and
        its exclusion screenings. The ETag is the organization's version."""
        if not request.user.may_see(organization_id):
            raise NotFound(f"No Organization {organization_id}.")
        return found(await call(credledger.get_disclosure, request.user.actor, organization_id, person_id))

    @post(
        "/{person_id:uuid}/end",
        operation_id="endDisclosure",
        guards=[may_write],
        status_code=200,
        **command_docs("End an owner's or managing employee's disclosure"),
    )
    async def end(
        self,
        organization_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[EndDisclosure],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """From the day given they no longer count: not screened for the practice, their matches no longer holding
        its applications and plan activations."""
        return await command.run(credledger.end_disclosure, organization_id, person_id, data)

    @post(
        "/{person_id:uuid}/exclusion-screenings",
        operation_id="recordPersonExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record an owner's or managing employee's exclusion screening"),
    )
    async def screening(
        self,
        organization_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[RecordPersonScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the result of checking the person against the OIG LEIE, SAM or MassHealth's own list. A confirmed
        match holds the practice's submissions, approvals and plan activations (provider-excluded) and is a critical
        finding of the access audit until cleared with a reason or the disclosure ends; a suspected match is a
        finding with its age. A no_match replacing a standing match needs a reason."""
        return await command.run(credledger.record_person_screening, organization_id, person_id, data)

    @post(
        "/{person_id:uuid}/exclusion-screenings/{source:str}/clear",
        operation_id="clearPersonExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Clear an owner's or managing employee's exclusion-list match"),
    )
    async def clear_screening(
        self,
        organization_id: FromPath[UUID],
        person_id: FromPath[UUID],
        source: FromPath[ExclusionSource],
        data: JSONBody[ClearPersonScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records, with the reviewer's reason (required), that the person's match on the list named in the path no
        longer stands: a namesake, or an exclusion wrong or lifted."""
        return await command.run(credledger.clear_person_screening, organization_id, person_id, source, data)
