"""Every command's text fields, for tests/domain/test_clean_text.py: each command in a state where it succeeds,
and each of its text fields with how a text gets into it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import uuid4

from domain.access_log import AccessLog
from domain.address import Address
from domain.affiliation import AffiliationState, PlanKind
from domain.application import ApplicationKind, Channel, ScreeningKind
from domain.dossier import DocumentType
from domain.nppes import snapshot_from_api
from domain.organization import AccountType, Organization
from domain.rendering import end_rendering, link_rendering
from domain.screening import ExclusionSource, ScreeningResult
from domain.task import Resolution, Task
from domain.taxonomy import TaxonomySelection
from domain.user_account import AccountRole, ChecklistStep, PoscFunction, ReviewOutcome
from tests.domain.builders import (
    DANWING_NPI,
    HIZA_NPI,
    LATER,
    RETRIEVED_ON,
    ROUTING,
    SUBMITTED_ON,
    VERIFIED_ON,
    a_board_certification,
    a_dea_registration,
    a_license,
    a_malpractice_coverage,
    document,
    load_record,
    open_account,
    open_application,
    open_task,
    register_peach,
    register_practitioner,
    submitted_application,
)

# --- every command's text fields ------------------------------------------------------------------------

ACTOR = "user-1"
PEACH_RECORD = "api_v21_npi2_1174270805.json"
HIZA_RECORD = "legacy_2019/api_v21_2019_npi1_1720377294.json"  # an NPI-1: first and last name


@dataclass(frozen=True)
class Command:
    """A command: the aggregate's method (by name) or the function that makes a new aggregate, with the
    arguments that make it succeed; ``setup`` makes the aggregate it acts on (None: it creates one)."""

    name: str
    run: str | Callable[..., Any]
    setup: Callable[[], Any] = lambda: None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, aggregate: Any, **given: Any) -> Any:
        if isinstance(self.run, str):
            target = getattr(aggregate, self.run)
        else:  # a function: it makes the aggregate, or is given the one set up
            target = self.run if aggregate is None else partial(self.run, aggregate)
        return target(*self.args, **{**self.kwargs, "actor": ACTOR, **given})


@dataclass(frozen=True)
class TextField:
    """One text field of one command. ``value`` makes the keyword argument from the text (an address part goes
    through Address.parse, a list item into a list). ``free``: any clean text is accepted; otherwise the field
    has a form or must name something existing (clean text may be refused, but by that other rule)."""

    command: Command
    field: str
    keyword: str | None = None  # the argument the text goes in, when it is not ``field``
    value: Callable[[str], Any] = lambda text: text
    free: bool = True
    multiline: bool = False

    def setup(self) -> Any:
        return self.command.setup()

    def act(self, aggregate: Any, text: str) -> Any:
        return self.command(aggregate, **{self.keyword or self.field: self.value(text)})

    def __str__(self) -> str:
        return f"{self.command.name}:{self.field}"


def _prepared(make: Callable[[], Any], *steps: Callable[[Any], Any]) -> Callable[[], Any]:
    def setup() -> Any:
        aggregate = make()
        for step in steps:
            step(aggregate)
        aggregate.collect_events()  # what a command adds is then all that is pending
        return aggregate

    return setup


def _snapshot(
    organization: Organization,
    *,
    path: tuple[Any, ...] = (),
    text: str = "",
    fixture: str = PEACH_RECORD,
    **options: Any,
) -> None:
    """Record the NPPES record, with ``text`` at ``path`` in it."""
    record = target = load_record(fixture)
    for step in path[:-1]:
        target = target[step]
    if path:
        target[path[-1]] = text
    organization.record_nppes_snapshot(snapshot_from_api(record, RETRIEVED_ON), **options)


def _address(field: str, part: str) -> Callable[[str], Address]:
    parts = dict(line1="1414 Walnut St", city="Philadelphia", state="PA", postal_code="19102-3824", line2="Ste 5")
    return lambda text: Address.parse(**{**parts, part: text}, field=field)


def _address_fields(command: Command, field: str) -> list[TextField]:
    return [
        TextField(command, f"{field}.{part}", field, _address(field, part), free=part not in ("state", "postal_code"))
        for part in ("line1", "line2", "city", "state", "postal_code")  # a USPS code and a ZIP have a form
    ]


_org = _prepared(register_peach)
_linked = _prepared(
    register_peach, lambda o: o.link_rendering_provider(npi=HIZA_NPI, name="E Hiza", on=LATER, actor=ACTOR)
)
_with_plan = _prepared(
    register_peach,
    lambda o: o.request_affiliation(kind=PlanKind.MCO, plan="Tufts", partner_mco=None, on=LATER, actor=ACTOR),
)
_suspected = _prepared(
    register_peach,
    lambda o: o.record_screening(
        source=ExclusionSource.SAM,
        result=ScreeningResult.SUSPECTED_MATCH,
        list_version="2026-02",
        list_date=date(2026, 2, 1),
        screened_on=date(2026, 2, 2),
        actor=ACTOR,
    ),
)
_numbered = _prepared(
    register_peach, lambda o: o.issue_provider_number(provider_number="1234567", issued_on=LATER, actor=ACTOR)
)
_location_enrolled = _prepared(
    _numbered,
    lambda o: ADD_LOCATION(o),
    lambda o: o.enroll_service_location(
        code="B", application_id=uuid4(), provider_number="1234567", on=LATER, actor=ACTOR
    ),
)
_EFT = dict(routing_number=ROUTING, account_number="12345678", account_type=AccountType.CHECKING)
_eft_pending = _prepared(register_peach, lambda o: o.record_eft_details(**_EFT, on=LATER, actor=ACTOR))
_with_primary = _prepared(register_peach, lambda o: o.designate_primary_user(account_id=uuid4(), on=LATER, actor=ACTOR))
_account = _prepared(open_account)
_granted = _prepared(
    open_account, lambda a: a.grant_access(PoscFunction.CLAIMS_BATCH, granted_by=None, on=LATER, actor=ACTOR)
)
_deactivated = _prepared(open_account, lambda a: a.deactivate(on=LATER, actor=ACTOR))
_partner = _prepared(lambda: open_account("business_partner"))
_backup = _prepared(open_account, lambda a: a.name_backup(on=LATER, actor=ACTOR))
_open = _prepared(open_application)
_with_w9 = _prepared(open_application, lambda a: a.attach_document(document(DocumentType.W9), actor=ACTOR))
_submitted = _prepared(submitted_application)
_mailed = _prepared(lambda: submitted_application(channel=Channel.MAIL))
_deficient = _prepared(
    submitted_application,
    lambda a: a.notice_deficiency(deficiency_id="D-1", missing_items=["W-9"], noticed_on=LATER, actor=ACTOR),
)


def access_log() -> AccessLog:
    log = AccessLog.open(tenant_id="firm-a", subject_id=uuid4(), actor=ACTOR)
    log.collect_events()
    return log


_SCREENING = dict(
    source=ExclusionSource.OIG_LEIE,
    result=ScreeningResult.NO_MATCH,
    list_version="2026-03",
    list_date=date(2026, 3, 1),
    screened_on=date(2026, 3, 2),
)

PERSON = uuid4()
_PERSON = dict(
    role="owner",
    party="individual",
    name="Jane Roe",
    tin="123-45-6789",
    birth_date=date(1970, 3, 4),
    ownership_percent=Decimal(50),
    on=LATER,
)
_disclosed = _prepared(register_peach, lambda o: o.disclose(person_id=PERSON, **_PERSON, actor=ACTOR))
_person_suspected = _prepared(
    register_peach,
    lambda o: o.disclose(person_id=PERSON, **_PERSON, actor=ACTOR),
    lambda o: o.record_person_screening(
        person_id=PERSON, **{**_SCREENING, "result": ScreeningResult.SUSPECTED_MATCH}, actor=ACTOR
    ),
)

REGISTER = Command("register_organization", register_peach)
CORRECT = Command("correct_profile", "correct_profile", _org, kwargs=dict(legal_name="Peach State", on=LATER))
NPPES = Command("record_nppes_snapshot", _snapshot, _org)
LINK = Command(
    "link_rendering_provider", "link_rendering_provider", _org, kwargs=dict(npi=DANWING_NPI, name="Dr", on=LATER)
)
UNLINK = Command("unlink_rendering_provider", "unlink_rendering_provider", _linked, kwargs=dict(npi=HIZA_NPI, on=LATER))
EFT = Command("record_eft_details", "record_eft_details", _org, kwargs={**_EFT, "on": LATER})
REQUEST = Command(
    "request_affiliation",
    "request_affiliation",
    _org,
    kwargs=dict(kind=PlanKind.MCO, plan="PCC Plan", partner_mco=None, on=LATER),
)
MOVE = Command(
    "move_affiliation",
    "move_affiliation",
    _with_plan,
    kwargs=dict(plan="Tufts", to=AffiliationState.IN_CREDENTIALING, on=LATER),
)
SCREEN = Command("record_exclusion_screening", "record_screening", _org, kwargs=_SCREENING)
ADD_LOCATION = Command(
    "add_service_location",
    "add_service_location",
    _org,
    kwargs=dict(code="B", name="Worcester office", address=Address.parse("20 Front St", "Worcester", "MA", "01608",
                                                                          field="address"), on=LATER),
)  # fmt: skip
DISCLOSE = Command("disclose_owner_or_managing_employee", "disclose", _org, kwargs=dict(person_id=PERSON, **_PERSON))
SCREEN_PERSON = Command(
    "record_person_screening", "record_person_screening", _disclosed, kwargs=dict(person_id=PERSON, **_SCREENING)
)
OPEN_ACCOUNT = Command("open_user_account", open_account)
REVIEW = Command(
    "review_access",
    "review_access",
    _account,
    kwargs=dict(outcome=ReviewOutcome.CONFIRMED, on=LATER, reviewer="Pat Lee"),
)
OPEN_APPLICATION = Command("open_application", open_application)
ATTACH = Command("attach_document", "attach_document", _open, kwargs=dict(document=document(DocumentType.W9)))
SUBMIT = Command("submit_application", "submit", _open, kwargs=dict(submitted_on=SUBMITTED_ON, nppes_mismatches=[]))
NOTICE = Command(
    "notice_deficiency",
    "notice_deficiency",
    _submitted,
    kwargs=dict(deficiency_id="D-9", missing_items=["W-9"], noticed_on=LATER),
)
RESOLVE = Command(
    "resolve_deficiency", "resolve_deficiency", _deficient, kwargs=dict(deficiency_id="D-1", resolved_on=LATER)
)
REJECT = Command("reject_application", "reject", _submitted, kwargs=dict(rejected_on=LATER, cause="NPPES mismatch"))

# A clinician's record (domain/practitioner.py); linking one to a group's location changes both (domain/rendering.py).
_practitioner = _prepared(register_practitioner)
_licensed = _prepared(register_practitioner, lambda p: p.record_credential(a_license(), on=VERIFIED_ON, actor=ACTOR))
_PRACTICE = register_peach()  # where the clinicians below render: end_rendering reads its id and rendering NPIs
_rendering = _prepared(
    register_practitioner,
    lambda p: p.link(organization_id=_PRACTICE.id, service_location="A", on=VERIFIED_ON, actor=ACTOR),
)


def _link_at_a_new_practice(practitioner: Any, **kwargs: Any) -> None:
    link_rendering(practitioner, register_peach(), **kwargs)


def _credential(name: str, credential: Any) -> Command:
    return Command(name, "record_credential", _practitioner, kwargs=dict(credential=credential, on=VERIFIED_ON))


REGISTER_PRACTITIONER = Command("register_practitioner", register_practitioner)
PRACTITIONER_NPPES = Command("record_practitioner_nppes", _snapshot, _practitioner, kwargs=dict(fixture=HIZA_RECORD))
LICENSE = _credential("record_license", a_license())
DEA = _credential("record_dea_registration", a_dea_registration())
BOARD = _credential("record_board_certification", a_board_certification())
MALPRACTICE = _credential("record_malpractice_coverage", a_malpractice_coverage())
CAQH = Command("attest_caqh", "attest_caqh", _practitioner, kwargs=dict(caqh_id="16789012", attested_on=VERIFIED_ON))
PRACTITIONER_COMMANDS = [
    REGISTER_PRACTITIONER,
    PRACTITIONER_NPPES,
    LICENSE,
    DEA,
    BOARD,
    MALPRACTICE,
    Command("end_credential", "end_credential", _licensed, ("license:MA:MD",), dict(on=LATER, reason="Moved to Maine")),
    CAQH,
    Command("link_rendering", _link_at_a_new_practice, _practitioner, kwargs=dict(service_location="A", on=LATER)),
    Command(
        "end_rendering",
        partial(end_rendering, group=_PRACTICE),
        _rendering,
        kwargs=dict(service_location="A", on=LATER),
    ),
    Command("record_practitioner_screening", "record_screening", _practitioner, kwargs=_SCREENING),
    Command(
        "clear_practitioner_screening",
        "clear_screening",
        _prepared(
            register_practitioner,
            lambda p: p.record_screening(**{**_SCREENING, "result": ScreeningResult.SUSPECTED_MATCH}, actor=ACTOR),
        ),
        kwargs=dict(source=ExclusionSource.OIG_LEIE, on=LATER),
    ),
]

# A work-queue task (domain/task.py): the use cases act on its record, which the first act opens (_first).
_task = _prepared(open_task)


def _first(act: str) -> Callable[..., Task]:
    """The first act on a task: it opens the record with the view's cause, then acts (services/app/tasks.py)."""

    def run(**kwargs: Any) -> Task:
        task = open_task(on=kwargs["on"])
        getattr(task, act)(**kwargs)
        return task

    return run


