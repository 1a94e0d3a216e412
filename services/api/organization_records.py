"""What MassHealth, NPPES and the bank say about an organization: NPPES snapshots, the PIN letter,
the provider number, rendering providers, EFT, plan affiliations, exclusion screening, the primary user."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, post

from domain.affiliation import AffiliationState, PlanKind
from domain.organization import AccountType
from domain.screening import ExclusionSource, ScreeningResult
from services.api.auth import may_write
from services.api.commands import Command, SavedOut, execute, fields
from services.api.openapi_docs import command_docs, doc

Day = Annotated[date, doc("A calendar day (YYYY-MM-DD).", "2026-04-28")]
Plan = Annotated[str, doc("The plan's name as MassHealth lists it.", "WellSense Health Plan")]


class RecordNppesSnapshot(Command, kw_only=True):
    """What the NPPES registry said about the practice on a day; every difference from the profile is an open
    mismatch that blocks submission (POSC rejects any discrepancy)."""

    record: Annotated[
        dict[str, Any],
        doc(
            'One element of the NPPES API\'s (version 2.1) "results": number, enumeration_type, basic, addresses, '
            "taxonomies, as the registry returned it.",
            {"number": "1234567893", "enumeration_type": "NPI-2", "basic": {"organization_name": "BERKSHIRE"}},
        ),
    ]
    retrieved_on: Annotated[date, doc("The day the record was read from NPPES (YYYY-MM-DD).", "2026-04-01")]
    tin: Annotated[
        str | None, doc("The TIN on the NPPES record, when the specialist can see it (NN-NNNNNNN).", "04-3219876")
    ] = None


class ReceivePinLetter(Command, kw_only=True):
    """MassHealth's PIN letter arrived: the PIN lets the primary user register the practice in POSC."""

    pin: Annotated[str, doc("The personal identification number printed on the letter; stored sealed.", "12345")]
    received_on: Annotated[date, doc("The day the letter arrived (YYYY-MM-DD).", "2026-04-20")]


class IssueProviderNumber(Command, kw_only=True):
    """MassHealth issued the practice's provider number (the enrollment was approved)."""

    provider_number: Annotated[str, doc("The MassHealth provider number (seven digits).", "1234567")]
    issued_on: Annotated[date, doc("The day MassHealth issued it (YYYY-MM-DD).", "2026-05-12")]


class LinkRenderingProvider(Command, kw_only=True):
    """A rendering clinician (Type 1 NPI) linked to the group's Type 2 NPI in the POSC dashboard."""

    npi: Annotated[str, doc("The clinician's Type 1 NPI (10 digits, Luhn check digit).", "1245319599")]
    name: Annotated[str, doc("The clinician's name as on NPPES.", "Dana Reyes, MD")]


class UnlinkRenderingProvider(Command, kw_only=True):
    """The clinician named in the path no longer renders care for the group."""


class RecordEftDetails(Command, kw_only=True):
    """The bank account MassHealth pays by electronic funds transfer; it awaits validation in POSC."""

    routing_number: Annotated[str, doc("The bank's ABA routing number (nine digits, check digit).", "011000138")]
    account_number: Annotated[str, doc("The bank account number; stored sealed.", "000123456789")]
    account_type: Annotated[AccountType, doc("checking or savings.", "checking")]


class RecordEftValidation(Command, kw_only=True):
    """The outcome of POSC's validation of the EFT bank details."""

    validated: Annotated[bool, doc("true: the bank details were validated; false: validation failed.", True)]
    on: Day


class RequestAffiliation(Command, kw_only=True):
    """A request to join an ACO, an MCO or the PCC Plan, which then credentials the practice."""

    kind: Annotated[
        PlanKind,
        doc("aco_a (Accountable Care Partnership Plan, with an MCO), aco_b (Primary Care ACO), mco or pcc.", "mco"),
    ]
    plan: Plan
    partner_mco: Annotated[str | None, doc("For an aco_a plan: the MCO it partners with.", "Tufts Health Together")] = (
        None
    )
    on: Day


