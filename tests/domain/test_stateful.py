"""Property-based lifecycle tests (hypothesis stateful): random sequences of valid and invalid commands against
Application and UserAccount, checked against a small independent model of the rules.

Each step predicts, from the model alone, whether the command is accepted and, if not, which rule refuses it.
Invariants after every step: the status matches the model; version == 1 + accepted commands; a refused command
changed nothing; a closed application never changes again; `submissions` counts every submission and the
submissions since the last rejection are 0 or 1; replaying the events so far rebuilds the same state.

Dates are drawn relative to a model clock (the latest accepted date), a few days either side, so back-dated commands
exercise the date-order rules (date-before-submission, date-before-rejection, deficiency-date-order,
review-date-order, step-date-order) and the business-day rule every fact obeys after those
(effective-date-before-dependency, domain/business_time.py): a fact is not dated before a fact already recorded on a
part of the record it shares ("*", the whole record, shares with every part). The records open on BASE, far enough
back that no drawn date reaches today (effective-date-in-future is modelled all the same).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.application import ApplicationKind, ApplicationStatus, ScreeningKind
from domain.dossier import Document, DocumentType
from domain.errors import DomainError
from domain.organization import RiskLevel
from domain.user_account import AccountRole, AccountStatus, ChecklistStep, PoscFunction, ReviewOutcome
from tests.domain.builders import domain_state, open_account, open_application, replay

# 2 machines x 1000 sequences of up to 30 steps = 2000 sequences (about 50,000 commands in all), about 11 s per
# machine on the development machine; the whole tests/domain run stays near 30 s. No example database: nothing is
# written outside tests/. Run with --hypothesis-show-statistics to see how often each rule accepts or refuses.
MACHINE_SETTINGS = settings(
    max_examples=1000,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

BASE = date(2024, 1, 8)  # drawn dates stay within about two years of it, so before today
WHOLE = "*"  # the part of every fact on the whole record (its opening, a submission, a deactivation...)
A = ApplicationStatus
K = ApplicationKind
D = DocumentType

# The model's own copy of the rules (from the seeds / DESIGN.md), deliberately not imported from domain/, so a
# change to the domain's tables shows up as a disagreement with the model.
CLOSED = {A.APPROVED, A.DENIED, A.WITHDRAWN}
EXPIRING = {D.LICENSE, D.LIABILITY_COI, D.DEA}
REQUIRED_DOCUMENTS = {
    K.POSC_REGISTRATION: set(),
    K.PRIMARY_USER_MODIFICATION: set(),
    K.ENROLLMENT: {D.W9, D.IRS_147C, D.LICENSE, D.LIABILITY_COI, D.VOIDED_CHECK, D.PROVIDER_AGREEMENT},
    K.REVALIDATION: {D.W9, D.LICENSE, D.LIABILITY_COI, D.PROVIDER_AGREEMENT},
    K.ACO_AFFILIATION: {D.W9, D.LICENSE, D.LIABILITY_COI},
    K.MCO_AFFILIATION: {D.W9, D.LICENSE, D.LIABILITY_COI},
    K.PCC_AFFILIATION: {D.W9, D.LICENSE},
}


def required_screenings(kind: ApplicationKind, risk: RiskLevel) -> set[ScreeningKind]:
    """Exclusion lists for every enrollment and revalidation; fingerprint CORI and a site visit above limited risk."""
    if kind not in (K.ENROLLMENT, K.REVALIDATION):
        return set()
    if risk is RiskLevel.LIMITED:
        return {ScreeningKind.EXCLUSION_LISTS}
    return {ScreeningKind.EXCLUSION_LISTS, ScreeningKind.FINGERPRINT_CORI, ScreeningKind.SITE_VISIT}


def _day(n: int) -> date:
    return BASE + timedelta(days=n)


def _massachusetts_today() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


class Harness(RuleBasedStateMachine):
    """Runs one command, checking the model's prediction and that a refusal left no trace."""

    aggregate: Any
    accepted: int
    days: dict[str, date]  # per part of the record, the latest business day of a fact recorded on it

    def _start_days(self) -> None:
        self.days = {WHOLE: BASE}  # the record opened on BASE

    def _timing_rule(self, parts: Iterable[str], on: date) -> str | None:
        """The rules every dated fact obeys once the command's own rules pass: not in the future, nor before a fact
        already recorded on a part it shares."""
        parts = set(parts)
        if on > _massachusetts_today():
            return "effective-date-in-future"
        shared = [day for part, day in self.days.items() if WHOLE in parts or part in parts or part == WHOLE]
        return "effective-date-before-dependency" if shared and on < max(shared) else None

    def _note(self, parts: Iterable[str], on: date) -> None:
        for part in parts:
            self.days[part] = max(self.days.get(part, on), on)

    def run(self, command: Callable[[], object], expected_rule: str | None) -> bool:
        version = self.aggregate.version
        pending = list(self.aggregate.pending_events)
        before = copy.deepcopy(vars(self.aggregate))
        try:
            command()
        except DomainError as error:
            event(f"refused: {error.rule}")  # shown by --hypothesis-show-statistics
            assert expected_rule is not None, f"refused ({error.rule}: {error.message}) but the model accepts it"
            assert error.rule == expected_rule, f"refused by {error.rule!r}, the model expects {expected_rule!r}"
            assert self.aggregate.version == version
            assert self.aggregate.pending_events == pending
            assert vars(self.aggregate) == before
            return False
        assert expected_rule is None, f"accepted, but the model expects {expected_rule!r}"
        event(f"accepted: {type(self.aggregate.pending_events[-1]).__name__}")
        self.accepted += 1
        assert self.aggregate.version == version + 1
        assert len(self.aggregate.pending_events) == len(pending) + 1
        return True

    @invariant()
    def version_counts_accepted_commands(self) -> None:
        assert self.aggregate.version == 1 + self.accepted
        assert len(self.aggregate.pending_events) == self.aggregate.version

    @invariant()
    def replay_rebuilds_the_state(self) -> None:
        rebuilt = replay(list(self.aggregate.pending_events))
        assert domain_state(rebuilt) == domain_state(self.aggregate)


