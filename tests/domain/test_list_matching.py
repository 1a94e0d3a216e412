"""Matching a subject against an exclusion list's entries: NPI confirms, a name with an agreeing date of birth or
state is suspected, a reinstated, waived or ended exclusion is none, a name alone is none."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.exclusion_lists import name_key
from domain.list_matching import ListedEntry, ScreenedSubject, dob_digest, dob_key, in_force, judge, person_key
from domain.screening import ScreeningResult

ON = date(2026, 11, 15)
JANE = ListedEntry(line=7, entity=False, name_key=name_key("DOE JANE", True), npi=None, dob_digest="d1",
                   state="MA", excluded_on=date(2024, 1, 10), ends_on=None, reinstated_on=None,
                   waiver_on=None)  # fmt: skip
PHARMACY = ListedEntry(line=4, entity=True, name_key=name_key("101 FIRST CARE PHARMACY INC"), npi="1972902351",
                       dob_digest=None, state="NY", excluded_on=date(2022, 3, 20), ends_on=None, reinstated_on=None,
                       waiver_on=None)  # fmt: skip


def test_an_npi_on_an_entry_in_force_is_a_confirmed_match() -> None:
    practice = ScreenedSubject(person=False, name_key=name_key("Other Name LLC"), npi="1972902351")
    found = judge(practice, [PHARMACY], ON)
    assert (found.result, found.entry) == (ScreeningResult.CONFIRMED_MATCH, PHARMACY)
    assert "line 4" in found.why


@pytest.mark.parametrize(
    "subject, result",
    [
        (ScreenedSubject(person=True, name_key=name_key("Doe, Jane Q.", True), dob_digest="d1"), "suspected_match"),
        (ScreenedSubject(person=True, name_key=name_key("DOE JANE", True), dob_digest="d2", state="MA"), "no_match"),
        (ScreenedSubject(person=True, name_key=name_key("DOE JANE", True), state="MA"), "suspected_match"),
        (ScreenedSubject(person=True, name_key=name_key("DOE JANE", True), state="RI"), "no_match"),
        (ScreenedSubject(person=True, name_key=name_key("DOE JANE", True)), "no_match"),  # a name alone
        (ScreenedSubject(person=False, name_key=name_key("DOE JANE", True), state="MA"), "no_match"),  # not a person
        (ScreenedSubject(person=False, name_key=name_key("101 First Care Pharmacy, Inc."), state="NY"),
         "suspected_match"),
    ],
)  # fmt: skip
def test_a_name_needs_an_agreeing_date_of_birth_or_state(subject: ScreenedSubject, result: str) -> None:
    assert judge(subject, [JANE, PHARMACY], ON).result is ScreeningResult(result)


@pytest.mark.parametrize(
    "change, stands",
    [
        ({"excluded_on": date(2026, 12, 1)}, False),  # not begun yet
        ({"reinstated_on": date(2025, 6, 1)}, False),
        ({"reinstated_on": date(2026, 12, 1)}, True),  # reinstated later: excluded on the day asked about
        ({"waiver_on": date(2025, 1, 1), "waiver_state": "MA"}, False),
        ({"waiver_on": date(2025, 1, 1), "waiver_state": "NY"}, True),  # another state's program: still excluded
        ({"ends_on": ON}, False),  # SAM's termination date
        ({"ends_on": date(2027, 1, 1)}, True),
    ],
)
def test_reinstated_waived_or_ended_entries_are_no_exclusion(change: dict[str, date], stands: bool) -> None:
    entry = replace(PHARMACY, **change)
    assert in_force(entry, ON) is stands
    practice = ScreenedSubject(person=False, name_key="X", npi="1972902351")
    expected = ScreeningResult.CONFIRMED_MATCH if stands else ScreeningResult.NO_MATCH
    assert judge(practice, [entry], ON).result is expected


def test_a_persons_name_as_written_becomes_the_lists_key() -> None:
    assert person_key("Jane Q. Roe") == "ROE JANE" == name_key("ROE JANE", True)
    assert person_key("José Núñez Jr.") == "NUNEZ JOSE"
    assert person_key("Cher") == "CHER"


def test_dates_of_birth_are_compared_as_keyed_digests() -> None:
    key, other = dob_key(b"k" * 32), dob_key(b"x" * 32)
    born = date(1970, 3, 4)
    assert dob_digest(key, born) == dob_digest(key, date(1970, 3, 4)) != dob_digest(key, date(1970, 3, 5))
    assert dob_digest(other, born) != dob_digest(key, born)  # without the key, no table of dates reads it
    assert "1970" not in dob_digest(key, born)
