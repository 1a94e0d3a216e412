"""Shared builders for the domain tests: real NPPES records, ready-made aggregates, and `assert_refused`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.address import Address
from domain.application import Application, ApplicationKind, Channel
from domain.application_values import FORM_KINDS
from domain.credentials import BoardCertification, DeaRegistration, License, LicenseStatus, MalpracticeCoverage
from domain.dossier import Document, DocumentType
from domain.errors import DomainError, RuleViolation
from domain.nppes import NppesSnapshot, snapshot_from_api
from domain.organization import EntityKind, Organization, RiskLevel
from domain.practitioner import Practitioner
from domain.task import Task, TaskKind
from domain.taxonomy import TaxonomySelection
from domain.tin import TinKind
from domain.user_account import AccountRole, UserAccount

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nppes"
RETRIEVED_ON = date(2026, 11, 23)
# Business days (domain/business_time.py): records are created early in 2026, before the facts tests date on them.
REGISTERED_ON = date(2026, 1, 5)
OPENED_ON = date(2026, 1, 5)

# Real NPPES records (tests/fixtures/nppes/, see PROVENANCE.md).
PEACH_NPI = "1174270805"  # NPI-2, PEACH STATE MEDICAL PRACTICE, PC, Philadelphia PA
VIOS_NPI = "1225701881"  # NPI-2, VIOS FERTILITY INSTITUTE MICHIGAN PLLC
HIZA_NPI = "1720377294"  # NPI-1, ELISE AILEEN HIZA (2019 shape)
DANWING_NPI = "1851713903"  # NPI-1 from the 200-result search
DAPAAH_NPI = "1588817837"  # NPI-1 from the 200-result search (has address_2 "APT.# 5G")
DARBY_NPI = "1073014460"  # NPI-1 from the 200-result search

# Valid ABA routing numbers (3-7-1 checksum) and a valid EIN / SSN.
ROUTING = "011000015"
OTHER_ROUTING = "021000021"
EIN = "12-3456789"
OTHER_EIN = "98-7654321"
SSN = "123-45-6789"


def load_body(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@cache
def _record_text(name: str, index: int) -> str:
    return json.dumps(load_body(name)["results"][index])


def load_record(name: str, index: int = 0) -> dict[str, Any]:
    """A fresh (mutable) copy of one element of a fixture's ``results``."""
    return json.loads(_record_text(name, index))


def search_record(npi: str) -> dict[str, Any]:
    for index, record in enumerate(load_body("api_v21_search_npi1_limit200.json")["results"]):
        if record["number"] == npi:
            return load_record("api_v21_search_npi1_limit200.json", index)
    raise LookupError(npi)


def peach_snapshot() -> NppesSnapshot:
    return snapshot_from_api(load_record("api_v21_npi2_1174270805.json"), RETRIEVED_ON)


def hiza_snapshot() -> NppesSnapshot:
    return snapshot_from_api(load_record("legacy_2019/api_v21_2019_npi1_1720377294.json"), RETRIEVED_ON)


# The profile that matches PEACH STATE's NPPES record, typed the way a person would (mixed case, hyphenated ZIP).
PEACH_NAME = "Peach State Medical Practice, PC"
PEACH_PRACTICE = Address.parse("1414 Walnut St", "Philadelphia", "pa", "19102-3824", field="practice_address")
PEACH_MAILING = Address.parse("333 S Desplaines St", "Chicago", "IL", "60661", line2="Ste 201", field="mailing_address")
PEACH_TAXONOMIES = [TaxonomySelection("207VG0400X", False), TaxonomySelection("207VE0102X", True)]

HIZA_NAME = "Elise Hiza"
HIZA_PRACTICE = Address.parse("111 Victoria Rd", "Asheville", "NC", "28801-4811", field="practice_address")
HIZA_TAXONOMIES = [TaxonomySelection("207X00000X", True), TaxonomySelection("390200000X", False)]


def register_peach(**overrides: Any) -> Organization:
    """A Type 2 group whose profile matches its real NPPES record."""
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        legal_name=PEACH_NAME,
        tin=EIN,
        tin_kind=TinKind.EIN,
        npi=PEACH_NPI,
        entity_kind=EntityKind.GROUP,
        taxonomies=list(PEACH_TAXONOMIES),
        taxonomy_version="25.1",
        practice_address=PEACH_PRACTICE,
        mailing_address=PEACH_MAILING,
        provider_type="Physician group",
        risk_level=RiskLevel.LIMITED,
        registered_on=REGISTERED_ON,
        actor="user-1",
        reason="new client",
    )
    kwargs.update(overrides)
    return Organization.register(**kwargs)


