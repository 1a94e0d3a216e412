"""Application: open, dossier, submit (NPPES override), deficiencies, screenings, approve / deny / reject / withdraw.
Every refused command names its rule and changes nothing; a closed application refuses everything."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.application import Application
from domain.application_values import (
    CLOSED,
    REQUIRED_DOCUMENTS,
    SCREENED_KINDS,
    ApplicationKind,
    ApplicationStatus,
    Channel,
    ScreeningKind,
    required_screenings,
)
from domain.dossier import DocumentType
from domain.errors import InvalidValue, RuleViolation
from domain.organization import RiskLevel
from tests.domain.builders import (
    LATER,
    OPENED_ON,
    ORG_ID,
    SUBMITTED_ON,
    assert_refused,
    assert_value_error,
    attach_required,
    document,
    open_application,
    submitted_application,
)

K = ApplicationKind
AFFILIATION_KINDS = [K.ACO_AFFILIATION, K.MCO_AFFILIATION, K.PCC_AFFILIATION]
OTHER_KINDS = [K.POSC_REGISTRATION, K.PRIMARY_USER_MODIFICATION, K.ENROLLMENT, K.REVALIDATION]
BEFORE = SUBMITTED_ON - timedelta(days=1)


def fresh(kind=K.POSC_REGISTRATION, **overrides) -> Application:
    application = open_application(kind, **overrides)
    application.collect_events()
    return application


def submitted(kind=K.POSC_REGISTRATION, **overrides) -> Application:
    application = submitted_application(kind, **overrides)
    application.collect_events()
    return application


def deficient(kind=K.POSC_REGISTRATION, **overrides) -> Application:
    application = submitted(kind, **overrides)
    application.notice_deficiency(deficiency_id="D-1", missing_items=["W-9 signature"], noticed_on=LATER, actor="u")
    application.collect_events()
    return application


def pass_screenings(application: Application, on: date = LATER) -> None:
    for screening in sorted(required_screenings(application.kind, application.risk_level)):
        application.record_screening(screening=screening, passed=True, completed_on=on, actor="u")


def closed(status: ApplicationStatus) -> Application:
    application = submitted()
    if status is ApplicationStatus.APPROVED:
        application.approve(decided_on=LATER, actor="u")
    elif status is ApplicationStatus.DENIED:
        application.deny(decided_on=LATER, actor="u", reason="not eligible")
    else:
        application.withdraw(withdrawn_on=LATER, actor="u")
    application.collect_events()
    assert application.status is status
    return application


# --- opening --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_open_non_affiliation_kinds(kind):
    application = open_application(kind.value, channel="fax", risk_level="moderate")
    assert (application.kind, application.channel, application.risk_level) == (kind, Channel.FAX, RiskLevel.MODERATE)
    assert application.plan is None
    assert application.status is ApplicationStatus.OPEN
    assert (application.organization_id, application.tenant_id) == (ORG_ID, "firm-a")
    assert application.documents == {} and application.superseded == {}
    assert (application.submitted_on, application.submissions, application.decided_on) == (None, 0, None)
    assert application.deficiencies == {} and application.screenings == {}
    assert (application.provider_number, application.effective_date) == (None, None)
    assert application.version == 1 and isinstance(application.id, UUID)
    (opened,) = application.collect_events()
    assert type(opened) is Application.Opened
    assert (opened.kind, opened.actor, opened.reason, opened.plan) == (kind, "user-1", "client signed", None)
    assert opened.opened_on == application.opened_on == OPENED_ON


@pytest.mark.parametrize("kind", AFFILIATION_KINDS)
def test_open_affiliation_kinds_name_the_plan(kind):
    application = open_application(kind, plan="  Tufts Health Together ")
    assert application.plan == "Tufts Health Together"


@pytest.mark.parametrize("kind", AFFILIATION_KINDS)
@pytest.mark.parametrize("plan", [None, ""])
def test_affiliation_application_without_plan(kind, plan):
    with pytest.raises(InvalidValue) as caught:
        open_application(kind, plan=plan)
    assert (caught.value.rule, caught.value.field) == ("plan", "plan")


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_only_affiliation_applications_name_a_plan(kind):
    with pytest.raises(InvalidValue) as caught:
        open_application(kind, plan="WellSense Health Plan")
    assert (caught.value.rule, caught.value.field) == ("plan", "plan")


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_a_blank_plan_is_no_plan_for_other_kinds(kind):
    assert open_application(kind, plan="   ").plan is None


@pytest.mark.parametrize("kind", AFFILIATION_KINDS)
@pytest.mark.parametrize(("plan", "rule"), [("   ", "plan"), ("\t\n", "invalid-text")])  # a name holds no tab
def test_whitespace_only_plan_is_no_plan(kind, plan, rule):
    """Was a bug (found by these tests): a blank plan passed the rule and was stored as ''."""
    with pytest.raises(InvalidValue) as caught:
        open_application(kind, plan=plan)
    assert (caught.value.rule, caught.value.field) == (rule, "plan")


@pytest.mark.parametrize(
    "overrides", [dict(kind="marriage_license"), dict(channel="carrier_pigeon"), dict(risk_level="extreme")]
)
def test_open_refuses_unknown_kinds(overrides):
    with pytest.raises(ValueError):
        open_application(**overrides)


def test_open_refuses_bad_tenant():
    with pytest.raises(InvalidValue) as caught:
        open_application(tenant_id="firm>")
    assert caught.value.rule == "invalid-tenant"


# --- the dossier ----------------------------------------------------------------------------------------------


def test_attach_document():
    application = fresh(K.ENROLLMENT)
    w9 = document("w9")
    application.attach_document(w9, actor="user-2", reason="client upload")
    assert application.documents == {"w9-1": w9}
    (event,) = application.collect_events()
    assert type(event) is Application.DocumentAttached
    assert (event.document, event.supersedes, event.actor, event.reason) == (w9, None, "user-2", "client upload")


@pytest.mark.parametrize(
    "doc, rule",
    [
        (document("license", expires_on=None), "document-needs-expiry"),
        (document("dea", expires_on=None), "document-needs-expiry"),
        (document("liability_coi", expires_on=None), "document-needs-expiry"),
        (document("liability_coi", per_occurrence_limit=None), "coi-limits"),
        (document("liability_coi", per_occurrence_limit=999_999), "coi-limits"),
        (document("liability_coi", aggregate_limit=2_000_000), "coi-limits"),
        (document("dea", dea_state="NH"), "dea-state"),
        (document("dea", dea_state=None), "dea-state"),
    ],
)
def test_attach_refuses_invalid_documents(doc, rule):
    application = fresh(K.ENROLLMENT)
    assert_refused(application, lambda: application.attach_document(doc, actor="u"), rule, InvalidValue)


def test_document_ids_are_unique_including_superseded_ones():
    application = fresh(K.ENROLLMENT)
    application.attach_document(document("license", "lic-1"), actor="u")
    assert_refused(
        application, lambda: application.attach_document(document("w9", "lic-1"), actor="u"), "document-id-taken"
    )
    application.attach_document(document("license", "lic-2"), supersedes="lic-1", actor="u")
    assert_refused(
        application, lambda: application.attach_document(document("license", "lic-1"), actor="u"), "document-id-taken"
    )
    assert_refused(
        application,
        lambda: application.attach_document(document("license", "lic-2"), supersedes="lic-2", actor="u"),
        "document-id-taken",
    )


def test_supersede_a_document():
    application = fresh(K.ENROLLMENT)
    old = document("license", "lic-1", expires_on=date(2026, 3, 1))
    new = document("license", "lic-2", expires_on=date(2028, 3, 1))
    application.attach_document(old, actor="u")
    application.attach_document(document("w9"), actor="u")
    application.collect_events()
    application.attach_document(new, supersedes="lic-1", actor="u", reason="renewed")
    assert application.documents == {"w9-1": document("w9"), "lic-2": new}
    assert application.superseded == {"lic-1": "lic-2"}
    (event,) = application.collect_events()
    assert (event.document, event.supersedes) == (new, "lic-1")
    # a chain of replacements
    newest = document("license", "lic-3")
    application.attach_document(newest, supersedes="lic-2", actor="u")
    assert application.superseded == {"lic-1": "lic-2", "lic-2": "lic-3"}
    assert set(application.documents) == {"w9-1", "lic-3"}


def test_supersede_an_unknown_or_already_superseded_document():
    application = fresh(K.ENROLLMENT)
    assert_refused(
        application,
        lambda: application.attach_document(document("license", "lic-2"), supersedes="lic-1", actor="u"),
        "document-unknown",
    )
    application.attach_document(document("license", "lic-1"), actor="u")
    application.attach_document(document("license", "lic-2"), supersedes="lic-1", actor="u")
    assert_refused(
        application,
        lambda: application.attach_document(document("license", "lic-3"), supersedes="lic-1", actor="u"),
        "document-unknown",
    )


def test_supersede_with_another_type():
    application = fresh(K.ENROLLMENT)
    application.attach_document(document("license", "lic-1"), actor="u")
    assert_refused(
        application,
        lambda: application.attach_document(document("dea", "dea-1"), supersedes="lic-1", actor="u"),
        "document-type-differs",
    )


def test_documents_may_be_attached_while_submitted_or_deficient():
    application = deficient(K.ENROLLMENT)
    # received once the deficiency was noticed: a fact is not dated before one already recorded on the record
    application.attach_document(
        document("w9", "w9-2", received_on=LATER), supersedes="w9-1", actor="u", reason="signed W-9"
    )
    assert application.superseded == {"w9-1": "w9-2"}
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u")
    application.attach_document(document("dea", received_on=LATER), actor="u")
    assert "dea-1" in application.documents


def test_required_documents_per_kind():
    doc = DocumentType
    assert {
        K.POSC_REGISTRATION: set(),
        K.PRIMARY_USER_MODIFICATION: set(),
        K.ENROLLMENT: {doc.W9, doc.IRS_147C, doc.LICENSE, doc.LIABILITY_COI, doc.VOIDED_CHECK, doc.PROVIDER_AGREEMENT},
        K.REVALIDATION: {doc.W9, doc.LICENSE, doc.LIABILITY_COI, doc.PROVIDER_AGREEMENT},
        K.ACO_AFFILIATION: {doc.W9, doc.LICENSE, doc.LIABILITY_COI},
        K.MCO_AFFILIATION: {doc.W9, doc.LICENSE, doc.LIABILITY_COI},
        K.PCC_AFFILIATION: {doc.W9, doc.LICENSE},
    } == REQUIRED_DOCUMENTS


@pytest.mark.parametrize(
    "kind, missing", [(kind, doc_type) for kind in K for doc_type in sorted(REQUIRED_DOCUMENTS[kind])]
)
def test_submit_needs_every_required_document(kind, missing):
    application = fresh(kind)
    for doc_type in sorted(REQUIRED_DOCUMENTS[kind] - {missing}):
        application.attach_document(document(doc_type), actor="u")
    error = assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u"),
        "documents-missing",
    )
    assert missing.value in error.message


@pytest.mark.parametrize("kind", list(K))
def test_submit_with_the_required_documents(kind):
    application = fresh(kind)
    attach_required(application)
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u")
    assert application.status is ApplicationStatus.SUBMITTED


def test_registration_needs_no_documents():
    application = fresh(K.PRIMARY_USER_MODIFICATION)
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u")
    assert application.status is ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("doc_type", [DocumentType.LICENSE, DocumentType.LIABILITY_COI])
def test_documents_are_current_at_the_submission_date(doc_type):
    application = fresh(K.ENROLLMENT)
    for other in sorted(REQUIRED_DOCUMENTS[K.ENROLLMENT] - {doc_type}):
        application.attach_document(document(other), actor="u")
    application.attach_document(document(doc_type, expires_on=SUBMITTED_ON), actor="u")
    # valid through its expiry day...
    probe = fresh(K.ENROLLMENT)
    for doc in application.documents.values():
        probe.attach_document(doc, actor="u")
    probe.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u")
    # ...and expired the day after
    error = assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON + timedelta(days=1), nppes_mismatches=[], actor="u"),
        "documents-expired",
    )
    assert doc_type.value in error.message


def test_an_expired_optional_document_also_blocks_and_superseding_fixes_it():
    application = fresh(K.ENROLLMENT)
    attach_required(application)
    application.attach_document(document("dea", expires_on=BEFORE), actor="u")
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u"),
        "documents-expired",
    )
    application.attach_document(document("dea", "dea-2"), supersedes="dea-1", actor="u")
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u")


def test_an_expired_document_listed_last_blocks_submission():
    """A valid license attached first, an expired one after it."""
    application = fresh(K.ENROLLMENT)
    attach_required(application)  # license-1, valid
    application.attach_document(document("license", "license-2", expires_on=BEFORE), actor="u")
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u"),
        "documents-expired",
    )


def test_an_expired_document_listed_first_blocks_submission_too():
    """Was a bug (found by the stateful test): the dossier was indexed by type, so only the last document of a type
    was checked for expiry and the outcome depended on the order of attachment."""
    application = fresh(K.ENROLLMENT)
    application.attach_document(document("license", "license-0", expires_on=BEFORE), actor="u")
    attach_required(application)  # license-1, valid, attached after the expired one
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u"),
        "documents-expired",
    )


def test_missing_is_reported_before_expired():
    application = fresh(K.ENROLLMENT)
    application.attach_document(document("license", expires_on=BEFORE), actor="u")
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="u"),
        "documents-missing",
    )


# --- submission and the NPPES check ------------------------------------------------------------------------------


def test_submit():
    application = fresh()
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], actor="user-2", reason="faxed")
    assert (application.status, application.submitted_on, application.submissions) == (
        ApplicationStatus.SUBMITTED,
        SUBMITTED_ON,
        1,
    )
    assert application.version == 2
    (event,) = application.collect_events()
    assert type(event) is Application.Submitted
    assert (event.submitted_on, event.overridden_mismatches, event.override_reason) == (SUBMITTED_ON, [], None)
    assert (event.actor, event.reason, event.originator_version) == ("user-2", "faxed", 2)


@pytest.mark.parametrize("override", [None, "", "   "])
def test_nppes_mismatch_needs_an_override_reason(override):
    application = fresh()
    error = assert_refused(
        application,
        lambda: application.submit(
            submitted_on=SUBMITTED_ON,
            nppes_mismatches=["legal_name", "taxonomies"],
            override_reason=override,
            actor="u",
        ),
        "nppes-mismatch",
    )
    assert "legal_name, taxonomies" in error.message


def test_override_records_the_overridden_fields():
    application = fresh()
    mismatches = ["practice_address", "tin"]
    application.submit(
        submitted_on=SUBMITTED_ON, nppes_mismatches=mismatches, override_reason="NPPES update filed", actor="u"
    )
    mismatches.append("later mutation")  # the event keeps its own copy
    (event,) = application.collect_events()
    assert event.overridden_mismatches == ["practice_address", "tin"]
    assert event.override_reason == "NPPES update filed"
    assert application.status is ApplicationStatus.SUBMITTED


def test_override_reason_without_mismatch_is_not_recorded():
    application = fresh()
    application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=[], override_reason="just in case", actor="u")
    (event,) = application.collect_events()
    assert (event.overridden_mismatches, event.override_reason) == ([], None)


@pytest.mark.parametrize("state", ["submitted", "deficient"])
def test_submit_twice(state):
    application = submitted() if state == "submitted" else deficient()
    assert_refused(
        application,
        lambda: application.submit(submitted_on=LATER, nppes_mismatches=[], actor="u"),
        "application-not-open",
    )


def test_submit_rule_order_status_dossier_nppes():
    application = fresh(K.ENROLLMENT)
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=["tin"], actor="u"),
        "documents-missing",
    )


# --- deficiencies ---------------------------------------------------------------------------------------------


def test_notice_and_resolve_deficiencies():
    application = submitted()
    application.notice_deficiency(
        deficiency_id=" D-1 ", missing_items=[" W-9 signature ", "147C letter"], noticed_on=LATER, actor="u"
    )
    assert application.status is ApplicationStatus.DEFICIENT
    assert application.deficiencies == {"D-1": (["W-9 signature", "147C letter"], LATER, None)}
    (event,) = application.collect_events()
    assert type(event) is Application.DeficiencyNoticed
    assert (event.deficiency_id, event.missing_items, event.noticed_on) == (
        "D-1",
        ["W-9 signature", "147C letter"],
        LATER,
    )
    second = LATER + timedelta(days=3)
    application.notice_deficiency(deficiency_id="D-2", missing_items=["license"], noticed_on=second, actor="u")
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=second, actor="u", reason="sent")
    assert application.status is ApplicationStatus.DEFICIENT  # D-2 still open
    assert application.deficiencies["D-1"] == (["W-9 signature", "147C letter"], LATER, second)
    application.resolve_deficiency(deficiency_id="D-2", resolved_on=second, actor="u")  # the same day is fine
    assert application.status is ApplicationStatus.SUBMITTED
    _, resolved1, _ = application.collect_events()
    assert type(resolved1) is Application.DeficiencyResolved
    assert (resolved1.deficiency_id, resolved1.resolved_on, resolved1.reason) == ("D-1", second, "sent")
    # and a new deficiency makes it deficient again
    application.notice_deficiency(deficiency_id="D-3", missing_items=["x"], noticed_on=second, actor="u")
    assert application.status is ApplicationStatus.DEFICIENT


def test_deficiency_on_the_submission_day():
    application = submitted()
    application.notice_deficiency(deficiency_id="D-1", missing_items=["x"], noticed_on=SUBMITTED_ON, actor="u")


def test_deficiency_id_is_used_once():
    application = deficient()
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u")
    for status_application in (application, deficient()):
        assert_refused(
            status_application,
            lambda a=status_application: a.notice_deficiency(
                deficiency_id="D-1", missing_items=["x"], noticed_on=LATER, actor="u"
            ),
            "deficiency-id-taken",
        )


@pytest.mark.parametrize("deficiency_id", [" D-1", "D-1 ", "  D-1  "])  # tab, line feed: test_clean_text
def test_deficiency_id_taken_after_stripping(deficiency_id):
    """Was a bug (found by these tests): ' D-1' passed the check and overwrote (reopened) deficiency D-1."""
    application = deficient()
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u")
    assert_refused(
        application,
        lambda: application.notice_deficiency(
            deficiency_id=deficiency_id, missing_items=["y"], noticed_on=LATER, actor="u"
        ),
        "deficiency-id-taken",
    )
    assert application.deficiencies["D-1"] == (["W-9 signature"], LATER, LATER)


@pytest.mark.parametrize("items", [[], [""], ["  "], ["ok", ""], [None], ["ok", 3]])
def test_a_deficiency_lists_what_is_missing(items):
    application = submitted()
    error = assert_refused(
        application,
        lambda: application.notice_deficiency(deficiency_id="D-1", missing_items=items, noticed_on=LATER, actor="u"),
        "deficiency-items",
        InvalidValue,
    )
    assert error.field == "missing_items"


@pytest.mark.parametrize("deficiency_id", ["", "   ", "D" * 65])
def test_a_deficiency_has_an_id(deficiency_id):
    application = submitted()
    assert_refused(
        application,
        lambda: application.notice_deficiency(
            deficiency_id=deficiency_id, missing_items=["x"], noticed_on=LATER, actor="u"
        ),
        "invalid-value",
        InvalidValue,
    )


def test_deficiency_before_submission():
    application = submitted()
    assert_refused(
        application,
        lambda: application.notice_deficiency(deficiency_id="D-1", missing_items=["x"], noticed_on=BEFORE, actor="u"),
        "date-before-submission",
    )


def test_deficiency_needs_a_submitted_application():
    application = fresh()
    assert_refused(
        application,
        lambda: application.notice_deficiency(deficiency_id="D-1", missing_items=["x"], noticed_on=LATER, actor="u"),
        "application-not-submitted",
    )


@pytest.mark.parametrize("state", ["open", "submitted"])
def test_resolve_needs_a_deficient_application(state):
    application = fresh() if state == "open" else submitted()
    assert_refused(
        application,
        lambda: application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u"),
        "application-not-deficient",
    )


def test_resolve_an_unknown_or_resolved_deficiency():
    application = deficient()
    assert_refused(
        application,
        lambda: application.resolve_deficiency(deficiency_id="D-9", resolved_on=LATER, actor="u"),
        "deficiency-not-open",
    )
    application.notice_deficiency(deficiency_id="D-2", missing_items=["x"], noticed_on=LATER, actor="u")
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u")
    assert_refused(
        application,
        lambda: application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u"),
        "deficiency-not-open",
    )


def test_resolve_before_notice():
    application = deficient()
    assert_refused(
        application,
        lambda: application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER - timedelta(days=1), actor="u"),
        "deficiency-date-order",
    )


# --- screenings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(K))
@pytest.mark.parametrize("risk", list(RiskLevel))
def test_required_screenings_table(kind, risk):
    expected = set()
    if kind in (K.ENROLLMENT, K.REVALIDATION):
        expected = {ScreeningKind.EXCLUSION_LISTS}
        if risk is not RiskLevel.LIMITED:
            expected |= {ScreeningKind.FINGERPRINT_CORI, ScreeningKind.SITE_VISIT}
    assert required_screenings(kind, risk) == expected
    assert {K.ENROLLMENT, K.REVALIDATION} == SCREENED_KINDS


@pytest.mark.parametrize("state", ["submitted", "deficient"])
def test_record_screening(state):
    application = (submitted if state == "submitted" else deficient)(K.ENROLLMENT, risk_level="high")
    application.record_screening(screening="fingerprint_cori", passed=False, completed_on=LATER, actor="u", reason="r")
    assert application.screenings == {ScreeningKind.FINGERPRINT_CORI: (LATER, False)}
    (event,) = application.collect_events()
    assert type(event) is Application.ScreeningCompleted
    assert (event.screening, event.passed, event.completed_on) == (ScreeningKind.FINGERPRINT_CORI, False, LATER)
    # a repeat replaces the result
    application.record_screening(screening="fingerprint_cori", passed=True, completed_on=LATER, actor="u")
    assert application.screenings == {ScreeningKind.FINGERPRINT_CORI: (LATER, True)}


@pytest.mark.parametrize(
    "kind, risk, screening",
    [
        (K.ENROLLMENT, RiskLevel.LIMITED, ScreeningKind.FINGERPRINT_CORI),
        (K.ENROLLMENT, RiskLevel.LIMITED, ScreeningKind.SITE_VISIT),
        (K.REVALIDATION, RiskLevel.LIMITED, ScreeningKind.SITE_VISIT),
        (K.POSC_REGISTRATION, RiskLevel.HIGH, ScreeningKind.FINGERPRINT_CORI),
        (K.MCO_AFFILIATION, RiskLevel.MODERATE, ScreeningKind.SITE_VISIT),
    ],
)
def test_screening_not_required(kind, risk, screening):
    application = submitted(kind, risk_level=risk)
    assert_refused(
        application,
        lambda: application.record_screening(screening=screening, passed=True, completed_on=LATER, actor="u"),
        "screening-not-required",
    )


@pytest.mark.parametrize("kind", list(K))
def test_exclusion_lists_may_always_be_recorded(kind):
    application = submitted(kind)
    application.record_screening(screening="exclusion_lists", passed=True, completed_on=LATER, actor="u")


def test_screening_before_submission_or_while_open():
    application = submitted(K.ENROLLMENT)
    assert_refused(
        application,
        lambda: application.record_screening(screening="exclusion_lists", passed=True, completed_on=BEFORE, actor="u"),
        "date-before-submission",
    )
    opened = fresh(K.ENROLLMENT)
    assert_refused(
        opened,
        lambda: opened.record_screening(screening="exclusion_lists", passed=True, completed_on=LATER, actor="u"),
        "application-not-submitted",
    )


def test_unknown_screening():
    application = submitted(K.ENROLLMENT)
    assert_value_error(
        application,
        lambda: application.record_screening(screening="polygraph", passed=True, completed_on=LATER, actor="u"),
    )


@pytest.mark.parametrize("kind", [K.ENROLLMENT, K.REVALIDATION])
@pytest.mark.parametrize("risk", list(RiskLevel))
def test_approval_needs_every_required_screening_passed(kind, risk):
    application = submitted(kind, risk_level=risk)
    number = "0123456" if kind is K.ENROLLMENT else None
    required = sorted(required_screenings(kind, risk))
    approve = lambda: application.approve(decided_on=LATER, provider_number=number, actor="u")  # noqa: E731
    for screening in required:
        assert_refused(application, approve, "screenings-required")
        application.record_screening(screening=screening, passed=False, completed_on=LATER, actor="u")
        assert_refused(application, approve, "screenings-required")  # a failed screening does not count
        application.record_screening(screening=screening, passed=True, completed_on=LATER, actor="u")
    approve()
    assert application.status is ApplicationStatus.APPROVED


@pytest.mark.parametrize("kind", [K.POSC_REGISTRATION, K.PRIMARY_USER_MODIFICATION, *AFFILIATION_KINDS])
def test_other_kinds_are_approved_without_screenings(kind):
    application = submitted(kind, risk_level="high")
    application.approve(decided_on=LATER, actor="u")
    assert application.status is ApplicationStatus.APPROVED


# --- approval ------------------------------------------------------------------------------------------------------


def test_approve_an_enrollment_with_its_provider_number():
    application = submitted(K.ENROLLMENT)
    pass_screenings(application)
    application.collect_events()
    application.approve(
        decided_on=LATER, provider_number="0123456", effective_date=date(2026, 4, 1), actor="u", reason="letter"
    )
    assert application.status is ApplicationStatus.APPROVED
    assert (application.decided_on, application.provider_number, application.effective_date) == (
        LATER,
        "0123456",
        date(2026, 4, 1),
    )
    (event,) = application.collect_events()
    assert type(event) is Application.Approved
    assert (event.decided_on, event.provider_number, event.effective_date, event.reason) == (
        LATER,
        "0123456",
        date(2026, 4, 1),
        "letter",
    )


def test_approve_on_the_submission_day():
    application = submitted()
    application.approve(decided_on=SUBMITTED_ON, actor="u")
    assert application.decided_on == SUBMITTED_ON


@pytest.mark.parametrize("number", [None, ""])
def test_an_approved_enrollment_needs_a_provider_number(number):
    application = submitted(K.ENROLLMENT)
    pass_screenings(application)
    assert_refused(
        application,
        lambda: application.approve(decided_on=LATER, provider_number=number, actor="u"),
        "provider-number-required",
    )


@pytest.mark.parametrize("kind", [k for k in K if k is not K.ENROLLMENT])
def test_only_an_enrollment_issues_a_provider_number(kind):
    application = submitted(kind)
    pass_screenings(application)
    assert_refused(
        application,
        lambda: application.approve(decided_on=LATER, provider_number="0123456", actor="u"),
        "provider-number-only-for-enrollment",
    )


@pytest.mark.parametrize("state", ["open", "deficient"])
def test_approve_needs_a_submitted_application(state):
    application = fresh() if state == "open" else deficient()
    assert_refused(application, lambda: application.approve(decided_on=LATER, actor="u"), "application-not-submitted")


def test_approve_before_submission():
    application = submitted()
    assert_refused(application, lambda: application.approve(decided_on=BEFORE, actor="u"), "date-before-submission")


def test_approve_rule_order_date_screenings_provider_number():
    application = submitted(K.ENROLLMENT)
    assert_refused(application, lambda: application.approve(decided_on=BEFORE, actor="u"), "date-before-submission")
    assert_refused(application, lambda: application.approve(decided_on=LATER, actor="u"), "screenings-required")


# --- denial, rejection, withdrawal -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "deficient"])
def test_deny(state):
    application = submitted() if state == "submitted" else deficient()
    application.deny(decided_on=LATER, actor="u", reason="ineligible provider type")
    assert (application.status, application.decided_on) == (ApplicationStatus.DENIED, LATER)
    (event,) = application.collect_events()
    assert type(event) is Application.Denied
    assert (event.decided_on, event.reason) == (LATER, "ineligible provider type")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_denial_records_the_reason(reason):
    application = submitted()
    assert_refused(application, lambda: application.deny(decided_on=LATER, actor="u", reason=reason), "reason-required")


def test_deny_before_submission_or_while_open():
    application = submitted()
    assert_refused(
        application, lambda: application.deny(decided_on=BEFORE, actor="u", reason="r"), "date-before-submission"
    )
    opened = fresh()
    assert_refused(opened, lambda: opened.deny(decided_on=LATER, actor="u", reason="r"), "application-not-submitted")


@pytest.mark.parametrize("state", ["submitted", "deficient"])
def test_reject_returns_to_open_and_loses_the_queue_position(state):
    application = submitted(K.ENROLLMENT, risk_level="moderate") if state == "submitted" else deficient(K.ENROLLMENT)
    application.record_screening(screening="exclusion_lists", passed=True, completed_on=LATER, actor="u")
    documents = dict(application.documents)
    application.collect_events()
    application.reject(rejected_on=LATER, cause=" NPPES taxonomy mismatch ", actor="u", reason="automated")
    assert application.status is ApplicationStatus.OPEN
    assert application.submitted_on is None
    assert application.deficiencies == {} and application.screenings == {}
    assert application.documents == documents  # the dossier stays
    assert application.submissions == 1
    (event,) = application.collect_events()
    assert type(event) is Application.Rejected
    assert (event.rejected_on, event.cause, event.reason) == (LATER, "NPPES taxonomy mismatch", "automated")
    # the next submission starts over in the queue; the counter counts every submission
    resubmitted = LATER + timedelta(days=7)
    application.submit(submitted_on=resubmitted, nppes_mismatches=[], actor="u")
    assert (application.status, application.submitted_on, application.submissions) == (
        ApplicationStatus.SUBMITTED,
        resubmitted,
        2,
    )
    # dates now count from the new submission, and deficiency ids may be reused
    assert_refused(application, lambda: application.approve(decided_on=LATER, actor="u"), "date-before-submission")
    application.notice_deficiency(deficiency_id="D-1", missing_items=["x"], noticed_on=resubmitted, actor="u")


@pytest.mark.parametrize("cause", ["", "   ", "C" * 201])
def test_a_rejection_names_its_cause(cause):
    application = submitted()
    assert_refused(
        application,
        lambda: application.reject(rejected_on=LATER, cause=cause, actor="u"),
        "invalid-value",
        InvalidValue,
    )


def test_reject_before_submission_or_while_open():
    application = submitted()
    assert_refused(
        application, lambda: application.reject(rejected_on=BEFORE, cause="c", actor="u"), "date-before-submission"
    )
    opened = fresh()
    assert_refused(opened, lambda: opened.reject(rejected_on=LATER, cause="c", actor="u"), "application-not-submitted")


def test_resubmission_is_not_dated_before_the_rejection():
    """Was a bug (found by these tests): the rejection date was not kept, so a resubmission could predate it."""
    application = submitted()
    application.reject(rejected_on=LATER, cause="mismatch", actor="u")
    assert application.rejected_on == LATER
    assert_refused(
        application,
        lambda: application.submit(submitted_on=LATER - timedelta(days=1), nppes_mismatches=[], actor="u"),
        "date-before-rejection",
    )
    application.submit(submitted_on=LATER, nppes_mismatches=[], actor="u")  # the same day is fine
    assert application.submissions == 2


def test_date_before_rejection_is_checked_before_the_dossier():
    application = submitted(K.ENROLLMENT)
    application.reject(rejected_on=LATER, cause="mismatch", actor="u")
    application.attach_document(document("dea", expires_on=BEFORE, received_on=LATER), actor="u")
    assert_refused(
        application,
        lambda: application.submit(submitted_on=SUBMITTED_ON, nppes_mismatches=["tin"], actor="u"),
        "date-before-rejection",
    )


@pytest.mark.parametrize("state", ["open", "submitted", "deficient"])
def test_withdraw(state):
    application = {"open": fresh, "submitted": submitted, "deficient": deficient}[state]()
    application.withdraw(withdrawn_on=LATER, actor="u", reason="client changed plans")
    assert (application.status, application.decided_on) == (ApplicationStatus.WITHDRAWN, LATER)
    (event,) = application.collect_events()
    assert type(event) is Application.Withdrawn
    assert (event.withdrawn_on, event.reason) == (LATER, "client changed plans")


@pytest.mark.parametrize("state", ["submitted", "deficient"])
def test_withdrawal_before_submission_is_refused(state):
    """Was a bug (found by these tests): withdraw did not check the date, so decided_on could predate submitted_on."""
    application = submitted() if state == "submitted" else deficient()
    assert_refused(application, lambda: application.withdraw(withdrawn_on=BEFORE, actor="u"), "date-before-submission")
    application.withdraw(withdrawn_on=LATER, actor="u")
    assert application.status is ApplicationStatus.WITHDRAWN


def test_an_open_application_is_withdrawn_on_any_date():
    """Any date on or after its opening (domain/business_time.py)."""
    application = fresh(opened_on=date(2019, 6, 3))
    application.withdraw(withdrawn_on=date(2020, 1, 1), actor="u")
    assert application.decided_on == date(2020, 1, 1)


# --- a closed application refuses everything -------------------------------------------------------------------


COMMANDS = {
    "attach": lambda a: a.attach_document(document("w9", "w9-9"), actor="u"),
    "attach-invalid": lambda a: a.attach_document(document("dea", "dea-9", dea_state="NY"), actor="u"),
    "submit": lambda a: a.submit(submitted_on=LATER, nppes_mismatches=[], actor="u"),
    "notice": lambda a: a.notice_deficiency(deficiency_id="D-9", missing_items=["x"], noticed_on=LATER, actor="u"),
    "resolve": lambda a: a.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER, actor="u"),
    "screening": lambda a: a.record_screening(screening="exclusion_lists", passed=True, completed_on=LATER, actor="u"),
    "approve": lambda a: a.approve(decided_on=LATER, actor="u"),
    "deny": lambda a: a.deny(decided_on=LATER, actor="u", reason="r"),
    "reject": lambda a: a.reject(rejected_on=LATER, cause="c", actor="u"),
    "withdraw": lambda a: a.withdraw(withdrawn_on=LATER, actor="u"),
    "backdated-approve": lambda a: a.approve(decided_on=BEFORE, actor="u"),
}


@pytest.mark.parametrize("status", sorted(CLOSED))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_closed_application_refuses_everything(status, command):
    application = closed(status)
    assert_refused(application, lambda: COMMANDS[command](application), "application-closed")


# --- dated acts follow each other ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "act",
    [
        lambda a, on: a.approve(decided_on=on, actor="u"),
        lambda a, on: a.deny(decided_on=on, actor="u", reason="not eligible"),
        lambda a, on: a.withdraw(withdrawn_on=on, actor="u"),
        lambda a, on: a.reject(rejected_on=on, cause="NPPES", actor="u"),
        lambda a, on: a.notice_deficiency(deficiency_id="D-2", missing_items=["license"], noticed_on=on, actor="u"),
    ],
    ids=["approve", "deny", "withdraw", "reject", "another-deficiency"],
)
def test_no_act_is_dated_before_a_deficiency_already_recorded(act):
    # The payer's and the client's shares of the delay only add up if acts come in date order.
    application = deficient()
    application.resolve_deficiency(deficiency_id="D-1", resolved_on=LATER + timedelta(days=8), actor="u")
    application.collect_events()
    assert_refused(application, lambda: act(application, LATER + timedelta(days=3)), "date-before-last-act")
    act(application, LATER + timedelta(days=8))  # on the day of the last act is fine


def test_a_withdrawal_after_a_rejection_is_not_dated_before_it():
    application = submitted()
    application.reject(rejected_on=LATER, cause="NPPES mismatch", actor="u")
    application.collect_events()
    assert_refused(
        application, lambda: application.withdraw(withdrawn_on=SUBMITTED_ON, actor="u"), "date-before-last-act"
    )


CLINICIAN_ID = UUID("7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f")


@pytest.mark.parametrize("kind", [K.POSC_REGISTRATION, K.PRIMARY_USER_MODIFICATION])
def test_a_clinician_has_no_posc_forms_of_its_own(kind):
    with pytest.raises(RuleViolation) as refused:
        open_application(kind, practitioner_id=CLINICIAN_ID)
    assert refused.value.rule == "kind-not-for-a-practitioner"


@pytest.mark.parametrize("kind", [K.ENROLLMENT, K.REVALIDATION, *AFFILIATION_KINDS])
def test_a_clinicians_own_application_records_whose_it_is(kind):
    application = open_application(kind, practitioner_id=CLINICIAN_ID)
    assert application.practitioner_id == CLINICIAN_ID
    [opened] = application.collect_events()
    assert opened.practitioner_id == CLINICIAN_ID
    assert open_application(kind).practitioner_id is None  # the practice's own


@pytest.mark.parametrize("kind", AFFILIATION_KINDS)
def test_a_plan_may_give_a_clinician_it_credentials_an_id(kind):
    application = submitted(kind, practitioner_id=CLINICIAN_ID)
    application.approve(decided_on=LATER, provider_number="WS-88912", actor="u")
    assert (application.status, application.provider_number) == (ApplicationStatus.APPROVED, "WS-88912")
    practice = submitted(kind)  # a plan's contract with the practice issues none
    assert_refused(
        practice,
        lambda: practice.approve(decided_on=LATER, provider_number="WS-88912", actor="u"),
        "provider-number-only-for-enrollment",
    )
