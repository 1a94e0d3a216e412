"""Organizations: registration, profile corrections, and reading one (with or without PII)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post

from domain.organization import EntityKind, Organization, RiskLevel
from domain.tin import TinKind
from services.api.auth import may_read, may_read_pii, may_write
from services.api.commands import Command, SavedOut, call, execute, found
from services.api.history import AsOf, Purpose, aware
from services.api.schemas import AddressIn, TaxonomyIn
from services.app import NotFound
from services.app.details import OrganizationDetails, OrganizationPii, organization_details

PATH = "/v1/organizations"


class RegisterOrganization(Command, kw_only=True):
    legal_name: str
    tin: str
    tin_kind: TinKind
    npi: str
    entity_kind: EntityKind
    taxonomies: list[TaxonomyIn]
    taxonomy_version: str
    practice_address: AddressIn
    mailing_address: AddressIn | None = None
    provider_type: str
    risk_level: RiskLevel


class CorrectProfile(Command, kw_only=True):
    """Only the fields given change."""

    legal_name: str | msgspec.UnsetType = msgspec.UNSET
    tin: str | msgspec.UnsetType = msgspec.UNSET
    practice_address: AddressIn | msgspec.UnsetType = msgspec.UNSET
    mailing_address: AddressIn | msgspec.UnsetType = msgspec.UNSET
    taxonomies: list[TaxonomyIn] | msgspec.UnsetType = msgspec.UNSET
    taxonomy_version: str | msgspec.UnsetType = msgspec.UNSET
    provider_type: str | msgspec.UnsetType = msgspec.UNSET
    risk_level: RiskLevel | msgspec.UnsetType = msgspec.UNSET


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

    @post(operation_id="registerOrganization", guards=[may_write], status_code=201)
    async def register(self, request: Request, data: RegisterOrganization) -> Response[SavedOut]:
        return await execute(request, "register_organization", created=PATH, conditional=False, **_profile(data))

    @post(
        "/{organization_id:uuid}/profile-corrections",
        operation_id="correctProfile",
        guards=[may_write],
        status_code=200,
    )
    async def correct(self, request: Request, organization_id: UUID, data: CorrectProfile) -> Response[SavedOut]:
        return await execute(request, "correct_profile", organization_id, **_profile(data))

    @get("/{organization_id:uuid}", operation_id="getOrganization", guards=[may_read])
    async def get_one(
        self, request: Request, organization_id: UUID, as_of: AsOf = None
    ) -> Response[OrganizationDetails]:
        if not request.user.may_see(organization_id):
            raise NotFound(f"No Organization {organization_id}.")
        credledger = request.app.state.credledger
        if as_of is not None:
            then = await call(
                credledger.as_of, request.user.actor, Organization, organization_id, aware(as_of, "as_of")
            )
            return found(organization_details(then))
        return found(await call(credledger.get_organization, request.user.actor, organization_id))

    @get("/{organization_id:uuid}/pii", operation_id="getOrganizationPii", guards=[may_read_pii])
    async def get_pii(self, request: Request, organization_id: UUID, purpose: Purpose) -> OrganizationPii:
        return await call(
            request.app.state.credledger.get_organization_pii, request.user.actor, organization_id, purpose
        )