class MoveAffiliation(Command, kw_only=True):
    """An affiliation's next step: in_credentialing, contracted, active, denied or terminated."""

    plan: Plan
    to: Annotated[AffiliationState, doc("The affiliation's new state.", "in_credentialing")]
    on: Day


class RecordExclusionScreening(Command, kw_only=True):
    """A check of the practice against an exclusion list (OIG LEIE, SAM or MassHealth's own)."""

    source: Annotated[
        ExclusionSource, doc("oig_leie, sam, or state (MassHealth's suspended or excluded list).", "oig_leie")
    ]
    result: Annotated[
        ScreeningResult, doc("no_match, suspected_match (needs review), confirmed_match or cleared.", "no_match")
    ]
    list_version: Annotated[str, doc("The list's edition as its publisher names it.", "2026-04")]
    list_date: Annotated[date, doc("The day that edition was published (YYYY-MM-DD).", "2026-04-01")]
    screened_on: Annotated[date, doc("The day the practice was checked against it (YYYY-MM-DD).", "2026-04-10")]


class ClearExclusionScreening(Command, kw_only=True):
    """A suspected match on the list in the path, reviewed and found not to be this practice."""

    on: Day


class ReplacePrimaryUser(Command, kw_only=True):
    """A new primary user (POSC account administrator) after an approved POSC-DC-PM."""

    person_name: Annotated[str, doc("The new primary user's full name.", "Dana Reyes")]
    modification_id: Annotated[
        UUID, doc("The id of the approved primary_user_modification application (form POSC-DC-PM).")
    ]
    date_of_birth: Annotated[
        date | None, doc("The new primary user's date of birth, for POSC registration; stored sealed.", "1980-02-29")
    ] = None