# ------------------------------------------------------------------------------------------------------------------
# Application
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class ApplicationModel:
    kind: ApplicationKind
    risk: RiskLevel
    status: ApplicationStatus = A.OPEN
    clock: int = 0  # days after BASE of the latest accepted dated command
    documents: dict[str, Document] = field(default_factory=dict)
    superseded: set[str] = field(default_factory=set)
    submitted_on: date | None = None
    submissions: int = 0
    rejections: int = 0
    rejected_on: date | None = None
    deficiencies: dict[str, tuple[date, date | None]] = field(default_factory=dict)  # id -> (noticed, resolved)
    passed: dict[ScreeningKind, bool] = field(default_factory=dict)


DOC_IDS = ["doc-a", "doc-b", "doc-c", "doc-d", "doc-e", "doc-f", "doc-g"]
DEFICIENCY_IDS = ["D-1", "D-2", "D-3"]


@st.composite
def documents(draw: st.DrawFn) -> Document:
    doc_type = draw(st.sampled_from(list(DocumentType)))
    expires = draw(st.one_of(st.none(), st.integers(0, 90).map(_day))) if doc_type in EXPIRING else None
    if doc_type in EXPIRING and expires is None and draw(st.integers(0, 3)):
        expires = _day(draw(st.integers(30, 400)))  # mostly valid
    return Document(
        document_id=draw(st.sampled_from(DOC_IDS)),
        type=doc_type,
        received_on=BASE,
        expires_on=expires,
        per_occurrence_limit=draw(st.sampled_from([None, 500_000, 1_000_000, 2_000_000]))
        if doc_type is DocumentType.LIABILITY_COI
        else None,
        aggregate_limit=draw(st.sampled_from([None, 2_000_000, 3_000_000]))
        if doc_type is DocumentType.LIABILITY_COI
        else None,
        dea_state=draw(st.sampled_from(["MA", "ma", "NH", None])) if doc_type is DocumentType.DEA else None,
    )