ASSIGN_TASK = Command("assign_task", "assign", _task, kwargs=dict(assignee="kim", on=LATER))
TASK_COMMANDS = [
    ASSIGN_TASK,
    Command("take_task", "assign", _task, kwargs=dict(assignee=ACTOR, on=LATER)),  # the caller's: the token's sub
    Command("snooze_task", "snooze", _task, kwargs=dict(until=date(2026, 4, 20), on=LATER)),
    Command("complete_task", "resolve", _task, kwargs=dict(resolution=Resolution.COMPLETED, on=LATER)),
    Command(
        "dismiss_task",
        "resolve",
        _task,
        kwargs=dict(resolution=Resolution.DISMISSED, on=LATER, reason="The payer withdrew the notice"),
    ),
]

# Every command (each use case of the application layer), in a state where it succeeds: each may carry a reason.
COMMANDS = [
    REGISTER,
    CORRECT,
    NPPES,
    LINK,
    UNLINK,
    EFT,
    REQUEST,
    MOVE,
    SCREEN,
    ADD_LOCATION,
    Command(
        "close_service_location",
        "close_service_location",
        _prepared(register_peach, lambda o: ADD_LOCATION(o)),
        kwargs=dict(code="B", on=LATER),
    ),
    Command(
        "name_location_primary_user",
        "name_location_primary_user",
        _location_enrolled,
        kwargs=dict(code="B", account_id=uuid4(), modification_id=None, on=LATER),
    ),
    DISCLOSE,
    SCREEN_PERSON,
    Command("end_disclosure", "end_disclosure", _disclosed, kwargs=dict(person_id=PERSON, on=LATER)),
    Command(
        "clear_person_screening",
        "clear_person_screening",
        _person_suspected,
        kwargs=dict(person_id=PERSON, source=ExclusionSource.OIG_LEIE, on=LATER),
    ),
    OPEN_ACCOUNT,
    REVIEW,
    OPEN_APPLICATION,
    ATTACH,
    SUBMIT,
    NOTICE,
    RESOLVE,
    REJECT,
    Command("receive_pin_letter", "receive_pin_letter", _org, kwargs=dict(pin="AB12", received_on=LATER)),
    Command(
        "issue_provider_number", "issue_provider_number", _org, kwargs=dict(provider_number="1234567", issued_on=LATER)
    ),
    Command(
        "change_provider_number",
        "change_provider_number",
        _numbered,
        kwargs=dict(provider_number="7654321", on=LATER, reason="Change of ownership"),
    ),
    Command("disenroll", "disenroll", _numbered, kwargs=dict(cause="voluntary", on=LATER, reason="Panel closed")),
    Command("receive_revalidation_letter", "receive_revalidation_letter", _numbered, kwargs=dict(received_on=LATER)),
    Command("record_eft_validation", "record_eft_validation", _eft_pending, kwargs=dict(validated=True, on=LATER)),
    Command(
        "clear_exclusion_screening",
        "clear_screening",
        _suspected,
        kwargs=dict(source=ExclusionSource.SAM, on=date(2026, 3, 1)),
    ),
    Command("designate_primary_user", "designate_primary_user", _org, kwargs=dict(account_id=uuid4(), on=LATER)),
    Command(
        "replace_primary_user",
        "replace_primary_user",
        _with_primary,
        kwargs=dict(account_id=uuid4(), modification_id=uuid4(), on=LATER),
    ),
    Command(
        "complete_checklist_step", "complete_step", _account, (ChecklistStep.NEW_USER_EMAIL_RECEIVED,), dict(on=LATER)
    ),
    Command("grant_access", "grant_access", _account, (PoscFunction.CLAIMS_BATCH,), dict(granted_by=uuid4(), on=LATER)),
    Command("revoke_access", "revoke_access", _granted, (PoscFunction.CLAIMS_BATCH,), dict(on=LATER)),
    Command("record_departure", "record_departure", _account, kwargs=dict(on=LATER)),
    Command("end_engagement", "end_engagement", _partner, kwargs=dict(on=LATER)),
    Command("name_backup_primary_user", "name_backup", _account, kwargs=dict(on=LATER)),
    Command("end_backup_primary_user", "end_backup", _backup, kwargs=dict(on=LATER)),
    Command("record_login", "record_login", _account, kwargs=dict(on=LATER)),
    Command("record_date_of_birth", "record_date_of_birth", _account, kwargs=dict(date_of_birth=date(1980, 2, 29))),
    Command("deactivate_account", "deactivate", _account, kwargs=dict(on=LATER)),
    Command("reactivate_account", "reactivate", _deactivated, kwargs=dict(on=LATER)),
    Command("reset_password", "reset_password", _account, kwargs=dict(on=LATER)),
    Command(
        "record_application_screening",
        "record_screening",
        _submitted,
        kwargs=dict(screening=ScreeningKind.EXCLUSION_LISTS, passed=True, completed_on=LATER),
    ),
    Command("approve_application", "approve", _submitted, kwargs=dict(decided_on=LATER)),
    Command("deny_application", "deny", _submitted, kwargs=dict(decided_on=LATER)),
    Command("withdraw_application", "withdraw", _submitted, kwargs=dict(withdrawn_on=LATER)),
    Command("confirm_receipt", "confirm_receipt", _mailed, kwargs=dict(received_on=LATER)),
    # A fact's business day corrected (the creation's, here), on each kind of record.
    *(
        Command(name, "correct_effective_date", setup, kwargs=dict(version=1, on=date(2025, 12, 1)))
        for name, setup in (
            ("correct_organization_date", _org),
            ("correct_account_date", _account),
            ("correct_application_date", _open),
            ("correct_practitioner_date", _practitioner),
        )
    ),
    *PRACTITIONER_COMMANDS,
    *TASK_COMMANDS,
]


