"""NPI check digit: Luhn over "80840" + the first nine digits (CMS, "Requirements for NPI check digit")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.npi import luhn_check_digit, parse_npi

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nppes"
FIXTURE_FILES = (
    "api_v21_npi2_1174270805.json",
    "api_v21_npi2_1225701881.json",
    "api_v21_search_npi1_limit200.json",
    "legacy_2019/api_v21_2019_npi1_1720377294.json",
)


def _load_fixture_npis() -> list[tuple[str, object]]:
    """(file, raw "number" value) for every result in every fixture file."""
    found = []
    for name in FIXTURE_FILES:
        body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        for result in body["results"]:
            found.append((name, result["number"]))
    return found


FIXTURE_NPIS = _load_fixture_npis()
# The 2019 shape serialises "number" as an integer; the current shape as a string.
REAL_NPIS = sorted({str(number) for _, number in FIXTURE_NPIS})


def luhn_valid(number: str) -> bool:
    """Textbook Luhn validation (independent of domain.npi): double every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def expected_check_digit(first_nine: str) -> int:
    matches = [d for d in range(10) if luhn_valid("80840" + first_nine + str(d))]
    assert len(matches) == 1
    return matches[0]


def accepts(value: object) -> bool:
    try:
        parse_npi(value)  # type: ignore[arg-type]
    except InvalidValue as error:
        assert error.rule == "invalid-npi"
        assert error.field == "npi"
        return False
    return True


def assert_rejected(value: object) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        parse_npi(value)  # type: ignore[arg-type]
    assert caught.value.rule == "invalid-npi"
    assert caught.value.field == "npi"
    return caught.value


# --- the fixtures themselves -------------------------------------------------------------------


def test_fixtures_hold_the_expected_real_npis():
    # Guards against the parametrised tests below silently running over nothing.
    assert len(FIXTURE_NPIS) == 203
    assert len(REAL_NPIS) == 203
    for known in ("1174270805", "1225701881", "1720377294", "1851713903"):
        assert known in REAL_NPIS
    search = json.loads((FIXTURES / "api_v21_search_npi1_limit200.json").read_text(encoding="utf-8"))
    assert search["result_count"] == len(search["results"]) == 200


def test_cms_worked_example_and_textbook_luhn_vector():
    # CMS's worked example: first nine digits 123456789 give check digit 3.
    assert luhn_check_digit("80840" + "123456789") == 3
    assert parse_npi("1234567893") == "1234567893"
    # The textbook Luhn example: 7992739871 -> 3.
    assert luhn_check_digit("7992739871") == 3
    # A payload whose Luhn sum is already a multiple of 10 gets 0, not 10.
    assert luhn_check_digit("0") == 0
    assert luhn_check_digit("5") == 9  # 5 doubled is 10 -> 1, so 9 completes it


# --- real NPIs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("npi", REAL_NPIS)
def test_every_real_npi_parses(npi):
    assert parse_npi(npi) == npi
    assert luhn_check_digit("80840" + npi[:9]) == int(npi[9])


@pytest.mark.parametrize("npi", REAL_NPIS)
def test_real_npi_with_any_other_last_digit_is_rejected(npi):
    for digit in "0123456789":
        if digit == npi[9]:
            continue
        error = assert_rejected(npi[:9] + digit)
        assert "check digit" in error.message


def test_legacy_integer_number_must_be_converted_before_parsing():
    legacy = [number for name, number in FIXTURE_NPIS if name.startswith("legacy_2019/")]
    assert legacy == [1720377294]
    assert_rejected(legacy[0])
    assert parse_npi(str(legacy[0])) == "1720377294"


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", "1", "123456789", "12345678930", "01234567893", "1174270805 ", " 1174270805", "1174270805\n"],
)
def test_wrong_length_is_rejected(value):
    error = assert_rejected(value)
    assert "ten digits" in error.message


@pytest.mark.parametrize(
    "value",
    ["12345678a3", "1234 67893", "+123456789", "1234.67893", "123456789-", "1l74270805", "１２３４５６７８９３"],
)
def test_non_digits_are_rejected(value):
    assert len(value) == 10
    assert_rejected(value)


@pytest.mark.parametrize("leading", "03456789")
def test_leading_digit_other_than_1_or_2_is_rejected_even_with_a_good_check_digit(leading):
    first_nine = leading + "23456789"
    value = first_nine + str(expected_check_digit(first_nine))
    assert luhn_valid("80840" + value)  # the check digit is right; only the leading digit is wrong
    error = assert_rejected(value)
    assert "starts with 1 or 2" in error.message


@pytest.mark.parametrize("leading", "12")
def test_leading_1_and_2_are_accepted(leading):
    first_nine = leading + "23456789"
    value = first_nine + str(expected_check_digit(first_nine))
    assert parse_npi(value) == value


@pytest.mark.parametrize(
    "value", [1174270805, 1174270805.0, None, b"1174270805", ["1174270805"], bytearray(b"1174270805")]
)
def test_non_strings_are_rejected(value):
    assert_rejected(value)


def test_the_field_name_is_carried_on_the_error():
    with pytest.raises(InvalidValue) as caught:
        parse_npi("1174270806", field="billing_npi")
    assert caught.value.field == "billing_npi"
    assert caught.value.rule == "invalid-npi"


# Known defects (see report): str.isdigit() accepts any Unicode decimal digit, and int() reads them.


@pytest.mark.parametrize("value", ["1２３４５６７８９３", "123456789\u0663"])
def test_non_ascii_digits_are_rejected(value):
    assert_rejected(value)


def test_superscript_digit_raises_invalid_value_not_value_error():
    assert_rejected("1²34567893")


# --- properties --------------------------------------------------------------------------------

payloads = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("12"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


@given(payloads)
def test_exactly_one_of_ten_check_digits_is_accepted(first_nine):
    accepted = [digit for digit in "0123456789" if accepts(first_nine + digit)]
    assert accepted == [str(expected_check_digit(first_nine))]


@given(payloads, st.integers(min_value=0, max_value=9), st.sampled_from("0123456789"))
def test_any_single_digit_error_is_rejected(first_nine, position, replacement):
    npi = first_nine + str(expected_check_digit(first_nine))
    assert accepts(npi)
    if npi[position] == replacement:
        return
    assert not accepts(npi[:position] + replacement + npi[position + 1 :])
