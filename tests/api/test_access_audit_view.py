"""The access-audit view through the HTTP API: primary users, accounts, grants, reviews, departures, the
findings they raise and clear, who held access at a past moment, the list's filters, sorting and paging —
for one tenant at a time, and for a client viewer only its own organizations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from domain.business_days import MASSACHUSETTS
from tests.api.helpers import (
    OPENED,
    REGISTERED,
    account_body,
    assert_problem,
    open_application,
    register,
    register_in_posc,
    screen_clean,
)
from tests.support import Stack, fresh

VIEW = "/v1/views/access-audit"


def _today() -> date:
    return datetime.now(MASSACHUSETTS).date()  # the views' days are Massachusetts days


def _account(client: httpx.Client, org: str, role: str, name: str, **extra: Any) -> str:
    """An account opened (on OPENED unless ``extra`` says otherwise); a primary user also registered in POSC that
    day, as it must be before it grants access."""
    if role == "primary":
        extra.setdefault("date_of_birth", "1980-02-29")
    response = client.post("/v1/user-accounts", json=account_body(org, name, role, **extra))
    assert response.status_code == 201, response.text
    account: str = response.json()["id"]
    if role == "primary":
        register_in_posc(client, org, account, on=extra.get("opened_on", OPENED))
    return account


def _partner(client: httpx.Client, org: str, firm: str = "Acme Billing") -> str:
    return _account(client, org, "business_partner", "Billing desk", partner_firm=firm, partner_function="claims")


def _act(client: httpx.Client, path: str, **body: Any) -> None:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text


def _grant(client: httpx.Client, account: str, function: str, on: date | None = None) -> None:
    """Granted on ``on`` (None: today, the API's default)."""
    dated = {"on": on.isoformat()} if on else {}
    _act(client, f"/v1/user-accounts/{account}/access-grants", function=function, **dated)


def _revoke(client: httpx.Client, account: str, function: str, on: date | None = None) -> None:
    dated = {"on": on.isoformat()} if on else {}
    _act(client, f"/v1/user-accounts/{account}/access-revocations", function=function, **dated)


def _audit(client: httpx.Client, org: str, **params: Any) -> dict[str, Any] | None:
    response = client.get(f"{VIEW}/{org}", params=params)
    return response.json() if response.status_code == 200 else None


def _wait(client: httpx.Client, org: str, condition: Callable[[dict[str, Any]], Any], **params: Any) -> dict:
    """The organization's row once the views include every command sent so far; the condition must hold then."""
    fresh(client)
    item = _audit(client, org, **params)
    assert item is not None and condition(item), item
    return item


# No back-up primary user, no login recorded for too long, no exclusion screening within the interval: findings of
# their own (tests/api/test_backup_and_logins.py, test_screening_interval.py). The tests here, about the others, leave
# them out.
ELSEWHERE = frozenset({"no_backup_primary_user", "login_inactive", "screening_overdue"})


def _others(item: dict[str, Any] | None) -> list[dict[str, Any]]:
    assert item is not None
    return [f for f in item["findings"] if f["kind"] not in ELSEWHERE]


def _kinds(item: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["kind"], f["person_name"]) for f in _others(item)]


def _finding(item: dict[str, Any], kind: str) -> dict[str, Any]:
    [found] = [f for f in item["findings"] if f["kind"] == kind]
    return found


def _account_row(item: dict[str, Any], account: str) -> dict[str, Any]:
    [found] = [a for a in item["accounts"] if a["account_id"] == account]
    return found