def register_hiza(**overrides: Any) -> Organization:
    """A solo practitioner (Type 1 NPI) using her SSN as TIN."""
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        legal_name=HIZA_NAME,
        tin=SSN,
        tin_kind=TinKind.SSN,
        npi=HIZA_NPI,
        entity_kind=EntityKind.SOLO_PRACTITIONER,
        taxonomies=list(HIZA_TAXONOMIES),
        taxonomy_version="25.1",
        practice_address=HIZA_PRACTICE,
        mailing_address=None,
        provider_type="Physician",
        risk_level=RiskLevel.LIMITED,
        registered_on=REGISTERED_ON,
        actor="user-1",
    )
    kwargs.update(overrides)
    return Organization.register(**kwargs)


def open_account(role: AccountRole | str = AccountRole.SUBORDINATE, **overrides: Any) -> UserAccount:
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        person_name="Jo Dunn",
        role=role,
        opened_on=OPENED_ON,
        actor="user-1",
    )
    if AccountRole(role) is AccountRole.BUSINESS_PARTNER:
        kwargs.update(partner_firm="Acme Billing LLC", partner_function="claims submission")
    if AccountRole(role) is AccountRole.PRIMARY:
        kwargs.update(date_of_birth=date(1980, 2, 29))  # registering in POSC needs it
    kwargs.update(overrides)
    return UserAccount.open(**kwargs)


ORG_ID: UUID = uuid4()
SUBMITTED_ON = date(2026, 3, 2)
LATER = date(2026, 4, 15)


def open_application(kind: ApplicationKind | str = ApplicationKind.POSC_REGISTRATION, **overrides: Any) -> Application:
    kind = ApplicationKind(kind)
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        kind=kind,
        channel=Channel.FAX if kind in FORM_KINDS else Channel.PORTAL,  # the POSC forms: fax or mail only
        risk_level=RiskLevel.LIMITED,
        opened_on=OPENED_ON,
        actor="user-1",
        reason="client signed",
    )
    if kind in (ApplicationKind.ACO_AFFILIATION, ApplicationKind.MCO_AFFILIATION, ApplicationKind.PCC_AFFILIATION):
        kwargs["plan"] = "WellSense Health Plan"
    kwargs.update(overrides)
    return Application.open(**kwargs)


def document(doc_type: DocumentType | str, document_id: str | None = None, **overrides: Any) -> Document:
    """A valid document of the type: expiring ones expire well after SUBMITTED_ON; COI at $1M/$3M; DEA in MA."""
    doc_type = DocumentType(doc_type)
    kwargs: dict[str, Any] = dict(
        document_id=document_id or f"{doc_type.value}-1",
        type=doc_type,
        received_on=date(2026, 2, 1),
    )
    if doc_type in (DocumentType.LICENSE, DocumentType.LIABILITY_COI, DocumentType.DEA):
        kwargs["expires_on"] = date(2027, 6, 30)
    if doc_type is DocumentType.LIABILITY_COI:
        kwargs.update(per_occurrence_limit=1_000_000, aggregate_limit=3_000_000)
    if doc_type is DocumentType.DEA:
        kwargs["dea_state"] = "MA"
    kwargs.update(overrides)
    return Document(**kwargs)


def attach_required(application: Application) -> None:
    from domain.application import REQUIRED_DOCUMENTS

    for doc_type in sorted(REQUIRED_DOCUMENTS[application.kind]):
        application.attach_document(document(doc_type), actor="user-1")


def submitted_application(
    kind: ApplicationKind | str = ApplicationKind.POSC_REGISTRATION, **overrides: Any
) -> Application:
    application = open_application(kind, **overrides)
    attach_required(application)
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="user-1")
    return application


# A clinician (Type 1 NPI) the firm credentials for a client practice: Elise Hiza, as her real NPPES record has her.
PRACTITIONER_REGISTERED_ON = date(2026, 1, 12)  # after the practice's registration (REGISTERED_ON)
VERIFIED_ON = date(2026, 2, 2)  # the day the tests verify a credential


