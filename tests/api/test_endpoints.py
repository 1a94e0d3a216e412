"""Every command endpoint, table-driven: it works for its tenant; another tenant's id is a 404; a viewer
is refused (403); a broken rule is a problem naming the rule. Refusals store nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from domain.business_time import business_today
from domain.task import task_id
from tests.api.helpers import (
    ENROLLMENT_DOCS,
    ORG,
    account_body,
    assert_problem,
    events_of,
    match_nppes,
    nppes_record,
    open_application,
    register,
    register_in_posc,
)
from tests.support import Stack, fresh

DOCS = ENROLLMENT_DOCS


OWNER = {
    "role": "owner",
    "name": "Jane Roe",
    "tin": "412-63-9087",
    "birth_date": "1970-03-04",
    "ownership_percent": 60,
    "on": "2026-03-01",
}
CLINICIAN = {
    "npi": "1987654328",
    "first_name": "Ana",
    "last_name": "Reyes",
    "degree": "MD",
    "date_of_birth": "1979-03-14",
    "registered_on": "2026-01-12",
}
CLINICIAN_RECORD = {  # NPPES's record of the clinician: it matches
    "number": "1987654328",
    "enumeration_type": "NPI-1",
    "basic": {"first_name": "ANA", "last_name": "REYES", "status": "A"},
    "taxonomies": [{"code": "207Q00000X", "primary": True}],
    "addresses": [],
}
LICENSE = {
    "state": "MA",
    "license_type": "MD",
    "number": "265123",
    "issued_on": "2024-06-30",
    "expires_on": "2026-06-30",
    "on": "2026-03-02",
}


@dataclass
class World:
    """One tenant's records, built through the API."""

    client: httpx.Client
    org: str
    primary: str
    subordinate: str
    posc: str  # a POSC registration application, open
    enrollment: str  # an enrollment, submitted with a complete dossier
    mailed: str  # a POSC registration mailed on 2026-03-02, its delivery not confirmed yet
    partner: str  # a business partner's account (a billing agency)
    owner: str  # a disclosed owner of the practice (60%), since 2026-03-01
    practitioner: str  # a clinician the firm credentials for the practice, since 2026-01-12
    task: str  # the work queue's follow-up of the mailed application (its cause: follow_up:<mailed>:2026-03-02)

    def path(self, template: str) -> str:
        return template.format(**vars(self))

    def fill(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body with the World's ids in place of its "{name}" values (an account of this tenant's)."""
        return {k: self.path(v) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}


def build(client: httpx.Client, tenant: str) -> World:
    org = register(client)
    match_nppes(client, org)

    def account(role: str, **extra: Any) -> str:
        response = client.post("/v1/user-accounts", json=account_body(org, f"{role} person", role, **extra))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    primary = account("primary", date_of_birth="1980-02-29")
    register_in_posc(client, org, primary)  # it grants access once registered in POSC
    subordinate = account("subordinate")
    posc = open_application(client, org, "posc_registration")
    enrollment = open_application(client, org, "enrollment")
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-03-01", **extra}
        assert client.post(f"/v1/applications/{enrollment}/documents", json=body).status_code == 200
    submitted = client.post(f"/v1/applications/{enrollment}/submit", json={"submitted_on": "2026-03-02"})
    assert submitted.status_code == 200, submitted.text
    mailed = open_application(client, org, "posc_registration", channel="mail")
    submitted = client.post(f"/v1/applications/{mailed}/submit", json={"submitted_on": "2026-03-02"})
    assert submitted.status_code == 200, submitted.text
    partner = account("business_partner", partner_firm="Acme Billing", partner_function="claims")
    disclosed = client.post(f"/v1/organizations/{org}/disclosures", json=OWNER)
    assert disclosed.status_code == 201, disclosed.text
    practitioner = client.post("/v1/practitioners", json={**CLINICIAN, "organization_id": org})
    assert practitioner.status_code == 201, practitioner.text
    return World(
        client,
        org,
        primary,
        subordinate,
        posc,
        enrollment,
        mailed,
        partner,
        disclosed.json()["id"],
        practitioner.json()["id"],
        str(task_id(tenant, f"follow_up:{mailed}:2026-03-02")),  # derived by the view; named by its cause
    )


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # formatted with the World's ids
    body: dict[str, Any]
    broken: tuple[dict[str, Any], str] | None = None  # a body that breaks a rule, and the rule
    setup: Callable[[World], None] | None = None


def _eft(world: World) -> None:
    body = {
        "routing_number": "011000015",
        "account_number": "123456789",
        "account_type": "checking",
        "on": "2026-03-15",
    }
    assert world.client.post(world.path("/v1/organizations/{org}/eft"), json=body).status_code == 200


def _affiliation(world: World) -> None:
    body = {"kind": "mco", "plan": "Tufts Health Together", "on": "2026-03-05"}
    assert world.client.post(world.path("/v1/organizations/{org}/affiliations"), json=body).status_code == 200


def _suspected(world: World) -> None:
    body = {
        "source": "sam",
        "result": "suspected_match",
        "list_version": "2026-03",
        "list_date": "2026-03-01",
        "screened_on": "2026-03-04",
    }
    assert world.client.post(world.path("/v1/organizations/{org}/exclusion-screenings"), json=body).status_code == 200


def _clinician_suspected(world: World) -> None:
    body = {"source": "sam", "result": "suspected_match", "list_version": "2026-03", "list_date": "2026-03-01",
            "screened_on": "2026-03-04"}  # fmt: skip
    path = world.path("/v1/practitioners/{practitioner}/exclusion-screenings")
    assert world.client.post(path, json=body).status_code == 200


def _owner_suspected(world: World) -> None:
    body = {"source": "sam", "result": "suspected_match", "list_version": "2026-03", "list_date": "2026-03-01"}
    path = world.path("/v1/organizations/{org}/disclosures/{owner}/exclusion-screenings")
    assert world.client.post(path, json={**body, "screened_on": "2026-03-04"}).status_code == 200


def _location(world: World) -> None:
    address = {"line1": "20 Front St", "city": "Worcester", "state": "MA", "postal_code": "01608"}
    body = {"code": "B", "name": "Worcester office", "on": "2026-04-01", "address": address}
    assert world.client.post(world.path("/v1/organizations/{org}/service-locations"), json=body).status_code == 200


def _numbered(world: World) -> None:
    body = {"provider_number": "1234567", "issued_on": "2026-03-20"}
    assert world.client.post(world.path("/v1/organizations/{org}/provider-number"), json=body).status_code == 200


def _location_enrolled(world: World) -> None:
    """Location B enrolled under the practice's number: its own enrollment application, approved."""
    _numbered(world)
    _location(world)
    client = world.client
    enrollment = open_application(
        client, world.org, "enrollment", channel="portal", service_location="B", opened_on="2026-04-02"
    )
    for doc_type, extra in DOCS.items():
        body = {"document_id": doc_type, "type": doc_type, "received_on": "2026-04-02", **extra}
        assert client.post(f"/v1/applications/{enrollment}/documents", json=body).status_code == 200
    steps = [
        ("submit", {"submitted_on": "2026-04-03"}),
        ("screenings", {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-04-10"}),
        ("approve", {"decided_on": "2026-05-20", "provider_number": "1234567"}),
    ]
    for step, body in steps:
        response = client.post(f"/v1/applications/{enrollment}/{step}", json=body)
        assert response.status_code == 200, response.text


def _backup(world: World) -> None:
    path = world.path("/v1/user-accounts/{subordinate}/backup-primary-user")
    assert world.client.post(path, json={"on": "2026-03-05"}).status_code == 200


def _linked(world: World) -> None:
    body = {"npi": "1720377294", "name": "Dr. Rendering"}
    assert world.client.post(world.path("/v1/organizations/{org}/rendering-providers"), json=body).status_code == 200


def _deficient(world: World) -> None:
    body = {"deficiency_id": "d-1", "missing_items": ["signed W-9"], "noticed_on": "2026-03-10"}
    assert world.client.post(world.path("/v1/applications/{enrollment}/deficiencies"), json=body).status_code == 200


def _screened(world: World) -> None:
    body = {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-03-11"}
    assert world.client.post(world.path("/v1/applications/{enrollment}/screenings"), json=body).status_code == 200


def _deactivated(world: World) -> None:
    assert world.client.post(world.path("/v1/user-accounts/{subordinate}/deactivate"), json={}).status_code == 200


def _granted(world: World) -> None:
    body = {"function": "claims_batch"}
    assert world.client.post(world.path("/v1/user-accounts/{subordinate}/access-grants"), json=body).status_code == 200


def _licensed(world: World) -> None:
    path = world.path("/v1/practitioners/{practitioner}/licenses")
    assert world.client.post(path, json=LICENSE).status_code == 200


def _rendering(world: World) -> None:
    body = {"organization_id": world.org, "service_location": "A", "on": "2026-03-02"}
    path = world.path("/v1/practitioners/{practitioner}/rendering-links")
    assert world.client.post(path, json=body).status_code == 200


def _queued(world: World) -> None:
    """A command on a task reads it from the work queue: wait until the view has it."""
    fresh(world.client)
    day = {"as_of": "2026-03-05", "organization_id": world.org, "kind": "application_follow_up"}
    listed = world.client.get("/v1/views/work-queue", params=day)
    assert listed.status_code == 200, listed.text
    assert world.task in [t["task_id"] for t in listed.json()["items"]], listed.text


def _taken(world: World) -> None:
    _queued(world)
    assert world.client.post(world.path("/v1/tasks/{task}/take"), json={"on": "2026-03-05"}).status_code == 200


def _given_to_kim(world: World) -> None:
    _queued(world)
    body = {"assignee": "kim", "on": "2026-03-05"}
    assert world.client.post(world.path("/v1/tasks/{task}/assignment"), json=body).status_code == 200


ENDPOINTS = [
    Endpoint(
        "correctProfile",
        "/v1/organizations/{org}/profile-corrections",
        {"provider_type": "multi-specialty group"},
        ({"provider_type": "physician group"}, "nothing-to-correct"),
    ),
    Endpoint(
        "recordNppesSnapshot",
        "/v1/organizations/{org}/nppes-snapshots",
        {"record": nppes_record(), "retrieved_on": "2026-04-02"},
        ({"record": {"number": "1234567893"}, "retrieved_on": "2026-04-02"}, "invalid-nppes-record"),
    ),
    Endpoint(
        "receivePinLetter",
        "/v1/organizations/{org}/pin-letter",
        {"pin": "Z9Y8X7", "received_on": "2026-03-03"},
        ({"pin": "!", "received_on": "2026-03-03"}, "invalid-pin"),
    ),
    Endpoint(
        "issueProviderNumber",
        "/v1/organizations/{org}/provider-number",
        {"provider_number": "7654321", "issued_on": "2026-04-01"},
        ({"provider_number": "765432", "issued_on": "2026-04-01"}, "invalid-provider-number"),
    ),
    Endpoint(
        "addServiceLocation",
        "/v1/organizations/{org}/service-locations",
        {
            "code": "B",
            "name": "Worcester office",
            "on": "2026-04-01",
            "address": {"line1": "20 Front St", "city": "Worcester", "state": "MA", "postal_code": "01608"},
        },
        (
            {
                "code": "A",
                "name": "Main",
                "address": {"line1": "20 Front St", "city": "Worcester", "state": "MA", "postal_code": "01608"},
            },
            "invalid-value",
        ),
    ),
    Endpoint(
        "closeServiceLocation",
        "/v1/organizations/{org}/service-locations/B/close",
        {"on": "2026-06-01", "reason": "Lease ended"},
        ({"on": "2026-03-01"}, "service-location-date-order"),
        _location,
    ),
    Endpoint(
        "nameLocationPrimaryUser",
        "/v1/organizations/{org}/service-locations/B/primary-user",
        {"account_id": "{subordinate}", "on": "2026-05-26"},
        ({"account_id": "{partner}", "on": "2026-05-26"}, "primary-user-not-staff"),
        _location_enrolled,
    ),
    Endpoint(
        "changeProviderNumber",
        "/v1/organizations/{org}/provider-number/change",
        {"provider_number": "7654321", "on": "2026-04-01", "reason": "Change of ownership"},
        ({"provider_number": "1234567", "on": "2026-04-01", "reason": "Same"}, "provider-number-unchanged"),
        _numbered,
    ),
    Endpoint(
        "receiveRevalidationLetter",
        "/v1/organizations/{org}/revalidation-letters",
        {"received_on": "2026-04-01"},
        ({"received_on": "2026-04-01", "respond_by": "2026-04-01"}, "respond-by-not-after"),
        _numbered,
    ),
    Endpoint(
        "disenrollOrganization",
        "/v1/organizations/{org}/disenrollment",
        {"cause": "voluntary", "on": "2026-04-01", "reason": "The practice closed"},
        ({"cause": "voluntary", "on": "2026-04-01"}, "reason-required"),
        _numbered,
    ),
    Endpoint(
        "linkRenderingProvider",
        "/v1/organizations/{org}/rendering-providers",
        {"npi": "1720377294", "name": "Dr. Rendering"},
        ({"npi": "1234567893", "name": "The group itself"}, "rendering-link-self"),
    ),
    Endpoint(
        "unlinkRenderingProvider",
        "/v1/organizations/{org}/rendering-providers/1720377294/unlink",
        {},
        None,
        _linked,
    ),
    Endpoint(
        "recordEftDetails",
        "/v1/organizations/{org}/eft",
        {"routing_number": "011000015", "account_number": "987654321", "account_type": "savings"},
        (
            {"routing_number": "011000016", "account_number": "987654321", "account_type": "savings"},
            "invalid-routing-number",
        ),
    ),
    Endpoint(
        "recordEftValidation",
        "/v1/organizations/{org}/eft/validation",
        {"validated": True, "on": "2026-03-20"},
        None,
        _eft,
    ),
    Endpoint(
        "nameBackupPrimaryUser",
        "/v1/user-accounts/{subordinate}/backup-primary-user",
        {"on": "2026-03-05"},
        ({"on": "2030-01-02"}, "effective-date-in-future"),
    ),
    Endpoint(
        "endBackupPrimaryUser",
        "/v1/user-accounts/{subordinate}/backup-primary-user/end",
        {"on": "2026-04-01", "reason": "Left the front desk"},
        None,
        _backup,
    ),
    Endpoint(
        "recordDateOfBirth",
        "/v1/user-accounts/{subordinate}/date-of-birth",
        {"date_of_birth": "1981-07-04"},
        ({"date_of_birth": "2100-01-01"}, "invalid-value"),
    ),
    Endpoint(
        "recordLogin",
        "/v1/user-accounts/{partner}/logins",
        {"on": "2026-03-10"},
        ({"on": "2030-01-02"}, "effective-date-in-future"),
    ),
    Endpoint(
        "endDisclosure",
        "/v1/organizations/{org}/disclosures/{owner}/end",
        {"on": "2026-03-20", "reason": "Sold her interest"},
        ({"on": "2026-02-27"}, "disclosure-date-order"),
    ),
    Endpoint(
        "recordPersonExclusionScreening",
        "/v1/organizations/{org}/disclosures/{owner}/exclusion-screenings",
        {"source": "oig_leie", "result": "no_match", "list_version": "2026-03", "list_date": "2026-03-01"},
        (
            {"source": "oig_leie", "result": "no_match", "list_version": "2026-03", "list_date": "2026-12-31"},
            "screening-list-from-future",
        ),
    ),
    Endpoint(
        "clearPersonExclusionScreening",
        "/v1/organizations/{org}/disclosures/{owner}/exclusion-screenings/sam/clear",
        {"on": "2026-03-05", "reason": "A namesake: the SAM record's birth date differs"},
        ({"on": "2026-03-05"}, "reason-required"),
        _owner_suspected,
    ),
    Endpoint(
        "requestAffiliation",
        "/v1/organizations/{org}/affiliations",
        {"kind": "aco_a", "plan": "BMC HealthNet Plan", "partner_mco": "WellSense", "on": "2026-03-05"},
        ({"kind": "aco_a", "plan": "Some ACO", "on": "2026-03-05"}, "aco-a-needs-partner-mco"),
    ),
    Endpoint(
        "moveAffiliation",
        "/v1/organizations/{org}/affiliations/transitions",
        {"plan": "Tufts Health Together", "to": "in_credentialing", "on": "2026-03-06"},
        ({"plan": "Tufts Health Together", "to": "active", "on": "2026-03-06"}, "affiliation-transition"),
        _affiliation,
    ),
    Endpoint(
        "recordExclusionScreening",
        "/v1/organizations/{org}/exclusion-screenings",
        {
            "source": "oig_leie",
            "result": "no_match",
            "list_version": "2026-03",
            "list_date": "2026-03-01",
            "screened_on": "2026-03-04",
        },
        (
            {
                "source": "oig_leie",
                "result": "cleared",
                "list_version": "2026-03",
                "list_date": "2026-03-01",
                "screened_on": "2026-03-04",
            },
            "screening-clear-separately",
        ),
    ),
    Endpoint(
        "clearExclusionScreening",
        "/v1/organizations/{org}/exclusion-screenings/sam/clear",
        {"on": "2026-03-08", "reason": "different date of birth"},
        ({"on": "2026-03-08"}, "reason-required"),
        _suspected,
    ),
    Endpoint(
        "completeChecklistStep",
        "/v1/user-accounts/{subordinate}/checklist",
        {"step": "new_user_email_received", "on": "2026-03-04"},
        ({"step": "password_changed", "on": "2026-03-04"}, "step-out-of-order"),
    ),
    Endpoint(
        "grantAccess",
        "/v1/user-accounts/{subordinate}/access-grants",
        {"function": "eligibility_verification"},
        None,
    ),
    Endpoint(
        "revokeAccess",
        "/v1/user-accounts/{subordinate}/access-revocations",
        {"function": "claims_batch"},
        ({"function": "prior_authorization"}, "access-not-granted"),
        _granted,
    ),
    Endpoint(
        "reviewAccess",
        "/v1/user-accounts/{subordinate}/access-reviews",
        {"outcome": "confirmed", "on": "2026-03-31", "reviewer": "Dana (primary user)"},
        ({"outcome": "confirmed", "on": "2026-03-31", "reviewer": " "}, "invalid-value"),
    ),
    Endpoint(
        "recordDeparture", "/v1/user-accounts/{subordinate}/departure", {"on": "2026-04-30", "reason": "left"}, None
    ),
    Endpoint("deactivateUserAccount", "/v1/user-accounts/{subordinate}/deactivate", {}, None),
    Endpoint(
        "reactivateUserAccount",
        "/v1/user-accounts/{subordinate}/reactivate",
        {},
        None,
        _deactivated,
    ),
    Endpoint("resetPassword", "/v1/user-accounts/{subordinate}/password-resets", {"on": "2026-03-09"}, None),
    # A fact's business day corrected, on each kind of record (version 1: its creation).
    Endpoint(
        "correctOrganizationEffectiveDate",
        "/v1/organizations/{org}/effective-date-corrections",
        {"version": 1, "on": "2026-01-02", "reason": "registered on the 2nd"},
        ({"version": 1, "on": "2026-01-05", "reason": "same day"}, "effective-date-unchanged"),
    ),
    Endpoint(
        "correctUserAccountEffectiveDate",
        "/v1/user-accounts/{subordinate}/effective-date-corrections",
        {"version": 1, "on": "2026-01-05", "reason": "opened the day of registration"},
        ({"version": 1, "on": "2026-01-04", "reason": "before registration"}, "effective-date-before-dependency"),
    ),
    Endpoint(
        "correctApplicationEffectiveDate",
        "/v1/applications/{posc}/effective-date-corrections",
        {"version": 1, "on": "2026-01-05", "reason": "opened the day of registration"},
        ({"version": 99, "on": "2026-01-05", "reason": "no such version"}, "no-such-fact"),
    ),
    Endpoint(
        "correctPractitionerEffectiveDate",
        "/v1/practitioners/{practitioner}/effective-date-corrections",
        {"version": 1, "on": "2026-01-09", "reason": "taken on the Friday before"},
        ({"version": 1, "on": "2026-01-02", "reason": "before the practice"}, "effective-date-before-dependency"),
    ),
    Endpoint(
        "attachDocument",
        "/v1/applications/{posc}/documents",
        {"document_id": "lic-2", "type": "license", "received_on": "2026-03-01", "expires_on": "2028-01-01"},
        (
            {
                "document_id": "dea-1",
                "type": "dea",
                "received_on": "2026-03-01",
                "expires_on": "2028-01-01",
                "dea_state": "NH",
            },
            "dea-state",
        ),
    ),
    Endpoint(
        "submitApplication",
        "/v1/applications/{posc}/submit",
        {"submitted_on": "2026-03-02"},
        None,
    ),
    Endpoint("endPartnerEngagement", "/v1/user-accounts/{partner}/engagement-end", {"on": "2026-03-05"}, None),
    Endpoint(
        "confirmReceipt",
        "/v1/applications/{mailed}/receipt",
        {"received_on": "2026-03-05"},
        ({"received_on": "2026-02-27"}, "received-before-sent"),
    ),
    Endpoint(
        "noticeDeficiency",
        "/v1/applications/{enrollment}/deficiencies",
        {"deficiency_id": "d-9", "missing_items": ["IRS 147C letter"], "noticed_on": "2026-03-10"},
        ({"deficiency_id": "d-9", "missing_items": ["IRS 147C"], "noticed_on": "2026-03-01"}, "date-before-submission"),
    ),
    Endpoint(
        "resolveDeficiency",
        "/v1/applications/{enrollment}/deficiencies/d-1/resolve",
        {"resolved_on": "2026-03-12"},
        ({"resolved_on": "2026-03-09"}, "deficiency-date-order"),
        _deficient,
    ),
    Endpoint(
        "recordScreening",
        "/v1/applications/{enrollment}/screenings",
        {"screening": "exclusion_lists", "passed": True, "completed_on": "2026-03-11"},
        ({"screening": "site_visit", "passed": True, "completed_on": "2026-03-11"}, "screening-not-required"),
    ),
    Endpoint(
        "approveApplication",
        "/v1/applications/{enrollment}/approve",
        {"decided_on": "2026-05-20", "provider_number": "1112223"},
        ({"decided_on": "2026-05-20"}, "provider-number-required"),
        _screened,
    ),
    Endpoint(
        "denyApplication",
        "/v1/applications/{enrollment}/deny",
        {"decided_on": "2026-05-20", "reason": "license lapsed"},
        ({"decided_on": "2026-05-20"}, "reason-required"),
    ),
    Endpoint(
        "rejectApplication",
        "/v1/applications/{enrollment}/reject",
        {"rejected_on": "2026-03-05", "cause": "NPPES taxonomy mismatch"},
        ({"rejected_on": "2026-03-01", "cause": "NPPES"}, "date-before-submission"),
    ),
    Endpoint("withdrawApplication", "/v1/applications/{posc}/withdraw", {"withdrawn_on": "2026-03-05"}, None),
    # A clinician's record: NPPES, credentials, CAQH, rendering at the practice's service locations.
    Endpoint(
        "recordPractitionerNppesSnapshot",
        "/v1/practitioners/{practitioner}/nppes-snapshots",
        {"record": CLINICIAN_RECORD, "retrieved_on": "2026-04-02"},
        ({"record": {"number": "1987654328"}, "retrieved_on": "2026-04-02"}, "invalid-nppes-record"),
    ),
    Endpoint(
        "recordLicense",
        "/v1/practitioners/{practitioner}/licenses",
        LICENSE,
        ({**LICENSE, "state": "XX"}, "invalid-state"),
    ),
    Endpoint(
        "recordDeaRegistration",
        "/v1/practitioners/{practitioner}/dea-registrations",
        {"number": "AR1234563", "state": "MA", "schedules": ["2", "3"], "expires_on": "2027-03-31", "on": "2026-03-02"},
        (
            {"number": "AR1234564", "state": "MA", "schedules": ["2"], "expires_on": "2027-03-31", "on": "2026-03-02"},
            "invalid-dea-number",
        ),
    ),
    Endpoint(
        "recordBoardCertification",
        "/v1/practitioners/{practitioner}/board-certifications",
        {"board": "ABIM", "specialty": "Internal Medicine", "certified_on": "2019-08-15", "on": "2026-03-02"},
        (
            {
                "board": "ABIM",
                "specialty": "Internal Medicine",
                "certified_on": "2019-08-15",
                "expires_on": "2019-08-15",
            },
            "expiry-before-start",
        ),
    ),
    Endpoint(
        "recordMalpracticeCoverage",
        "/v1/practitioners/{practitioner}/malpractice-coverage",
        {
            "carrier": "CRICO",
            "policy_number": "PL-44871",
            "per_claim_limit": 1_000_000,
            "aggregate_limit": 3_000_000,
            "effective_on": "2026-01-01",
            "expires_on": "2027-01-01",
        },
        (
            {
                "carrier": "CRICO",
                "policy_number": "PL-44871",
                "per_claim_limit": 3_000_000,
                "aggregate_limit": 1_000_000,
                "effective_on": "2026-01-01",
                "expires_on": "2027-01-01",
            },
            "malpractice-limits",
        ),
    ),
    Endpoint(
        "endCredential",
        "/v1/practitioners/{practitioner}/credential-ends",
        {"credential": "license:MA:MD", "on": "2026-04-01", "reason": "Moved to New Hampshire"},
        ({"credential": "license:MA:MD", "on": "2026-04-01"}, "reason-required"),
        _licensed,
    ),
    Endpoint(
        "attestCaqh",
        "/v1/practitioners/{practitioner}/caqh-attestations",
        {"caqh_id": "16789012", "attested_on": "2026-04-02"},
        ({"caqh_id": "1678901a", "attested_on": "2026-04-02"}, "invalid-caqh-id"),
    ),
    Endpoint(
        "linkRendering",
        "/v1/practitioners/{practitioner}/rendering-links",
        {"organization_id": "{org}", "service_location": "A", "on": "2026-03-02"},
        ({"organization_id": "{org}", "service_location": "C", "on": "2026-03-02"}, "service-location-unknown"),
    ),
    Endpoint(
        "endRendering",
        "/v1/practitioners/{practitioner}/rendering-link-ends",
        {"organization_id": "{org}", "service_location": "A", "on": "2026-04-01"},
        ({"organization_id": "{org}", "service_location": "B", "on": "2026-04-01"}, "rendering-not-linked"),
        _rendering,
    ),
    Endpoint(
        "recordPractitionerExclusionScreening",
        "/v1/practitioners/{practitioner}/exclusion-screenings",
        {
            "source": "oig_leie",
            "result": "no_match",
            "list_version": "2026-03",
            "list_date": "2026-03-01",
            "screened_on": "2026-03-04",
        },
        (
            {
                "source": "oig_leie",
                "result": "no_match",
                "list_version": "2026-03",
                "list_date": "2026-03-05",
                "screened_on": "2026-03-04",
            },
            "screening-list-from-future",
        ),
    ),
    Endpoint(
        "clearPractitionerExclusionScreening",
        "/v1/practitioners/{practitioner}/exclusion-screenings/sam/clear",
        {"on": "2026-03-08", "reason": "different date of birth"},
        ({"on": "2026-03-08"}, "reason-required"),
        _clinician_suspected,
    ),
    # The work queue: a task's first act opens its record with the cause the view derived (services/api/work_queue.py).
    Endpoint(
        "assignTask",
        "/v1/tasks/{task}/assignment",
        {"assignee": "kim", "on": "2026-03-06"},
        ({"assignee": "alice", "on": "2026-03-06"}, "task-unchanged"),  # alice (the caller) has it already
        _taken,
    ),
    Endpoint(
        "takeTask",
        "/v1/tasks/{task}/take",
        {"on": "2026-03-06"},
        ({"on": "2026-03-04"}, "effective-date-before-dependency"),  # before kim was given it
        _given_to_kim,
    ),
    Endpoint(
        "snoozeTask",
        "/v1/tasks/{task}/snooze",
        {"until": "2026-03-09", "on": "2026-03-05", "reason": "The payer calls back on Monday"},
        ({"until": "2026-03-05", "on": "2026-03-05"}, "snooze-not-after"),
        _queued,
    ),
    Endpoint(
        "completeTask",
        "/v1/tasks/{task}/completion",
        {"on": "2026-03-05"},
        ({"on": (business_today() + timedelta(days=2)).isoformat()}, "effective-date-in-future"),
        _queued,
    ),
    Endpoint(
        "dismissTask",
        "/v1/tasks/{task}/dismissal",
        {"on": "2026-03-05", "reason": "The payer confirmed receipt by phone"},
        ({"on": "2026-03-05"}, "reason-required"),
        _queued,
    ),
]


@pytest.fixture
def worlds(stack: Stack, tenants: tuple[str, str]) -> tuple[World, World]:
    return build(stack.client(tenants[0]), tenants[0]), build(stack.client(tenants[1]), tenants[1])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_endpoint(stack: Stack, tenants: tuple[str, str], worlds: tuple[World, World], endpoint: Endpoint) -> None:
    a, b = worlds
    if endpoint.setup:
        endpoint.setup(a)
    path = a.path(endpoint.path)
    body = a.fill(endpoint.body)
    before = events_of(stack, tenants[0]), events_of(stack, tenants[1])

    # Tenant B, with A's ids: not found, and nothing stored anywhere.
    assert_problem(b.client.post(path, json=body), 404, "not-found")
    # A viewer of tenant A may read but not write.
    viewer = stack.client(tenants[0], role="viewer")
    assert_problem(viewer.post(path, json=body), 403, "forbidden")
    if endpoint.broken:
        broken, rule = endpoint.broken
        problem = assert_problem(a.client.post(path, json=a.fill(broken)), 422, rule)
        assert problem["detail"]
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1])) == before

    # The command works for its own tenant, and stores its events.
    response = a.client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert events_of(stack, tenants[0]) > before[0]
    assert events_of(stack, tenants[1]) == before[1]