def _nppes_field(path: tuple[Any, ...], fixture: str = PEACH_RECORD, recording: Command = NPPES) -> TextField:
    name = "record." + ".".join(f"{step}" if isinstance(step, str) else f"[{step}]" for step in path)
    command = Command(recording.name, _snapshot, recording.setup, kwargs=dict(path=path, fixture=fixture))
    return TextField(command, name.replace(".[", "["), keyword="text")


FIELDS: list[TextField] = [
    *(TextField(command, "reason", multiline=True) for command in COMMANDS),
    TextField(REGISTER, "legal_name"),
    TextField(REGISTER, "provider_type"),
    TextField(REGISTER, "tin", free=False),
    TextField(REGISTER, "npi", free=False),
    TextField(REGISTER, "taxonomy_version", free=False),
    TextField(REGISTER, "taxonomies[0].code", "taxonomies", lambda t: [TaxonomySelection(t, True)], free=False),
    *_address_fields(REGISTER, "practice_address"),
    *_address_fields(REGISTER, "mailing_address"),
    TextField(CORRECT, "legal_name"),
    TextField(CORRECT, "provider_type"),
    TextField(CORRECT, "tin", free=False),
    *_address_fields(CORRECT, "practice_address"),
    _nppes_field(("enumeration_type",)),
    _nppes_field(("basic", "organization_name")),
    _nppes_field(("basic", "first_name"), HIZA_RECORD),
    _nppes_field(("basic", "last_name"), HIZA_RECORD),
    _nppes_field(("basic", "status")),
    _nppes_field(("basic", "last_updated")),
    _nppes_field(("taxonomies", 1, "code")),
    *(
        _nppes_field(("addresses", i, part))
        for i in (0, 1)
        for part in ("address_1", "address_2", "city", "state", "postal_code")
    ),
    TextField(NPPES, "tin", free=False),
    TextField(
        Command("receive_pin_letter", "receive_pin_letter", _org, kwargs=dict(received_on=LATER)), "pin", free=False
    ),
    TextField(
        Command("issue_provider_number", "issue_provider_number", _org, kwargs=dict(issued_on=LATER)),
        "provider_number",
        free=False,
    ),
    TextField(LINK, "name"),
    TextField(LINK, "npi", free=False),
    TextField(UNLINK, "npi", free=False),
    TextField(EFT, "routing_number", free=False),
    TextField(EFT, "account_number", free=False),
    TextField(REQUEST, "plan"),
    TextField(
        Command(
            REQUEST.name, "request_affiliation", _org, kwargs=dict(kind=PlanKind.ACO_A, plan="BeHealthy", on=LATER)
        ),
        "partner_mco",
    ),
    TextField(MOVE, "plan", free=False),
    TextField(SCREEN, "list_version"),
    TextField(ADD_LOCATION, "name"),
    *_address_fields(ADD_LOCATION, "address"),
    TextField(DISCLOSE, "name"),
    TextField(DISCLOSE, "tin", free=False),
    TextField(SCREEN_PERSON, "list_version"),
    TextField(OPEN_ACCOUNT, "person_name"),
    TextField(Command(OPEN_ACCOUNT.name, open_account, args=(AccountRole.BUSINESS_PARTNER,)), "partner_firm"),
    TextField(Command(OPEN_ACCOUNT.name, open_account, args=(AccountRole.BUSINESS_PARTNER,)), "partner_function"),
    TextField(REVIEW, "reviewer"),
    TextField(Command(OPEN_APPLICATION.name, open_application, args=(ApplicationKind.MCO_AFFILIATION,)), "plan"),
    TextField(ATTACH, "document_id", "document", lambda t: document(DocumentType.LICENSE, document_id=t)),
    TextField(ATTACH, "dea_state", "document", lambda t: document(DocumentType.DEA, dea_state=t), free=False),
    TextField(
        Command(ATTACH.name, "attach_document", _with_w9, kwargs=dict(document=document(DocumentType.W9, "w9-2"))),
        "supersedes",
        free=False,
    ),
    TextField(
        Command(SUBMIT.name, "submit", _open, kwargs=dict(submitted_on=SUBMITTED_ON, nppes_mismatches=["legal_name"])),
        "override_reason",
        multiline=True,
    ),
    TextField(NOTICE, "deficiency_id"),
    TextField(NOTICE, "missing_items[1]", "missing_items", lambda t: ["W-9", t]),
    TextField(RESOLVE, "deficiency_id", free=False),
    TextField(REJECT, "cause"),
    # A personal-data read: the purpose given (recorded as the read's reason).
    TextField(
        Command(
            "get_organization_pii",
            "record_personal_data_read",
            access_log,
            kwargs=dict(fields=["tin"], actor_role="firm_admin"),
        ),
        "purpose",
        "reason",
    ),
    # A clinician's record: names as NPPES has them; a degree (up to 20 characters) and codes have a form.
    TextField(REGISTER_PRACTITIONER, "first_name"),
    TextField(REGISTER_PRACTITIONER, "middle_name"),
    TextField(REGISTER_PRACTITIONER, "last_name"),
    TextField(REGISTER_PRACTITIONER, "degree", free=False),
    TextField(REGISTER_PRACTITIONER, "taxonomy_code", free=False),
    TextField(REGISTER_PRACTITIONER, "npi", free=False),
    *(
        _nppes_field(path, HIZA_RECORD, PRACTITIONER_NPPES)
        for path in (("basic", "first_name"), ("basic", "last_name"), ("taxonomies", 0, "code"))
    ),
    TextField(LICENSE, "state", "credential", lambda t: a_license(state=t), free=False),
    TextField(LICENSE, "license_type", "credential", lambda t: a_license(license_type=t), free=False),
    TextField(LICENSE, "number", "credential", lambda t: a_license(number=t)),
    TextField(DEA, "number", "credential", lambda t: a_dea_registration(number=t), free=False),
    TextField(DEA, "state", "credential", lambda t: a_dea_registration(state=t), free=False),
    TextField(DEA, "schedules", "credential", lambda t: a_dea_registration(schedules=("2", t)), free=False),
    # Parts of the certification's key (board:<board>:<specialty>): no ':' (credentials.py).
    TextField(BOARD, "board", "credential", lambda t: a_board_certification(board=t), free=False),
    TextField(BOARD, "specialty", "credential", lambda t: a_board_certification(specialty=t), free=False),
    TextField(MALPRACTICE, "carrier", "credential", lambda t: a_malpractice_coverage(carrier=t)),
    TextField(MALPRACTICE, "policy_number", "credential", lambda t: a_malpractice_coverage(policy_number=t)),
    TextField(CAQH, "caqh_id", free=False),
    # A task given to a specialist: the user id as their token has it, on the task's record or the first act on it.
    TextField(ASSIGN_TASK, "assignee"),
    TextField(Command(ASSIGN_TASK.name, _first("assign"), kwargs=ASSIGN_TASK.kwargs), "assignee"),
]
