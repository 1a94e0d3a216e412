"""What MassHealth, NPPES and the bank say about an organization: NPPES snapshots, the PIN letter,
the provider number, rendering providers, EFT, plan affiliations, exclusion screening, the primary user."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, post
from litestar.params import FromPath, JSONBody

from domain.screening import ExclusionSource
from services.api.auth import may_write
from services.api.commands import SavedOut
from services.api.dependencies import Runner, Service
from services.api.openapi_docs import command_docs
from services.app.organization_commands import (
    AddServiceLocation,
    ChangeProviderNumber,
    ClearExclusionScreening,
    Disenroll,
    IssueProviderNumber,
    LinkRenderingProvider,
    MoveAffiliation,
    NameLocationPrimaryUser,
    ReceivePinLetter,
    ReceiveRevalidationLetter,
    RecordEftDetails,
    RecordEftValidation,
    RecordExclusionScreening,
    RecordNppesSnapshot,
    RequestAffiliation,
    UnlinkRenderingProvider,
)
from services.app.user_account_commands import OnDate, ReplacePrimaryUser


class OrganizationRecordsController(Controller):
    path = "/v1/organizations/{organization_id:uuid}"
    tags = ("organizations",)

    @post(
        "/nppes-snapshots",
        operation_id="recordNppesSnapshot",
        guards=[may_write],
        status_code=200,
        **command_docs("Record what NPPES says about the practice", pii=True),
    )
    async def nppes(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[RecordNppesSnapshot],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Stores the NPPES record read on a day and compares it with the profile: each difference (name, address,
        taxonomy, TIN) becomes an open mismatch on the affiliation-status view, which blocks submission."""
        return await command.run(credledger.record_nppes_snapshot, organization_id, data)

    @post(
        "/pin-letter",
        operation_id="receivePinLetter",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the MassHealth PIN letter", pii=True),
    )
    async def pin(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[ReceivePinLetter],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the PIN letter's arrival and its PIN (sealed), which the primary user needs to register the practice
        in POSC."""
        return await command.run(credledger.receive_pin_letter, organization_id, data)

    @post(
        "/provider-number",
        operation_id="issueProviderNumber",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the MassHealth provider number"),
    )
    async def provider_number(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[IssueProviderNumber],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the provider number MassHealth issued; the practice is then enrolled and may bill MassHealth."""
        return await command.run(credledger.issue_provider_number, organization_id, data)

    @post(
        "/provider-number/change",
        operation_id="changeProviderNumber",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a reissued MassHealth provider number"),
    )
    async def change_number(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[ChangeProviderNumber],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the number MassHealth reissued to an enrolled practice, with the reason (required); refused (422)
        for a practice not enrolled or the same number."""
        return await command.run(credledger.change_provider_number, organization_id, data)

    @post(
        "/revalidation-letters",
        operation_id="receiveRevalidationLetter",
        guards=[may_write],
        status_code=200,
        **command_docs("Record MassHealth's revalidation letter"),
    )
    async def revalidation_letter(
        self, organization_id: FromPath[UUID], data: JSONBody[ReceiveRevalidationLetter], credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:  # fmt: skip
        """Records that MassHealth asked the enrolled practice to revalidate (422 not-enrolled otherwise): the answer
        is due within 45 days, or by the letter's own date, and shows in the expirables view and the work queue until
        a revalidation application is submitted."""
        return await command.run(credledger.receive_revalidation_letter, organization_id, data)

    @post(
        "/disenrollment",
        operation_id="disenrollOrganization",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the end of the MassHealth enrollment"),
    )
    async def disenroll(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[Disenroll],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records that the practice's MassHealth enrollment ended (voluntary or terminated), with the reason
        (required): the affiliation-status view's enrollment is then disenrolled or terminated, and no plan contract
        or activation is recorded until a new enrollment's provider number. A denied revalidation records it
        itself."""
        return await command.run(credledger.disenroll, organization_id, data)

    @post(
        "/service-locations",
        operation_id="addServiceLocation",
        guards=[may_write],
        status_code=200,
        **command_docs("Add a service location"),
    )
    async def add_location(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[AddServiceLocation],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records another physical practice location under its letter (B to Z; A is the registered practice
        address); refused for a letter already used or the address of an open location."""
        return await command.run(credledger.add_service_location, organization_id, data)

    @post(
        "/service-locations/{code:str}/close",
        operation_id="closeServiceLocation",
        guards=[may_write],
        status_code=200,
        **command_docs("Close a service location"),
    )
    async def close_location(
        self,
        organization_id: FromPath[UUID],
        code: FromPath[str],
        data: JSONBody[OnDate],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the day the location closed; its letter is not used again."""
        return await command.run(credledger.close_service_location, organization_id, code, data)

    @post(
        "/service-locations/{code:str}/primary-user",
        operation_id="nameLocationPrimaryUser",
        guards=[may_write],
        status_code=200,
        **command_docs("Name a service location's primary user"),
    )
    async def name_location_primary_user(
        self,
        organization_id: FromPath[UUID],
        code: FromPath[str],
        data: JSONBody[NameLocationPrimaryUser],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Names the POSC primary user of an enrolled location other than A (one per PID/SL): an active staff
        account of the practice. Naming a successor needs an approved POSC-DC-PM opened for that location; refused
        (422) for location A (the organization's primary user), a location not enrolled, a business partner, or a
        POSC-DC-PM of another location or already used."""
        return await command.run(credledger.name_location_primary_user, organization_id, code, data)

    @post(
        "/rendering-providers",
        operation_id="linkRenderingProvider",
        guards=[may_write],
        status_code=200,
        deprecated=True,
        **command_docs("Link a rendering clinician's NPI to the group (deprecated)"),
    )
    async def link(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[LinkRenderingProvider],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Links a rendering clinician's Type 1 NPI to the group's Type 2 NPI, as done in the POSC dashboard, without a
        practitioner record. Deprecated: link through the clinician's record (POST
        /v1/practitioners/{id}/rendering-links), which keeps its credentials, service location and dates; that link
        adopts an NPI linked here."""
        return await command.run(credledger.link_rendering_provider, organization_id, data)

    @post(
        "/rendering-providers/{npi:str}/unlink",
        operation_id="unlinkRenderingProvider",
        guards=[may_write],
        status_code=200,
        deprecated=True,
        **command_docs("Unlink a rendering clinician's NPI from the group (deprecated)"),
    )
    async def unlink(
        self,
        organization_id: FromPath[UUID],
        npi: FromPath[str],
        data: JSONBody[UnlinkRenderingProvider],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Removes the link between the clinician's Type 1 NPI (in the path) and the group. Deprecated: end the link
        through the clinician's record (POST /v1/practitioners/{id}/rendering-link-ends)."""
        return await command.run(credledger.unlink_rendering_provider, organization_id, npi, data)

    @post(
        "/eft",
        operation_id="recordEftDetails",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the EFT bank account", pii=True),
    )
    async def eft(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[RecordEftDetails],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the routing number, account number (sealed) and account type MassHealth pays into; validation is
        pending until recorded."""
        return await command.run(credledger.record_eft_details, organization_id, data)

    @post(
        "/eft/validation",
        operation_id="recordEftValidation",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the EFT validation outcome"),
    )
    async def eft_validation(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[RecordEftValidation],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records whether POSC validated the bank details; a failed validation blocks automated reimbursement."""
        return await command.run(credledger.record_eft_validation, organization_id, data)

    @post(
        "/affiliations",
        operation_id="requestAffiliation",
        guards=[may_write],
        status_code=200,
        **command_docs("Request an ACO, MCO or PCC Plan affiliation"),
    )
    async def affiliation(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[RequestAffiliation],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Opens an affiliation with a plan, which then credentials the practice (CAQH, contract, fee schedule)."""
        return await command.run(credledger.request_affiliation, organization_id, data)

    @post(
        "/affiliations/transitions",
        operation_id="moveAffiliation",
        guards=[may_write],
        status_code=200,
        **command_docs("Move an affiliation to its next state"),
    )
    async def move_affiliation(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[MoveAffiliation],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Moves the affiliation with the named plan to in_credentialing, contracted, active, denied or terminated."""
        return await command.run(credledger.move_affiliation, organization_id, data)

    @post(
        "/exclusion-screenings",
        operation_id="recordExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record an exclusion-list screening"),
    )
    async def screening(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[RecordExclusionScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the result of checking the practice against the OIG LEIE, SAM or MassHealth's own list; a suspected
        match is a finding until reviewed, a confirmed one a critical finding that holds the practice's applications
        and plan activations until cleared. A no_match replacing a standing match needs a reason."""
        return await command.run(credledger.record_exclusion_screening, organization_id, data)

    @post(
        "/exclusion-screenings/{source:str}/clear",
        operation_id="clearExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Clear an exclusion-list match"),
    )
    async def clear_screening(
        self,
        organization_id: FromPath[UUID],
        source: FromPath[ExclusionSource],
        data: JSONBody[ClearExclusionScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records, with the reviewer's reason (required), that a match on the list named in the path no longer stands:
        a suspected match reviewed and found not to be this practice, or a confirmed one wrong or lifted
        (reinstatement). While a confirmed match stands, submissions, approvals and plan activations are refused
        (provider-excluded)."""
        return await command.run(credledger.clear_exclusion_screening, organization_id, source, data)

    @post(
        "/primary-user/replace",
        operation_id="replacePrimaryUser",
        guards=[may_write],
        status_code=201,
        **command_docs("Replace the primary user after a POSC-DC-PM", created=True, pii=True),
    )
    async def replace_primary(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[ReplacePrimaryUser],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Opens the new primary user's account (201, Location of the account)."""
        response = await command.run(credledger.replace_primary_user, organization_id, data)
        response.status_code = 201
        response.headers["Location"] = f"/v1/user-accounts/{response.content.id}"
        return response
