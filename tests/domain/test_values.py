"""Value objects and pure rule functions: TIN, address, taxonomy, tenant/text, dossier documents, routing numbers,
affiliation rules, PII marking."""

from __future__ import annotations

import typing
from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.address import US_STATES, Address, normalise_name
from domain.affiliation import (
    CLOSED,
    NEEDS_ENROLLMENT,
    TRANSITIONS,
    Affiliation,
    AffiliationState,
    PlanKind,
    check_plan,
    check_transition,
)
from domain.base import check_tenant_id, check_text
from domain.dossier import EXPIRING, MIN_AGGREGATE, MIN_PER_OCCURRENCE, DocumentType, check_document
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.organization import Organization
from domain.organization_values import check_routing_number
from domain.pii import PII, is_pii
from domain.taxonomy import TaxonomySelection, parse_taxonomies
from domain.tin import TinKind, parse_tin
from domain.user_account import UserAccount
from tests.domain.builders import document

# --- errors -------------------------------------------------------------------------------------------


def test_errors_carry_rule_message_and_field():
    invalid = InvalidValue("bad", field="npi", rule="invalid-npi")
    assert (invalid.rule, invalid.message, invalid.field, str(invalid)) == ("invalid-npi", "bad", "npi", "bad")
    assert InvalidValue("bad", field="x").rule == "invalid-value"
    violation = RuleViolation("some-rule", "no")
    assert (violation.rule, violation.message, violation.field) == ("some-rule", "no", None)
    assert isinstance(invalid, DomainError) and isinstance(violation, DomainError)


# --- tenant ids and free text ----------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", ["a", "firm-a", "FIRM_b-9", "t" * 64])
def test_tenant_ids_accepted(tenant):
    assert check_tenant_id(tenant) == tenant


@pytest.mark.parametrize("tenant", ["", "firm.a", "firm a", "firm*", "firm>", "t" * 65, "fírm", "firm\n", None, 7])
def test_tenant_ids_refused(tenant):
    with pytest.raises(InvalidValue) as caught:
        check_tenant_id(tenant)
    assert (caught.value.rule, caught.value.field) == ("invalid-tenant", "tenant")


def test_check_text_strips_and_limits_length():
    assert check_text("  Jo  ", field="name") == "Jo"
    assert check_text("x" * 10, field="name", max_length=10) == "x" * 10
    for bad in ("", "   ", None, 5, "x" * 11):
        with pytest.raises(InvalidValue) as caught:
            check_text(bad, field="name", max_length=10)
        assert (caught.value.rule, caught.value.field) == ("invalid-value", "name")


# --- TIN -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kind, digits",
    [
        ("12-3456789", TinKind.EIN, "123456789"),
        ("123456789", TinKind.EIN, "123456789"),
        ("99-0000001", "ein", "990000001"),
        ("123-45-6789", TinKind.SSN, "123456789"),
        ("123456789", TinKind.SSN, "123456789"),
        ("665-01-0001", "ssn", "665010001"),
        ("899-99-9999", TinKind.SSN, "899999999"),
    ],
)
def test_tin_accepted(value, kind, digits):
    assert parse_tin(value, kind) == digits


@pytest.mark.parametrize(
    "value, kind",
    [
        ("00-1234567", TinKind.EIN),  # EIN prefix 00 is never issued
        ("123-45-6789", TinKind.EIN),  # SSN layout is not an EIN
        ("1-23456789", TinKind.EIN),
        ("12-345678", TinKind.EIN),
        ("12-34567890", TinKind.EIN),
        ("12 3456789", TinKind.EIN),
        ("AB-3456789", TinKind.EIN),
        ("12-3456789\n", TinKind.EIN),
        ("", TinKind.EIN),
        (123456789, TinKind.EIN),
        (None, TinKind.SSN),
        ("000-12-3456", TinKind.SSN),  # area 000
        ("666-12-3456", TinKind.SSN),  # area 666
        ("900-12-3456", TinKind.SSN),  # area 9xx
        ("123-00-4567", TinKind.SSN),  # group 00
        ("123-45-0000", TinKind.SSN),  # serial 0000
        ("12-3456789", TinKind.SSN),  # EIN layout is not an SSN
        ("123-45-678", TinKind.SSN),
        ("１２３-45-6789", TinKind.SSN),  # fullwidth digits
    ],
)
def test_tin_refused(value, kind):
    with pytest.raises(InvalidValue) as caught:
        parse_tin(value, kind, field="the_tin")
    assert (caught.value.rule, caught.value.field) == ("invalid-tin", "the_tin")


