"""What MassHealth, NPPES and the bank say about an organization: NPPES snapshots, the PIN letter,
the provider number, rendering providers, EFT, plan affiliations, exclusion screening, the primary user."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, post

from domain.affiliation import AffiliationState, PlanKind
from domain.organization import AccountType
from domain.screening import ExclusionSource, ScreeningResult
from services.api.auth import may_write
from services.api.commands import Command, SavedOut, execute, fields


class RecordNppesSnapshot(Command, kw_only=True):
    record: dict[str, Any]  # one element of the NPPES API's "results" (version 2.1)
    retrieved_on: date
    tin: str | None = None  # the TIN on the NPPES record, when the specialist can see it


class ReceivePinLetter(Command, kw_only=True):
    pin: str
    received_on: date


class IssueProviderNumber(Command, kw_only=True):
    provider_number: str
    issued_on: date


class LinkRenderingProvider(Command, kw_only=True):
    npi: str
    name: str


class UnlinkRenderingProvider(Command, kw_only=True):
    pass


class RecordEftDetails(Command, kw_only=True):
    routing_number: str
    account_number: str
    account_type: AccountType


class RecordEftValidation(Command, kw_only=True):
    validated: bool
    on: date


class RequestAffiliation(Command, kw_only=True):
    kind: PlanKind
    plan: str
    partner_mco: str | None = None
    on: date


class MoveAffiliation(Command, kw_only=True):
    plan: str
    to: AffiliationState
    on: date


class RecordExclusionScreening(Command, kw_only=True):
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date


class ClearExclusionScreening(Command, kw_only=True):
    on: date


class ReplacePrimaryUser(Command, kw_only=True):
    person_name: str
    modification_id: UUID  # the approved POSC-DC-PM application
    date_of_birth: date | None = None


class OrganizationRecordsController(Controller):
    path = "/v1/organizations/{organization_id:uuid}"
    tags = ["organizations"]

    @post("/nppes-snapshots", operation_id="recordNppesSnapshot", guards=[may_write], status_code=200)
    async def nppes(self, request: Request, organization_id: UUID, data: RecordNppesSnapshot) -> Response[SavedOut]:
        return await execute(request, "record_nppes_snapshot", organization_id, **fields(data))

    @post("/pin-letter", operation_id="receivePinLetter", guards=[may_write], status_code=200)
    async def pin(self, request: Request, organization_id: UUID, data: ReceivePinLetter) -> Response[SavedOut]:
        return await execute(request, "receive_pin_letter", organization_id, **fields(data))

    @post("/provider-number", operation_id="issueProviderNumber", guards=[may_write], status_code=200)
    async def provider_number(
        self, request: Request, organization_id: UUID, data: IssueProviderNumber
    ) -> Response[SavedOut]:
        return await execute(request, "issue_provider_number", organization_id, **fields(data))

    @post("/rendering-providers", operation_id="linkRenderingProvider", guards=[may_write], status_code=200)
    async def link(self, request: Request, organization_id: UUID, data: LinkRenderingProvider) -> Response[SavedOut]:
        return await execute(request, "link_rendering_provider", organization_id, **fields(data))

    @post(
        "/rendering-providers/{npi:str}/unlink",
        operation_id="unlinkRenderingProvider",
        guards=[may_write],
        status_code=200,
    )
    async def unlink(
        self, request: Request, organization_id: UUID, npi: str, data: UnlinkRenderingProvider
    ) -> Response[SavedOut]:
        return await execute(request, "unlink_rendering_provider", organization_id, npi=npi, **fields(data))

    @post("/eft", operation_id="recordEftDetails", guards=[may_write], status_code=200)
    async def eft(self, request: Request, organization_id: UUID, data: RecordEftDetails) -> Response[SavedOut]:
        return await execute(request, "record_eft_details", organization_id, **fields(data))

    @post("/eft/validation", operation_id="recordEftValidation", guards=[may_write], status_code=200)
    async def eft_validation(
        self, request: Request, organization_id: UUID, data: RecordEftValidation
    ) -> Response[SavedOut]:
        return await execute(request, "record_eft_validation", organization_id, **fields(data))

    @post("/affiliations", operation_id="requestAffiliation", guards=[may_write], status_code=200)
    async def affiliation(
        self, request: Request, organization_id: UUID, data: RequestAffiliation
    ) -> Response[SavedOut]:
        return await execute(request, "request_affiliation", organization_id, **fields(data))

    @post("/affiliations/transitions", operation_id="moveAffiliation", guards=[may_write], status_code=200)
    async def move_affiliation(
        self, request: Request, organization_id: UUID, data: MoveAffiliation
    ) -> Response[SavedOut]:
        return await execute(request, "move_affiliation", organization_id, **fields(data))

    @post("/exclusion-screenings", operation_id="recordExclusionScreening", guards=[may_write], status_code=200)
    async def screening(
        self, request: Request, organization_id: UUID, data: RecordExclusionScreening
    ) -> Response[SavedOut]:
        return await execute(request, "record_exclusion_screening", organization_id, **fields(data))

    @post(
        "/exclusion-screenings/{source:str}/clear",
        operation_id="clearExclusionScreening",
        guards=[may_write],
        status_code=200,
    )
    async def clear_screening(
        self, request: Request, organization_id: UUID, source: ExclusionSource, data: ClearExclusionScreening
    ) -> Response[SavedOut]:
        return await execute(request, "clear_exclusion_screening", organization_id, source=source, **fields(data))

    @post("/primary-user/replace", operation_id="replacePrimaryUser", guards=[may_write], status_code=201)
    async def replace_primary(
        self, request: Request, organization_id: UUID, data: ReplacePrimaryUser
    ) -> Response[SavedOut]:
        """Opens the new primary user's account (201, Location of the account)."""
        response = await execute(request, "replace_primary_user", organization_id, **fields(data))
        response.status_code = 201
        response.headers["Location"] = f"/v1/user-accounts/{response.content.id}"
        return response