def _document_rule(doc: Document) -> str | None:
    if doc.type in EXPIRING and doc.expires_on is None:
        return "document-needs-expiry"
    if doc.type is DocumentType.LIABILITY_COI and (
        doc.per_occurrence_limit is None
        or doc.aggregate_limit is None
        or doc.per_occurrence_limit < 1_000_000
        or doc.aggregate_limit < 3_000_000
    ):
        return "coi-limits"
    if doc.type is DocumentType.DEA and (doc.dea_state or "").upper() != "MA":
        return "dea-state"
    return None


DELTA = st.integers(-6, 12)  # days relative to the model clock: some commands are back-dated
FORWARD = st.integers(0, 12)


class ApplicationLifecycle(Harness):
    def __init__(self) -> None:
        super().__init__()
        self.model: ApplicationModel
        self.closed_state: dict[str, Any] | None = None

    @initialize(kind=st.sampled_from(list(ApplicationKind)), risk=st.sampled_from(list(RiskLevel)))
    def open(self, kind: ApplicationKind, risk: RiskLevel) -> None:
        self.aggregate = open_application(kind, risk_level=risk, opened_on=BASE)
        self.accepted = 0
        self.model = ApplicationModel(kind=kind, risk=risk)
        self._start_days()

    # --- helpers ---------------------------------------------------------------------------------------------

    def _date(self, delta: int) -> date:
        return _day(max(0, self.model.clock + delta))

    def _advance(self, on: date) -> None:
        self.model.clock = max(self.model.clock, (on - BASE).days)

    def _closed(self) -> bool:
        return self.model.status in CLOSED

    def _in_review_rule(self, on: date | None = None) -> str | None:
        """The guard shared by notice / screening / deny / reject: closed, then submitted-or-deficient, then date."""
        if self._closed():
            return "application-closed"
        if self.model.status not in (A.SUBMITTED, A.DEFICIENT):
            return "application-not-submitted"
        return None

    def _before_submission(self, on: date) -> bool:
        return self.model.submitted_on is not None and on < self.model.submitted_on

    def _date_rule(self, on: date) -> str | None:
        """Lifecycle acts: not before the submission, nor before the rejection or a deficiency date."""
        m = self.model
        if self._before_submission(on):
            return "date-before-submission"
        acts = [d for pair in m.deficiencies.values() for d in pair if d] + ([m.rejected_on] if m.rejected_on else [])
        return "date-before-last-act" if acts and on < max(acts) else None

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(doc=documents(), supersede=st.one_of(st.none(), st.sampled_from(DOC_IDS)), received=DELTA)
    def attach_document(self, doc: Document, supersede: str | None, received: int) -> None:
        m = self.model
        doc = replace(doc, received_on=self._date(received))
        expected = None
        if self._closed():
            expected = "application-closed"
        elif (problem := _document_rule(doc)) is not None:
            expected = problem
        elif doc.document_id in m.documents or doc.document_id in m.superseded:
            expected = "document-id-taken"
        elif supersede is not None and supersede not in m.documents:
            expected = "document-unknown"
        elif supersede is not None and m.documents[supersede].type is not doc.type:
            expected = "document-type-differs"
        else:
            expected = self._timing_rule([f"document:{doc.type}"], doc.received_on)
        if self.run(lambda: self.aggregate.attach_document(doc, supersedes=supersede, actor="u"), expected):
            if supersede is not None:
                del m.documents[supersede]
                m.superseded.add(supersede)
            m.documents[doc.document_id] = doc
            self._note([f"document:{doc.type}"], doc.received_on)
            self._advance(doc.received_on)

    @rule()
    def attach_the_required_documents(self) -> None:
        """Helps sequences reach submission: attach a valid copy of each missing required document."""
        m = self.model
        for doc_type in sorted(REQUIRED_DOCUMENTS[m.kind] - {d.type for d in m.documents.values()}):
            free = [
                i for i in DOC_IDS + [f"req-{n}" for n in range(40)] if i not in m.documents and i not in m.superseded
            ]
            doc = Document(
                document_id=free[0],
                type=doc_type,
                received_on=self._date(0),  # the latest day yet: never before a fact already recorded
                expires_on=_day(400) if doc_type in EXPIRING else None,
                per_occurrence_limit=1_000_000 if doc_type is DocumentType.LIABILITY_COI else None,
                aggregate_limit=3_000_000 if doc_type is DocumentType.LIABILITY_COI else None,
            )
            expected = (
                "application-closed" if self._closed() else self._timing_rule([f"document:{doc.type}"], doc.received_on)
            )
            if self.run(lambda doc=doc: self.aggregate.attach_document(doc, actor="u"), expected):
                m.documents[doc.document_id] = doc
                self._note([f"document:{doc.type}"], doc.received_on)

    @rule(
        delta=DELTA,
        mismatches=st.sampled_from([[], ["tin"], ["legal_name", "taxonomies"]]),
        override=st.sampled_from([None, "", "  ", "NPPES update filed"]),
        after_expiry=st.sampled_from([None, None, 0, 1]),
    )
    def submit(self, delta: int, mismatches: list[str], override: str | None, after_expiry: int | None = None) -> None:
        m = self.model
        on = self._date(delta)
        # sometimes submit exactly on, or the day after, the first expiry date still ahead (expiry boundary)
        ahead = sorted(d.expires_on for d in m.documents.values() if d.expires_on and d.expires_on >= self._date(0))
        if after_expiry is not None and ahead:
            on = ahead[0] + timedelta(days=after_expiry)
        present = {d.type for d in m.documents.values()}
        expected = None
        if self._closed():
            expected = "application-closed"
        elif m.status is not A.OPEN:
            expected = "application-not-open"
        elif m.rejected_on is not None and on < m.rejected_on:
            expected = "date-before-rejection"
        elif REQUIRED_DOCUMENTS[m.kind] - present:
            expected = "documents-missing"
        elif any(d.expires_on is not None and d.expires_on < on for d in m.documents.values()):
            expected = "documents-expired"
        elif mismatches and not (override and override.strip()):
            expected = "nppes-mismatch"
        else:
            expected = self._timing_rule([WHOLE], on)
        accepted = self.run(
            lambda: self.aggregate.submit(
                submitted_on=on, nppes_mismatches=mismatches, override_reason=override, actor="u"
            ),
            expected,
        )
        if accepted:
            m.status, m.submitted_on = A.SUBMITTED, on
            m.submissions += 1
            self._note([WHOLE], on)
            self._advance(on)
            event = self.aggregate.pending_events[-1]
            assert event.overridden_mismatches == mismatches
            assert event.override_reason == (override if mismatches else None)

    @rule(
        deficiency_id=st.sampled_from(DEFICIENCY_IDS),
        items=st.sampled_from([["W-9"], ["license", "COI"], ["ownership disclosure"], [], ["  "], ["ok", ""]]),
        delta=DELTA,
    )
    def notice_deficiency(self, deficiency_id: str, items: list[str], delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._in_review_rule()
        if expected is None:
            if not items or not all(i.strip() for i in items):
                expected = "deficiency-items"
            elif deficiency_id in m.deficiencies:
                expected = "deficiency-id-taken"
            else:
                expected = self._date_rule(on) or self._timing_rule([WHOLE], on)
        accepted = self.run(
            lambda: self.aggregate.notice_deficiency(
                deficiency_id=deficiency_id, missing_items=items, noticed_on=on, actor="u"
            ),
            expected,
        )
        if accepted:
            m.deficiencies[deficiency_id] = (on, None)
            m.status = A.DEFICIENT
            self._note([WHOLE], on)
            self._advance(on)

    @rule(deficiency_id=st.sampled_from(DEFICIENCY_IDS), delta=DELTA)
    def resolve_deficiency(self, deficiency_id: str, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = None
        if self._closed():
            expected = "application-closed"
        elif m.status is not A.DEFICIENT:
            expected = "application-not-deficient"
        elif deficiency_id not in m.deficiencies or m.deficiencies[deficiency_id][1]:
            expected = "deficiency-not-open"
        elif on < m.deficiencies[deficiency_id][0]:
            expected = "deficiency-date-order"
        else:
            expected = self._timing_rule([WHOLE], on)
        if self.run(
            lambda: self.aggregate.resolve_deficiency(deficiency_id=deficiency_id, resolved_on=on, actor="u"), expected
        ):
            m.deficiencies[deficiency_id] = (m.deficiencies[deficiency_id][0], on)
            if all(resolved for _, resolved in m.deficiencies.values()):
                m.status = A.SUBMITTED
            self._note([WHOLE], on)
            self._advance(on)

    @rule(screening=st.sampled_from(list(ScreeningKind)), passed=st.booleans(), delta=DELTA)
    def record_screening(self, screening: ScreeningKind, passed: bool, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._in_review_rule()
        if expected is None:
            if screening not in required_screenings(m.kind, m.risk) and screening is not ScreeningKind.EXCLUSION_LISTS:
                expected = "screening-not-required"
            elif self._before_submission(on):
                expected = "date-before-submission"
            else:
                expected = self._timing_rule([f"screening:{screening.value}"], on)
        if self.run(
            lambda: self.aggregate.record_screening(screening=screening, passed=passed, completed_on=on, actor="u"),
            expected,
        ):
            m.passed[screening] = passed
            self._note([f"screening:{screening.value}"], on)
            self._advance(on)

    @rule(delta=FORWARD)
    def prepare_and_submit(self, delta: int) -> None:
        """Helps sequences reach review: complete the dossier, then submit without mismatches."""
        self.attach_the_required_documents()
        self.submit(delta, [], None)

    @rule()
    def pass_the_required_screenings(self) -> None:
        """Helps sequences reach approval."""
        for screening in sorted(required_screenings(self.model.kind, self.model.risk)):
            self.record_screening(screening, True, 0)

    @rule(delta=DELTA, provider_number=st.sampled_from([None, "", "0123456"]))
    def approve(self, delta: int, provider_number: str | None) -> None:
        m = self.model
        on = self._date(delta)
        expected = None
        if self._closed():
            expected = "application-closed"
        elif m.status is not A.SUBMITTED:
            expected = "application-not-submitted"
        elif self._date_rule(on):
            expected = self._date_rule(on)
        elif required_screenings(m.kind, m.risk) - {k for k, ok in m.passed.items() if ok}:
            expected = "screenings-required"
        elif m.kind is ApplicationKind.ENROLLMENT and not provider_number:
            expected = "provider-number-required"
        elif m.kind is not ApplicationKind.ENROLLMENT and provider_number:
            expected = "provider-number-only-for-enrollment"
        else:
            expected = self._timing_rule([WHOLE], on)
        if self.run(
            lambda: self.aggregate.approve(decided_on=on, provider_number=provider_number, actor="u"), expected
        ):
            m.status = A.APPROVED
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA, reason=st.sampled_from([None, "", "not eligible"]))
    def deny(self, delta: int, reason: str | None) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._in_review_rule()
        if expected is None:
            if self._date_rule(on):
                expected = self._date_rule(on)
            elif not reason:
                expected = "reason-required"
            else:
                expected = self._timing_rule([WHOLE], on)
        if self.run(lambda: self.aggregate.deny(decided_on=on, actor="u", reason=reason), expected):
            m.status = A.DENIED
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA, cause=st.sampled_from(["NPPES mismatch", "   "]))
    def reject(self, delta: int, cause: str) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._in_review_rule()
        if expected is None:
            if self._date_rule(on):
                expected = self._date_rule(on)
            elif not cause.strip():
                expected = "invalid-value"
            else:
                expected = self._timing_rule([WHOLE], on)
        if self.run(lambda: self.aggregate.reject(rejected_on=on, cause=cause, actor="u"), expected):
            m.status, m.submitted_on = A.OPEN, None
            m.deficiencies, m.passed = {}, {}
            m.rejections += 1
            m.rejected_on = on
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA, really=st.integers(0, 5))
    def withdraw(self, delta: int, really: int) -> None:
        if really:  # withdrawing closes the application: keep it rare so sequences explore further
            return
        on = self._date(delta)
        expected = "application-closed" if self._closed() else self._date_rule(on) or self._timing_rule([WHOLE], on)
        if self.run(lambda: self.aggregate.withdraw(withdrawn_on=on, actor="u"), expected):
            self.model.status = A.WITHDRAWN
            self._note([WHOLE], on)
            self._advance(on)

    # --- invariants ------------------------------------------------------------------------------------------

    @invariant()
    def status_matches_the_model(self) -> None:
        assert self.aggregate.status is self.model.status

    @invariant()
    def a_closed_application_never_changes_again(self) -> None:
        if self.model.status in CLOSED:
            state = copy.deepcopy(domain_state(self.aggregate))
            if self.closed_state is None:
                self.closed_state = state
            assert state == self.closed_state

    @invariant()
    def submissions_are_counted(self) -> None:
        app, m = self.aggregate, self.model
        assert app.submissions == m.submissions
        # every rejection followed a submission; since the last rejection there is at most one submission
        since_last_rejection = app.submissions - m.rejections
        assert since_last_rejection in (0, 1)
        assert (since_last_rejection == 1) == (app.submitted_on is not None)
        assert app.submitted_on == m.submitted_on
        assert app.rejected_on == m.rejected_on

    @invariant()
    def the_rest_of_the_state_matches_the_model(self) -> None:
        app, m = self.aggregate, self.model
        assert app.documents == m.documents
        assert set(app.superseded) == m.superseded
        assert {k: (noticed, resolved) for k, (_, noticed, resolved) in app.deficiencies.items()} == m.deficiencies
        assert {k: ok for k, (_, ok) in app.screenings.items()} == m.passed
        if app.status is A.DEFICIENT:
            assert any(resolved is None for _, _, resolved in app.deficiencies.values())
        if app.status is A.SUBMITTED:
            assert all(resolved is not None for _, _, resolved in app.deficiencies.values())


