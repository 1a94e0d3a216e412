"""Owners (5% or more) and managing employees: disclosed at enrollment ("managing employee details, and comprehensive
ownership disclosures", seeds/masshealth-enrollment-guide.txt; 42 CFR 455.104) and screened against the exclusion
lists like the organization ("checking all owners and rendering clinicians against OIG, SAM, and state exclusion
registries"; 42 CFR 455.436). An excluded owner or managing employee holds the organization's plan activations (here)
and its submissions and approvals (services/app/applications.py, the same rule) until the match is cleared with a
reason or the person's disclosure ends (42 CFR 1001.1051)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.affiliation import AffiliationState
from domain.business_time import state_on
from domain.errors import InvalidValue
from domain.organization import Organization
from domain.screening import ExclusionSource, ScreeningResult
from tests.domain.builders import EIN, OTHER_EIN, SSN, assert_refused, register_peach
from tests.domain.test_organization import D1, D2, D3, WELLSENSE, org_with_affiliation

OTHER_SSN = "234-56-7890"


def disclose(org: Organization, **kwargs: Any) -> UUID:
    params: dict[str, Any] = dict(
        person_id=uuid4(),
        role="owner",
        party="individual",
        name="Jane Roe",
        tin=SSN,
        birth_date=date(1970, 3, 4),
        ownership_percent=Decimal("60"),
        on=D1,
        actor="user-1",
    )
    params.update(kwargs)
    org.disclose(**params)
    return UUID(str(params["person_id"]))


def screen_person(org: Organization, person_id: UUID, result: str, **kwargs: Any) -> None:
    params: dict[str, Any] = dict(list_version="LEIE 2026-04", list_date=date(2026, 4, 8), screened_on=D2)
    params.update(kwargs)
    org.record_person_screening(
        person_id=person_id, source=ExclusionSource.OIG_LEIE, result=result, actor="user-1", **params
    )


def test_a_disclosure_keeps_the_persons_ssn_and_birth_date_apart_from_what_views_show() -> None:
    org = register_peach()
    owner = disclose(org)
    manager = disclose(org, role="managing_employee", name="John Doe", tin=OTHER_SSN, ownership_percent=None)
    entity = disclose(
        org, party="organization", name="Holding LLC", tin=OTHER_EIN, birth_date=None, ownership_percent=25
    )
    assert org.disclosures[owner].whose == "owner Jane Roe"
    assert org.disclosures[manager].whose == "managing employee John Doe"
    assert org.disclosures[entity].ownership_percent == Decimal("25.00")
    assert org.disclosure_identities == {
        owner: ("123456789", date(1970, 3, 4)),
        manager: ("234567890", date(1970, 3, 4)),
        entity: ("987654321", None),
    }
    assert "123456789" not in repr(org.disclosures)  # the value type shown by the API never holds the TIN


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(ownership_percent=Decimal("4.99")), "ownership_percent"),  # under 5%: not a disclosure (455.101)
        (dict(ownership_percent=Decimal("100.01")), "ownership_percent"),
        (dict(ownership_percent=Decimal("12.345")), "ownership_percent"),
        (dict(ownership_percent=None), "ownership_percent"),  # an owner says how much
        (dict(role="managing_employee", ownership_percent=Decimal("10")), "ownership_percent"),
        (dict(role="managing_employee", ownership_percent=None, party="organization", tin=EIN), "party"),
        (dict(birth_date=None), "birth_date"),  # a person's DOB and SSN are required (455.104(b)(1))
        (dict(birth_date=D1), "birth_date"),
        (dict(birth_date=date(1880, 1, 1)), "birth_date"),
        (dict(party="organization", tin=EIN), "birth_date"),  # an entity has none
        (dict(tin="12345"), "tin"),
        (dict(name=" "), "name"),
    ],
)
def test_a_disclosure_with_bad_input_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    org = register_peach()
    org.collect_events()
    rule = "invalid-tin" if field == "tin" else "invalid-value"
    refused = assert_refused(org, lambda: disclose(org, **changes), rule, InvalidValue)
    assert refused.field == field


def test_owners_hold_at_most_100_percent_and_a_person_is_disclosed_once_per_role() -> None:
    org = register_peach()
    first = disclose(org)
    org.collect_events()
    assert_refused(org, lambda: disclose(org, tin=OTHER_SSN, ownership_percent=Decimal("40.01")),
                   "ownership-over-100-percent")  # fmt: skip
    assert_refused(org, lambda: disclose(org, ownership_percent=Decimal("5")), "disclosure-duplicate")
    assert_refused(org, lambda: disclose(org, person_id=first, tin=OTHER_SSN, ownership_percent=5), "disclosure-exists")
    disclose(org, role="managing_employee", ownership_percent=None)  # the owner may also manage
    org.end_disclosure(person_id=first, on=D2, actor="user-1", reason="Sold her interest")
    disclose(org, tin=OTHER_SSN, ownership_percent=Decimal("100"), on=D2)  # the buyer holds it all


def test_an_ended_disclosure_is_not_screened_or_ended_again() -> None:
    org = register_peach()
    person = disclose(org)
    org.collect_events()
    assert_refused(org, lambda: org.end_disclosure(person_id=person, on=date(2026, 4, 1), actor="u"),
                   "disclosure-date-order")  # fmt: skip
    org.end_disclosure(person_id=person, on=D2, actor="user-1")
    org.collect_events()
    assert_refused(org, lambda: org.end_disclosure(person_id=person, on=D3, actor="u"), "disclosure-ended")
    assert_refused(org, lambda: screen_person(org, person, "no_match", screened_on=D3), "disclosure-ended")
    assert_refused(org, lambda: screen_person(org, uuid4(), "no_match"), "disclosure-unknown")


def test_an_owners_confirmed_match_holds_the_activation_until_cleared_with_a_reason() -> None:
    org = org_with_affiliation(AffiliationState.CONTRACTED)
    owner = disclose(org)
    screen_person(org, owner, "confirmed_match")
    assert org.excluded
    assert [whose for whose, _ in org.exclusion_screenings()] == ["owner Jane Roe"]
    org.collect_events()
    refused = assert_refused(org, lambda: org.move_affiliation(plan=WELLSENSE, to="active", on=D3, actor="u"),
                             "provider-excluded")  # fmt: skip
    assert "owner Jane Roe is a confirmed match on the oig_leie list" in refused.message
    assert_refused(org, lambda: org.clear_person_screening(person_id=owner, source="oig_leie", on=D3, actor="u"),
                   "reason-required")  # fmt: skip
    assert_refused(org, lambda: screen_person(org, owner, "no_match", screened_on=D3), "reason-required")
    org.clear_person_screening(person_id=owner, source="oig_leie", on=D3, actor="u", reason="A namesake, DOB differs")
    assert not org.excluded
    org.move_affiliation(plan=WELLSENSE, to="active", on=D3, actor="u")


def test_an_excluded_managing_employee_who_left_no_longer_holds_the_organization() -> None:
    """42 CFR 1001.1051 reaches an entity an excluded person manages; once they are gone, so is the hold, from the
    day they left (an activation before it is still judged by its own day)."""
    org = org_with_affiliation(AffiliationState.CONTRACTED)
    manager = disclose(org, role="managing_employee", ownership_percent=None, name="John Doe")
    screen_person(org, manager, "confirmed_match", screened_on=D1)
    org.end_disclosure(person_id=manager, on=D3, actor="u", reason="Dismissed")
    assert not org.excluded
    org.collect_events()
    assert_refused(org, lambda: org.move_affiliation(plan=WELLSENSE, to="active", on=D2, actor="u"),
                   "provider-excluded")  # fmt: skip
    org.move_affiliation(plan=WELLSENSE, to="active", on=D3, actor="u")


def test_a_persons_screening_dated_before_the_disclosure_replays_in_business_order() -> None:
    """Screened before the disclosure's day (the firm checks a buyer before the sale closes): the record as of a day
    applies the screening before the disclosure, and a person not yet disclosed then holds nothing then."""
    org = register_peach()
    person = disclose(org, on=D2)
    screen_person(org, person, "confirmed_match", screened_on=D1)
    before, after = state_on(org.history, D1), state_on(org.history, D3)
    assert before.person_screenings[person][ExclusionSource.OIG_LEIE].result is ScreeningResult.CONFIRMED_MATCH
    assert person not in before.disclosures and not before.excluded
    assert after.excluded and org.excluded


def test_ownership_is_judged_on_the_days_the_new_disclosure_covers() -> None:
    """Recorded late: owner A held it all until March 2; B, who bought it, is disclosed from February 2 (wrong: A
    still held it then) or from March 2 (right)."""
    org = register_peach()
    seller = disclose(org, ownership_percent=Decimal(100), on=date(2026, 1, 12))
    org.end_disclosure(person_id=seller, on=date(2026, 3, 2), actor="u", reason="Sold")
    org.collect_events()
    buyer = dict(tin=OTHER_SSN, ownership_percent=Decimal(100), name="Bo Buyer")
    assert_refused(org, lambda: disclose(org, **buyer, on=date(2026, 2, 2)), "ownership-over-100-percent")
    disclose(org, **buyer, on=date(2026, 3, 2))
    later = dict(tin="345-67-8901", ownership_percent=Decimal(10), name="Cy Later")
    assert_refused(org, lambda: disclose(org, **later, on=date(2026, 4, 1)), "ownership-over-100-percent")


def test_a_person_with_a_standing_match_is_not_disclosed_anew_until_it_is_cleared() -> None:
    """Ended and disclosed again, the person would start with no screening: the match is settled first, and an ended
    disclosure's match can still be cleared."""
    org = register_peach()
    owner = disclose(org)
    screen_person(org, owner, "confirmed_match")
    org.end_disclosure(person_id=owner, on=D3, actor="u", reason="Sold")
    org.collect_events()
    assert_refused(org, lambda: disclose(org, on=D3), "disclosure-match-standing")
    org.clear_person_screening(person_id=owner, source="oig_leie", on=D3, actor="u", reason="Reinstated by the OIG")
    disclose(org, on=D3)