def test_tin_unknown_kind():
    with pytest.raises(ValueError):
        parse_tin("12-3456789", "itin")


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_every_nine_digit_ein_with_a_nonzero_prefix_parses_in_both_layouts(digits):
    if digits[:2] == "00":
        with pytest.raises(InvalidValue):
            parse_tin(digits, TinKind.EIN)
    else:
        assert parse_tin(digits, TinKind.EIN) == digits
        assert parse_tin(f"{digits[:2]}-{digits[2:]}", TinKind.EIN) == digits


# --- addresses ---------------------------------------------------------------------------------------------


def test_address_parse_normalises():
    address = Address.parse("  1414 Walnut St ", " Philadelphia ", " pa ", " 19102-3824 ", line2="  ", field="practice")
    assert address == Address("1414 Walnut St", "Philadelphia", "PA", "191023824", None)
    assert Address.parse("1 Main", "Boston", "MA", "02108", line2=" Ste 2 ", field="x").line2 == "Ste 2"
    assert Address.parse("1 Main", "Boston", "MA", "021081234", field="x").postal_code == "021081234"


@pytest.mark.parametrize(
    "line1, city, state, postal, field",
    [
        ("", "Boston", "MA", "02108", "practice"),
        ("   ", "Boston", "MA", "02108", "practice"),
        (None, "Boston", "MA", "02108", "practice"),
        ("1 Main St", "", "MA", "02108", "practice"),
        ("1 Main St", "  ", "MA", "02108", "practice"),
        ("1 Main St", "Boston", "XX", "02108", "practice.state"),
        ("1 Main St", "Boston", "Mass", "02108", "practice.state"),
        ("1 Main St", "Boston", "", "02108", "practice.state"),
        ("1 Main St", "Boston", "MA", "2108", "practice.postal_code"),
        ("1 Main St", "Boston", "MA", "02108-12", "practice.postal_code"),
        ("1 Main St", "Boston", "MA", "02108-", "practice.postal_code"),
        ("1 Main St", "Boston", "MA", "0210812345", "practice.postal_code"),
        ("1 Main St", "Boston", "MA", "ABCDE", "practice.postal_code"),
    ],
)
def test_address_refused(line1, city, state, postal, field):
    with pytest.raises(InvalidValue) as caught:
        Address.parse(line1, city, state, postal, field="practice")
    assert (caught.value.rule, caught.value.field) == ("invalid-address", field)