def register_practitioner(**overrides: Any) -> Practitioner:
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        npi=HIZA_NPI,
        first_name="Elise",
        middle_name="Aileen",
        last_name="Hiza",
        degree="MD",
        taxonomy_code="207X00000X",  # her primary taxonomy in NPPES
        date_of_birth=date(1975, 6, 1),
        registered_on=PRACTITIONER_REGISTERED_ON,
        actor="user-1",
    )
    kwargs.update(overrides)
    return Practitioner.register(**kwargs)


def a_license(**overrides: Any) -> License:
    kwargs: dict[str, Any] = dict(
        state="MA",
        license_type="MD",
        number="265123",
        issued_on=date(2024, 6, 30),
        expires_on=date(2026, 6, 30),
        status=LicenseStatus.ACTIVE,
    )
    kwargs.update(overrides)
    return License(**kwargs)


def a_dea_registration(**overrides: Any) -> DeaRegistration:
    kwargs: dict[str, Any] = dict(
        number="AR1234563", state="MA", schedules=("2", "3", "4", "5"), expires_on=date(2027, 3, 31)
    )
    kwargs.update(overrides)
    return DeaRegistration(**kwargs)


def a_board_certification(**overrides: Any) -> BoardCertification:
    kwargs: dict[str, Any] = dict(
        board="ABOS", specialty="Orthopaedic Surgery", certified_on=date(2019, 8, 15), expires_on=date(2029, 12, 31)
    )
    kwargs.update(overrides)
    return BoardCertification(**kwargs)


def a_malpractice_coverage(**overrides: Any) -> MalpracticeCoverage:
    """A policy at the $1M/$3M limits the enrollment guide asks for."""
    kwargs: dict[str, Any] = dict(
        carrier="CRICO",
        policy_number="PL-44871",
        per_claim_limit=1_000_000,
        aggregate_limit=3_000_000,
        effective_on=date(2026, 1, 1),
        expires_on=date(2027, 1, 1),
    )
    kwargs.update(overrides)
    return MalpracticeCoverage(**kwargs)


# A work-queue task (domain/task.py): derived by the view from its cause, its record opened by the first act on it.
TASK_OPENED_ON = date(2026, 3, 5)  # the day of the first act: after the deficiency notice it was derived from
TASK_CAUSE = "deficiency:5f0c6d1e-2b1a-4d7e-9a43-0c2e8b7d9f10:D-1"  # deficiency:<application>:<deficiency>


def open_task(**overrides: Any) -> Task:
    kwargs: dict[str, Any] = dict(
        tenant_id="firm-a",
        organization_id=ORG_ID,
        kind=TaskKind.DEFICIENCY_ANSWER,
        cause=TASK_CAUSE,
        on=TASK_OPENED_ON,
        actor="user-1",
    )
    kwargs.update(overrides)
    return Task.open(**kwargs)


def state_of(aggregate: Any) -> dict[str, Any]:
    return copy.deepcopy(vars(aggregate))


def assert_refused(
    aggregate: Any, command: Callable[[], object], rule: str, error: type[DomainError] = RuleViolation
) -> DomainError:
    """The command raises ``error`` naming ``rule`` and changes nothing: version, state, pending events."""
    version = aggregate.version
    pending = list(aggregate.pending_events)
    state = state_of(aggregate)
    with pytest.raises(error) as caught:
        command()
    assert type(caught.value) is error
    assert caught.value.rule == rule, caught.value.message
    assert aggregate.version == version
    assert aggregate.pending_events == pending
    assert len(aggregate.pending_events) == len(pending)
    assert vars(aggregate) == state
    return caught.value


def assert_value_error(aggregate: Any, command: Callable[[], object]) -> None:
    """Unknown enum members raise ValueError and change nothing."""
    version = aggregate.version
    pending = list(aggregate.pending_events)
    state = state_of(aggregate)
    with pytest.raises(ValueError):
        command()
    assert aggregate.version == version
    assert aggregate.pending_events == pending
    assert vars(aggregate) == state


def replay(events: list[Any]) -> Any:
    """The first (created) event builds the aggregate from None; each later one mutates it."""
    aggregate = events[0].mutate(None)
    for event in events[1:]:
        aggregate = event.mutate(aggregate)
    return aggregate


def domain_state(aggregate: Any) -> dict[str, Any]:
    """The aggregate's state without eventsourcing's pending-events buffer."""
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}
