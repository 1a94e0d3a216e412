"""Practitioners (clinicians): register, NPPES, credentials, CAQH, rendering links, reads and history."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.practitioner import Practitioner
from domain.screening import ExclusionSource
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import SavedOut, call, found
from services.api.dependencies import Runner, Service
from services.api.history import AsOf, KnownAt, Purpose, as_of_arguments
from services.api.openapi_docs import command_docs, read_docs
from services.app import NotFound
from services.app.organization_commands import ClearExclusionScreening, RecordExclusionScreening
from services.app.practitioner_commands import (
    AttestCaqh,
    EndCredential,
    EndRendering,
    LinkRendering,
    RecordBoardCertification,
    RecordDeaRegistration,
    RecordLicense,
    RecordMalpracticeCoverage,
    RecordPractitionerNppes,
    RegisterPractitioner,
)
from services.app.practitioner_details import PractitionerDetails, PractitionerPii, practitioner_details

PATH = "/v1/practitioners"


class PractitionerController(Controller):
    path = PATH
    tags = ("practitioners",)

    @post(
        operation_id="registerPractitioner",
        guards=[may_write],
        status_code=201,
        **command_docs("Register a practitioner", created=True, conditional=False, pii=True),
    )
    async def register(
        self, data: JSONBody[RegisterPractitioner], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Starts the record of a clinician (Type 1 NPI) the firm credentials for one of its client practices.
        Answers 201 with Location and ETag."""
        return await command.run(credledger.register_practitioner, data, created=PATH, conditional=False)

    @post(
        "/{practitioner_id:uuid}/nppes-snapshots",
        operation_id="recordPractitionerNppesSnapshot",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the clinician's NPPES record"),
    )
    async def nppes(
        self,
        practitioner_id: FromPath[UUID],
        data: JSONBody[RecordPractitionerNppes],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records what NPPES says about the clinician and compares it with the record: NPI status, Type 1, name and
        primary taxonomy (POSC rejects a rendering provider whose registry data differ)."""
        return await command.run(credledger.record_practitioner_nppes, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/licenses",
        operation_id="recordLicense",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a state license"),
    )
    async def license(
        self, practitioner_id: FromPath[UUID], data: JSONBody[RecordLicense], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Records a state license as verified with its board; the same state and type again renews or corrects it
        (422 credential-unchanged when nothing differs)."""
        return await command.run(credledger.record_license, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/dea-registrations",
        operation_id="recordDeaRegistration",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a DEA registration"),
    )
    async def dea(
        self,
        practitioner_id: FromPath[UUID],
        data: JSONBody[RecordDeaRegistration],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records a DEA registration for a state (its number's check digit is verified)."""
        return await command.run(credledger.record_dea_registration, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/board-certifications",
        operation_id="recordBoardCertification",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a board certification"),
    )
    async def board(
        self,
        practitioner_id: FromPath[UUID],
        data: JSONBody[RecordBoardCertification],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records a board certification (per board and specialty)."""
        return await command.run(credledger.record_board_certification, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/malpractice-coverage",
        operation_id="recordMalpracticeCoverage",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the malpractice policy"),
    )
    async def malpractice(
        self,
        practitioner_id: FromPath[UUID],
        data: JSONBody[RecordMalpracticeCoverage],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the clinician's professional liability policy; a new one replaces the last."""
        return await command.run(credledger.record_malpractice_coverage, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/credential-ends",
        operation_id="endCredential",
        guards=[may_write],
        status_code=200,
        **command_docs("End a credential"),
    )
    async def end_credential(
        self, practitioner_id: FromPath[UUID], data: JSONBody[EndCredential], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Says a credential is no longer held from a day (a reason is required); it leaves the expirables view."""
        return await command.run(credledger.end_credential, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/caqh-attestations",
        operation_id="attestCaqh",
        guards=[may_write],
        status_code=200,
        **command_docs("Record a CAQH ProView attestation"),
    )
    async def caqh(
        self, practitioner_id: FromPath[UUID], data: JSONBody[AttestCaqh], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """Records the clinician's CAQH ProView ID and attestation day; the next is due 120 days later (a firm
        setting)."""
        return await command.run(credledger.attest_caqh, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/rendering-links",
        operation_id="linkRendering",
        guards=[may_write],
        status_code=200,
        **command_docs("Link the clinician to a group's service location"),
    )
    async def link(
        self, practitioner_id: FromPath[UUID], data: JSONBody[LinkRendering], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """The clinician renders at the group's service location from a day; the group's rendering NPIs list the
        clinician's NPI from its first location there (one transaction). If-Match names the practitioner's
        version."""
        return await command.run(credledger.link_rendering, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/rendering-link-ends",
        operation_id="endRendering",
        guards=[may_write],
        status_code=200,
        **command_docs("End the clinician's link to a group's service location"),
    )
    async def end_link(
        self, practitioner_id: FromPath[UUID], data: JSONBody[EndRendering], credledger: Service, command: Runner
    ) -> Response[SavedOut]:
        """The clinician stops rendering there from a day; with the last location, the group unlists the NPI."""
        return await command.run(credledger.end_rendering, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/exclusion-screenings",
        operation_id="recordPractitionerExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Record the clinician's exclusion-list screening"),
    )
    async def screening(
        self,
        practitioner_id: FromPath[UUID],
        data: JSONBody[RecordExclusionScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records the result of checking the clinician against the OIG LEIE, SAM or MassHealth's own list (`credledger
        lists screen` records them from an imported edition). A suspected match is a review task in the work queue; a
        confirmed one holds the clinician's own applications and new rendering links (provider-excluded) until
        cleared. A no_match replacing a standing match needs a reason."""
        return await command.run(credledger.record_practitioner_screening, practitioner_id, data)

    @post(
        "/{practitioner_id:uuid}/exclusion-screenings/{source:str}/clear",
        operation_id="clearPractitionerExclusionScreening",
        guards=[may_write],
        status_code=200,
        **command_docs("Clear the clinician's exclusion-list match"),
    )
    async def clear_screening(
        self,
        practitioner_id: FromPath[UUID],
        source: FromPath[ExclusionSource],
        data: JSONBody[ClearExclusionScreening],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Records, with the reviewer's reason (required), that a match on the list named in the path no longer stands:
        a suspected match found not to be this clinician, or a confirmed one wrong or lifted (reinstatement)."""
        return await command.run(credledger.clear_practitioner_screening, practitioner_id, source, data)

    @get(
        "/{practitioner_id:uuid}",
        operation_id="getPractitioner",
        guards=[may_read],
        **read_docs("Read a practitioner", etag=True),
    )
    async def get_one(
        self,
        request: Request,
        practitioner_id: FromPath[UUID],
        credledger: Service,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> Response[PractitionerDetails]:
        """The clinician's record without personal data (credentials, CAQH, rendering links, NPPES mismatches), or
        with ``as_of`` as it stood on that business day (``known_at``: as known then). A client viewer sees the
        practitioners of its own practice only."""
        principal = request.user
        view = await call(credledger.get_practitioner, principal.actor, practitioner_id)
        if not principal.may_see(view.organization_id):  # before as_of: not even whether it existed then
            raise NotFound(f"No Practitioner {practitioner_id}.")
        moment = as_of_arguments(as_of, known_at)
        if moment is not None:
            then = await call(credledger.as_of, principal.actor, Practitioner, practitioner_id, *moment)
            view = practitioner_details(then)
        if principal.organizations is not None:  # a client viewer: its own practices' links only
            view.rendering_links = [k for k in view.rendering_links if principal.may_see(k.organization_id)]
        return found(view)

    @get(
        "/{practitioner_id:uuid}/pii",
        operation_id="getPractitionerPii",
        guards=[may_read_pii],
        **read_docs("Read a practitioner's personal data, for a stated purpose"),
    )
    async def get_pii(
        self, request: Request, practitioner_id: FromPath[UUID], purpose: Purpose, credledger: Service
    ) -> PractitionerPii:
        """The clinician's date of birth, to firm admins and specialists only; the read and its purpose are
        recorded in the compliance history."""
        return await call(credledger.get_practitioner_pii, request.user.actor, practitioner_id, purpose)
