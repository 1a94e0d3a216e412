"""Organizations: registration, profile corrections, and reading one (with or without PII)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post

from domain.organization import EntityKind, Organization, RiskLevel
from domain.tin import TinKind
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import Command, SavedOut, call, execute, found
from services.api.history import AsOf, Purpose, aware
from services.api.openapi_docs import command_docs, doc, read_docs
from services.api.schemas import AddressIn, TaxonomyIn
from services.app import NotFound
from services.app.details import OrganizationDetails, OrganizationPii, organization_details

PATH = "/v1/organizations"


LegalName = Annotated[
    str, doc("The practice's legal name, exactly as on its IRS letter and its NPPES record.", "Berkshire Family Health")
]
Tin = Annotated[
    str,
    doc(
        "Taxpayer Identification Number: an EIN (NN-NNNNNNN) for a group or facility, an SSN (NNN-NN-NNNN) for a "
        "solo practitioner. Stored sealed; read back only through GET .../pii.",
        "04-3219876",
    ),
]
Taxonomies = Annotated[
    list[TaxonomyIn],
    doc("The NUCC taxonomy codes the practice bills under, one marked primary; they must match NPPES exactly."),
]
TaxonomyVersion = Annotated[str, doc("The NUCC code set version the codes are checked against.", "25.1")]
ProviderType = Annotated[str, doc("The MassHealth provider type, in MassHealth's words.", "physician group")]
Risk = Annotated[
    RiskLevel,
    doc("MassHealth's screening risk category: moderate and high need fingerprint CORI checks and a site visit."),
]


class RegisterOrganization(Command, kw_only=True):
    """A client practice the firm enrolls with MassHealth: its identity as POSC and NPPES know it."""

    legal_name: LegalName
    tin: Tin
    tin_kind: Annotated[TinKind, doc("What the TIN is: ein (an employer number) or ssn (a person's).", "ein")]
    npi: Annotated[
        str,
        doc(
            "National Provider Identifier: 10 digits with a Luhn check digit; Type 2 for a group or facility, "
            "Type 1 for a solo practitioner.",
            "1234567893",
        ),
    ]
    entity_kind: Annotated[
        EntityKind,
        doc("solo_practitioner (Type 1 NPI), group, facility or out_of_state_telehealth (Type 2).", "group"),
    ]
    taxonomies: Taxonomies
    taxonomy_version: TaxonomyVersion
    practice_address: Annotated[AddressIn, doc("Where care is given (the NPPES location address).")]
    mailing_address: Annotated[AddressIn | None, doc("Where MassHealth sends letters, if not the practice.")] = None
    provider_type: ProviderType
    risk_level: Risk


class CorrectProfile(Command, kw_only=True):
    """A correction of the practice's profile: only the fields given change."""

    legal_name: LegalName | msgspec.UnsetType = msgspec.UNSET
    tin: Tin | msgspec.UnsetType = msgspec.UNSET
    practice_address: Annotated[AddressIn, doc("The corrected practice (location) address.")] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    mailing_address: Annotated[AddressIn, doc("The corrected mailing address.")] | msgspec.UnsetType = msgspec.UNSET
    taxonomies: Taxonomies | msgspec.UnsetType = msgspec.UNSET
    taxonomy_version: TaxonomyVersion | msgspec.UnsetType = msgspec.UNSET
    provider_type: ProviderType | msgspec.UnsetType = msgspec.UNSET
    risk_level: Risk | msgspec.UnsetType = msgspec.UNSET


def _profile(data: RegisterOrganization | CorrectProfile) -> dict[str, Any]:
    """Body fields as use-case arguments: nested pieces parsed, unset ones left out."""
    values = {name: getattr(data, name) for name in data.__struct_fields__}
    result = {name: value for name, value in values.items() if value is not msgspec.UNSET}
    for name in ("practice_address", "mailing_address"):
        if isinstance(result.get(name), AddressIn):
            result[name] = result[name].parse(name)
    if isinstance(result.get("taxonomies"), list):
        result["taxonomies"] = [t.parse() for t in result["taxonomies"]]
    return result


class OrganizationController(Controller):
    path = PATH
    tags = ["organizations"]

    @post(
        operation_id="registerOrganization",
        guards=[may_write],
        status_code=201,
        **command_docs("Register a client practice", created=True, conditional=False, pii=True),
    )
    async def register(self, request: Request, data: RegisterOrganization) -> Response[SavedOut]:
        """Registers a practice (group, facility or solo practitioner) the firm credentials with MassHealth. The
        NPI's check digit, the TIN's form and the NUCC taxonomy codes are verified; the TIN is stored sealed.
        Answers 201 with the new organization's id, Location and ETag."""
        return await execute(request, "register_organization", created=PATH, conditional=False, **_profile(data))

    @post(
        "/{organization_id:uuid}/profile-corrections",
        operation_id="correctProfile",
        guards=[may_write],
        status_code=200,
        **command_docs("Correct the practice's profile", pii=True),
    )
    async def correct(self, request: Request, organization_id: UUID, data: CorrectProfile) -> Response[SavedOut]:
        """Corrects the legal name, TIN, addresses, taxonomies, provider type or risk level (only the fields
        given). A correction reopens the comparison with the last NPPES snapshot."""
        return await execute(request, "correct_profile", organization_id, **_profile(data))

    @get(
        "/{organization_id:uuid}",
        operation_id="getOrganization",
        guards=[may_read],
        **read_docs("Read a client practice", etag=True),
    )
    async def get_one(
        self, request: Request, organization_id: UUID, as_of: AsOf = None
    ) -> Response[OrganizationDetails]:
        """The practice's current record (without personal data), or with ``as_of`` the record as it stood at
        that moment; open NPPES mismatches are listed. The ETag is the version to send as If-Match."""
        if not request.user.may_see(organization_id):
            raise NotFound(f"No Organization {organization_id}.")
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(
                credledger.as_of, request.user.actor, Organization, organization_id, aware(as_of, "as_of")
            )
            return found(organization_details(then))
        return found(await call(credledger.get_organization, request.user.actor, organization_id))

    @get(
        "/{organization_id:uuid}/pii",
        operation_id="getOrganizationPii",
        guards=[may_read_pii],
        **read_docs("Read a practice's personal data, for a stated purpose"),
    )
    async def get_pii(self, request: Request, organization_id: UUID, purpose: Purpose) -> OrganizationPii:
        """The TIN, PIN and bank account, to firm admins and specialists only. The read and its purpose are
        recorded in the compliance history (a refused attempt too)."""
        return await call(
            request.app.state.credledger.get_organization_pii, request.user.actor, organization_id, purpose
        )