ApplicationLifecycle.TestCase.settings = MACHINE_SETTINGS
TestApplicationLifecycle = ApplicationLifecycle.TestCase


# ------------------------------------------------------------------------------------------------------------------
# UserAccount
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class AccountModel:
    role: AccountRole
    active: bool = True
    departed: bool = False
    grants: list[PoscFunction] = field(default_factory=list)
    checklist: dict[ChecklistStep, date] = field(default_factory=dict)  # in the order completed
    last_review: date | None = None
    password_resets: int = 0
    clock: int = 0


class UserAccountLifecycle(Harness):
    def __init__(self) -> None:
        super().__init__()
        self.model: AccountModel

    @initialize(role=st.sampled_from(list(AccountRole)))
    def open(self, role: AccountRole) -> None:
        self.aggregate = open_account(role, opened_on=BASE)
        self.accepted = 0
        self.model = AccountModel(role=role)
        self._start_days()

    def _date(self, delta: int) -> date:
        return _day(max(0, self.model.clock + delta))

    def _advance(self, on: date) -> None:
        self.model.clock = max(self.model.clock, (on - BASE).days)

    @rule(step=st.sampled_from(list(ChecklistStep)), delta=DELTA)
    def complete_step(self, step: ChecklistStep, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        steps = [
            s for s in ChecklistStep if m.role is AccountRole.PRIMARY or s is not ChecklistStep.REGISTERED_WITH_PIN
        ]
        expected = None
        if not m.active:
            expected = "account-not-active"
        elif step not in steps:
            expected = "step-not-for-role"
        elif step in m.checklist:
            expected = "step-already-done"
        elif any(s not in m.checklist for s in steps[: steps.index(step)]):
            expected = "step-out-of-order"
        elif steps.index(step) > 0 and on < m.checklist[steps[steps.index(step) - 1]]:
            expected = "step-date-order"
        else:
            expected = self._timing_rule(["checklist"], on)
        if self.run(lambda: self.aggregate.complete_step(step, on=on, actor="u"), expected):
            m.checklist[step] = on
            self._note(["checklist"], on)
            self._advance(on)

    @rule(function=st.sampled_from(list(PoscFunction)), delta=DELTA)
    def grant_access(self, function: PoscFunction, delta: int) -> None:
        m = self.model
        on, part = self._date(delta), f"access:{function.value}"
        expected = None
        if not m.active:
            expected = "account-not-active"
        elif m.departed:
            expected = "person-departed"
        elif function in m.grants:
            expected = "access-already-granted"
        else:
            expected = self._timing_rule([part], on)
        if self.run(lambda: self.aggregate.grant_access(function, granted_by=None, on=on, actor="u"), expected):
            m.grants.append(function)
            self._note([part], on)
            self._advance(on)

    @rule(function=st.sampled_from(list(PoscFunction)), delta=DELTA)
    def revoke_access(self, function: PoscFunction, delta: int) -> None:
        m = self.model
        on, part = self._date(delta), f"access:{function.value}"
        expected = self._timing_rule([part], on) if function in m.grants else "access-not-granted"
        if self.run(lambda: self.aggregate.revoke_access(function, on=on, actor="u"), expected):
            m.grants.remove(function)
            self._note([part], on)
            self._advance(on)

    @rule(outcome=st.sampled_from(list(ReviewOutcome)), delta=DELTA, reviewer=st.sampled_from(["Q1 audit", " "]))
    def review_access(self, outcome: ReviewOutcome, delta: int, reviewer: str) -> None:
        m = self.model
        on = self._date(delta)
        expected = None
        if not m.active:
            expected = "account-not-active"
        elif m.last_review is not None and on < m.last_review:
            expected = "review-date-order"
        elif not reviewer.strip():
            expected = "invalid-value"
        else:
            expected = self._timing_rule([WHOLE], on)
        if self.run(
            lambda: self.aggregate.review_access(outcome=outcome, on=on, reviewer=reviewer, actor="u"), expected
        ):
            m.last_review = on
            if outcome is ReviewOutcome.REVOKED:
                m.grants = []
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA)
    def record_departure(self, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = "person-departed" if m.departed else self._timing_rule([WHOLE], on)
        if self.run(lambda: self.aggregate.record_departure(on=on, actor="u"), expected):
            m.departed = True
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA)
    def deactivate(self, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._timing_rule([WHOLE], on) if m.active else "account-not-active"
        if self.run(lambda: self.aggregate.deactivate(on=on, actor="u"), expected):
            m.active, m.grants = False, []
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA)
    def reactivate(self, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = "account-active" if m.active else "person-departed" if m.departed else None
        if self.run(lambda: self.aggregate.reactivate(on=on, actor="u"), expected or self._timing_rule([WHOLE], on)):
            m.active = True
            self._note([WHOLE], on)
            self._advance(on)

    @rule(delta=DELTA)
    def reset_password(self, delta: int) -> None:
        m = self.model
        on = self._date(delta)
        expected = self._timing_rule(["password"], on) if m.active else "account-not-active"
        if self.run(lambda: self.aggregate.reset_password(on=on, actor="u"), expected):
            m.password_resets += 1
            self._note(["password"], on)
            self._advance(on)

    @invariant()
    def status_matches_the_model(self) -> None:
        account, m = self.aggregate, self.model
        assert account.status is (AccountStatus.ACTIVE if m.active else AccountStatus.DEACTIVATED)
        assert account.active is m.active

    @invariant()
    def the_rest_of_the_state_matches_the_model(self) -> None:
        account, m = self.aggregate, self.model
        assert account.grants == m.grants
        assert account.checklist == {step.value: on for step, on in m.checklist.items()}
        assert list(account.checklist) == [step.value for step in m.checklist]
        assert (account.departed_on is not None) is m.departed
        assert account.password_resets == m.password_resets
        assert (account.last_review[0] if account.last_review else None) == m.last_review
        if not account.active:
            assert account.grants == []
        assert len(set(account.grants)) == len(account.grants)
        if account.role is not AccountRole.PRIMARY:
            assert ChecklistStep.REGISTERED_WITH_PIN.value not in account.checklist


UserAccountLifecycle.TestCase.settings = MACHINE_SETTINGS
TestUserAccountLifecycle = UserAccountLifecycle.TestCase
