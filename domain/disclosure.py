"""An organization's ownership and control disclosures: its owners of 5% or more and its managing employees, named
in the enrollment wizard ("managing employee details, and comprehensive ownership disclosures", the enrollment
guide) and screened against the exclusion lists like the organization itself (42 CFR 455.104, 455.436).

Their SSN (an owning entity's EIN) and date of birth are personal data: sealed in the store, never in a view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from domain.base import check_text
from domain.errors import InvalidValue, RuleViolation
from domain.screening import MATCHES, ExclusionSource, Screening, ScreeningResult, check_clearable, new_screening
from domain.tin import TinKind, parse_tin

# 42 CFR 455.101: a person with an ownership or control interest has 5 percent or more.
DISCLOSURE_THRESHOLD = Decimal(5)
_OLDEST = 130  # years: a date of birth further back is a typing error


class DisclosureRole(StrEnum):
    OWNER = "owner"  # a direct or indirect ownership interest of 5% or more
    MANAGING_EMPLOYEE = "managing_employee"  # a general manager, business manager, administrator or director


class PartyKind(StrEnum):
    INDIVIDUAL = "individual"  # identified by SSN and date of birth
    ORGANIZATION = "organization"  # an owning entity, identified by its EIN


@dataclass(frozen=True)
class Disclosure:
    person_id: UUID
    role: DisclosureRole
    party: PartyKind
    name: str
    ownership_percent: Decimal | None
    disclosed_on: date
    ended_on: date | None = None

    @property
    def whose(self) -> str:
        """How a refusal or a finding names them: "owner Jane Roe", "managing employee John Doe"."""
        return f"{self.role.replace('_', ' ')} {self.name}"


def check_ownership(role: DisclosureRole, party: PartyKind, percent: Decimal | None) -> Decimal | None:
    if role is DisclosureRole.MANAGING_EMPLOYEE:
        if party is not PartyKind.INDIVIDUAL:
            raise InvalidValue("A managing employee is a person (party individual).", field="party")
        if percent is not None:
            raise InvalidValue(
                "A managing employee has no ownership_percent; one who also owns 5% or more is disclosed as an owner "
                "too.",
                field="ownership_percent",
            )
        return None
    if percent is None:
        raise InvalidValue("An owner's ownership_percent is required.", field="ownership_percent")
    try:
        exact = Decimal(percent).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidValue("ownership_percent is a number from 5 to 100.", field="ownership_percent") from None
    if exact != Decimal(percent) or not DISCLOSURE_THRESHOLD <= exact <= 100:
        raise InvalidValue(
            "ownership_percent is from 5 to 100, with at most two decimals: an interest under 5% is not disclosed "
            "(42 CFR 455.101).",
            field="ownership_percent",
        )
    return exact


def check_identity(party: PartyKind, tin: str, birth_date: date | None, on: date) -> str:
    """An individual's SSN and date of birth, or an owning entity's EIN (42 CFR 455.104(b)(1))."""
    if party is PartyKind.ORGANIZATION:
        if birth_date is not None:
            raise InvalidValue("An owning entity has no date of birth.", field="birth_date")
        return parse_tin(tin, TinKind.EIN)
    if birth_date is None:
        raise InvalidValue("A person's date of birth is required.", field="birth_date")
    if not date(on.year - _OLDEST, 1, 1) <= birth_date < on:
        raise InvalidValue("The date of birth is not plausible for the disclosure's day.", field="birth_date")
    return parse_tin(tin, TinKind.SSN)


def most_owned(disclosures: list[Disclosure], since: date) -> Decimal:
    """The most the owners hold together on any day from ``since`` (their disclosures starting and ending apart)."""
    days = {since} | {d.disclosed_on for d in disclosures if d.disclosed_on > since}
    return max(
        sum(
            (d.ownership_percent or Decimal(0) for d in disclosures
             if d.disclosed_on <= day and (d.ended_on is None or d.ended_on > day)),
            Decimal(0),
        )
        for day in days
    )  # fmt: skip


class DisclosureCommands:
    """Mixed into Organization, whose state (set by its event methods) these read."""

    if TYPE_CHECKING:
        disclosures: dict[UUID, Disclosure]
        disclosure_identities: dict[UUID, tuple[str, date | None]]
        screenings: dict[ExclusionSource, Screening]
        person_screenings: dict[UUID, dict[ExclusionSource, Screening]]

        def _person_disclosed(
            self,
            person_id: UUID,
            role: DisclosureRole,
            party: PartyKind,
            name: str,
            tin: str,
            birth_date: date | None,
            ownership_percent: Decimal | None,
            on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...
        def _disclosure_ended(self, person_id: UUID, on: date, actor: str, reason: str | None) -> None: ...
        def _person_screening_recorded(
            self,
            person_id: UUID,
            source: ExclusionSource,
            result: ScreeningResult,
            list_version: str,
            list_date: date,
            screened_on: date,
            actor: str,
            reason: str | None,
        ) -> None: ...
        def _person_screening_cleared(
            self, person_id: UUID, source: ExclusionSource, on: date, actor: str, reason: str | None
        ) -> None: ...

    def disclose(
        self,
        *,
        person_id: UUID,
        role: DisclosureRole,
        party: PartyKind,
        name: str,
        tin: str,
        birth_date: date | None,
        ownership_percent: Decimal | None,
        on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        """An owner (5% or more) or managing employee, from ``on``."""
        role, party = DisclosureRole(role), PartyKind(party)
        percent = check_ownership(role, party, ownership_percent)
        tin = check_identity(party, tin, birth_date, on)
        if person_id in self.disclosures:
            raise RuleViolation("disclosure-exists", f"Disclosure {person_id} is already recorded.")
        # Those that overlap the new one (from ``on``, open-ended): recorded late, it may start before an end.
        overlapping = [d for d in self.disclosures.values() if d.ended_on is None or d.ended_on > on]
        same = [d for d in self.disclosures.values() if self.disclosure_identities[d.person_id][0] == tin]
        if any(d.role is role for d in same if d in overlapping):
            raise RuleViolation("disclosure-duplicate", f"That {role.replace('_', ' ')} is already disclosed.")
        if any(s.result in MATCHES for d in same for s in self.person_screenings.get(d.person_id, {}).values()):
            # Disclosed anew, the person would start with no screening: their standing match is settled first.
            raise RuleViolation(
                "disclosure-match-standing",
                "An earlier disclosure of that person has an exclusion match standing: clear it, with the reason, "
                "first.",
            )
        owned = most_owned(overlapping, on) + (percent or 0)
        if owned > 100:
            raise RuleViolation(
                "ownership-over-100-percent",
                f"The owners disclosed would hold {owned}% of the organization; end a former owner's disclosure first.",
            )
        self._person_disclosed(
            person_id=person_id,
            role=role,
            party=party,
            name=check_text(name, field="name"),
            tin=tin,
            birth_date=birth_date,
            ownership_percent=percent,
            on=on,
            actor=actor,
            reason=reason,
        )

    def end_disclosure(self, *, person_id: UUID, on: date, actor: str, reason: str | None = None) -> None:
        """The owner sold their interest, the managing employee left: from ``on`` they are no longer screened for
        the organization, and their matches no longer hold its applications."""
        disclosure = self._disclosure(person_id, on)
        if on < disclosure.disclosed_on:
            raise RuleViolation("disclosure-date-order", "A disclosure cannot end before it began.")
        self._disclosure_ended(person_id=person_id, on=on, actor=actor, reason=reason)

    def record_person_screening(
        self,
        *,
        person_id: UUID,
        source: ExclusionSource,
        result: ScreeningResult,
        list_version: str,
        list_date: date,
        screened_on: date,
        actor: str,
        reason: str | None = None,
    ) -> None:
        self._disclosure(person_id, screened_on)
        screening = new_screening(
            self.person_screenings.get(person_id, {}).get(ExclusionSource(source)),
            source=source,
            result=result,
            list_version=list_version,
            list_date=list_date,
            screened_on=screened_on,
            reason=reason,
        )
        self._person_screening_recorded(person_id=person_id, **screening.fields(), actor=actor, reason=reason)

    def clear_person_screening(
        self, *, person_id: UUID, source: ExclusionSource, on: date, actor: str, reason: str | None = None
    ) -> None:
        if person_id not in self.disclosures:  # an ended disclosure's match may still be reviewed and cleared
            self._disclosure(person_id, on)
        check_clearable(self.person_screenings.get(person_id, {}).get(ExclusionSource(source)), on, reason)
        self._person_screening_cleared(
            person_id=person_id, source=ExclusionSource(source), on=on, actor=actor, reason=reason
        )

    def _disclosure(self, person_id: UUID, on: date) -> Disclosure:
        """The disclosure, still current on day ``on``."""
        disclosure = self.disclosures.get(person_id)
        if disclosure is None:
            raise RuleViolation("disclosure-unknown", f"No owner or managing employee {person_id} is disclosed.")
        if disclosure.ended_on is not None and on >= disclosure.ended_on:
            raise RuleViolation(
                "disclosure-ended", f"The disclosure of {disclosure.whose} ended on {disclosure.ended_on}."
            )
        return disclosure

    def exclusion_screenings(self) -> list[tuple[str, Screening]]:
        """Whose screening, and the screening: the organization's own, then each current disclosure's."""
        found = [("the organization", s) for s in self.screenings.values()]
        for disclosure in self.disclosures.values():
            if disclosure.ended_on is None:
                found += [(disclosure.whose, s) for s in self.person_screenings.get(disclosure.person_id, {}).values()]
        return found