def test_every_command_route_is_in_the_table(stack: Stack) -> None:
    document = httpx.get(stack.base_url + "/schema/openapi.json").json()
    commands = {
        op["operationId"] for path in document["paths"].values() for method, op in path.items() if method == "post"
    }
    creators = {
        "registerOrganization",
        "openUserAccount",
        "openApplication",
        "replacePrimaryUser",
        "discloseOwnerOrManagingEmployee",
        "registerPractitioner",
    }
    batches = {"importHistory", "importHistoryCsv"}  # a batch of the others (tests/api/test_onboarding_import.py)
    batches.add("screenFirmAgainstExclusionList")  # each of the firm's records (test_exclusion_list_screening.py)
    reference_data = {"importExclusionList"}  # no tenant's record (tests/api/test_exclusion_list_import.py)
    # The firm's configuration, outside the event store (tests/api/test_webhooks.py).
    configuration = {"registerWebhook", "retryWebhookDelivery", "retryFailedWebhookDeliveries"}
    assert commands - creators - batches - reference_data - configuration == {e.name for e in ENDPOINTS}


def test_creation_commands_check_the_tenant_and_role(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    org = register(a)
    viewer = stack.client(tenants[0], role="viewer")
    before = events_of(stack, tenants[0]), events_of(stack, tenants[1])
    for client, status, rule in ((b, 404, "not-found"), (viewer, 403, "forbidden")):
        for path, body in (
            ("/v1/user-accounts", {"organization_id": org, "person_name": "X", "role": "subordinate"}),
            ("/v1/applications", {"organization_id": org, "kind": "enrollment", "channel": "portal"}),
            (f"/v1/organizations/{org}/primary-user/replace", {"person_name": "X", "modification_id": org}),
            (f"/v1/organizations/{org}/disclosures", OWNER),
            ("/v1/practitioners", {**CLINICIAN, "organization_id": org}),
        ):
            assert_problem(client.post(path, json=body), status, rule)
    assert_problem(viewer.post("/v1/organizations", json=ORG), 403, "forbidden")
    assert (events_of(stack, tenants[0]), events_of(stack, tenants[1])) == before
