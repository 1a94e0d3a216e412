"""The POSC forms go by fax or mail, and the payer's clock starts on receipt (masshealth-posc-register-page.txt:
"Fax the completed application to (617) 988-8974" / "Mail the completed application to: ...", "MassHealth will
process your request within seven business days"). A fax or a portal submission is received the day it is sent; a
mailed one on a later day, known once its delivery is confirmed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.application import ApplicationKind, Channel
from domain.business_time import business_today
from domain.errors import RuleViolation
from tests.domain.builders import SUBMITTED_ON, attach_required, open_application, submitted_application


@pytest.mark.parametrize("kind", [ApplicationKind.POSC_REGISTRATION, ApplicationKind.PRIMARY_USER_MODIFICATION])
def test_a_posc_form_is_faxed_or_mailed_never_sent_through_the_portal(kind: ApplicationKind) -> None:
    with pytest.raises(RuleViolation) as refused:
        open_application(kind, channel=Channel.PORTAL)
    assert refused.value.rule == "form-by-fax-or-mail"
    for channel in (Channel.FAX, Channel.MAIL):
        assert open_application(kind, channel=channel).channel is channel
    assert open_application(ApplicationKind.ENROLLMENT, channel=Channel.PORTAL).channel is Channel.PORTAL


@pytest.mark.parametrize("kind, channel", [("posc_registration", Channel.FAX), ("enrollment", Channel.PORTAL)])
def test_a_fax_or_portal_submission_is_received_the_day_it_is_sent(kind: str, channel: Channel) -> None:
    app = submitted_application(kind, channel=channel)
    assert app.received_on == SUBMITTED_ON
    other = open_application(kind, channel=channel)
    attach_required(other)
    with pytest.raises(RuleViolation) as refused:
        other.submit(submitted_on=SUBMITTED_ON, received_on=date(2026, 3, 4), nppes_mismatches=[], actor="user-1")
    assert refused.value.rule == "received-when-sent"
    with pytest.raises(RuleViolation) as refused:
        app.confirm_receipt(received_on=date(2026, 3, 4), actor="user-1")
    assert refused.value.rule == "receipt-known"


def test_a_mailed_form_is_received_when_its_delivery_is_confirmed() -> None:
    app = submitted_application(channel=Channel.MAIL)
    assert (app.submitted_on, app.received_on) == (SUBMITTED_ON, None)  # in the mail
    with pytest.raises(RuleViolation) as refused:
        app.confirm_receipt(received_on=date(2026, 2, 27), actor="user-1")  # before it was mailed
    assert refused.value.rule == "received-before-sent"
    app.confirm_receipt(received_on=date(2026, 3, 5), actor="user-1", reason="USPS tracking: delivered")
    assert app.received_on == date(2026, 3, 5)
    assert type(app.collect_events()[-1]).__name__ == "ReceiptConfirmed"
    with pytest.raises(RuleViolation) as refused:
        app.confirm_receipt(received_on=date(2026, 3, 6), actor="user-1")
    assert refused.value.rule == "receipt-known"


def test_a_mailed_forms_receipt_may_be_known_at_submission() -> None:
    app = open_application(channel=Channel.MAIL)
    with pytest.raises(RuleViolation) as refused:
        app.submit(submitted_on=SUBMITTED_ON, received_on=date(2026, 3, 1), nppes_mismatches=[], actor="user-1")
    assert refused.value.rule == "received-before-sent"
    app.submit(submitted_on=SUBMITTED_ON, received_on=date(2026, 3, 4), nppes_mismatches=[], actor="user-1")
    assert app.received_on == date(2026, 3, 4)


def test_the_receipt_comes_before_the_payers_acts_and_a_rejection_forgets_it() -> None:
    app = submitted_application(channel=Channel.MAIL)
    app.notice_deficiency(deficiency_id="d-1", missing_items=["W-9"], noticed_on=date(2026, 3, 9), actor="user-1")
    app.resolve_deficiency(deficiency_id="d-1", resolved_on=date(2026, 3, 10), actor="user-1")
    with pytest.raises(RuleViolation) as refused:
        app.confirm_receipt(received_on=date(2026, 3, 5), actor="user-1")
    assert refused.value.rule == "receipt-after-payer-act"
    app.reject(rejected_on=date(2026, 3, 11), cause="unsigned", actor="user-1")
    assert app.received_on is None
    with pytest.raises(RuleViolation) as refused:  # nothing submitted to receive
        app.confirm_receipt(received_on=date(2026, 3, 12), actor="user-1")
    assert refused.value.rule == "application-not-submitted"


def test_the_payer_acts_on_what_it_has_received_and_no_receipt_is_in_the_future() -> None:
    app = open_application(channel=Channel.MAIL)
    attach_required(app)
    tomorrow = business_today() + timedelta(days=1)
    with pytest.raises(RuleViolation) as refused:
        app.submit(submitted_on=SUBMITTED_ON, received_on=tomorrow, nppes_mismatches=[], actor="user-1")
    assert refused.value.rule == "effective-date-in-future"
    app.submit(submitted_on=SUBMITTED_ON, received_on=date(2026, 3, 5), nppes_mismatches=[], actor="user-1")
    with pytest.raises(RuleViolation) as refused:  # the mailing day: MassHealth did not have it yet
        app.notice_deficiency(deficiency_id="d-1", missing_items=["W-9"], noticed_on=SUBMITTED_ON, actor="user-1")
    assert refused.value.rule == "date-before-receipt"
    with pytest.raises(RuleViolation) as refused:
        app.approve(decided_on=date(2026, 3, 4), actor="user-1")
    assert refused.value.rule == "date-before-receipt"
    app.approve(decided_on=date(2026, 3, 5), actor="user-1")


def test_a_late_delivery_confirmation_may_predate_a_screening_recorded_before_it() -> None:
    """Its own part of the record (``receipt``): a confirmation that comes late is dated when the form arrived."""
    app = submitted_application("enrollment", channel=Channel.MAIL)
    app.record_screening(screening="exclusion_lists", passed=True, completed_on=date(2026, 3, 9), actor="user-1")
    app.confirm_receipt(received_on=date(2026, 3, 5), actor="user-1")
    assert app.received_on == date(2026, 3, 5)
