"""NPPES snapshots parsed from REAL NPPES API responses, and `find_mismatches` (what MassHealth would reject)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.address import Address
from domain.errors import InvalidValue
from domain.nppes import Mismatch, NppesSnapshot, find_mismatches, snapshot_from_api
from domain.taxonomy import TaxonomySelection
from tests.domain.builders import (
    DANWING_NPI,
    DAPAAH_NPI,
    HIZA_NAME,
    HIZA_NPI,
    HIZA_PRACTICE,
    HIZA_TAXONOMIES,
    PEACH_MAILING,
    PEACH_NAME,
    PEACH_NPI,
    PEACH_PRACTICE,
    PEACH_TAXONOMIES,
    RETRIEVED_ON,
    VIOS_NPI,
    hiza_snapshot,
    load_body,
    load_record,
    peach_snapshot,
    search_record,
)

# --- parsing the real API records -------------------------------------------------------------------------


def test_npi2_record_current_shape():
    snapshot = peach_snapshot()
    assert snapshot == NppesSnapshot(
        npi=PEACH_NPI,
        enumeration_type="NPI-2",
        name="PEACH STATE MEDICAL PRACTICE, PC",
        taxonomies=(TaxonomySelection("207VE0102X", True), TaxonomySelection("207VG0400X", False)),
        location_address=Address("1414 WALNUT ST", "PHILADELPHIA", "PA", "191023824", None),
        mailing_address=Address("333 S DESPLAINES ST STE 201", "CHICAGO", "IL", "606615514", None),
        status="A",
        last_updated="2024-05-20",
        retrieved_on=RETRIEVED_ON,
    )


def test_second_npi2_record():
    snapshot = snapshot_from_api(load_record("api_v21_npi2_1225701881.json"), date(2026, 1, 2))
    assert (snapshot.npi, snapshot.enumeration_type) == (VIOS_NPI, "NPI-2")
    assert snapshot.name == "VIOS FERTILITY INSTITUTE MICHIGAN PLLC"
    assert snapshot.taxonomies == (TaxonomySelection("207VE0102X", True),)
    assert snapshot.location_address == snapshot.mailing_address
    assert snapshot.location_address.matching_key() == ("26400 W 12 MILE RD STE 140", "SOUTHFIELD", "MI", "48034")
    assert snapshot.retrieved_on == date(2026, 1, 2)


def test_npi1_record_2019_shape_with_integer_number_and_empty_address_2():
    snapshot = hiza_snapshot()
    assert snapshot.npi == HIZA_NPI  # the 2019 shape has "number" as an integer
    assert snapshot.enumeration_type == "NPI-1"
    assert snapshot.name == "ELISE HIZA"  # first and last name; the middle name is not part of it
    assert snapshot.taxonomies == (TaxonomySelection("207X00000X", True), TaxonomySelection("390200000X", False))
    assert snapshot.location_address == Address("111 VICTORIA RD", "ASHEVILLE", "NC", "288014811", None)
    assert snapshot.mailing_address.line2 is None  # "address_2": "" is no second line
    assert snapshot.last_updated == "2018-05-08"
    # practiceLocations (a secondary location in Atlanta) are not the primary practice location
    assert snapshot.location_address.city == "ASHEVILLE"


def test_npi1_record_with_address_2():
    snapshot = snapshot_from_api(search_record(DAPAAH_NPI), RETRIEVED_ON)
    assert snapshot.name == "JOSEPHINE DAPAAH"
    assert snapshot.location_address == Address("2160 BOLTON ST", "BRONX", "NY", "104621364", "APT.# 5G")


def test_all_200_search_results_parse():
    body = load_body("api_v21_search_npi1_limit200.json")
    assert body["result_count"] == 200
    snapshots = [snapshot_from_api(record, RETRIEVED_ON) for record in body["results"]]
    assert len({s.npi for s in snapshots}) == 200
    for snapshot, record in zip(snapshots, body["results"], strict=True):
        assert snapshot.enumeration_type == "NPI-1"
        assert snapshot.status == "A"
        assert snapshot.name == f"{record['basic']['first_name']} {record['basic']['last_name']}"
        assert sum(t.primary for t in snapshot.taxonomies) == 1
        assert len(snapshot.taxonomies) == len(record["taxonomies"])
        assert snapshot.location_address is not None and snapshot.mailing_address is not None


def test_snapshot_is_frozen():
    with pytest.raises(AttributeError):
        peach_snapshot().status = "D"  # type: ignore[misc]


def test_missing_status_defaults_to_active_and_missing_lists_to_empty():
    record = load_record("api_v21_npi2_1225701881.json")
    del record["basic"]["status"], record["basic"]["last_updated"], record["taxonomies"], record["addresses"]
    snapshot = snapshot_from_api(record, RETRIEVED_ON)
    assert (snapshot.status, snapshot.last_updated, snapshot.taxonomies) == ("A", None, ())
    assert snapshot.location_address is None and snapshot.mailing_address is None


def test_deactivated_status_is_kept():
    record = load_record("api_v21_npi2_1174270805.json")
    record["basic"]["status"] = "D"
    assert snapshot_from_api(record, RETRIEVED_ON).status == "D"


def test_foreign_address_is_not_a_us_address():
    record = load_record("api_v21_npi2_1174270805.json")
    record["addresses"][1].update(country_code="CA", country_name="Canada", state="ON", postal_code="M5V 2T6")
    snapshot = snapshot_from_api(record, RETRIEVED_ON)
    assert snapshot.mailing_address is None
    assert snapshot.location_address is not None


def test_taxonomy_without_primary_flag_is_not_primary():
    record = load_record("api_v21_npi2_1225701881.json")
    del record["taxonomies"][0]["primary"]
    assert snapshot_from_api(record, RETRIEVED_ON).taxonomies == (TaxonomySelection("207VE0102X", False),)


def _without(path: tuple) -> dict:
    record = load_record("api_v21_npi2_1174270805.json")
    target = record
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return record


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(_without(("basic",)), id="no-basic"),
        pytest.param(_without(("enumeration_type",)), id="no-enumeration-type"),
        pytest.param(_without(("number",)), id="no-number"),
        pytest.param(_without(("basic", "organization_name")), id="npi2-without-organization-name"),
        pytest.param(_without(("addresses", 0, "address_1")), id="address-without-line"),
        pytest.param(_without(("addresses", 0, "city")), id="address-without-city"),
        pytest.param(_without(("taxonomies", 0, "code")), id="taxonomy-without-code"),
        pytest.param({**load_record("api_v21_npi2_1174270805.json"), "addresses": [None]}, id="address-null"),
        pytest.param({**load_record("api_v21_npi2_1174270805.json"), "basic": None}, id="basic-null"),
        pytest.param(None, id="null"),
        pytest.param([], id="list"),
        pytest.param("1174270805", id="string"),
        pytest.param({}, id="empty"),
    ],
)
def test_malformed_records_refused(record):
    with pytest.raises(InvalidValue) as caught:
        snapshot_from_api(record, RETRIEVED_ON)
    assert (caught.value.rule, caught.value.field) == ("invalid-nppes-record", "record")


@pytest.mark.parametrize(
    "body_file",
    [
        "api_v21_error_06_number_not_10_digits.json",
        "legacy_2019/api_v21_2019_error_04_no_criteria.json",
        "legacy_2019/api_v21_2019_error_09_enumeration_type.json",
    ],
)
def test_real_api_error_bodies_are_not_records(body_file):
    """The API answers errors with HTTP 200 and an ``Errors`` list; neither the body nor an error is a record."""
    body = load_body(body_file)
    assert "results" not in body
    for candidate in (body, body["Errors"][0]):
        with pytest.raises(InvalidValue) as caught:
            snapshot_from_api(candidate, RETRIEVED_ON)
        assert caught.value.rule == "invalid-nppes-record"


def test_real_zero_results_body_has_nothing_to_parse():
    assert load_body("legacy_2019/api_v21_2019_zero_results.json") == {"result_count": 0, "results": []}


def test_record_with_bad_check_digit_is_an_invalid_npi():
    record = load_record("api_v21_npi2_1174270805.json")
    record["number"] = "1174270806"
    with pytest.raises(InvalidValue) as caught:
        snapshot_from_api(record, RETRIEVED_ON)
    assert (caught.value.rule, caught.value.field) == ("invalid-npi", "record.number")


# --- find_mismatches ------------------------------------------------------------------------------------


def mismatches(snapshot=None, **overrides):
    kwargs = dict(
        snapshot=snapshot or peach_snapshot(),
        npi=PEACH_NPI,
        required_enumeration_type="NPI-2",
        legal_name=PEACH_NAME,
        taxonomies=list(PEACH_TAXONOMIES),
        practice_address=PEACH_PRACTICE,
        mailing_address=PEACH_MAILING,
        tin_matches=None,
    )
    kwargs.update(overrides)
    return find_mismatches(**kwargs)


def fields(found: list[Mismatch]) -> list[str]:
    return [m.field for m in found]


def test_matching_profile_has_no_mismatch():
    assert mismatches() == []
    assert mismatches(tin_matches=True) == []


def test_solo_practitioner_matches_her_2019_record():
    found = find_mismatches(
        snapshot=hiza_snapshot(),
        npi=HIZA_NPI,
        required_enumeration_type="NPI-1",
        legal_name=HIZA_NAME,
        taxonomies=list(HIZA_TAXONOMIES),
        practice_address=HIZA_PRACTICE,
        mailing_address=None,
        tin_matches=None,
    )
    assert found == []


@pytest.mark.parametrize(
    "name",
    ["PEACH STATE MEDICAL PRACTICE, PC", "peach state medical practice, pc", "  Peach   State Medical Practice, PC "],
)
def test_name_compares_case_and_space_insensitively(name):
    assert mismatches(legal_name=name) == []


@pytest.mark.parametrize(
    "name",
    [
        "Peach State Medical Practice PC",  # missing comma
        "Peach State Medical Practice, P.C.",  # added periods
        "Peach State Medical Practise, PC",  # one letter
        "PeachState Medical Practice, PC",  # a missing space is not spacing
        "KINDBODY OF PA MEDICAL PRACTICE, PC",  # the DBA is not the legal name
    ],
)
def test_name_punctuation_and_spelling_count(name):
    found = mismatches(legal_name=name)
    assert fields(found) == ["legal_name"]
    assert "PEACH STATE MEDICAL PRACTICE, PC" in found[0].detail


@pytest.mark.parametrize(
    "taxonomies",
    [
        [TaxonomySelection("207VE0102X", True)],  # one missing
        [TaxonomySelection("207VE0102X", False), TaxonomySelection("207VG0400X", True)],  # primary flag swapped
        [
            TaxonomySelection("207VE0102X", True),
            TaxonomySelection("207VG0400X", False),
            TaxonomySelection("207V00000X", False),
        ],  # one extra
        [TaxonomySelection("207VE0102X", True), TaxonomySelection("207VX0201X", False)],  # another code
    ],
)
def test_taxonomies_must_match_including_the_primary_flag(taxonomies):
    found = mismatches(taxonomies=taxonomies)
    assert fields(found) == ["taxonomies"]
    assert "207VE0102X (primary)" in found[0].detail


def test_taxonomy_order_does_not_matter():
    assert mismatches(taxonomies=list(reversed(PEACH_TAXONOMIES))) == []


@pytest.mark.parametrize(
    "address",
    [
        Address.parse("1414 Walnut St.", "Philadelphia", "PA", "19102", field="p"),  # a period
        Address.parse("1414 Walnut Street", "Philadelphia", "PA", "19102", field="p"),
        Address.parse("1414 Walnut St", "Phila", "PA", "19102", field="p"),
        Address.parse("1414 Walnut St", "Philadelphia", "NJ", "19102", field="p"),
        Address.parse("1414 Walnut St", "Philadelphia", "PA", "19103", field="p"),
        Address.parse("1414 Walnut St", "Philadelphia", "PA", "19102", line2="Ste 1", field="p"),
    ],
)
def test_practice_address_must_match(address):
    assert fields(mismatches(practice_address=address)) == ["practice_address"]


def test_practice_address_ignores_case_spacing_and_zip_plus_four():
    same = Address.parse(" 1414  WALNUT st ", "philadelphia", "pa", "19102-9999", field="p")
    assert mismatches(practice_address=same) == []


def test_practice_address_missing_from_nppes_is_a_mismatch():
    assert fields(mismatches(snapshot=replace(peach_snapshot(), location_address=None))) == ["practice_address"]


def test_mailing_address_must_match_when_the_profile_has_one():
    wrong = Address.parse("333 S Desplaines St, Ste 201", "Chicago", "IL", "60661", field="m")
    assert fields(mismatches(mailing_address=wrong)) == ["mailing_address"]
    assert fields(mismatches(mailing_address=PEACH_PRACTICE)) == ["mailing_address"]
    # the same street split over two lines, or on one, matches
    one_line = Address.parse("333 S DESPLAINES ST STE 201", "CHICAGO", "IL", "606615514", field="m")
    assert mismatches(mailing_address=one_line) == []


def test_mailing_address_missing_from_nppes():
    no_mailing = replace(peach_snapshot(), mailing_address=None)
    assert fields(mismatches(snapshot=no_mailing)) == ["mailing_address"]
    assert mismatches(snapshot=no_mailing, mailing_address=None) == []


def test_profile_without_mailing_address_is_not_compared():
    assert mismatches(mailing_address=None) == []


def test_enumeration_type_must_fit_the_entity_kind():
    found = mismatches(required_enumeration_type="NPI-1")
    assert fields(found) == ["enumeration_type"]
    assert found[0].detail == "NPPES has NPI-2, the entity needs NPI-1."


def test_inactive_npi():
    found = mismatches(snapshot=replace(peach_snapshot(), status="D"))
    assert fields(found) == ["npi_status"]


def test_snapshot_of_another_npi():
    vios = snapshot_from_api(load_record("api_v21_npi2_1225701881.json"), RETRIEVED_ON)
    found = mismatches(snapshot=vios)
    assert fields(found)[0] == "npi"
    assert set(fields(found)) == {"npi", "legal_name", "taxonomies", "practice_address", "mailing_address"}


def test_tin_mismatch_only_when_known_to_differ():
    assert fields(mismatches(tin_matches=False)) == ["tin"]
    assert mismatches(tin_matches=None) == mismatches(tin_matches=True) == []


def test_everything_wrong_lists_every_field_in_order():
    found = mismatches(
        snapshot=replace(peach_snapshot(), status="D", npi=DANWING_NPI),
        required_enumeration_type="NPI-1",
        legal_name="Other",
        taxonomies=[TaxonomySelection("101Y00000X", True)],
        practice_address=HIZA_PRACTICE,
        mailing_address=HIZA_PRACTICE,
        tin_matches=False,
    )
    assert fields(found) == [
        "npi",
        "npi_status",
        "enumeration_type",
        "legal_name",
        "taxonomies",
        "practice_address",
        "mailing_address",
        "tin",
    ]
