"""Organization's events: what each one records, field by field, so that a type checker knows them.

Code elsewhere names them through the aggregate (``event: Organization.Registered``). Their fields are declared
here rather than in Organization's body only because organization.py would then pass 400 lines. Organization's
body subclasses each one (``class Registered(organization_events.Registered): ...``), and from that class
eventsourcing derives the one it records, ``Organization.Registered``, also an ``Organization.Event``, whose topic
(``domain.organization:Organization.Registered``) stored events, NATS subjects and views carry. No event is ever
recorded as one of the classes here, so their own names are stored nowhere.

Each class's fields are the parameters of its event method on Organization: the same names, in the same order
(a stored event's JSON keys follow it), with the same types (the store decodes each field to its declared type,
and encrypts the ``Annotated[..., PII]`` ones).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from domain.address import Address
from domain.affiliation import PlanKind
from domain.base import TenantAggregate
from domain.business_time import dated_upcast
from domain.nppes import Mismatch, NppesSnapshot
from domain.organization_values import AccountType, DisenrollmentCause, EntityKind, RiskLevel
from domain.pii import PII
from domain.screening import ExclusionSource, ScreeningResult
from domain.taxonomy import TaxonomySelection
from domain.tin import TinKind

# The annotations are evaluated at run time (typing.get_type_hints, by the store's transcoder), in this module:
# every name they use must be imported here for real, not only under TYPE_CHECKING.

# --- registration and profile -------------------------------------------------------------


class Registered(TenantAggregate.Created):
    class_version = 2
    effective_field = "registered_on"
    upcast_v1_v2 = dated_upcast("registered_on")
    tenant_id: str
    legal_name: str
    tin: Annotated[str, PII]
    tin_kind: TinKind
    npi: str
    entity_kind: EntityKind
    taxonomies: list[TaxonomySelection]
    taxonomy_version: str
    practice_address: Address
    mailing_address: Address | None
    provider_type: str
    risk_level: RiskLevel
    registered_on: date
    actor: str
    reason: str | None


class ProfileCorrected(TenantAggregate.Event):
    """Only the fields corrected are set; the others are None."""

    class_version = 2
    effective_field = "on"
    touches = ("profile",)
    upcast_v1_v2 = dated_upcast("on")

    legal_name: str | None
    tin: Annotated[str | None, PII]
    practice_address: Address | None
    mailing_address: Address | None
    taxonomies: list[TaxonomySelection] | None
    taxonomy_version: str | None
    provider_type: str | None
    risk_level: RiskLevel | None
    on: date
    actor: str
    reason: str | None


# --- NPPES ---------------------------------------------------------------------------------


class NppesSnapshotRecorded(TenantAggregate.Event):
    effective_field = "snapshot.retrieved_on"
    touches = ("profile",)
    snapshot: NppesSnapshot
    nppes_tin: Annotated[str | None, PII]  # the TIN read off the NPPES record, when known
    actor: str
    reason: str | None


class NppesComparisonChanged(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("profile",)
    upcast_v1_v2 = dated_upcast("on")
    mismatches: list[Mismatch]  # what now differs from NPPES (NO_SNAPSHOT without a snapshot)
    on: date
    actor: str
    reason: str | None


# --- MassHealth PIN letter and provider number -----------------------------------------------


class PinLetterReceived(TenantAggregate.Event):
    effective_field = "received_on"
    touches = ("pin",)
    pin: Annotated[str, PII]
    received_on: date
    actor: str
    reason: str | None


class ProviderNumberIssued(TenantAggregate.Event):
    effective_field = "issued_on"
    touches = ("provider_number",)
    provider_number: str
    issued_on: date
    actor: str
    reason: str | None


class ProviderNumberChanged(TenantAggregate.Event):
    """MassHealth reissued the number (a change of ownership, a new TIN)."""

    effective_field = "on"
    touches = ("provider_number",)
    provider_number: str
    previous: str
    on: date
    actor: str
    reason: str | None


class Disenrolled(TenantAggregate.Event):
    effective_field = "on"
    touches = ("provider_number",)
    cause: DisenrollmentCause
    on: date
    actor: str
    reason: str | None


class RevalidationLetterReceived(TenantAggregate.Event):
    """MassHealth asked the enrolled provider to revalidate; the answer (a revalidation application) is due by
    ``respond_by``."""

    effective_field = "received_on"
    touches = ("revalidation",)
    reads = ("provider_number",)  # sent to an enrolled provider, not before its number
    received_on: date
    respond_by: date
    actor: str
    reason: str | None


# --- rendering providers ------------------------------------------------------------------------


class RenderingProviderLinked(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("rendering:{npi}",)
    upcast_v1_v2 = dated_upcast("on")
    npi: str
    name: str
    on: date
    actor: str
    reason: str | None


class RenderingProviderUnlinked(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("rendering:{npi}",)
    upcast_v1_v2 = dated_upcast("on")
    npi: str
    on: date
    actor: str
    reason: str | None


# --- EFT -------------------------------------------------------------------------------------


class EftDetailsRecorded(TenantAggregate.Event):
    class_version = 2
    effective_field = "on"
    touches = ("eft",)
    upcast_v1_v2 = dated_upcast("on")
    routing_number: str
    account_number: Annotated[str, PII]
    account_type: AccountType
    on: date
    actor: str
    reason: str | None


class EftValidationRecorded(TenantAggregate.Event):
    effective_field = "on"
    touches = ("eft",)
    validated: bool
    on: date
    actor: str
    reason: str | None


# --- plan affiliations ------------------------------------------------------------------------


class AffiliationRequested(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    kind: PlanKind
    plan: str
    partner_mco: str | None
    on: date
    actor: str
    reason: str | None


class AffiliationCredentialingStarted(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    plan: str
    on: date
    actor: str
    reason: str | None


class AffiliationContracted(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    reads = ("provider_number",)  # a plan contracts only with an enrolled practice
    plan: str
    on: date
    actor: str
    reason: str | None


class AffiliationActivated(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    # Judged also by the exclusion screenings of its day (Organization.move_affiliation), which it does not list
    # here: a monthly screening recorded meanwhile would otherwise refuse every activation recorded late. A match
    # recorded later and dated before it is a fact all the same; the access audit shows it (excluded) from its day.
    reads = ("provider_number",)
    plan: str
    on: date
    actor: str
    reason: str | None


class AffiliationDenied(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    plan: str
    on: date
    actor: str
    reason: str | None


class AffiliationWithdrawn(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    plan: str
    on: date
    actor: str
    reason: str | None


class AffiliationTerminated(TenantAggregate.Event):
    effective_field = "on"
    touches = ("affiliation:{plan}",)
    plan: str
    on: date
    actor: str
    reason: str | None


# --- exclusion screening ---------------------------------------------------------------------


class ScreeningRecorded(TenantAggregate.Event):
    effective_field = "screened_on"
    touches = ("screening:{source}",)
    source: ExclusionSource
    result: ScreeningResult
    list_version: str
    list_date: date
    screened_on: date
    actor: str
    reason: str | None


class ScreeningCleared(TenantAggregate.Event):
    effective_field = "on"
    touches = ("screening:{source}",)
    source: ExclusionSource
    on: date
    actor: str
    reason: str | None
