"""The exclusion lists' layouts, read from real files (tests/fixtures/exclusion_lists, with their provenance): the
layout known from the header, an unknown one refused naming the columns expected, each row checked, and the
normalised names screening compares."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from domain.errors import InvalidValue
from domain.exclusion_lists import (
    COLUMNS,
    Entry,
    Layout,
    MalformedRow,
    column_names,
    detect_layout,
    name_key,
    read_row,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exclusion_lists"
FILES = {
    Layout.LEIE: "leie_updated_head.csv",
    Layout.SAM_V2: "sam_exclusions_public_extract_v2_sample.csv",
    Layout.SAM_V1: "sam_exclusions_public_extract_v1_derived.csv",
}


def _read(layout: Layout) -> list[Entry]:
    with (FIXTURES / FILES[layout]).open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = next(reader)
        assert detect_layout(header) is layout
        names = column_names(header)
        return [read_row(layout, names, row, reader.line_num) for row in reader if row]


def test_the_leie_file_its_businesses_and_its_none_values() -> None:
    entries = _read(Layout.LEIE)
    assert [e.line for e in entries] == [2, 3, 4, 5, 6]
    pharmacy = entries[2]
    assert (pharmacy.entity, pharmacy.business_name, pharmacy.npi) == (
        True,
        "101 FIRST CARE PHARMACY INC",
        "1972902351",
    )
    assert (pharmacy.excluded_on, pharmacy.exclusion_type, pharmacy.state) == (date(2022, 3, 20), "1128b8", "NY")
    # 0000000000 is no NPI, 00000000 no reinstatement or waiver; a business has no date of birth.
    assert {e.npi for e in entries[:2]} == {None}
    assert all(e.reinstated_on is None and e.waiver_on is None and e.date_of_birth is None for e in entries)
    assert [e.name_key for e in entries[:3]] == ["1 MARKETING SERVICE", "1 BEST CARE", "101 FIRST CARE PHARMACY"]


@pytest.mark.parametrize("layout", [Layout.SAM_V2, Layout.SAM_V1])
def test_the_sam_extract_in_both_layouts(layout: Layout) -> None:
    entries = _read(layout)
    firm, person = entries[0], entries[1]
    assert (firm.entity, firm.business_name, firm.excluded_on, firm.ends_on) == (
        True, "ZTE CORPORATION", date(2019, 12, 13), None)  # fmt: skip
    assert firm.name_key == "ZTE"  # "CORPORATION" is the company's form, not its name
    assert (person.entity, person.last_name, person.first_name, person.name_key) == (
        False, "FLORES", "ANTONIO", "FLORES ANTONIO")  # fmt: skip
    assert person.record_id == "S4MRRFG44" and person.npi is None and person.date_of_birth is None
    if layout is Layout.SAM_V2:
        assert len(entries) == 16 and len({(e.name_key, e.record_id) for e in entries}) == 15  # one row repeated


def test_an_unknown_layout_is_refused_naming_the_columns_expected() -> None:
    with pytest.raises(InvalidValue) as refused:
        detect_layout(["NAME", "NPI", "DATE"])
    assert refused.value.rule == "list-layout-unknown"
    for columns in COLUMNS.values():
        assert ", ".join(columns) in str(refused.value)
    # A column missing is as unknown as a foreign file.
    with pytest.raises(InvalidValue):
        detect_layout([c for c in COLUMNS[Layout.LEIE] if c != "EXCLDATE"])
    # A byte-order mark and padding around the names are not differences.
    assert detect_layout(["\ufeffLASTNAME", *(f" {c} " for c in COLUMNS[Layout.LEIE][1:])]) is Layout.LEIE


LEIE_HEADER = list(COLUMNS[Layout.LEIE])
PERSON = ["DOE", "JANE", "Q", "", "IND- LIC HC SERV PRO", "NURSE/NURSES AIDE", "", "0000000000", "19750601",
          "1 MAIN ST", "BOSTON", "MA", "02110", "1128b4", "20240110", "00000000", "00000000", ""]  # fmt: skip


def test_a_synthetic_person_row_reads_with_its_date_of_birth() -> None:
    person = read_row(Layout.LEIE, LEIE_HEADER, PERSON, 7)
    assert (person.entity, person.name_key, person.date_of_birth) == (False, "DOE JANE", date(1975, 6, 1))
    reinstated = read_row(Layout.LEIE, LEIE_HEADER, [*PERSON[:15], "20250301", *PERSON[16:]], 8)
    assert reinstated.reinstated_on == date(2025, 3, 1)


@pytest.mark.parametrize(
    "change, says",
    [
        ({14: "2024-01-10"}, "EXCLDATE '2024-01-10' is not a date (YYYYMMDD)"),
        ({14: "20241301"}, "EXCLDATE '20241301' is not a date"),
        ({7: "1234567890"}, "NPI '1234567890' is not a valid NPI"),
        ({8: "1975-06-01"}, "DOB is not a date (YYYYMMDD)"),  # the value itself is never echoed
        ({0: "", 1: "", 3: ""}, "neither a person's name nor a business name"),
    ],
)
def test_a_malformed_row_names_its_line_and_what_is_wrong(change: dict[int, str], says: str) -> None:
    row = [change.get(i, value) for i, value in enumerate(PERSON)]
    with pytest.raises(MalformedRow) as refused:
        read_row(Layout.LEIE, LEIE_HEADER, row, 41)
    assert refused.value.line == 41 and str(refused.value).startswith("Line 41: ") and says in str(refused.value)
    assert refused.value.rule == "list-row-malformed"
    with pytest.raises(MalformedRow, match="17 fields where the header has 18"):
        read_row(Layout.LEIE, LEIE_HEADER, PERSON[:-1], 9)


@pytest.mark.parametrize(
    "name, person, key",
    [
        ("O'Brien  John", True, "OBRIEN JOHN"),
        ("Núñez-Pérez María J.", True, "NUNEZ PEREZ MARIA"),
        ("SMITH JR JOHN", True, "SMITH JOHN"),
        ("Acme Home Health, L.L.C.", False, "ACME HOME HEALTH"),
        ("Acme Home Health, LLC", False, "ACME HOME HEALTH"),
        ("The Company Inc", False, "THE COMPANY INC"),  # nothing but forms: kept as written
    ],
)
def test_names_are_compared_normalised(name: str, person: bool, key: str) -> None:
    assert name_key(name, person) == key
