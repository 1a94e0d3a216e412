"""Organizations: registration, profile corrections, and reading one (with or without PII)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from domain.organization import Organization
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import SavedOut, call, found
from services.api.dependencies import Runner, Service
from services.api.history import AsOf, KnownAt, Purpose, as_of_arguments
from services.api.openapi_docs import command_docs, read_docs
from services.app import NotFound
from services.app.details import OrganizationDetails, OrganizationPii, organization_details
from services.app.organization_commands import CorrectProfile, RegisterOrganization

PATH = "/v1/organizations"


class OrganizationController(Controller):
    path = PATH
    tags = ("organizations",)

    @post(
        operation_id="registerOrganization",
        guards=[may_write],
        status_code=201,
        **command_docs("Register a client practice", created=True, conditional=False, pii=True),
    )
    async def register(
        self,
        data: JSONBody[RegisterOrganization],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Registers a practice (group, facility or solo practitioner) the firm credentials with MassHealth. The
        NPI's check digit, the TIN's form and the NUCC taxonomy codes are verified; the TIN is stored sealed.
        Answers 201 with the new organization's id, Location and ETag."""
        return await command.run(credledger.register_organization, data, created=PATH, conditional=False)

    @post(
        "/{organization_id:uuid}/profile-corrections",
        operation_id="correctProfile",
        guards=[may_write],
        status_code=200,
        **command_docs("Correct the practice's profile", pii=True),
    )
    async def correct(
        self,
        organization_id: FromPath[UUID],
        data: JSONBody[CorrectProfile],
        credledger: Service,
        command: Runner,
    ) -> Response[SavedOut]:
        """Corrects the legal name, TIN, addresses, taxonomies, provider type or risk level (only the fields
        given). A correction reopens the comparison with the last NPPES snapshot."""
        return await command.run(credledger.correct_profile, organization_id, data)

    @get(
        "/{organization_id:uuid}",
        operation_id="getOrganization",
        guards=[may_read],
        **read_docs("Read a client practice", etag=True),
    )
    async def get_one(
        self,
        request: Request,
        organization_id: FromPath[UUID],
        credledger: Service,
        as_of: AsOf = None,
        known_at: KnownAt = None,
    ) -> Response[OrganizationDetails]:
        """The practice's current record (without personal data), or as it stood on the business day ``as_of``
        (with ``known_at``: as the firm knew it at that moment); open NPPES mismatches are listed. The ETag is the
        version to send as If-Match."""
        if not request.user.may_see(organization_id):
            raise NotFound(f"No Organization {organization_id}.")
        moment = as_of_arguments(as_of, known_at)
        if moment is not None:
            then = await call(credledger.as_of, request.user.actor, Organization, organization_id, *moment)
            return found(organization_details(then))
        return found(await call(credledger.get_organization, request.user.actor, organization_id))

    @get(
        "/{organization_id:uuid}/pii",
        operation_id="getOrganizationPii",
        guards=[may_read_pii],
        **read_docs("Read a practice's personal data, for a stated purpose"),
    )
    async def get_pii(
        self, request: Request, organization_id: FromPath[UUID], purpose: Purpose, credledger: Service
    ) -> OrganizationPii:
        """The TIN, PIN and bank account, to firm admins and specialists only. The read and its purpose are
        recorded in the compliance history (a refused attempt too)."""
        return await call(credledger.get_organization_pii, request.user.actor, organization_id, purpose)
