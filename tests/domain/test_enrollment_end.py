"""An enrollment's number reissued and its end (issue 14, item 5): MassHealth reissues a provider number (a change of
ownership, a new TIN), and ends an enrollment at the provider's request or by termination (a denied revalidation
among them: services/app/applications.py). Once it ended, no plan contracts or activates the organization until a new
enrollment's provider number is issued."""

from __future__ import annotations

from datetime import date

from domain.affiliation import AffiliationState, PlanKind
from domain.errors import InvalidValue
from domain.organization_values import DisenrollmentCause
from tests.domain.builders import assert_refused, register_peach

ISSUED, CHANGED, ENDED, AGAIN = date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 4)


def _enrolled():  # type: ignore[no-untyped-def]
    org = register_peach()
    org.issue_provider_number(provider_number="1234567", issued_on=ISSUED, actor="u")
    org.collect_events()
    return org


def test_a_reissued_number_replaces_the_old_one_with_its_reason() -> None:
    org = register_peach()
    org.collect_events()
    assert_refused(org, lambda: org.change_provider_number(provider_number="7654321", on=CHANGED, actor="u",
                                                           reason="CHOW"), "not-enrolled")  # fmt: skip
    org = _enrolled()
    change = dict(on=CHANGED, actor="u", reason="Change of ownership: MassHealth reissued the number")
    assert_refused(org, lambda: org.change_provider_number(provider_number="1234567", **change),
                   "provider-number-unchanged")  # fmt: skip
    assert_refused(org, lambda: org.change_provider_number(provider_number="765432", **change),
                   "invalid-provider-number", InvalidValue)  # fmt: skip
    assert_refused(org, lambda: org.change_provider_number(provider_number="7654321", on=CHANGED, actor="u"),
                   "reason-required")  # fmt: skip
    org.change_provider_number(provider_number="7654321", **change)
    assert org.provider_number == "7654321" and org.enrolled
    [changed] = org.collect_events()
    assert (changed.previous, changed.provider_number) == ("1234567", "7654321")


def test_a_disenrolled_organization_is_not_contracted_until_enrolled_again() -> None:
    org = _enrolled()
    org.request_affiliation(kind=PlanKind.MCO, plan="Tufts", partner_mco=None, on=ISSUED, actor="u")
    org.move_affiliation(plan="Tufts", to=AffiliationState.IN_CREDENTIALING, on=ISSUED, actor="u")
    org.collect_events()
    assert_refused(org, lambda: org.disenroll(cause="voluntary", on=ENDED, actor="u"), "reason-required")
    org.disenroll(cause="voluntary", on=ENDED, actor="u", reason="The practice closed its MassHealth panel")
    assert not org.enrolled and org.disenrolled == (ENDED, DisenrollmentCause.VOLUNTARY)
    org.collect_events()
    assert_refused(org, lambda: org.disenroll(cause="terminated", on=AGAIN, actor="u", reason="x"), "not-enrolled")
    assert_refused(org, lambda: org.move_affiliation(plan="Tufts", to=AffiliationState.CONTRACTED, on=AGAIN,
                                                     actor="u"), "affiliation-needs-enrollment")  # fmt: skip
    org.issue_provider_number(provider_number="2345678", issued_on=AGAIN, actor="u")  # a new enrollment approved
    assert org.enrolled and org.disenrolled is None
    org.move_affiliation(plan="Tufts", to=AffiliationState.CONTRACTED, on=AGAIN, actor="u")


def test_a_revalidation_letter_is_answered_in_45_days_or_by_its_own_date() -> None:
    """MassHealth writes to enrolled providers only; the answer is due 45 days after the letter unless it names a
    date, which comes after it."""
    org = register_peach()
    org.collect_events()
    assert_refused(org, lambda: org.receive_revalidation_letter(received_on=CHANGED, actor="u"), "not-enrolled")
    org = _enrolled()
    assert_refused(org, lambda: org.receive_revalidation_letter(received_on=CHANGED, respond_by=CHANGED, actor="u"),
                   "respond-by-not-after")  # fmt: skip
    assert_refused(org, lambda: org.receive_revalidation_letter(received_on=date(2026, 1, 30), actor="u"),
                   "effective-date-before-dependency")  # before the provider number  # fmt: skip
    org.receive_revalidation_letter(received_on=CHANGED, actor="u")
    org.receive_revalidation_letter(received_on=ENDED, respond_by=date(2026, 4, 30), actor="u")
    letters = [(e.received_on, e.respond_by) for e in org.collect_events()]
    assert letters == [(CHANGED, date(2026, 4, 16)), (ENDED, date(2026, 4, 30))]
    org.disenroll(cause=DisenrollmentCause.VOLUNTARY, on=AGAIN, actor="u", reason="Closed")
    assert_refused(org, lambda: org.receive_revalidation_letter(received_on=AGAIN, actor="u"), "not-enrolled")
