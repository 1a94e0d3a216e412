"""An organization's registration, and the commands for its profile and its comparison with NPPES: correcting the
profile, recording what NPPES says, and the mismatches between the two (a mismatch means automatic rejection, so they
are found before submission). Their event methods are on Organization, which eventsourcing names the events after."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from domain.address import Address
from domain.base import check_tenant_id, check_text
from domain.errors import InvalidValue, RuleViolation
from domain.npi import parse_npi
from domain.nppes import NO_SNAPSHOT, Mismatch, NppesSnapshot, find_mismatches
from domain.organization_values import EntityKind, ProfileCorrection, RiskLevel
from domain.provider_types import check_risk_level
from domain.taxonomy import TaxonomySelection, parse_taxonomies
from domain.tin import TinKind, parse_tin


class Registration(TypedDict):
    """Organization.register's keyword arguments (``reason`` optional), as ``registration`` takes them."""

    tenant_id: str
    legal_name: str
    tin: str
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
    reason: NotRequired[str | None]


def registration(given: Registration) -> dict[str, Any]:
    """A registration's fields, checked: the Registered event's (Organization.register records them)."""
    entity_kind, tin_kind = EntityKind(given["entity_kind"]), TinKind(given["tin_kind"])
    if tin_kind is TinKind.SSN and entity_kind is not EntityKind.SOLO_PRACTITIONER:
        raise InvalidValue("Only a sole practitioner may use an SSN as TIN.", field="tin_kind", rule="invalid-tin")
    taxonomies, taxonomy_version = parse_taxonomies(given["taxonomies"], given["taxonomy_version"])
    provider_type = check_text(given["provider_type"], field="provider_type", max_length=80)
    risk_level = RiskLevel(given["risk_level"])
    check_risk_level(provider_type, risk_level)
    return {
        **given,
        "tenant_id": check_tenant_id(given["tenant_id"]),
        "legal_name": check_text(given["legal_name"], field="legal_name"),
        "tin": parse_tin(given["tin"], tin_kind),
        "tin_kind": tin_kind,
        "npi": parse_npi(given["npi"]),
        "entity_kind": entity_kind,
        "taxonomies": taxonomies,
        "taxonomy_version": taxonomy_version,
        "provider_type": provider_type,
        "risk_level": risk_level,
        "reason": given.get("reason"),
    }


class OrganizationProfile:
    """Mixed into Organization, whose state (set by its event methods) these read."""

    if TYPE_CHECKING:
        legal_name: str
        tin: str
        tin_kind: TinKind
        npi: str
        entity_kind: EntityKind
        taxonomies: list[TaxonomySelection]
        taxonomy_version: str
        practice_address: Address
        mailing_address: Address | None
        provider_type: str
        risk_level: RiskLevel
        nppes: NppesSnapshot | None
        nppes_tin: str | None
        nppes_comparison: list[Mismatch]
        registered_on: date

        def _profile_corrected(
            self,
            legal_name: str | None,
            tin: str | None,
            practice_address: Address | None,
            mailing_address: Address | None,
            taxonomies: list[TaxonomySelection] | None,
            taxonomy_version: str | None,
            provider_type: str | None,
            risk_level: RiskLevel | None,
            on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...
        def _nppes_snapshot_recorded(
            self, snapshot: NppesSnapshot, nppes_tin: str | None, actor: str, reason: str | None
        ) -> None: ...
        def _nppes_comparison_changed(
            self, mismatches: list[Mismatch], on: date, actor: str, reason: str | None
        ) -> None: ...

    @property
    def registration(self) -> tuple[date, str]:
        """The day the organization was registered, as a fact another record's facts may not predate."""
        return self.registered_on, "organization registered"

    def correct_profile(
        self,
        *,
        on: date,
        actor: str,
        reason: str | None = None,
        legal_name: str | None = None,
        tin: str | None = None,
        practice_address: Address | None = None,
        mailing_address: Address | None = None,
        taxonomies: list[TaxonomySelection] | None = None,
        taxonomy_version: str | None = None,
        provider_type: str | None = None,
        risk_level: RiskLevel | None = None,
    ) -> None:
        """Correct some of the profile; fields left None are unchanged."""
        if taxonomies is not None or taxonomy_version is not None:
            taxonomies, taxonomy_version = parse_taxonomies(
                taxonomies if taxonomies is not None else self.taxonomies, taxonomy_version or self.taxonomy_version
            )
        changes = ProfileCorrection(
            legal_name=check_text(legal_name, field="legal_name") if legal_name is not None else None,
            tin=parse_tin(tin, self.tin_kind) if tin is not None else None,
            practice_address=practice_address,
            mailing_address=mailing_address,
            taxonomies=taxonomies,
            taxonomy_version=taxonomy_version,
            provider_type=check_text(provider_type, field="provider_type", max_length=80) if provider_type else None,
            risk_level=RiskLevel(risk_level) if risk_level is not None else None,
        )
        if all(value is None or value == getattr(self, name) for name, value in changes.items()):
            raise RuleViolation("nothing-to-correct", "The correction changes nothing.")
        if changes["provider_type"] is not None or changes["risk_level"] is not None:  # the rest corrects freely
            check_risk_level(changes["provider_type"] or self.provider_type, changes["risk_level"] or self.risk_level)
        self._profile_corrected(**changes, on=on, actor=actor, reason=reason)
        self._record_nppes_comparison(on, actor, reason)

    def record_nppes_snapshot(
        self, snapshot: NppesSnapshot, *, tin: str | None = None, actor: str, reason: str | None = None
    ) -> None:
        """Record what NPPES says; ``tin`` is the TIN read off the NPPES record, when known."""
        nppes_tin = parse_tin(tin, self.tin_kind, field="tin") if tin is not None else None
        self._nppes_snapshot_recorded(snapshot=snapshot, nppes_tin=nppes_tin, actor=actor, reason=reason)
        self._record_nppes_comparison(snapshot.retrieved_on, actor, reason)

    def _record_nppes_comparison(self, on: date, actor: str, reason: str | None) -> None:
        """Record the comparison whenever its result changes, so views (which never see the
        TIN in clear) can show the open mismatches without repeating the comparison."""
        found = self.nppes_mismatches
        if found != self.nppes_comparison:
            self._nppes_comparison_changed(mismatches=found, on=on, actor=actor, reason=reason)

    @property
    def nppes_mismatches(self) -> list[Mismatch]:
        """What differs from NPPES now; without a snapshot, the missing snapshot itself."""
        if self.nppes is None:
            return [NO_SNAPSHOT]
        return find_mismatches(
            snapshot=self.nppes,
            npi=self.npi,
            required_enumeration_type=self.entity_kind.enumeration_type,
            legal_name=self.legal_name,
            taxonomies=self.taxonomies,
            practice_address=self.practice_address,
            mailing_address=self.mailing_address,
            tin_matches=None if self.nppes_tin is None else self.nppes_tin == self.tin,
        )