def test_primary_user_leaves_and_is_replaced_through_an_approved_posc_dc_pm(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client, today = stack.client(tenants[0]), _today()
    org = register(client, legal_name="Lowell Pediatrics")
    item = _wait(client, org, lambda i: True)
    assert item["primary_user"] is None
    assert _others(item) == [
        {
            "kind": "no_primary_user",
            "severity": "critical",
            "since": REGISTERED,  # the business day the organization was registered
            "account_id": None,
            "person_name": None,
            "detail": "No primary user administers the organization's POSC access.",
            "service_location": "A",  # the practice's own PID/SL
        }
    ]

    dana = _account(client, org, "primary", "Dana Reyes", date_of_birth="1980-02-29")
    departed = today - timedelta(days=7)
    # The primary user grants itself, before it leaves (a departure is not dated before a fact of the account).
    _grant(client, dana, "provider_data_maintenance", on=departed - timedelta(days=30))
    item = _wait(client, org, lambda i: i["accounts"] and i["accounts"][0]["grants"])
    assert _others(item) == []
    assert item["primary_user"]["account_id"] == dana and item["primary_user"]["person_name"] == "Dana Reyes"
    assert item["accounts"][0]["role"] == "primary" and item["accounts"][0]["status"] == "active"

    _act(client, f"/v1/user-accounts/{dana}/departure", on=departed.isoformat())
    item = _wait(client, org, lambda i: _others(i))
    assert _kinds(item) == [
        ("primary_user_departed_without_modification", "Dana Reyes"),
        ("departed_with_access", "Dana Reyes"),
    ]
    gone = _finding(item, "primary_user_departed_without_modification")
    assert (gone["severity"], gone["since"], gone["account_id"]) == ("critical", departed.isoformat(), dana)
    assert _finding(item, "departed_with_access")["severity"] == "high"
    assert item["worst_severity"] == "critical" and len(_others(item)) == 2
    # A departure recorded ahead of its date raises nothing before that date.
    assert _others(_audit(client, org, as_of=(departed - timedelta(days=1)).isoformat())) == []

    # The POSC-DC-PM is approved: the new primary user is named, only its recording is pending.
    pm = open_application(client, org, "primary_user_modification")
    _act(client, f"/v1/applications/{pm}/submit", submitted_on=(departed + timedelta(days=1)).isoformat())
    approved = departed + timedelta(days=3)
    _act(client, f"/v1/applications/{pm}/approve", decided_on=approved.isoformat())
    item = _wait(client, org, lambda i: ("primary_user_replacement_pending", "Dana Reyes") in _kinds(i))
    assert ("primary_user_departed_without_modification", "Dana Reyes") not in _kinds(item)
    # While the POSC-DC-PM was with MassHealth (submitted the day after, not yet approved) the gap was being
    # handled: high, not critical, since its submission.
    with_masshealth = _audit(client, org, as_of=(departed + timedelta(days=2)).isoformat())
    assert ("primary_user_departed_without_modification", "Dana Reyes") not in _kinds(with_masshealth)
    submitted = _finding(with_masshealth, "primary_user_modification_submitted")
    assert (submitted["severity"], submitted["since"]) == ("high", (departed + timedelta(days=1)).isoformat())
    assert pm in submitted["detail"] and "awaits MassHealth" in submitted["detail"]
    assert _kinds(_audit(client, org, as_of=departed.isoformat()))[0] == (
        "primary_user_departed_without_modification",
        "Dana Reyes",
    )
    pending = _finding(item, "primary_user_replacement_pending")
    assert (pending["severity"], pending["since"]) == ("medium", approved.isoformat())
    assert pm in pending["detail"]

    response = client.post(
        f"/v1/organizations/{org}/primary-user/replace", json={"person_name": "Eve Tran", "modification_id": pm}
    )
    assert response.status_code == 201, response.text
    eve = response.json()["id"]
    item = _wait(
        client,
        org,
        lambda i: (
            i["primary_user"]["account_id"] == eve
            and _account_row(i, dana)["status"] == "deactivated"
            and i["primary_user"]["person_name"]
        ),
    )
    assert _others(item) == []
    assert _account_row(item, dana)["grants"] == [] and _account_row(item, dana)["departed_on"] == departed.isoformat()
    assert item["primary_user"]["person_name"] == "Eve Tran" and item["primary_user"]["status"] == "active"

    # Today both were primary user, one after the other; Dana held her grant until her deactivation.
    access = client.get(f"{VIEW}/{org}/access", params={"on": today.isoformat()}).json()
    assert [(p["account_id"], p["modification_id"]) for p in access["primary_users"]] == [(dana, None), (eve, pm)]
    assert access["primary_users"][0]["ended_on"] == access["primary_users"][1]["started_on"] == today.isoformat()
    [holder] = access["holders"]
    assert holder["account_id"] == dana and holder["departed_on"] == departed.isoformat()
    assert [(f["function"], f["ended_by"]) for f in holder["functions"]] == [
        ("provider_data_maintenance", "deactivated")
    ]
    # Eve leaves too: the POSC-DC-PM already used for her own appointment names nobody new.
    _act(client, f"/v1/user-accounts/{eve}/departure", on=today.isoformat())
    item = _wait(client, org, lambda i: _others(i))
    assert _kinds(item) == [("primary_user_departed_without_modification", "Eve Tran")]

    # The date of birth (PII) is not part of the view.
    columns = {
        r[0]
        for r in stack.sql("SELECT column_name FROM information_schema.columns WHERE table_name LIKE 'access_audit%%'")
    }
    assert "person_name" in columns and not any("birth" in c for c in columns)


def test_a_departed_subordinate_holding_access_until_every_grant_is_revoked(
    stack: Stack, tenants: tuple[str, str]
) -> None:
    client, today = stack.client(tenants[0]), _today()
    org = register(client)
    _account(client, org, "primary", "Dana Reyes")
    sam = _account(client, org, "subordinate", "Sam Ortiz")
    left = today - timedelta(days=3)
    _grant(client, sam, "claims_batch", on=left - timedelta(days=10))  # held before he left: granted earlier
    _grant(client, sam, "eligibility_verification", on=left - timedelta(days=10))
    _act(client, f"/v1/user-accounts/{sam}/departure", on=left.isoformat())
    # Until the primary user's account reaches the view, the organization shows "no primary user" instead.
    item = _wait(client, org, lambda i: i["primary_user"] is not None and _others(i))
    assert _kinds(item) == [("departed_with_access", "Sam Ortiz")]
    finding = _others(item)[0]
    assert (finding["severity"], finding["since"], finding["account_id"]) == ("high", left.isoformat(), sam)
    assert "claims_batch, eligibility_verification" in finding["detail"]
    assert _account_row(item, sam)["grants"] == ["claims_batch", "eligibility_verification"]

    _revoke(client, sam, "claims_batch")
    item = _wait(client, org, lambda i: _account_row(i, sam)["grants"] == ["eligibility_verification"])
    assert _kinds(item) == [("departed_with_access", "Sam Ortiz")]  # one function is still access
    _revoke(client, sam, "eligibility_verification")
    item = _wait(client, org, lambda i: _account_row(i, sam)["grants"] == [])
    assert _others(item) == [] and _account_row(item, sam)["access_since"] is None


def test_a_business_partner_nobody_reviewed_until_a_review(stack: Stack, tenants: tuple[str, str]) -> None:
    client, today = stack.client(tenants[0]), _today()
    org = register(client)
    _account(client, org, "primary", "Dana Reyes")
    partner = _partner(client, org)
    _grant(client, partner, "claims_batch")
    item = _wait(client, org, lambda i: i["primary_user"] is not None and _account_row(i, partner)["grants"])
    # Granted today: not a finding until its first review is due (the default interval, 90 days), then high.
    assert _others(item) == []
    due = today + timedelta(days=90)
    assert _account_row(item, partner)["review_due_on"] == due.isoformat()
    assert _others(_audit(client, org, as_of=due.isoformat())) == []
    later = _audit(client, org, as_of=(due + timedelta(days=1)).isoformat())
    assert _kinds(later) == [("partner_never_reviewed", "Billing desk")]
    finding = _others(later)[0]
    assert (finding["severity"], finding["since"], finding["account_id"]) == (
        "high",
        (due + timedelta(days=1)).isoformat(),
        partner,
    )
    assert "Acme Billing" in finding["detail"] and due.isoformat() in finding["detail"]
    # Never reviewed is the graver finding; it is not doubled by "review overdue" a year on.
    far = (today + timedelta(days=365)).isoformat()
    assert _kinds(_audit(client, org, as_of=far)) == [("partner_never_reviewed", "Billing desk")]

    review = {"outcome": "confirmed", "on": today.isoformat(), "reviewer": "Dana (primary user)"}
    _act(client, f"/v1/user-accounts/{partner}/access-reviews", **review)
    item = _wait(client, org, lambda i: _account_row(i, partner)["last_review"])
    assert _others(item) == []
    row = _account_row(item, partner)
    assert row["last_review"] == {"on": today.isoformat(), "outcome": "confirmed", "reviewer": "Dana (primary user)"}
    assert row["review_due_on"] == (today + timedelta(days=90)).isoformat()
    assert row["partner_firm"] == "Acme Billing" and row["grants"] == ["claims_batch"]

    # A review that revokes withdraws every grant: nothing left to review.
    _act(client, f"/v1/user-accounts/{partner}/access-reviews", **{**review, "outcome": "revoked"})
    item = _wait(client, org, lambda i: _account_row(i, partner)["grants"] == [])
    assert _kinds(_audit(client, org, as_of=far)) == [] and _account_row(item, partner)["review_due_on"] is None


def test_review_overdue_after_the_default_interval_and_the_tenants_own(stack: Stack, tenants: tuple[str, str]) -> None:
    client, other, today = stack.client(tenants[0]), stack.client(tenants[1]), _today()
    org = register(client, legal_name="Quincy Dental")
    dana = _account(client, org, "primary", "Dana Reyes")
    sam = _account(client, org, "subordinate", "Sam Ortiz")
    _grant(client, dana, "eligibility_verification")
    _grant(client, sam, "claims_batch")
    _act(client, f"/v1/user-accounts/{sam}/access-reviews", outcome="confirmed", on=today.isoformat(), reviewer="Dana")
    _wait(client, org, lambda i: _account_row(i, sam)["last_review"] and _account_row(i, dana)["grants"])
    b_org = register(other, legal_name="Other Firm's Practice")
    b_primary = _account(other, b_org, "primary", "Bea Lin")
    _grant(other, b_primary, "eligibility_verification")
    _wait(other, b_org, lambda i: i["accounts"] and i["accounts"][0]["grants"])

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    # Default 90 days: due on day 90 (Dana from her grant, Sam from his review), overdue from day 91.
    item = _audit(client, org, as_of=day(90))
    assert _others(item) == [] and _account_row(item, sam)["review_due_on"] == day(90)
    item = _audit(client, org, as_of=day(91))
    assert sorted(_kinds(item)) == [("access_review_overdue", "Dana Reyes"), ("access_review_overdue", "Sam Ortiz")]
    assert {(f["severity"], f["since"]) for f in _others(item)} == {("medium", day(91))}
    assert item["as_of"] == day(91)
    assert [
        i["legal_name"] for i in client.get(VIEW, params={"finding": "access_review_overdue"}).json()["items"]
    ] == []
    overdue = client.get(VIEW, params={"finding": "access_review_overdue", "as_of": day(91)}).json()["items"]
    assert [i["legal_name"] for i in overdue] == ["Quincy Dental"]

    # The firm reviews every 30 days: the same facts are overdue sooner, for this tenant only.
    assert client.put("/v1/settings", json={"access_review_interval_days": 30}).status_code == 200
    assert _others(_audit(client, org, as_of=day(30))) == []
    item = _audit(client, org, as_of=day(31))
    assert len(_others(item)) == 2 and {f["since"] for f in _others(item)} == {day(31)}
    assert _account_row(item, dana)["review_due_on"] == day(30)
    assert _others(_audit(other, b_org, as_of=day(31))) == []
    assert _kinds(_audit(other, b_org, as_of=day(91))) == [("access_review_overdue", "Bea Lin")]


def test_filters_sorting_and_cursor_pagination_over_organizations(stack: Stack, tenants: tuple[str, str]) -> None:
    client, today = stack.client(tenants[0]), _today()
    amherst = register(client, legal_name="Amherst Clinic")  # no primary user: critical
    brockton = register(client, legal_name="Brockton Health")  # a partner nobody reviewed in 100 days: high
    _account(client, brockton, "primary", "Bo")
    _grant(client, _partner(client, brockton), "claims_batch", on=today - timedelta(days=100))
    # A clean practice has a back-up primary user and was screened; every login limit here is the firm's two years.
    assert client.put("/v1/settings", json={"login_inactivity_days": 730}).status_code == 200
    cambridge = register(client, legal_name="Cambridge Care")  # clean
    _account(client, cambridge, "primary", "Cy")
    _act(client, f"/v1/user-accounts/{_account(client, cambridge, 'subordinate', 'Cyd')}/backup-primary-user")
    dedham = register(client, legal_name="Dedham Dental")  # primary left with access: critical + high
    dee = _account(client, dedham, "primary", "Dee")
    _grant(client, dee, "claims_batch", on=today - timedelta(days=2))
    _act(client, f"/v1/user-accounts/{dee}/departure", on=(today - timedelta(days=1)).isoformat())
    everett = register(client, legal_name="Everett Pediatrics")  # clean
    _account(client, everett, "primary", "Ev")
    _act(client, f"/v1/user-accounts/{_account(client, everett, 'subordinate', 'Eva')}/backup-primary-user")
    for org in (amherst, brockton, cambridge, dedham, everett):
        screen_clean(client, f"/v1/organizations/{org}", today.isoformat())

    def page(**params: Any) -> dict[str, Any]:
        response = client.get(VIEW, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def names(**params: Any) -> list[str]:
        return [i["legal_name"] for i in page(**params)["items"]]

    # Brockton and Dedham have no back-up either (a medium finding each).
    expected = {"Amherst Clinic": 1, "Brockton Health": 2, "Cambridge Care": 0, "Dedham Dental": 3}
    fresh(client)
    assert {i["legal_name"]: i["findings_count"] for i in page()["items"]} == {**expected, "Everett Pediatrics": 0}

    def walk(**params: Any) -> list[dict[str, Any]]:
        items, cursor = [], None
        while True:
            body = page(limit=2, **params, **({"cursor": cursor} if cursor else {}))
            assert len(body["items"]) <= 2
            items += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                return items

    everyone = ["Amherst Clinic", "Brockton Health", "Cambridge Care", "Dedham Dental", "Everett Pediatrics"]
    assert [i["legal_name"] for i in walk()] == everyone
    assert [i["legal_name"] for i in walk(sort="-legal_name")] == everyone[::-1]
    by_severity = walk(sort="-severity")
    assert [i["worst_severity"] for i in by_severity] == ["critical", "critical", "high", None, None]
    assert {i["legal_name"] for i in by_severity[:2]} == {"Amherst Clinic", "Dedham Dental"}
    assert next(i["legal_name"] for i in walk(sort="-findings")) == "Dedham Dental"
    assert [i["findings_count"] for i in walk(sort="findings")] == [0, 0, 1, 2, 3]
    updated = [i["updated_at"] for i in walk(sort="updated_at")]
    assert updated == sorted(updated) and len(set(i["organization_id"] for i in walk(sort="updated_at"))) == 5

    assert names(finding="no_primary_user") == ["Amherst Clinic"]
    assert names(finding=["partner_never_reviewed", "no_primary_user"]) == ["Amherst Clinic", "Brockton Health"]
    assert names(finding="primary_user_departed_without_modification") == ["Dedham Dental"]
    assert names(severity="high") == ["Brockton Health", "Dedham Dental"]
    assert names(severity=["critical"], sort="-legal_name") == ["Dedham Dental", "Amherst Clinic"]
    assert names(has_findings="false") == ["Cambridge Care", "Everett Pediatrics"]
    assert names(organization_id=[cambridge, dedham, amherst]) == ["Amherst Clinic", "Cambridge Care", "Dedham Dental"]
    assert names(organization_id=[everett], has_findings="true") == []

    first = page(limit=2)
    for bad in (
        {"sort": "person_name"},
        {"finding": "no_such_finding"},
        {"severity": "low"},
        {"limit": 0},
        {"limit": 501},
        {"cursor": "not-a-cursor"},
        {"cursor": first["next_cursor"], "sort": "-legal_name"},  # a cursor of another sort order
        {"as_of": "2026-13-01"},
        {"organization_id": "not-a-uuid"},
    ):
        assert_problem(client.get(VIEW, params=bad), 400, "invalid-request")


def test_other_tenants_and_client_viewers_see_only_their_organizations(stack: Stack, tenants: tuple[str, str]) -> None:
    a, b = stack.client(tenants[0]), stack.client(tenants[1])
    own = register(a, legal_name="Framingham Family Medicine")
    dana = _account(a, own, "primary", "Dana Reyes")
    _grant(a, dana, "claims_batch")
    other = register(a, legal_name="Gloucester Health")
    b_org = register(b, legal_name="Haverhill Clinic")
    _wait(a, own, lambda i: i["accounts"] and i["accounts"][0]["grants"])
    _wait(a, other, lambda i: True)
    _wait(b, b_org, lambda i: True)
    today = _today().isoformat()

    # Tenant B: none of tenant A's rows through any route, whatever it asks for.
    for role in ("firm_admin", "auditor"):
        reader = stack.client(tenants[1], role=role)
        assert [i["legal_name"] for i in reader.get(VIEW).json()["items"]] == ["Haverhill Clinic"]
        assert reader.get(VIEW, params={"organization_id": [own, other]}).json()["items"] == []
        assert reader.get(VIEW, params={"finding": "no_primary_user"}).json()["items"][0]["organization_id"] == b_org
        assert_problem(reader.get(f"{VIEW}/{own}"), 404, "not-found")
        assert_problem(reader.get(f"{VIEW}/{own}/access", params={"on": today}), 404, "not-found")
    assert [i["legal_name"] for i in a.get(VIEW).json()["items"]] == ["Framingham Family Medicine", "Gloucester Health"]

    # A client viewer: only the organizations in its token.
    viewer = stack.client(tenants[0], role="client_viewer", orgs=[own])
    assert [i["organization_id"] for i in viewer.get(VIEW).json()["items"]] == [own]
    assert viewer.get(VIEW, params={"organization_id": [other]}).json()["items"] == []
    assert viewer.get(f"{VIEW}/{own}").json()["primary_user"]["person_name"] == "Dana Reyes"
    held = viewer.get(f"{VIEW}/{own}/access", params={"on": today}).json()
    assert [h["account_id"] for h in held["holders"]] == [dana]
    assert_problem(viewer.get(f"{VIEW}/{other}"), 404, "not-found")
    assert_problem(viewer.get(f"{VIEW}/{other}/access", params={"on": today}), 404, "not-found")
    # A token naming another tenant's organization shows it nothing either.
    stranger = stack.client(tenants[1], role="client_viewer", orgs=[own])
    assert stranger.get(VIEW).json()["items"] == []
    assert_problem(stranger.get(f"{VIEW}/{own}"), 404, "not-found")
    # Reading needs a token.
    assert httpx.get(stack.base_url + VIEW).status_code == 401


def test_a_partner_whose_engagement_ended_still_holding_access(stack: Stack, tenants: tuple[str, str]) -> None:
    client, today = stack.client(tenants[0]), _today()
    org = register(client)
    _account(client, org, "primary", "Dana Reyes")
    partner = _partner(client, org)
    granted, ended = today - timedelta(days=20), today - timedelta(days=5)
    _grant(client, partner, "claims_batch", on=granted)
    _act(client, f"/v1/user-accounts/{partner}/engagement-end", on=ended.isoformat(), reason="Billing contract over")
    item = _wait(client, org, lambda i: ("partner_engagement_ended", "Billing desk") in _kinds(i))
    finding = _finding(item, "partner_engagement_ended")
    assert (finding["severity"], finding["since"], finding["account_id"]) == ("high", ended.isoformat(), partner)
    assert "Acme Billing" in finding["detail"] and "claims_batch" in finding["detail"]
    assert _account_row(item, partner)["engagement_ended_on"] == ended.isoformat()
    before = _audit(client, org, as_of=(ended - timedelta(days=1)).isoformat())
    assert ("partner_engagement_ended", "Billing desk") not in _kinds(before)  # type: ignore[arg-type]
    # Nothing more is granted to it; ending its access settles the finding.
    refused = client.post(f"/v1/user-accounts/{partner}/access-grants", json={"function": "prior_authorization"})
    assert_problem(refused, 422, "engagement-ended")
    _revoke(client, partner, "claims_batch")
    item = _wait(client, org, lambda i: _account_row(i, partner)["grants"] == [])
    assert ("partner_engagement_ended", "Billing desk") not in _kinds(item)
    # Another tenant can neither end it nor see it.
    other = stack.client(tenants[1])
    assert_problem(other.post(f"/v1/user-accounts/{partner}/engagement-end", json={}), 404, "not-found")
    assert other.get(f"{VIEW}/{org}").status_code == 404
