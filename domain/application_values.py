"""What an application is: its kinds, channels, statuses and decisions, which documents and screenings a kind (and
risk level) requires (42 CFR 455.450), and the checks of both; the Application aggregate (application.py) records
its life."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from domain.business_time import check_effective_day
from domain.dossier import Document, DocumentType
from domain.errors import InvalidValue, RuleViolation
from domain.organization_values import RiskLevel
from domain.text import clean_text
from domain.tin import TinKind


class ApplicationKind(StrEnum):
    POSC_REGISTRATION = "posc_registration"  # form POSC-DC-PE
    PRIMARY_USER_MODIFICATION = "primary_user_modification"  # form POSC-DC-PM
    ENROLLMENT = "enrollment"
    REVALIDATION = "revalidation"
    ACO_AFFILIATION = "aco_affiliation"
    MCO_AFFILIATION = "mco_affiliation"
    PCC_AFFILIATION = "pcc_affiliation"


class Channel(StrEnum):
    FAX = "fax"
    MAIL = "mail"
    PORTAL = "portal"


class ApplicationStatus(StrEnum):
    OPEN = "open"  # being prepared, or back after a rejection
    SUBMITTED = "submitted"
    DEFICIENT = "deficient"  # the payer is waiting on the client
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


CLOSED = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.DENIED, ApplicationStatus.WITHDRAWN})


class Decision(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"


class ScreeningKind(StrEnum):
    EXCLUSION_LISTS = "exclusion_lists"  # OIG LEIE, SAM, state list: every enrollment
    FINGERPRINT_CORI = "fingerprint_cori"  # moderate and high risk
    SITE_VISIT = "site_visit"  # moderate and high risk


# The dossier each kind needs at submission (the enrollment guide).
REQUIRED_DOCUMENTS: dict[ApplicationKind, frozenset[DocumentType]] = {
    ApplicationKind.POSC_REGISTRATION: frozenset(),
    ApplicationKind.PRIMARY_USER_MODIFICATION: frozenset(),
    ApplicationKind.ENROLLMENT: frozenset(
        {
            DocumentType.W9,
            DocumentType.IRS_147C,
            DocumentType.LICENSE,
            DocumentType.LIABILITY_COI,
            DocumentType.VOIDED_CHECK,
            DocumentType.PROVIDER_AGREEMENT,
        }
    ),
    ApplicationKind.REVALIDATION: frozenset(
        {DocumentType.W9, DocumentType.LICENSE, DocumentType.LIABILITY_COI, DocumentType.PROVIDER_AGREEMENT}
    ),
    ApplicationKind.ACO_AFFILIATION: frozenset({DocumentType.W9, DocumentType.LICENSE, DocumentType.LIABILITY_COI}),
    ApplicationKind.MCO_AFFILIATION: frozenset({DocumentType.W9, DocumentType.LICENSE, DocumentType.LIABILITY_COI}),
    ApplicationKind.PCC_AFFILIATION: frozenset({DocumentType.W9, DocumentType.LICENSE}),
}
SCREENED_KINDS = frozenset({ApplicationKind.ENROLLMENT, ApplicationKind.REVALIDATION})
# The POSC forms (POSC-DC-PE, POSC-DC-PM) go to MassHealth by fax or by mail only, and the processing clock starts
# on receipt (masshealth-posc-register-page.txt: "Fax the completed application ..." / "Mail the completed
# application ...", "MassHealth will process your request within seven business days").
FORM_KINDS = frozenset({ApplicationKind.POSC_REGISTRATION, ApplicationKind.PRIMARY_USER_MODIFICATION})


def check_channel(kind: ApplicationKind, channel: Channel) -> None:
    if kind in FORM_KINDS and channel is Channel.PORTAL:
        raise RuleViolation(
            "form-by-fax-or-mail",
            f"A {kind} form (POSC-DC-PE / POSC-DC-PM) is faxed or mailed to MassHealth; the portal does not take it.",
        )


def check_receipt(channel: Channel, submitted_on: date, received_on: date | None) -> date | None:
    """The day the payer received a submission: a fax or a portal submission arrives the day it is sent; a mailed
    one on a later day, known once delivery is confirmed (None until then). A receipt is a fact: never in the future."""
    if received_on is not None:
        check_effective_day(received_on, "received")
    if channel is not Channel.MAIL:
        if received_on not in (None, submitted_on):
            raise RuleViolation(
                "received-when-sent", f"A {channel} submission is received the day it is sent, {submitted_on}."
            )
        return submitted_on
    if received_on is not None and received_on < submitted_on:
        raise RuleViolation(
            "received-before-sent", f"Received on {received_on}, before it was mailed on {submitted_on}."
        )
    return received_on


AFFILIATION_KINDS = frozenset(k for k in ApplicationKind if k.value.endswith("_affiliation"))  # ACO, MCO, PCC


# A clinician's own applications: its MassHealth enrollment (as a rendering or individual provider) and revalidation,
# and each plan's credentialing of it; POSC access is the practice's alone.
PRACTITIONER_KINDS = frozenset({ApplicationKind.ENROLLMENT, ApplicationKind.REVALIDATION, *AFFILIATION_KINDS})


def check_practitioner_kind(kind: ApplicationKind, practitioner_id: object) -> None:
    if practitioner_id is not None and kind not in PRACTITIONER_KINDS:
        raise RuleViolation(
            "kind-not-for-a-practitioner",
            f"A {kind} is the practice's: a clinician's applications are enrollments, revalidations and plan "
            "credentialing.",
        )


def check_payer_id(kind: ApplicationKind, provider_number: str | None, for_practitioner: bool) -> None:
    """MassHealth issues a provider number with every approved enrollment; a plan may give a clinician it credentials
    an id of its own; nothing else issues one."""
    if kind is ApplicationKind.ENROLLMENT and not provider_number:
        raise RuleViolation("provider-number-required", "An approved enrollment comes with a provider number.")
    issues_one = kind is ApplicationKind.ENROLLMENT or (for_practitioner and kind in AFFILIATION_KINDS)
    if provider_number and not issues_one:
        raise RuleViolation(
            "provider-number-only-for-enrollment",
            "Only an enrollment (or a plan's credentialing of a clinician) issues a provider number.",
        )


def check_plan_named(kind: ApplicationKind, plan: str | None) -> str | None:
    """Affiliation applications, and only they, name the plan."""
    plan = clean_text(plan, field="plan").strip() if plan is not None else None
    if (kind in AFFILIATION_KINDS) != bool(plan):
        raise InvalidValue("Affiliation applications, and only they, name the plan.", field="plan", rule="plan")
    return plan or None


# MassHealth enrolls and administers POSC access per provider ID and service location (PID/SL): an enrollment and a
# POSC-DC-PM name their location (domain/service_locations.py); everything else is the provider's as a whole (A).
PER_LOCATION_KINDS = frozenset({ApplicationKind.ENROLLMENT, ApplicationKind.PRIMARY_USER_MODIFICATION})


def check_service_location(kind: ApplicationKind, code: str) -> str:
    """The letter of the location the application is for: A to Z, and A unless the kind is per location."""
    if not isinstance(code, str) or len(code) != 1 or not "A" <= code <= "Z":
        raise InvalidValue("A service location is one capital letter, A to Z.", field="service_location")
    if code != "A" and kind not in PER_LOCATION_KINDS:
        raise InvalidValue(
            f"A {kind} application is the provider's as a whole (location A); only enrollments and POSC-DC-PMs "
            "name another location.",
            field="service_location",
            rule="service-location-not-applicable",
        )
    return code


def required_screenings(kind: ApplicationKind, risk_level: RiskLevel) -> frozenset[ScreeningKind]:
    """The seeds: exclusion lists for everyone; fingerprint CORI checks and site visits for moderate and high risk."""
    if kind not in SCREENED_KINDS:
        return frozenset()
    if risk_level is RiskLevel.LIMITED:
        return frozenset({ScreeningKind.EXCLUSION_LISTS})
    return frozenset(ScreeningKind)


def required_documents(kind: ApplicationKind, tin_kind: TinKind | None = None) -> frozenset[DocumentType]:
    """The documents a kind needs from a filer whose TIN is ``tin_kind``: the IRS 147C letter confirms an EIN, so a
    sole practitioner filing with an SSN has none to give (its W-9 carries the SSN)."""
    needed = REQUIRED_DOCUMENTS[kind]
    return needed - {DocumentType.IRS_147C} if tin_kind is TinKind.SSN else needed


def check_dossier(
    kind: ApplicationKind, documents: Iterable[Document], on: date, tin_kind: TinKind | None = None
) -> None:
    """The application's current documents are all those its kind needs from this filer, and none has expired by
    ``on``."""
    current = list(documents)  # several of a type may be current (one per clinician)
    missing = sorted(required_documents(kind, tin_kind) - {d.type for d in current})
    if missing:
        raise RuleViolation("documents-missing", f"Missing for a {kind}: {', '.join(missing)}.")
    expired = sorted({d.type for d in current if d.expires_on is not None and d.expires_on < on})
    if expired:
        raise RuleViolation("documents-expired", f"Expired on {on}: {', '.join(expired)}.")


def check_screenings(
    kind: ApplicationKind, risk_level: RiskLevel, screenings: Mapping[ScreeningKind, tuple[date, bool]]
) -> None:
    """Every screening the kind and risk level require is recorded as passed (``screenings``: kind -> (on, passed))."""
    missing = required_screenings(kind, risk_level) - {k for k, (_, ok) in screenings.items() if ok}
    if missing:
        raise RuleViolation(
            "screenings-required",
            f"A {risk_level}-risk {kind} needs passed screenings: {', '.join(sorted(missing))}.",
        )


def check_dated_after_acts(
    on: date,
    submitted_on: date | None,
    deficiencies: Mapping[str, tuple[list[str], date, date | None]],
    rejected_on: date | None,
    lifecycle: bool = True,
) -> None:
    """Nothing is dated before the submission. Lifecycle acts (deficiencies, decisions, rejection,
    withdrawal) also follow each other: none before a rejection or a deficiency's notice or
    resolution already recorded, else the payer's and client's shares would not add up."""
    if submitted_on is not None and on < submitted_on:
        raise RuleViolation("date-before-submission", f"{on} is before the submission on {submitted_on}.")
    if not lifecycle:
        return
    acts = [d for _, noticed, resolved in deficiencies.values() for d in (noticed, resolved) if d]
    acts += [rejected_on] if rejected_on else []
    if acts and on < max(acts):
        raise RuleViolation("date-before-last-act", f"{on} is before the last dated act, on {max(acts)}.")


def check_attachable(
    document: Document, supersedes: str | None, current: Mapping[str, Document], superseded: Mapping[str, str]
) -> None:
    """A new document has an id of its own in the dossier, and replaces only a current document of its type."""
    if document.document_id in current or document.document_id in superseded:
        raise RuleViolation("document-id-taken", f"Document {document.document_id} is already in the dossier.")
    if supersedes is not None:
        old = current.get(supersedes)
        if old is None:
            raise RuleViolation("document-unknown", f"No current document {supersedes} to supersede.")
        if old.type is not document.type:
            raise RuleViolation("document-type-differs", "A document is superseded by one of the same type.")