def test_us_states_include_dc_territories_and_military_but_not_canada():
    assert {"MA", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP"} <= US_STATES
    assert len(US_STATES) == 50 + 1 + 5 + 3
    assert "ON" not in US_STATES


def test_matching_key_forgives_case_and_spacing_and_joins_the_second_line():
    a = Address("333 S Desplaines St", "Chicago", "IL", "606615514", "Ste 201")
    b = Address("333  s desplaines st ste 201", " CHICAGO ", "IL", "60661")
    assert a.matching_key() == b.matching_key() == ("333 S DESPLAINES ST STE 201", "CHICAGO", "IL", "60661")


def test_matching_key_punctuation_state_and_zip5_count():
    base = Address("2160 Bolton St", "Bronx", "NY", "10462", "Apt.# 5G")
    assert base.matching_key() != Address("2160 Bolton St.", "Bronx", "NY", "10462", "Apt.# 5G").matching_key()
    assert base.matching_key() != Address("2160 Bolton St", "Bronx", "NY", "10462", "Apt # 5G").matching_key()
    assert base.matching_key() != Address("2160 Bolton St", "Bronx", "NJ", "10462", "Apt.# 5G").matching_key()
    assert base.matching_key() != Address("2160 Bolton St", "Bronx", "NY", "10463", "Apt.# 5G").matching_key()
    assert base.matching_key() == Address("2160 Bolton St", "Bronx", "NY", "104621364", "Apt.# 5G").matching_key()


def test_addresses_are_frozen():
    with pytest.raises(FrozenInstanceError):
        Address("1 Main", "Boston", "MA", "02108").city = "Quincy"  # type: ignore[misc]


def test_normalise_name():
    assert normalise_name("  Peach  State\tMedical ") == "PEACH STATE MEDICAL"
    assert normalise_name("Practice, PC") != normalise_name("Practice PC")


# --- taxonomy selections ----------------------------------------------------------------------------------


def test_taxonomies_accepted_and_copied():
    selections = [TaxonomySelection("207VE0102X", True), TaxonomySelection("193200000X", False)]
    parsed, version = parse_taxonomies(selections, "25.1")
    assert parsed == selections and parsed is not selections
    assert version == "25.1"


@pytest.mark.parametrize(
    "selections, version, field",
    [
        ([TaxonomySelection("207Q00000X", True)], "25", "taxonomy_version"),
        ([TaxonomySelection("207Q00000X", True)], "2025.1", "taxonomy_version"),
        ([TaxonomySelection("207Q00000X", True)], "", "taxonomy_version"),
        ([TaxonomySelection("207Q00000X", True)], None, "taxonomy_version"),
        ([], "25.1", "taxonomies"),
        ([TaxonomySelection("207q00000x", True)], "25.1", "taxonomies[0].code"),
        ([TaxonomySelection("207Q00000X", True), TaxonomySelection("207Q0000X", False)], "25.1", "taxonomies[1].code"),
        ([TaxonomySelection("A07Q00000X", True)], "25.1", "taxonomies[0].code"),
        ([TaxonomySelection("207Q00000Y", True)], "25.1", "taxonomies[0].code"),
        ([TaxonomySelection("207Q00000X", False)], "25.1", "taxonomies"),  # no primary
        (
            [TaxonomySelection("207Q00000X", True), TaxonomySelection("193200000X", True)],
            "25.1",
            "taxonomies",
        ),  # two primaries
        (
            [TaxonomySelection("207Q00000X", True), TaxonomySelection("207Q00000X", False)],
            "25.1",
            "taxonomies",
        ),  # listed twice
    ],
)
def test_taxonomies_refused(selections, version, field):
    with pytest.raises(InvalidValue) as caught:
        parse_taxonomies(selections, version)
    assert (caught.value.rule, caught.value.field) == ("invalid-taxonomy", field)


# --- dossier documents ------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_type", list(DocumentType))
def test_every_document_type_has_a_valid_form(doc_type):
    assert check_document(document(doc_type)) == document(doc_type)


@pytest.mark.parametrize("doc_type", sorted(EXPIRING))
def test_expiring_documents_need_an_expiry_date(doc_type):
    with pytest.raises(InvalidValue) as caught:
        check_document(document(doc_type, expires_on=None))
    assert (caught.value.rule, caught.value.field) == ("document-needs-expiry", "expires_on")


def test_only_license_coi_and_dea_expire():
    assert {DocumentType.LICENSE, DocumentType.LIABILITY_COI, DocumentType.DEA} == EXPIRING
    for doc_type in set(DocumentType) - EXPIRING:
        check_document(document(doc_type, expires_on=None))


@pytest.mark.parametrize(
    "per_occurrence, aggregate",
    [
        (None, 3_000_000),
        (1_000_000, None),
        (None, None),
        (999_999, 3_000_000),
        (1_000_000, 2_999_999),
        (500_000, 1_000_000),
    ],
)
def test_coi_limits_refused(per_occurrence, aggregate):
    with pytest.raises(InvalidValue) as caught:
        check_document(document("liability_coi", per_occurrence_limit=per_occurrence, aggregate_limit=aggregate))
    assert (caught.value.rule, caught.value.field) == ("coi-limits", "per_occurrence_limit")


def test_coi_limits_at_and_above_the_minimum_accepted():
    assert (MIN_PER_OCCURRENCE, MIN_AGGREGATE) == (1_000_000, 3_000_000)
    check_document(document("liability_coi", per_occurrence_limit=1_000_000, aggregate_limit=3_000_000))
    check_document(document("liability_coi", per_occurrence_limit=2_000_000, aggregate_limit=5_000_000))


@pytest.mark.parametrize("state", [None, "", "NY", "Massachusetts", "M A"])
def test_dea_must_be_massachusetts(state):
    with pytest.raises(InvalidValue) as caught:
        check_document(document("dea", dea_state=state))
    assert (caught.value.rule, caught.value.field) == ("dea-state", "dea_state")


def test_dea_state_is_case_insensitive():
    check_document(document("dea", dea_state="ma"))


def test_expiry_is_checked_before_limits_and_state():
    with pytest.raises(InvalidValue) as caught:
        check_document(document("dea", expires_on=None, dea_state="NY"))
    assert caught.value.rule == "document-needs-expiry"


# --- ABA routing numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("routing", ["011000015", "021000021", "011000028", "211370545", "026009593"])
def test_real_routing_numbers_accepted(routing):
    assert check_routing_number(routing) == routing


@pytest.mark.parametrize(
    "routing", ["011000016", "021000022", "01100001", "0110000150", "01100001X", "", None, "011 000 015"]
)
def test_bad_routing_numbers_refused(routing):
    with pytest.raises(InvalidValue) as caught:
        check_routing_number(routing)
    assert (caught.value.rule, caught.value.field) == ("invalid-routing-number", "routing_number")


@given(st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_exactly_one_last_digit_makes_a_routing_number_valid(first_eight):
    valid = []
    for digit in "0123456789":
        try:
            check_routing_number(first_eight + digit)
            valid.append(digit)
        except InvalidValue:
            pass
    assert len(valid) == 1


# --- affiliation rules ------------------------------------------------------------------------------------


def test_check_plan():
    check_plan(PlanKind.ACO_A, "Fallon 365 Care", "Fallon Health")
    check_plan(PlanKind.ACO_B, "Community Care Cooperative", None)
    check_plan(PlanKind.MCO, "WellSense Health Plan", None)
    check_plan(PlanKind.PCC, "PCC Plan", None)


@pytest.mark.parametrize(
    "kind, plan, partner, rule",
    [
        (PlanKind.MCO, "", None, "invalid-plan"),
        (PlanKind.MCO, "   ", None, "invalid-plan"),
        (PlanKind.ACO_A, "Fallon 365 Care", None, "aco-a-needs-partner-mco"),
        (PlanKind.ACO_A, "Fallon 365 Care", "", "aco-a-needs-partner-mco"),
        (PlanKind.ACO_B, "C3", "WellSense Health Plan", "partner-mco-only-for-aco-a"),
        (PlanKind.MCO, "Tufts Health Together", "WellSense Health Plan", "partner-mco-only-for-aco-a"),
        (PlanKind.PCC, "PCC Plan", "WellSense Health Plan", "partner-mco-only-for-aco-a"),
    ],
)
def test_check_plan_refuses(kind, plan, partner, rule):
    with pytest.raises(RuleViolation) as caught:
        check_plan(kind, plan, partner)
    assert caught.value.rule == rule


def test_transition_table():
    state = AffiliationState
    assert {
        state.IN_CREDENTIALING: {state.REQUESTED},
        state.CONTRACTED: {state.IN_CREDENTIALING},
        state.ACTIVE: {state.CONTRACTED},
        state.DENIED: {state.REQUESTED, state.IN_CREDENTIALING},
        state.TERMINATED: {state.CONTRACTED, state.ACTIVE},
        state.WITHDRAWN: {state.REQUESTED, state.IN_CREDENTIALING},  # before the plan answered
    } == TRANSITIONS
    assert {state.DENIED, state.TERMINATED, state.WITHDRAWN} == CLOSED
    assert {state.CONTRACTED, state.ACTIVE} == NEEDS_ENROLLMENT


def _affiliation(state: AffiliationState, last: date = date(2026, 5, 1)) -> Affiliation:
    return Affiliation("WellSense Health Plan", PlanKind.MCO, None, state, {"requested": date(2026, 4, 1), state: last})


@pytest.mark.parametrize("current", list(AffiliationState))
@pytest.mark.parametrize("to", list(TRANSITIONS))
def test_check_transition_follows_the_table(current, to):
    affiliation = _affiliation(current)
    if current in TRANSITIONS[to]:
        check_transition(affiliation, to, date(2026, 5, 1), enrolled=True)
    else:
        with pytest.raises(RuleViolation) as caught:
            check_transition(affiliation, to, date(2026, 5, 1), enrolled=True)
        assert caught.value.rule == "affiliation-transition"


@pytest.mark.parametrize("to", sorted(NEEDS_ENROLLMENT))
def test_check_transition_needs_enrollment_to_contract(to):
    current = AffiliationState.IN_CREDENTIALING if to is AffiliationState.CONTRACTED else AffiliationState.CONTRACTED
    with pytest.raises(RuleViolation) as caught:
        check_transition(_affiliation(current), to, date(2026, 5, 2), enrolled=False)
    assert caught.value.rule == "affiliation-needs-enrollment"


def test_check_transition_date_order():
    affiliation = _affiliation(AffiliationState.REQUESTED, date(2026, 4, 1))
    check_transition(affiliation, AffiliationState.IN_CREDENTIALING, date(2026, 4, 1), enrolled=False)
    with pytest.raises(RuleViolation) as caught:
        check_transition(affiliation, AffiliationState.IN_CREDENTIALING, date(2026, 3, 31), enrolled=False)
    assert caught.value.rule == "affiliation-date-order"


def test_affiliation_moved_keeps_earlier_dates():
    requested = Affiliation("P", PlanKind.PCC, None, AffiliationState.REQUESTED, {"requested": date(2026, 1, 1)})
    moved = requested.moved(AffiliationState.IN_CREDENTIALING, date(2026, 1, 5))
    assert moved.state is AffiliationState.IN_CREDENTIALING
    assert moved.dates == {"requested": date(2026, 1, 1), "in_credentialing": date(2026, 1, 5)}
    assert requested.dates == {"requested": date(2026, 1, 1)}


# --- PII marking ------------------------------------------------------------------------------------------


def test_is_pii():
    assert is_pii(typing.Annotated[str, PII])
    assert is_pii(typing.Annotated[str | None, "doc", PII])
    assert not is_pii(str)
    assert not is_pii(typing.Annotated[str, "PII"])
    assert repr(PII) == "PII"


@pytest.mark.parametrize(
    "event_class, sealed",
    [
        (Organization.Registered, {"tin"}),
        (Organization.ProfileCorrected, {"tin"}),
        (Organization.NppesSnapshotRecorded, {"nppes_tin"}),
        (Organization.PinLetterReceived, {"pin"}),
        (Organization.EftDetailsRecorded, {"account_number"}),
        (Organization.ProviderNumberIssued, set()),
        (UserAccount.Opened, {"date_of_birth"}),
        (UserAccount.AccessGranted, set()),
    ],
)
def test_pii_fields_of_events(event_class, sealed):
    hints = typing.get_type_hints(event_class, include_extras=True)
    assert {name for name, hint in hints.items() if is_pii(hint)} == sealed


@pytest.mark.parametrize("missing", ["line1", "city", "state", "postal_code"])
def test_address_parts_that_are_not_text_are_invalid(missing):
    from domain.address import Address
    from domain.errors import InvalidValue

    parts = {"line1": "100 North St", "city": "Pittsfield", "state": "MA", "postal_code": "01201"}
    parts[missing] = None
    with pytest.raises(InvalidValue) as error:
        Address.parse(**parts, field="practice_address")
    assert error.value.rule == "invalid-address"
