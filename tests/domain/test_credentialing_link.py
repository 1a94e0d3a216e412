"""A plan's affiliation follows its credentialing application (Organization.follow_credentialing, called by the
application's use cases in the same transaction): submitted -> in credentialing, denied -> denied, withdrawn ->
withdrawn, approved with the contract's effective date -> contracted, and active from that date once it has come.
An affiliation moved on by hand, changed after the act, or never requested is left as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.affiliation import AffiliationState as S
from domain.business_time import business_today
from domain.errors import RuleViolation
from tests.domain.test_organization import D1, D2, D3, WELLSENSE, fresh, org_with_affiliation, screen


@pytest.mark.parametrize("to", [S.IN_CREDENTIALING, S.DENIED, S.WITHDRAWN])
def test_a_requested_affiliation_follows_its_application(to: S) -> None:
    org = org_with_affiliation(S.REQUESTED)
    org.follow_credentialing(plan=WELLSENSE, to=to, on=D2, actor="u")
    assert (org.affiliations[WELLSENSE].state, org.affiliations[WELLSENSE].dates[to.value]) == (to, D2)
    events = org.collect_events()
    assert events[-1].reason == "Follows its credentialing application"


def test_an_approval_with_its_effective_date_contracts_and_activates() -> None:
    org = org_with_affiliation(S.IN_CREDENTIALING)
    org.follow_credentialing(plan=WELLSENSE, to=S.CONTRACTED, on=D2, actor="u", active_on=D3)
    assert org.affiliations[WELLSENSE].state is S.ACTIVE
    assert (org.affiliations[WELLSENSE].dates["contracted"], org.affiliations[WELLSENSE].dates["active"]) == (D2, D3)
    later = org_with_affiliation(S.REQUESTED)  # straight from requested: credentialing started the same day
    later.follow_credentialing(
        plan=WELLSENSE, to=S.CONTRACTED, on=D2, actor="u", active_on=business_today() + timedelta(days=30)
    )
    assert later.affiliations[WELLSENSE].state is S.CONTRACTED  # active only once the date has come


def test_what_does_not_follow() -> None:
    moved_on = org_with_affiliation(S.CONTRACTED)  # moved on by hand
    moved_on.follow_credentialing(plan=WELLSENSE, to=S.DENIED, on=D2, actor="u")
    assert moved_on.affiliations[WELLSENSE].state is S.CONTRACTED and moved_on.collect_events() == []
    none = fresh()  # no affiliation with the plan was requested
    none.follow_credentialing(plan=WELLSENSE, to=S.IN_CREDENTIALING, on=D2, actor="u")
    assert none.affiliations == {} and none.collect_events() == []
    changed_later = org_with_affiliation(S.IN_CREDENTIALING)  # its last change (D1) is after the act
    changed_later.follow_credentialing(plan=WELLSENSE, to=S.DENIED, on=D1 - timedelta(days=1), actor="u")
    assert changed_later.affiliations[WELLSENSE].state is S.IN_CREDENTIALING


def test_it_follows_only_as_far_as_the_affiliations_own_rules_allow() -> None:
    """The payer's decision is recorded whatever the affiliation may do: no contract before MassHealth enrollment,
    no activation while an exclusion stands that day (each recorded by hand when it happens)."""
    not_enrolled = fresh()
    not_enrolled.request_affiliation(kind="mco", plan=WELLSENSE, partner_mco=None, on=D1, actor="u")
    not_enrolled.follow_credentialing(plan=WELLSENSE, to=S.CONTRACTED, on=D2, actor="u", active_on=D3)
    assert not_enrolled.affiliations[WELLSENSE].state is S.IN_CREDENTIALING
    excluded = org_with_affiliation(S.IN_CREDENTIALING)
    screen(excluded, result="confirmed_match", screened_on=D2)
    excluded.follow_credentialing(plan=WELLSENSE, to=S.CONTRACTED, on=D2, actor="u", active_on=D3)
    assert excluded.affiliations[WELLSENSE].state is S.CONTRACTED
    with pytest.raises(RuleViolation) as refused:  # and by hand, as before
        excluded.move_affiliation(plan=WELLSENSE, to=S.ACTIVE, on=D3, actor="u")
    assert refused.value.rule == "provider-excluded"
