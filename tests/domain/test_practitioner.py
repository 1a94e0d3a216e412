"""Practitioner: a clinician (Type 1 NPI) the firm credentials. Registration, the NPPES comparison, the dated
credentials (domain/credentials.py: licenses, DEA registrations, board certifications, malpractice coverage), the
CAQH ProView attestation, business days and as-of, and rendering links to a group's service locations, whose list
of rendering NPIs follows (domain/rendering.py). Every refused command changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from domain.address import Address
from domain.business_time import business_today, state_on
from domain.credentials import (
    BoardCertification,
    DeaRegistration,
    License,
    LicenseStatus,
    MalpracticeCoverage,
    parse_caqh_id,
    parse_dea_number,
)
from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.nppes import NO_SNAPSHOT, Mismatch, snapshot_from_api
from domain.organization import Organization
from domain.practitioner import Practitioner, RenderingLink, check_npi_not_registered
from domain.rendering import check_link_correction, end_rendering, link_rendering
from tests.domain.builders import (
    HIZA_NPI,
    ORG_ID,
    PEACH_NPI,
    PRACTITIONER_REGISTERED_ON,
    REGISTERED_ON,
    RETRIEVED_ON,
    VIOS_NPI,
    a_board_certification,
    a_dea_registration,
    a_license,
    a_malpractice_coverage,
    assert_refused,
    assert_value_error,
    domain_state,
    hiza_snapshot,
    load_record,
    register_hiza,
    register_peach,
    register_practitioner,
    replay,
    state_of,
)

HIZA_RECORD = "legacy_2019/api_v21_2019_npi1_1720377294.json"  # her real NPPES record: ELISE HIZA, 207X00000X
D1, D2, D3 = date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 4)
BEFORE = "effective-date-before-dependency"


def practitioner(**overrides: Any) -> Practitioner:
    """Registered, its creation collected: what a command adds is then all that is pending."""
    made = register_practitioner(**overrides)
    made.collect_events()
    return made


def refused_credential(made: Practitioner, credential: Any, rule: str, on: date = D1) -> DomainError:
    """Recording ``credential`` is refused naming ``rule`` (and the field) and changes nothing."""
    return assert_refused(made, lambda: made.record_credential(credential, on=on, actor="u"), rule, InvalidValue)


# --- registration ----------------------------------------------------------------------------------------------


def test_a_clinician_is_registered_for_a_client_practice() -> None:
    made = register_practitioner(first_name=" Elise ", reason="new client clinician")
    assert (made.tenant_id, made.organization_id, made.npi) == ("firm-a", ORG_ID, HIZA_NPI)
    assert (made.first_name, made.middle_name, made.last_name, made.degree) == ("Elise", "Aileen", "Hiza", "MD")
    assert made.name == "Elise A. Hiza, MD"  # as a claim or a roster shows it
    assert register_practitioner(middle_name=None).name == "Elise Hiza, MD"
    assert (made.date_of_birth, made.registered_on) == (date(1975, 6, 1), PRACTITIONER_REGISTERED_ON)
    assert made.nppes is None and made.nppes_mismatches == [NO_SNAPSHOT]  # nothing compared yet
    assert made.credentials == {} and made.ended_credentials == {} and made.links == []
    assert (made.caqh_id, made.caqh_attested_on) == (None, None)
    [registered] = made.pending_events
    assert type(registered) is Practitioner.Registered and registered.reason == "new client clinician"


@pytest.mark.parametrize("npi", ["1720377295", "172037729", "17203772945", "3720377294", "172037729X", "", None])
def test_the_npi_is_ten_digits_with_its_check_digit(npi: Any) -> None:
    with pytest.raises(InvalidValue) as caught:
        register_practitioner(npi=npi)
    assert (caught.value.rule, caught.value.field) == ("invalid-npi", "npi")


@pytest.mark.parametrize(
    "field, value",
    [("first_name", " "), ("last_name", ""), ("last_name", "x" * 61), ("degree", "  "), ("degree", "D" * 21)],
)
def test_names_and_degree_are_required_and_bounded(field: str, value: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        register_practitioner(**{field: value})
    assert (caught.value.rule, caught.value.field) == ("invalid-value", field)


@pytest.mark.parametrize("born", [PRACTITIONER_REGISTERED_ON, PRACTITIONER_REGISTERED_ON + timedelta(days=1)])
def test_the_date_of_birth_is_before_the_registration(born: date) -> None:
    with pytest.raises(InvalidValue) as caught:
        register_practitioner(date_of_birth=born)
    assert (caught.value.rule, caught.value.field) == ("invalid-value", "date_of_birth")
    assert register_practitioner(date_of_birth=None).date_of_birth is None  # not known: fine


def test_no_clinician_is_registered_in_the_future() -> None:
    with pytest.raises(RuleViolation) as caught:
        register_practitioner(registered_on=business_today() + timedelta(days=1))
    assert caught.value.rule == "effective-date-in-future"


# --- NPPES -----------------------------------------------------------------------------------------------------


def hiza_record(**changes: Any) -> dict[str, Any]:
    """Her NPPES record, with ``basic`` fields changed (``basic__status="D"``) or top-level ones."""
    record = load_record(HIZA_RECORD)
    for key, value in changes.items():
        if key.startswith("basic__"):
            record["basic"][key.removeprefix("basic__")] = value
        else:
            record[key] = value
    return record


def test_a_matching_nppes_record_leaves_no_mismatch() -> None:
    made = practitioner()
    made.record_nppes_snapshot(hiza_snapshot(), actor="user-1")  # "ELISE HIZA", NPI-1, active, 207X00000X primary
    assert made.nppes == hiza_snapshot() and made.nppes_mismatches == []
    [recorded] = made.pending_events
    assert type(recorded) is Practitioner.NppesSnapshotRecorded and recorded.mismatches == []


@pytest.mark.parametrize(
    "record, overrides, fields",
    [
        (hiza_record(), dict(last_name="Hiza-Moreno"), ["name"]),
        (hiza_record(basic__first_name="ELISA"), {}, ["name"]),
        # a rendering NPI is an individual's: an organization's record is refused as a mismatch
        (hiza_record(enumeration_type="NPI-2", basic__organization_name="ELISE HIZA"), {}, ["enumeration_type"]),
        (hiza_record(basic__status="D"), {}, ["npi_status"]),
        (hiza_record(), dict(taxonomy_code="207Q00000X"), ["taxonomy"]),
        (hiza_record(), dict(taxonomy_code=None), []),  # no taxonomy on the record: not compared
        (load_record("api_v21_npi2_1174270805.json"), {}, ["npi", "enumeration_type", "name", "taxonomy"]),
    ],
)
def test_each_difference_from_nppes_is_a_mismatch(
    record: dict[str, Any], overrides: dict[str, Any], fields: list[str]
) -> None:
    made = practitioner(**overrides)
    made.record_nppes_snapshot(snapshot_from_api(record, RETRIEVED_ON), actor="user-1")
    assert [m.field for m in made.nppes_mismatches] == fields
    assert all(isinstance(m, Mismatch) and m.detail for m in made.nppes_mismatches)


def test_a_later_matching_record_clears_the_mismatches() -> None:
    made = practitioner(taxonomy_code="207Q00000X")
    made.record_nppes_snapshot(hiza_snapshot(), actor="user-1")
    assert [m.field for m in made.nppes_mismatches] == ["taxonomy"]
    made.record_nppes_snapshot(replace(hiza_snapshot(), taxonomies=()), actor="user-1")
    assert [m.field for m in made.nppes_mismatches] == ["taxonomy"]  # no primary taxonomy at all
    fixed = hiza_record(taxonomies=[{"code": "207Q00000X", "primary": True}])
    made.record_nppes_snapshot(snapshot_from_api(fixed, RETRIEVED_ON), actor="user-1", reason="NPPES updated")
    assert made.nppes_mismatches == []


def test_an_nppes_record_read_before_the_registration_is_refused() -> None:
    made = practitioner()
    early = replace(hiza_snapshot(), retrieved_on=PRACTITIONER_REGISTERED_ON - timedelta(days=1))
    assert_refused(made, lambda: made.record_nppes_snapshot(early, actor="user-1"), BEFORE)


# --- credentials -----------------------------------------------------------------------------------------------

KINDS = [
    (a_license(), "license:MA:MD", Practitioner.LicenseRecorded, dict(expires_on=date(2028, 6, 30))),
    (a_dea_registration(), "dea:MA", Practitioner.DeaRegistrationRecorded, dict(expires_on=date(2030, 3, 31))),
    (
        a_board_certification(),
        "board:ABOS:Orthopaedic Surgery",
        Practitioner.BoardCertificationRecorded,
        dict(certified_on=date(2029, 1, 5), expires_on=None),  # recertified for life
    ),
    (a_malpractice_coverage(), "malpractice", Practitioner.MalpracticeCoverageRecorded, dict(policy_number="PL-5")),
]


@pytest.mark.parametrize("credential, key, recorded, renewal", KINDS, ids=["license", "dea", "board", "malpractice"])
def test_each_credential_is_recorded_renewed_and_ended(credential: Any, key: str, recorded: type, renewal: Any) -> None:
    made = practitioner()
    made.record_credential(credential, on=D1, actor="user-1")
    assert credential.key == key and made.credentials == {key: credential}
    [event] = made.collect_events()
    assert type(event) is recorded and event.on == D1
    # Recording it again as it is: refused; renewed (the same key, a later expiry) or corrected: it replaces it.
    assert_refused(made, lambda: made.record_credential(credential, on=D2, actor="user-1"), "credential-unchanged")
    made.record_credential(replace(credential, **renewal), on=D2, actor="user-1", reason="renewed")
    assert made.credentials == {key: replace(credential, **renewal)}
    # Ended: a reason is required; then it is no longer held, from that day.
    ending = dict(on=D3, actor="user-1")
    assert_refused(made, lambda: made.end_credential(key, **ending), "reason-required")
    assert_refused(made, lambda: made.end_credential(key, **ending, reason=" \n "), "reason-required")
    made.end_credential(key, **ending, reason="Not renewed: moved to Maine")
    assert made.credentials == {} and made.ended_credentials == {key: D3}
    assert_refused(made, lambda: made.end_credential(key, **ending, reason="again"), "credential-not-held")
    # Recorded again later: held again, no longer ended.
    made.record_credential(credential, on=D3, actor="user-1")
    assert made.credentials == {key: credential} and made.ended_credentials == {}


def test_credentials_are_keyed_by_what_makes_each_one() -> None:
    made = practitioner()
    for credential in (
        a_license(),
        a_license(state="NH"),
        a_license(license_type="DO"),
        a_dea_registration(),
        a_dea_registration(state="NH"),
        a_board_certification(),
        a_board_certification(specialty="Sports Medicine"),
    ):
        made.record_credential(credential, on=D1, actor="user-1")
    assert sorted(made.credentials) == [
        "board:ABOS:Orthopaedic Surgery",
        "board:ABOS:Sports Medicine",
        "dea:MA",
        "dea:NH",
        "license:MA:DO",
        "license:MA:MD",
        "license:NH:MD",
    ]
    assert made.malpractice is None  # one policy in force at a time
    made.record_credential(a_malpractice_coverage(), on=D1, actor="user-1")
    made.record_credential(a_malpractice_coverage(carrier="Coverys", policy_number="C-1"), on=D2, actor="user-1")
    assert made.malpractice == a_malpractice_coverage(carrier="Coverys", policy_number="C-1")


def test_a_credential_not_held_cannot_end() -> None:
    made = practitioner()
    made.record_credential(a_license(), on=D1, actor="user-1")
    made.collect_events()
    for key in ("license:NH:MD", "dea:MA", "malpractice", "license:MA"):
        assert_refused(
            made, lambda k=key: made.end_credential(k, on=D2, actor="u", reason="moved"), "credential-not-held"
        )


def test_a_license_is_checked_and_its_text_trimmed() -> None:
    made = practitioner()
    made.record_credential(a_license(license_type=" MD ", number=" 265123 ", status="probation"), on=D1, actor="u")
    assert made.credentials["license:MA:MD"] == a_license(status=LicenseStatus.PROBATION)
    assert type(made.credentials["license:MA:MD"].status) is LicenseStatus
    assert_value_error(made, lambda: made.record_credential(a_license(status="lapsed"), on=D1, actor="u"))
    for field, value in (("license_type", " "), ("number", "9" * 41)):
        assert refused_credential(made, a_license(**{field: value}), "invalid-value").field == field


@pytest.mark.parametrize(
    "credential",
    [a_license(state="XX"), a_license(state="ma"), a_license(state=" MA"), a_dea_registration(state="ZZ")],
    ids=str,
)
def test_a_state_is_a_two_letter_usps_code(credential: License | DeaRegistration) -> None:
    assert refused_credential(practitioner(), credential, "invalid-state").field == "state"


@pytest.mark.parametrize(
    "credential",
    [
        a_license(issued_on=date(2026, 6, 30)),  # expires the day it is issued
        a_license(expires_on=date(2024, 1, 1)),
        a_board_certification(expires_on=date(2019, 8, 14)),
        a_malpractice_coverage(expires_on=date(2026, 1, 1)),
    ],
    ids=lambda c: type(c).__name__,
)
def test_nothing_expires_before_it_starts(credential: License | BoardCertification | MalpracticeCoverage) -> None:
    made = practitioner()
    assert refused_credential(made, credential, "expiry-before-start").field == "expires_on"
    made.record_credential(a_board_certification(expires_on=None), on=D1, actor="u")  # a lifetime certificate


@pytest.mark.parametrize("number", ["AR1234563", "MJ3614787", "A91234563", "BJ0000000"])
def test_a_dea_number_with_its_check_digit_is_accepted(number: str) -> None:
    # 1+3+5 = 9 plus 2 x (2+4+6) = 24 makes 33: the check digit is 3
    assert parse_dea_number(number) == number


@pytest.mark.parametrize(
    "number", ["AR1234564", "AR1234560", "AR123456", "AR12345633", "1R1234563", "ar1234563", "AR12345 3", "", None]
)
def test_a_dea_number_is_two_letters_and_seven_digits_the_last_a_check_digit(number: Any) -> None:
    made = practitioner()
    assert refused_credential(made, a_dea_registration(number=number), "invalid-dea-number").field == "number"


def test_a_dea_registration_lists_its_schedules_in_order_once() -> None:
    made = practitioner()
    made.record_credential(a_dea_registration(schedules=("5", "2N", "2", "5")), on=D1, actor="u")
    assert made.credentials["dea:MA"].schedules == ("2", "2N", "5")
    same = a_dea_registration(schedules=("2", "5", "2N"))  # the same schedules, in another order
    assert_refused(made, lambda: made.record_credential(same, on=D2, actor="u"), "credential-unchanged")
    for schedules in ((), ("1",), ("2", "6"), ("2n",), ("II",)):
        refused = refused_credential(made, a_dea_registration(schedules=schedules), "invalid-dea-schedule", D2)
        assert refused.field == "schedules"


@pytest.mark.parametrize("per_claim, aggregate", [(3_000_000, 1_000_000), (0, 3_000_000), (-1, 3_000_000)])
def test_malpractice_limits_are_positive_the_per_claim_at_most_the_aggregate(per_claim: int, aggregate: int) -> None:
    made = practitioner()
    coverage = a_malpractice_coverage(per_claim_limit=per_claim, aggregate_limit=aggregate)
    assert refused_credential(made, coverage, "malpractice-limits").field == "per_claim_limit"
    equal = a_malpractice_coverage(per_claim_limit=2_000_000, aggregate_limit=2_000_000)
    made.record_credential(equal, on=D1, actor="u")  # one claim may take the whole aggregate


# --- CAQH ProView ----------------------------------------------------------------------------------------------


def test_a_caqh_attestation_is_recorded_once_per_day_and_id() -> None:
    made = practitioner()
    made.attest_caqh(caqh_id="16789012", attested_on=D1, actor="u")
    assert (made.caqh_id, made.caqh_attested_on) == ("16789012", D1)
    [event] = made.collect_events()
    assert type(event) is Practitioner.CaqhAttested
    assert_refused(
        made, lambda: made.attest_caqh(caqh_id="16789012", attested_on=D1, actor="u"), "credential-unchanged"
    )
    made.attest_caqh(caqh_id="16789012", attested_on=D3, actor="u")  # 120 days later: attested again
    assert made.caqh_attested_on == D3
    assert_refused(made, lambda: made.attest_caqh(caqh_id="16789012", attested_on=D2, actor="u"), BEFORE)


def test_a_clinician_who_leaves_caqh_is_not_asked_to_attest_again() -> None:
    made = practitioner()
    assert_refused(made, lambda: made.end_credential("caqh", on=D1, actor="u", reason="Left"), "credential-not-held")
    made.attest_caqh(caqh_id="16789012", attested_on=D1, actor="u")
    made.end_credential("caqh", on=D2, actor="u", reason="Left the group and CAQH")
    assert (made.caqh_id, made.caqh_attested_on, made.ended_credentials) == ("16789012", None, {"caqh": D2})
    made.attest_caqh(caqh_id="16789012", attested_on=D3, actor="u")  # back: attesting again
    assert (made.caqh_attested_on, made.ended_credentials) == (D3, {})


def test_one_record_per_clinician_in_a_firm() -> None:
    check_npi_not_registered(HIZA_NPI, {"1234567893"})
    with pytest.raises(RuleViolation) as caught:
        check_npi_not_registered(HIZA_NPI, {"1234567893", HIZA_NPI})
    assert caught.value.rule == "practitioner-already-registered"


@pytest.mark.parametrize("caqh_id", ["1234", "12345678901", "1678901a", " 16789012", "16789-012", "", None])
def test_a_caqh_id_is_five_to_ten_digits(caqh_id: Any) -> None:
    made = practitioner()
    refused = assert_refused(
        made, lambda: made.attest_caqh(caqh_id=caqh_id, attested_on=D1, actor="u"), "invalid-caqh-id", InvalidValue
    )
    assert refused.field == "caqh_id"
    assert [parse_caqh_id(v) for v in ("12345", "1234567890")] == ["12345", "1234567890"]  # older ones are shorter


# --- business days and as-of -----------------------------------------------------------------------------------


def test_no_credential_predates_the_registration_nor_lies_in_the_future() -> None:
    made = practitioner()
    day_before = PRACTITIONER_REGISTERED_ON - timedelta(days=1)
    tomorrow = business_today() + timedelta(days=1)
    for credential in (a_license(), a_dea_registration(), a_board_certification(), a_malpractice_coverage()):
        assert_refused(made, lambda c=credential: made.record_credential(c, on=day_before, actor="u"), BEFORE)
        assert_refused(
            made, lambda c=credential: made.record_credential(c, on=tomorrow, actor="u"), "effective-date-in-future"
        )
    assert_refused(made, lambda: made.attest_caqh(caqh_id="16789012", attested_on=day_before, actor="u"), BEFORE)
    made.record_credential(a_license(), on=PRACTITIONER_REGISTERED_ON, actor="u")  # the registration day itself


def test_facts_on_one_credential_keep_their_order_others_commute() -> None:
    made = practitioner()
    made.record_credential(a_license(), on=D2, actor="u")
    made.collect_events()
    renewal = a_license(expires_on=date(2028, 6, 30))
    assert_refused(made, lambda: made.record_credential(renewal, on=D1, actor="u"), BEFORE)
    assert_refused(made, lambda: made.end_credential("license:MA:MD", on=D1, actor="u", reason="moved"), BEFORE)
    made.record_credential(a_license(state="NH"), on=D1, actor="u")  # another license: recorded late, earlier day
    made.record_credential(a_dea_registration(), on=D1, actor="u")
    made.end_credential("license:NH:MD", on=D1, actor="u", reason="let lapse")
    assert sorted(made.credentials) == ["dea:MA", "license:MA:MD"]


def test_as_of_a_day_the_record_shows_the_credentials_then() -> None:
    made = register_practitioner()
    made.record_credential(a_license(), on=D1, actor="u")
    made.record_credential(a_license(expires_on=date(2028, 6, 30)), on=D3, actor="u", reason="renewed")
    made.record_credential(a_license(state="NH"), on=D1, actor="u")  # recorded last, effective with the first
    made.end_credential("license:NH:MD", on=D2, actor="u", reason="moved")
    made.attest_caqh(caqh_id="16789012", attested_on=D2, actor="u")
    events = made.collect_events()
    assert state_on(events, PRACTITIONER_REGISTERED_ON - timedelta(days=1)) is None
    assert state_on(events, PRACTITIONER_REGISTERED_ON).credentials == {}
    then = state_on(events, D1)
    assert then.credentials == {"license:MA:MD": a_license(), "license:NH:MD": a_license(state="NH")}
    assert then.caqh_id is None
    then = state_on(events, D2)
    assert then.credentials == {"license:MA:MD": a_license()} and then.ended_credentials == {"license:NH:MD": D2}
    assert then.caqh_attested_on == D2
    assert state_on(events, D3).credentials["license:MA:MD"].expires_on == date(2028, 6, 30)
    assert domain_state(replay(events)) == domain_state(made)  # the recorded events rebuild it


def test_a_credentials_day_is_corrected_within_the_facts_it_follows() -> None:
    made = register_practitioner()
    made.record_credential(a_license(), on=D2, actor="u")  # version 2
    made.end_credential("license:MA:MD", on=D3, actor="u", reason="moved")  # version 3
    early = PRACTITIONER_REGISTERED_ON - timedelta(days=1)
    assert_refused(made, lambda: made.correct_effective_date(version=2, on=early, actor="u", reason="typo"), BEFORE)
    assert_refused(
        made,
        lambda: made.correct_effective_date(version=2, on=date(2026, 5, 5), actor="u", reason="typo"),
        "effective-date-after-dependent",
    )
    made.correct_effective_date(version=2, on=D1, actor="u", reason="verified on the 2nd of March")
    events = made.collect_events()
    assert type(events[-1]) is Practitioner.EffectiveDateCorrected and events[-1].organization_id == ORG_ID
    assert state_on(events, D1).credentials == {"license:MA:MD": a_license()}


# --- rendering links (domain/rendering.py) ---------------------------------------------------------------------

WORCESTER = Address.parse("20 Front St", "Worcester", "MA", "01608", field="address")


def group(**overrides: Any) -> Organization:
    """A Type 2 group (PEACH STATE) with location B in Worcester, open from D1; pending events collected."""
    made = register_peach(**overrides)
    made.add_service_location(code="B", name="Worcester office", address=WORCESTER, on=D1, actor="u")
    made.collect_events()
    return made


def link(made: Practitioner, at: Organization, location: str, on: date, **kwargs: Any) -> None:
    link_rendering(made, at, service_location=location, on=on, actor="user-1", **kwargs)


def end(made: Practitioner, at: Organization, location: str, on: date, **kwargs: Any) -> None:
    end_rendering(made, at, service_location=location, on=on, actor="user-1", **kwargs)


def refused_both(made: Practitioner, at: Organization, command: Any, rule: str) -> None:
    """The rendering command is refused naming ``rule`` and changes neither record."""
    before = [(r.version, state_of(r), list(r.pending_events)) for r in (made, at)]
    with pytest.raises(RuleViolation) as caught:
        command()
    assert caught.value.rule == rule, caught.value.message
    assert [(r.version, state_of(r), list(r.pending_events)) for r in (made, at)] == before


def test_the_groups_rendering_npis_follow_the_clinicians_first_and_last_location() -> None:
    made, practice = practitioner(), group()
    link(made, practice, "A", D1, reason="joined the practice")
    assert made.links == [RenderingLink(practice.id, "A", D1)]
    assert practice.rendering_providers == {HIZA_NPI: "Elise A. Hiza, MD"}  # linked with the first location
    assert [type(e) for e in made.collect_events()] == [Practitioner.LinkedToOrganization]
    assert [type(e) for e in practice.collect_events()] == [Organization.RenderingProviderLinked]
    link(made, practice, "B", D2)
    assert practice.pending_events == [] and [k.service_location for k in made.active_links(practice.id)] == ["A", "B"]
    end(made, practice, "A", D3)
    assert practice.pending_events == [] and HIZA_NPI in practice.rendering_providers  # still renders at B
    end(made, practice, "B", D3, reason="left the practice")
    assert practice.rendering_providers == {}  # unlinked with the last location
    assert [type(e) for e in practice.collect_events()] == [Organization.RenderingProviderUnlinked]
    assert made.links == [RenderingLink(practice.id, "A", D1, D3), RenderingLink(practice.id, "B", D2, D3)]
    assert made.active_links() == [] and not made.links[0].active_on(D3) and made.links[1].active_on(D2)
    link(made, practice, "A", D3)  # back again: a new link, the NPI listed again
    assert len(made.links) == 3 and practice.rendering_providers == {HIZA_NPI: "Elise A. Hiza, MD"}


def test_each_group_lists_the_clinician_for_its_own_links() -> None:
    made, peach, vios = practitioner(), group(), group(npi=VIOS_NPI, legal_name="Vios Fertility Institute")
    link(made, peach, "A", D1)
    link(made, vios, "A", D1)
    assert HIZA_NPI in peach.rendering_providers and HIZA_NPI in vios.rendering_providers
    end(made, vios, "A", D2)
    assert HIZA_NPI in peach.rendering_providers and vios.rendering_providers == {}
    assert made.active_links() == made.active_links(peach.id) == [RenderingLink(peach.id, "A", D1)]


def test_a_clinician_the_group_already_lists_is_not_listed_twice() -> None:
    made, practice = practitioner(), group()
    practice.link_rendering_provider(npi=HIZA_NPI, name="E. Hiza", on=D1, actor="u")
    practice.collect_events()
    link(made, practice, "A", D2)
    assert practice.pending_events == [] and practice.rendering_providers == {HIZA_NPI: "E. Hiza"}
    end(made, practice, "A", D3)
    assert practice.rendering_providers == {}


def test_a_location_is_linked_once_and_ended_once() -> None:
    made, practice = practitioner(), group()
    link(made, practice, "A", D1)
    made.collect_events()
    practice.collect_events()
    refused_both(made, practice, lambda: link(made, practice, "A", D2), "rendering-already-linked")
    refused_both(made, practice, lambda: end(made, practice, "B", D2), "rendering-not-linked")
    refused_both(made, practice, lambda: end(made, group(), "A", D2), "rendering-not-linked")  # another group's A
    end(made, practice, "A", D2)
    refused_both(made, practice, lambda: end(made, practice, "A", D3), "rendering-not-linked")


def test_the_location_must_be_open_that_day() -> None:
    made, practice = practitioner(), group()
    practice.close_service_location(code="B", on=D3, actor="u")
    practice.collect_events()
    for location, day, rule in (
        ("C", D2, "service-location-unknown"),
        ("B", D1 - timedelta(days=1), "service-location-not-open"),  # before it opened
        ("B", D3, "service-location-not-open"),  # the day it closed
        ("A", REGISTERED_ON - timedelta(days=1), "service-location-not-open"),  # before the group registered
    ):
        refused_both(made, practice, lambda code=location, on=day: link(made, practice, code, on), rule)
    link(made, practice, "B", D2)


def test_links_keep_their_business_days() -> None:
    made, practice = practitioner(), group()
    before_registration = PRACTITIONER_REGISTERED_ON - timedelta(days=1)  # location A is open: the group is older
    refused_both(made, practice, lambda: link(made, practice, "A", before_registration), BEFORE)
    link(made, practice, "A", D2)
    made.collect_events()
    practice.collect_events()
    refused_both(made, practice, lambda: end(made, practice, "A", D1), BEFORE)


def test_only_a_group_links_a_rendering_clinician() -> None:
    made, solo = practitioner(), register_hiza()  # her own practice: a Type 1 NPI, her own
    solo.collect_events()
    with pytest.raises(RuleViolation) as caught:
        link(made, solo, "A", D1)
    assert caught.value.rule == "rendering-link-needs-group"
    assert solo.rendering_providers == {} and solo.pending_events == []
    own = practitioner(npi=PEACH_NPI)  # a clinician registered with the group's own NPI
    with pytest.raises(RuleViolation) as caught:
        link(own, group(), "A", D1)
    assert caught.value.rule == "rendering-link-self"


def test_a_link_the_group_refuses_changes_neither_record() -> None:
    made, solo = practitioner(), register_hiza()
    solo.collect_events()
    refused_both(made, solo, lambda: link(made, solo, "A", D1), "rendering-link-needs-group")


def test_as_of_a_day_the_links_then() -> None:
    made, practice = register_practitioner(), group()
    link(made, practice, "A", D1)
    end(made, practice, "A", D3)
    events = made.collect_events()
    assert state_on(events, D1 - timedelta(days=1)).active_links() == []
    assert state_on(events, D2).active_links() == [RenderingLink(practice.id, "A", D1)]
    assert state_on(events, D3).links == [RenderingLink(practice.id, "A", D1, D3)]
    assert domain_state(replay(events)) == domain_state(made)


def test_a_links_day_is_not_corrected_alone() -> None:
    """The group's listing of the NPI shares a link's day: a correction of the link alone is refused, while other
    facts of the record may be corrected."""
    made, practice = practitioner(), group()
    link(made, practice, "A", D2)
    linked = next(e for e in made.history if isinstance(e, Practitioner.LinkedToOrganization))
    with pytest.raises(RuleViolation) as caught:
        check_link_correction(linked)
    assert caught.value.rule == "correction-of-a-rendering-link"
    check_link_correction(made.history[0])  # the registration: its own rules apply
