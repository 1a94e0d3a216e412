"""A confirmed exclusion stops what would enroll or pay the provider: no federal health care program pays an excluded
provider (42 CFR 1001.1901) and MassHealth screens for it (42 CFR 455.436). While a list's confirmed match stands, a
plan affiliation is not activated (here) and the organization's applications are neither submitted nor approved
(services/app/applications.py calls the same rule); a suspected match holds the application's own exclusion
screening. A match, suspected or confirmed, is cleared only with the reviewer's reason."""

from __future__ import annotations

from datetime import date

import pytest

from domain.affiliation import AffiliationState
from domain.errors import RuleViolation
from domain.screening import ExclusionSource, Screening, ScreeningResult, check_not_excluded
from tests.domain.builders import assert_refused
from tests.domain.test_organization import D1, D2, D3, WELLSENSE, org_with_affiliation, screen


def _screening(result: ScreeningResult) -> list[tuple[str, Screening]]:
    return [("the organization", Screening(ExclusionSource.OIG_LEIE, result, "LEIE 2026-04", D1, D1))]


def test_a_confirmed_match_refuses_the_act_naming_the_list_and_its_date() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_not_excluded(_screening(ScreeningResult.CONFIRMED_MATCH), "submission")
    assert refused.value.rule == "provider-excluded"
    assert "oig_leie" in refused.value.message and str(D1) in refused.value.message
    check_not_excluded(_screening(ScreeningResult.SUSPECTED_MATCH), "submission")  # a suspicion alone does not
    with pytest.raises(RuleViolation) as refused:
        check_not_excluded(_screening(ScreeningResult.SUSPECTED_MATCH), "passing the screening", suspected_too=True)
    assert refused.value.rule == "exclusion-review-pending"
    for result in (ScreeningResult.NO_MATCH, ScreeningResult.CLEARED):
        check_not_excluded(_screening(result), "submission", suspected_too=True)


def test_an_excluded_organizations_affiliation_is_not_activated_until_the_match_is_cleared() -> None:
    org = org_with_affiliation(AffiliationState.CONTRACTED)
    screen(org, result="confirmed_match", screened_on=D2)
    org.collect_events()
    assert_refused(
        org, lambda: org.move_affiliation(plan=WELLSENSE, to="active", on=D3, actor="u"), "provider-excluded"
    )
    org.move_affiliation(plan=WELLSENSE, to="terminated", on=D3, actor="u")  # ending it is never held back
    org = org_with_affiliation(AffiliationState.CONTRACTED)
    screen(org, result="confirmed_match", screened_on=D2)
    with pytest.raises(RuleViolation):  # a confirmed match is cleared with the reviewer's reason only
        org.clear_screening(source="oig_leie", on=D3, actor="reviewer-1", reason=" ")
    org.clear_screening(source="oig_leie", on=D3, actor="reviewer-1", reason="OIG reinstated the provider")
    assert org.excluded is False
    org.move_affiliation(plan=WELLSENSE, to="active", on=D3, actor="u")
    assert org.affiliations[WELLSENSE].state is AffiliationState.ACTIVE


def test_an_activation_is_judged_by_the_screenings_of_its_own_day() -> None:
    """Recorded late: the plan activated it on D2, before the match confirmed on D3, recorded first."""
    org = org_with_affiliation(AffiliationState.CONTRACTED)
    screen(org, result="confirmed_match", screened_on=D3)
    org.move_affiliation(plan=WELLSENSE, to="active", on=D2, actor="u")
    assert org.affiliations[WELLSENSE].dates["active"] == D2
    later = org_with_affiliation(AffiliationState.CONTRACTED)
    screen(later, result="confirmed_match", screened_on=D1)
    assert_refused(
        later, lambda: later.move_affiliation(plan=WELLSENSE, to="active", on=date(2026, 5, 5), actor="u"),
        "provider-excluded",
    )  # fmt: skip
