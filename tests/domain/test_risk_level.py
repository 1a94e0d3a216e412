"""An application's screenings follow the organization's screening category at the time, not the one it had when
the application opened (42 CFR 455.450: fingerprint-based criminal background checks and site visits for moderate
and high risk): a practice raised to high risk owes them before its open enrollment is approved, and may record
them; one whose category is not given is judged by the application's own."""

from __future__ import annotations

import pytest

from domain.application import ApplicationKind, ScreeningKind
from domain.errors import RuleViolation
from domain.organization import RiskLevel
from tests.domain.builders import LATER, submitted_application


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
