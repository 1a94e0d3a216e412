"""An application's screenings follow the organization's screening category at the time, not the one it had when
the application opened (42 CFR 455.450: fingerprint-based criminal background checks and site visits for moderate
and high risk): a practice raised to high risk owes them before its open enrollment is approved, and may record
them; one whose category is not given is judged by the application's own."""

from __future__ import annotations

import pytest

from domain.application import ApplicationKind, ScreeningKind
from domain.errors import RuleViolation
from domain.organization import RiskLevel
from domain.provider_types import minimum_risk_level
from tests.domain.builders import LATER, assert_refused, register_peach, submitted_application


def test_a_practice_raised_to_high_risk_owes_the_high_risk_screenings() -> None:
    app = submitted_application(ApplicationKind.ENROLLMENT)  # opened at limited risk
    app.record_screening(screening=ScreeningKind.EXCLUSION_LISTS, passed=True, completed_on=LATER, actor="u")
    with pytest.raises(RuleViolation) as refused:
        app.approve(decided_on=LATER, provider_number="1234567", risk_level=RiskLevel.HIGH, actor="u")
    assert refused.value.rule == "screenings-required" and "fingerprint" in refused.value.message
    with pytest.raises(RuleViolation) as refused:  # at limited risk, a site visit is not one of its screenings
        app.record_screening(screening=ScreeningKind.SITE_VISIT, passed=True, completed_on=LATER, actor="u")
    assert refused.value.rule == "screening-not-required"
    for screening in (ScreeningKind.FINGERPRINT_CORI, ScreeningKind.SITE_VISIT):
        app.record_screening(screening=screening, passed=True, completed_on=LATER, risk_level=RiskLevel.HIGH, actor="u")
    app.approve(decided_on=LATER, provider_number="1234567", risk_level=RiskLevel.HIGH, actor="u")
    assert app.status == "approved"


def test_without_the_organizations_category_the_applications_own_applies() -> None:
    app = submitted_application(ApplicationKind.ENROLLMENT)
    app.record_screening(screening=ScreeningKind.EXCLUSION_LISTS, passed=True, completed_on=LATER, actor="u")
    app.approve(decided_on=LATER, provider_number="1234567", actor="u")
    assert app.status == "approved"


# 42 CFR 424.518(b) and the enrollment guide: DME, behavioral health facilities and non-emergency medical
# transportation are moderate-to-high risk categories; a physician group (424.518(a)) may be limited.
@pytest.mark.parametrize(
    "provider_type", ["durable medical equipment supplier", "Non-Emergency  Medical Transportation", "Hospice"]
)
def test_a_moderate_risk_provider_type_is_never_screened_as_limited(provider_type: str) -> None:
    assert minimum_risk_level(provider_type) is RiskLevel.MODERATE
    with pytest.raises(RuleViolation) as refused:
        register_peach(provider_type=provider_type, risk_level=RiskLevel.LIMITED)
    assert refused.value.rule == "risk-below-provider-type-minimum" and "424.518" in refused.value.message
    for level in (RiskLevel.MODERATE, RiskLevel.HIGH):
        assert register_peach(provider_type=provider_type, risk_level=level).risk_level is level


def test_a_correction_keeps_the_provider_types_floor() -> None:
    org = register_peach(provider_type="physician group", risk_level=RiskLevel.LIMITED)
    assert minimum_risk_level("physician group") is RiskLevel.LIMITED
    org.collect_events()
    assert_refused(org, lambda: org.correct_profile(provider_type="home health agency", on=LATER, actor="u"),
                   "risk-below-provider-type-minimum")  # fmt: skip
    org.correct_profile(provider_type="home health agency", risk_level=RiskLevel.HIGH, on=LATER, actor="u")
    assert_refused(org, lambda: org.correct_profile(risk_level=RiskLevel.LIMITED, on=LATER, actor="u"),
                   "risk-below-provider-type-minimum")  # fmt: skip
    org.correct_profile(risk_level=RiskLevel.MODERATE, on=LATER, actor="u")  # a revalidating agency: moderate
    assert org.risk_level is RiskLevel.MODERATE


def test_a_record_from_before_the_floor_still_corrects_its_other_fields() -> None:
    """A home health agency recorded at limited risk before the rule (its stored ProfileCorrected) may still correct
    its name; only a correction of its type or category is held to the floor."""
    org = register_peach(provider_type="physician group", risk_level=RiskLevel.LIMITED)
    fields = dict.fromkeys(("legal_name", "tin", "practice_address", "mailing_address", "taxonomies"))
    org._profile_corrected(**fields, taxonomy_version=None, provider_type="home health agency", risk_level=None,
                           on=LATER, actor="u", reason="recorded before the floor")  # fmt: skip
    org.correct_profile(legal_name="Peach Home Health", on=LATER, actor="u")
    assert org.legal_name == "Peach Home Health"
    assert_refused(org, lambda: org.correct_profile(provider_type="hospice", on=LATER, actor="u"),
                   "risk-below-provider-type-minimum")  # fmt: skip
