"""Rebuilding each aggregate from its own events (no store, no I/O) gives back exactly the same state, after a long
realistic history with refused commands in between, and at every intermediate version too."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import OriginatorVersionError

from domain.address import Address
from domain.application import ApplicationKind, ApplicationStatus
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.organization import EftStatus
from domain.taxonomy import TaxonomySelection
from domain.user_account import AccountStatus, PoscFunction
from tests.domain.builders import (
    DANWING_NPI,
    DAPAAH_NPI,
    DARBY_NPI,
    EIN,
    OTHER_ROUTING,
    PEACH_TAXONOMIES,
    ROUTING,
    assert_refused,
    document,
    domain_state,
    open_account,
    open_application,
    peach_snapshot,
    register_peach,
    replay,
)

DAY = date(2026, 1, 5)


def day(n: int) -> date:
    return DAY + timedelta(days=n)


class History:
    """Runs commands on an aggregate, remembering its state after each accepted one."""

    def __init__(self, aggregate: Any) -> None:
        self.aggregate = aggregate
        # By version: a command records one event, or two when it also changes the NPPES comparison.
        self.states = {aggregate.version: copy.deepcopy(domain_state(aggregate))}

    def do(self, command: Callable[[Any], object]) -> None:
        before = self.aggregate.version
        command(self.aggregate)
        assert self.aggregate.version in (before + 1, before + 2)
        self.states[self.aggregate.version] = copy.deepcopy(domain_state(self.aggregate))

    def refuse(self, command: Callable[[Any], object], rule: str, error: type[DomainError] = RuleViolation) -> None:
        assert_refused(self.aggregate, lambda: command(self.aggregate), rule, error)

    def check_replay(self) -> Any:
        events = self.aggregate.collect_events()
        assert len(events) == max(self.states)
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        assert {e.originator_id for e in events} == {self.aggregate.id}
        rebuilt = replay(events)
        assert type(rebuilt) is type(self.aggregate)
        assert rebuilt is not self.aggregate
        # the whole state; the aggregates' own equality is test_a_replayed_aggregate_equals_the_original's
        assert domain_state(rebuilt) == domain_state(self.aggregate)
        assert rebuilt.pending_events == []
        assert (rebuilt.id, rebuilt.version, rebuilt.created_on, rebuilt.modified_on) == (
            self.aggregate.id,
            self.aggregate.version,
            self.aggregate.created_on,
            self.aggregate.modified_on,
        )
        # every prefix of the history rebuilds the state the aggregate had at that version
        for length, state in self.states.items():
            assert domain_state(replay(events[:length])) == state, f"version {length}"
        return rebuilt, events


def organization_history() -> History:
    h = History(register_peach(legal_name="Peach State Medical Practice PC", taxonomies=[PEACH_TAXONOMIES[1]]))
    primary, second_primary = uuid4(), uuid4()
    _profile_and_people(h, primary)
    _eft_and_screenings(h)
    _plans(h)
    h.do(lambda o: o.replace_primary_user(account_id=second_primary, modification_id=uuid4(), on=day(17), actor="u"))
    h.do(lambda o: o.replace_primary_user(account_id=primary, modification_id=uuid4(), on=day(18), actor="u"))
    h.do(
        lambda o: o.correct_profile(on=day(18), actor="u", risk_level="moderate", provider_type="Multi-specialty group")
    )
    h.do(
        lambda o: o.correct_profile(
            on=day(19), actor="u", practice_address=Address.parse("1 Main St", "Boston", "MA", "02108", field="p")
        )
    )
    h.do(lambda o: o.record_nppes_snapshot(replace(peach_snapshot(), retrieved_on=day(20)), tin=EIN, actor="u"))
    h.do(lambda o: o.correct_profile(on=day(20), actor="u", taxonomies=[TaxonomySelection("193200000X", True)]))
    return h


def _profile_and_people(h: History, primary: UUID) -> None:
    h.do(lambda o: o.record_nppes_snapshot(replace(peach_snapshot(), retrieved_on=day(1)), tin="123456789", actor="u"))
    assert [m.field for m in h.aggregate.nppes_mismatches] == ["legal_name", "taxonomies"]
    h.refuse(
        lambda o: o.correct_profile(on=day(1), actor="u", legal_name="Peach State Medical Practice PC"),
        "nothing-to-correct",
    )
    h.do(lambda o: o.correct_profile(on=day(1), actor="u", legal_name="PEACH STATE MEDICAL PRACTICE, PC"))
    h.do(lambda o: o.correct_profile(on=day(1), actor="u", taxonomies=list(PEACH_TAXONOMIES), taxonomy_version="25.2"))
    assert h.aggregate.nppes_mismatches == []
    h.refuse(lambda o: o.receive_pin_letter(pin="no!", received_on=day(1), actor="u"), "invalid-pin", InvalidValue)
    h.do(lambda o: o.receive_pin_letter(pin="X7Y8Z9", received_on=day(2), actor="u"))
    h.do(lambda o: o.designate_primary_user(account_id=primary, on=day(2), actor="u"))
    h.refuse(lambda o: o.designate_primary_user(account_id=uuid4(), on=day(2), actor="u"), "primary-user-exists")
    for npi, name in ((DANWING_NPI, "Josefina Danwing"), (DAPAAH_NPI, "Josephine Dapaah"), (DARBY_NPI, "J Darby")):
        h.do(lambda o, npi=npi, name=name: o.link_rendering_provider(npi=npi, name=name, on=day(3), actor="u"))
    h.refuse(
        lambda o: o.link_rendering_provider(npi=DARBY_NPI, name="x", on=day(3), actor="u"), "rendering-already-linked"
    )
    h.do(lambda o: o.unlink_rendering_provider(npi=DAPAAH_NPI, on=day(3), actor="u"))


def _eft_and_screenings(h: History) -> None:
    h.refuse(lambda o: o.record_eft_validation(validated=True, on=day(3), actor="u"), "eft-not-pending")
    h.do(
        lambda o: o.record_eft_details(
            routing_number=ROUTING, account_number="0001234", account_type="checking", on=day(3), actor="u"
        )
    )
    h.do(lambda o: o.record_eft_validation(validated=False, on=day(4), actor="u"))
    h.do(
        lambda o: o.record_eft_details(
            routing_number=OTHER_ROUTING, account_number="98765", account_type="savings", on=day(4), actor="u"
        )
    )
    h.do(lambda o: o.record_eft_validation(validated=True, on=day(5), actor="u"))
    for source, result in (("oig_leie", "no_match"), ("sam", "suspected_match"), ("state", "no_match")):
        h.do(
            lambda o, source=source, result=result: o.record_screening(
                source=source, result=result, list_version="2026-01", list_date=day(0), screened_on=day(6), actor="u"
            )
        )
    h.refuse(lambda o: o.clear_screening(source="sam", on=day(7), actor="u"), "reason-required")
    h.do(lambda o: o.clear_screening(source="sam", on=day(7), actor="u", reason="different person"))


def _plans(h: History) -> None:
    h.do(
        lambda o: o.request_affiliation(
            kind="aco_a", plan="Fallon 365 Care", partner_mco="Fallon Health", on=day(8), actor="u"
        )
    )
    h.do(
        lambda o: o.request_affiliation(
            kind="mco", plan="WellSense Health Plan", partner_mco=None, on=day(8), actor="u"
        )
    )
    h.do(lambda o: o.request_affiliation(kind="pcc", plan="PCC Plan", partner_mco=None, on=day(8), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="Fallon 365 Care", to="in_credentialing", on=day(9), actor="u"))
    h.refuse(
        lambda o: o.move_affiliation(plan="Fallon 365 Care", to="contracted", on=day(10), actor="u"),
        "affiliation-needs-enrollment",
    )
    h.do(lambda o: o.issue_provider_number(provider_number="0123456", issued_on=day(10), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="Fallon 365 Care", to="contracted", on=day(11), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="Fallon 365 Care", to="active", on=day(12), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="WellSense Health Plan", to="denied", on=day(12), actor="u"))
    h.do(
        lambda o: o.request_affiliation(
            kind="mco", plan="WellSense Health Plan", partner_mco=None, on=day(13), actor="u"
        )
    )
    h.do(lambda o: o.move_affiliation(plan="WellSense Health Plan", to="in_credentialing", on=day(14), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="PCC Plan", to="in_credentialing", on=day(14), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="PCC Plan", to="contracted", on=day(15), actor="u"))
    h.do(lambda o: o.move_affiliation(plan="PCC Plan", to="terminated", on=day(16), actor="u"))
    h.refuse(
        lambda o: o.move_affiliation(plan="PCC Plan", to="active", on=day(17), actor="u"), "affiliation-transition"
    )


def test_organization_replays_to_equal_state_after_a_long_history():
    h = organization_history()
    rebuilt, _ = h.check_replay()
    assert rebuilt.version == 42  # 37 commands, 5 of which changed the NPPES comparison
    assert rebuilt.eft_status is EftStatus.VALIDATED
    assert set(rebuilt.rendering_providers) == {DANWING_NPI, DARBY_NPI}
    assert {plan: a.state.value for plan, a in rebuilt.affiliations.items()} == {
        "Fallon 365 Care": "active",
        "WellSense Health Plan": "in_credentialing",
        "PCC Plan": "terminated",
    }
    assert len(rebuilt.used_modifications) == 2
    assert [m.field for m in rebuilt.nppes_mismatches] == [m.field for m in h.aggregate.nppes_mismatches]
    # the rebuilt aggregate enforces the same rules and carries on from the same version
    assert_refused(
        rebuilt,
        lambda: rebuilt.issue_provider_number(provider_number="7654321", issued_on=day(30), actor="u"),
        "provider-number-already-issued",
    )
    rebuilt.link_rendering_provider(npi=DAPAAH_NPI, name="Josephine Dapaah", on=day(30), actor="u")
    (event,) = rebuilt.collect_events()
    assert event.originator_version == 43


def user_account_history() -> History:
    h = History(open_account("primary", date_of_birth=date(1979, 3, 14)))
    h.refuse(lambda a: a.complete_step("password_changed", on=day(1), actor="u"), "step-out-of-order")
    for n, step in enumerate(("registered_with_pin", "new_user_email_received", "password_changed")):
        h.do(lambda a, step=step, n=n: a.complete_step(step, on=day(n), actor="u"))
    h.refuse(lambda a: a.complete_step("password_changed", on=day(3), actor="u"), "step-already-done")
    h.do(lambda a: a.complete_step("authentication_questions_answered", on=day(3), actor="u"))
    for function in ("eligibility_verification", "claims_batch", "claim_status_remittance", "letters_reports"):
        h.do(lambda a, function=function: a.grant_access(function, granted_by=None, on=day(4), actor="u"))
    h.refuse(lambda a: a.grant_access("claims_batch", granted_by=None, on=day(5), actor="u"), "access-already-granted")
    h.do(lambda a: a.review_access(outcome="confirmed", on=day(90), reviewer="Q1 audit", actor="u"))
    h.do(lambda a: a.revoke_access("letters_reports", on=day(95), actor="u"))
    h.refuse(lambda a: a.revoke_access("letters_reports", on=day(96), actor="u"), "access-not-granted")
    h.do(lambda a: a.reset_password(on=day(100), actor="u"))
    h.refuse(lambda a: a.review_access(outcome="revoked", on=day(80), reviewer="late", actor="u"), "review-date-order")
    h.do(lambda a: a.review_access(outcome="revoked", on=day(180), reviewer="Q2 audit", actor="u"))
    h.do(lambda a: a.grant_access("prior_authorization", granted_by=None, on=day(180), actor="u"))
    h.do(lambda a: a.deactivate(on=day(190), actor="u", reason="long inactive"))
    h.refuse(lambda a: a.reset_password(on=day(200), actor="u"), "account-not-active")
    h.do(lambda a: a.reactivate(on=day(205), actor="u"))
    h.do(lambda a: a.grant_access("claims_direct_data_entry", granted_by=None, on=day(205), actor="u"))
    h.do(lambda a: a.reset_password(on=day(210), actor="u"))
    h.do(lambda a: a.record_departure(on=day(250), actor="u"))
    h.refuse(lambda a: a.grant_access("claims_batch", granted_by=None, on=day(251), actor="u"), "person-departed")
    h.do(lambda a: a.deactivate(on=day(250), actor="u"))
    h.refuse(lambda a: a.reactivate(on=day(260), actor="u"), "person-departed")
    return h


def test_user_account_replays_to_equal_state_after_a_long_history():
    h = user_account_history()
    rebuilt, _ = h.check_replay()
    assert rebuilt.version == 20
    assert rebuilt.status is AccountStatus.DEACTIVATED
    assert (rebuilt.grants, rebuilt.password_resets, rebuilt.departed_on) == ([], 2, day(250))
    assert rebuilt.date_of_birth == date(1979, 3, 14)
    assert len(rebuilt.checklist) == 4


def test_user_account_replay_keeps_grants_in_order():
    h = History(open_account("business_partner"))
    for function in reversed(list(PoscFunction)):
        h.do(lambda a, function=function: a.grant_access(function, granted_by=uuid4(), on=DAY, actor="u"))
    rebuilt, _ = h.check_replay()
    assert rebuilt.grants == list(reversed(list(PoscFunction)))


def enrollment_history() -> History:
    h = History(open_application(ApplicationKind.ENROLLMENT, risk_level="moderate"))
    for doc_type in ("w9", "irs_147c", "voided_check", "provider_agreement", "liability_coi"):
        h.do(lambda a, doc_type=doc_type: a.attach_document(document(doc_type, received_on=day(5)), actor="u"))
    h.do(lambda a: a.attach_document(document("license", "lic-1", expires_on=day(60), received_on=day(5)), actor="u"))
    h.refuse(
        lambda a: a.attach_document(document("dea", dea_state="CT", received_on=day(5)), actor="u"),
        "dea-state",
        InvalidValue,
    )
    h.do(lambda a: a.attach_document(document("dea", received_on=day(5)), actor="u"))
    h.refuse(lambda a: a.submit(submitted_on=day(10), nppes_mismatches=["tin"], actor="u"), "nppes-mismatch")
    h.do(lambda a: a.submit(submitted_on=day(10), nppes_mismatches=["tin"], override_reason="IRS letter", actor="u"))
    h.do(lambda a: a.notice_deficiency(deficiency_id="D-1", missing_items=["ownership"], noticed_on=day(20), actor="u"))
    h.do(lambda a: a.notice_deficiency(deficiency_id="D-2", missing_items=["CORI form"], noticed_on=day(21), actor="u"))
    h.do(lambda a: a.resolve_deficiency(deficiency_id="D-1", resolved_on=day(25), actor="u"))
    h.do(lambda a: a.record_screening(screening="exclusion_lists", passed=True, completed_on=day(26), actor="u"))
    h.do(lambda a: a.reject(rejected_on=day(30), cause="NPPES TIN mismatch", actor="u"))
    h.refuse(lambda a: a.submit(submitted_on=day(70), nppes_mismatches=[], actor="u"), "documents-expired")
    h.do(lambda a: a.attach_document(document("license", "lic-2", received_on=day(40)), supersedes="lic-1", actor="u"))
    h.do(lambda a: a.submit(submitted_on=day(70), nppes_mismatches=[], actor="u"))
    h.do(lambda a: a.record_screening(screening="exclusion_lists", passed=True, completed_on=day(71), actor="u"))
    h.do(lambda a: a.record_screening(screening="fingerprint_cori", passed=False, completed_on=day(72), actor="u"))
    h.do(lambda a: a.record_screening(screening="fingerprint_cori", passed=True, completed_on=day(75), actor="u"))
    h.refuse(lambda a: a.approve(decided_on=day(80), provider_number="0123456", actor="u"), "screenings-required")
    h.do(
        lambda a: a.notice_deficiency(deficiency_id="D-1", missing_items=["site access"], noticed_on=day(80), actor="u")
    )
    h.do(lambda a: a.resolve_deficiency(deficiency_id="D-1", resolved_on=day(82), actor="u"))
    h.do(lambda a: a.record_screening(screening="site_visit", passed=True, completed_on=day(85), actor="u"))
    h.do(
        lambda a: a.approve(
            decided_on=day(120), provider_number="0123456", effective_date=day(70), actor="u", reason="letter"
        )
    )
    h.refuse(lambda a: a.withdraw(withdrawn_on=day(121), actor="u"), "application-closed")
    return h


def test_application_replays_to_equal_state_after_a_long_history():
    h = enrollment_history()
    rebuilt, events = h.check_replay()
    assert rebuilt.version == 23
    assert rebuilt.status is ApplicationStatus.APPROVED
    assert (rebuilt.submitted_on, rebuilt.submissions, rebuilt.provider_number) == (day(70), 2, "0123456")
    assert rebuilt.superseded == {"lic-1": "lic-2"}
    assert [type(e).__name__ for e in events].count("Rejected") == 1


@pytest.mark.parametrize("ending", ["denied", "withdrawn", "open-after-rejection"])
def test_application_other_endings_replay(ending):
    h = History(open_application(ApplicationKind.MCO_AFFILIATION))
    for doc_type in ("w9", "license", "liability_coi"):
        h.do(lambda a, doc_type=doc_type: a.attach_document(document(doc_type, received_on=day(1)), actor="u"))
    h.do(lambda a: a.submit(submitted_on=day(1), nppes_mismatches=[], actor="u"))
    h.do(lambda a: a.notice_deficiency(deficiency_id="D-1", missing_items=["CAQH"], noticed_on=day(5), actor="u"))
    if ending == "denied":
        h.do(lambda a: a.deny(decided_on=day(9), actor="u", reason="panel closed"))
    elif ending == "withdrawn":
        h.do(lambda a: a.withdraw(withdrawn_on=day(9), actor="u"))
    else:
        h.do(lambda a: a.reject(rejected_on=day(9), cause="wrong form", actor="u"))
    rebuilt, _ = h.check_replay()
    assert rebuilt.status.value == {"denied": "denied", "withdrawn": "withdrawn"}.get(ending, "open")


def test_replay_refuses_events_out_of_order():
    application = open_application()
    application.submit(submitted_on=day(1), nppes_mismatches=[], actor="u")
    application.approve(decided_on=day(2), actor="u")
    opened, submitted, approved = application.collect_events()
    with pytest.raises(OriginatorVersionError):
        replay([opened, approved, submitted])
    with pytest.raises(OriginatorVersionError):
        replay([opened, submitted, submitted])


def test_replayed_state_does_not_share_mutable_state_with_later_commands():
    """Commands on the original after collecting events do not leak into a rebuilt copy."""
    h = History(open_account("subordinate"))
    h.do(lambda a: a.grant_access("claims_batch", granted_by=None, on=DAY, actor="u"))
    rebuilt, _ = h.check_replay()
    h.aggregate.grant_access("letters_reports", granted_by=None, on=DAY, actor="u")
    assert rebuilt.grants == [PoscFunction.CLAIMS_BATCH]


def test_a_replayed_aggregate_equals_the_original():
    h = History(open_account("subordinate"))
    h.do(lambda a: a.grant_access("claims_batch", granted_by=None, on=DAY, actor="u"))
    rebuilt, _ = h.check_replay()
    assert rebuilt == h.aggregate