class OrganizationRecordsController(Controller):
    path = "/v1/organizations/{organization_id:uuid}"
    tags = ["organizations"]

    @post(
        "/nppes-snapshots",
        operation_id="recordNppesSnapshot",
        guards=[may_write],
        status_code=200,
        **command_docs("Record what NPPES says about the practice", pii=True),
    )
    async def nppes(self, request: Request, organization_id: UUID, data: RecordNppesSnapshot) -> Response[SavedOut]:
        """Stores the NPPES record read on a day and compares it with the profile: each difference (name, address,
        taxonomy, TIN) becomes an open mismatch on the affiliation-status view, which blocks submission."""
        return await execute(request, "record_nppes_snapshot", organization_id, **fields(data))

    @post(
        "/pin-letter",
        operation_id="receivePinLetter",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the MassHealth PIN letter", pii=True),
    )
    async def pin(self, request: Request, organization_id: UUID, data: ReceivePinLetter) -> Response[SavedOut]:
        """Records the PIN letter's arrival and its PIN (sealed), which the primary user needs to register the practice
        in POSC."""
        return await execute(request, "receive_pin_letter", organization_id, **fields(data))

    @post(
        "/provider-number",
        operation_id="issueProviderNumber",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the MassHealth provider number"),
    )
    async def provider_number(
        self, request: Request, organization_id: UUID, data: IssueProviderNumber
    ) -> Response[SavedOut]:
        """Records the provider number MassHealth issued; the practice is then enrolled and may bill MassHealth."""
        return await execute(request, "issue_provider_number", organization_id, **fields(data))

    @post(
        "/rendering-providers",
        operation_id="linkRenderingProvider",
        guards=[may_write],
        status_code=200,
        **command_docs("Link a rendering clinician to the group"),
    )
    async def link(self, request: Request, organization_id: UUID, data: LinkRenderingProvider) -> Response[SavedOut]:
        """Links a rendering clinician's Type 1 NPI to the group's Type 2 NPI, as done in the POSC dashboard."""
        return await execute(request, "link_rendering_provider", organization_id, **fields(data))

    @post(
        "/rendering-providers/{npi:str}/unlink",
        operation_id="unlinkRenderingProvider",
        guards=[may_write],
        status_code=200,
        **command_docs("Unlink a rendering clinician from the group"),
    )
    async def unlink(
        self, request: Request, organization_id: UUID, npi: str, data: UnlinkRenderingProvider
    ) -> Response[SavedOut]:
        """Removes the link between the clinician's Type 1 NPI (in the path) and the group."""
        return await execute(request, "unlink_rendering_provider", organization_id, npi=npi, **fields(data))

    @post(
        "/eft",
        operation_id="recordEftDetails",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the EFT bank account", pii=True),
    )
    async def eft(self, request: Request, organization_id: UUID, data: RecordEftDetails) -> Response[SavedOut]:
        """Records the routing number, account number (sealed) and account type MassHealth pays into; validation is
        pending until recorded."""
        return await execute(request, "record_eft_details", organization_id, **fields(data))

    @post(
        "/eft/validation",
        operation_id="recordEftValidation",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the EFT validation outcome"),
    )
    async def eft_validation(
        self, request: Request, organization_id: UUID, data: RecordEftValidation
    ) -> Response[SavedOut]:
        """Records whether POSC validated the bank details; a failed validation blocks automated reimbursement."""
        return await execute(request, "record_eft_validation", organization_id, **fields(data))

    @post(
        "/affiliations",
        operation_id="requestAffiliation",
        guards=[may_write],
        status_code=200,
        **command_docs("Request an ACO, MCO or PCC Plan affiliation"),
    )
    async def affiliation(
        self, request: Request, organization_id: UUID, data: RequestAffiliation
    ) -> Response[SavedOut]:
        """Opens an affiliation with a plan, which then credentials the practice (CAQH, contract, fee schedule)."""
        return await execute(request, "request_affiliation", organization_id, **fields(data))

    @post(
        "/affiliations/transitions",
        operation_id="moveAffiliation",
        guards=[may_write],
        status_code=200,
        **command_docs("Move an affiliation to its next state"),
    )
    async def move_affiliation(
        self, request: Request, organization_id: UUID, data: MoveAffiliation
    ) -> Response[SavedOut]:
        """Moves the affiliation with the named plan to in_credentialing, contracted, active, denied or terminated."""
        return await execute(request, "move_affiliation", organization_id, **fields(data))

    @post(
        "/exclusion-screenings",
        operation_id="recordExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record an exclusion-list screening"),
    )
    async def screening(
        self, request: Request, organization_id: UUID, data: RecordExclusionScreening
    ) -> Response[SavedOut]:
        """Records the result of checking the practice against the OIG LEIE, SAM or MassHealth's own list; a confirmed
        match is a finding."""
        return await execute(request, "record_exclusion_screening", organization_id, **fields(data))

    @post(
        "/exclusion-screenings/{source:str}/clear",
        operation_id="clearExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Clear a suspected exclusion-list match"),
    )
    async def clear_screening(
        self, request: Request, organization_id: UUID, source: ExclusionSource, data: ClearExclusionScreening
    ) -> Response[SavedOut]:
        """Records that a suspected match on the list named in the path was reviewed and is not this practice."""
        return await execute(request, "clear_exclusion_screening", organization_id, source=source, **fields(data))

    @post(
        "/primary-user/replace",
        operation_id="replacePrimaryUser",
        guards=[may_write],
        status_code=201,
        **command_docs("Replace the primary user after a POSC-DC-PM", created=True, pii=True),
    )
    async def replace_primary(
        self, request: Request, organization_id: UUID, data: ReplacePrimaryUser
    ) -> Response[SavedOut]:
        """Opens the new primary user's account (201, Location of the account)."""
        response = await execute(request, "replace_primary_user", organization_id, **fields(data))
        response.status_code = 201
        response.headers["Location"] = f"/v1/user-accounts/{response.content.id}"
        return response
